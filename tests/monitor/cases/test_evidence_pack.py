"""Evidence packs: contents, every hash re-verified, tampering detected, disclosure recorded."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import zipfile
from pathlib import Path

import pytest
from sqlmodel import select

from monitor.audit import chain as audit
from monitor.cases import contacts as case_contacts
from monitor.cases import lifecycle as cases
from monitor.cases.evidence_pack import MANIFEST, build_pack, export_pack, verify_pack
from monitor.ingest.pipeline import process_posts_sync
from monitor.review.priority import PriorityWeights
from monitor.storage.db import Database
from monitor.storage.tables.cases import CaseEvent
from monitor.storage.tables.evidence import Capture
from monitor.storage.tables.ops import AuditEvent
from tests.support.cases import STRANDS, People
from tests.support.fakes import FakeScorer, make_post

HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)> immigrants are vermin'


@pytest.fixture
def reference(db: Database, people: People, fake_scorer: FakeScorer) -> str:
    post = make_post(100, HOSTILE)
    edited = dataclasses.replace(make_post(100, HOSTILE + " (edited)"),
                                 response=b'{"page": [1, 2, 3]}', response_url="https://x/api")
    ids = process_posts_sync(db, fake_scorer, [post], weights=PriorityWeights(),
                             origin="import", actor="t").queue_item_ids
    process_posts_sync(db, fake_scorer, [edited], weights=PriorityWeights(),
                       origin="import", actor="t")
    other = process_posts_sync(db, fake_scorer, [make_post(101, "muslims are filth")],
                               weights=PriorityWeights(), origin="import", actor="t")
    with db.write() as s:
        case = cases.create_case(s, actor=people.officer, item_ids=ids + other.queue_item_ids,
                                 reason="threat", allowed_strands=STRANDS, case_years=6)
        case_contacts.add_contact(s, actor=people.officer, reference=case.reference, role="victim",
                          name="Secret Victim", contact="07700 900999")
        cases.change_status(s, actor=people.officer, reference=case.reference,
                            to_status="crime_recorded", reason="recorded",
                            crime_reference="CR/1/26")
        return case.reference


def _export(db: Database, people: People, ref: str, out: Path) -> None:
    export_pack(db, actor=people.officer, reference=ref, justification="file for CPS",
                recipient="CPS Wales", out=out)


def test_pack_contents_and_every_hash(
    db: Database, people: People, reference: str, tmp_path: Path
) -> None:
    out = tmp_path / "pack.zip"
    _export(db, people, reference, out)
    assert verify_pack(out) == []
    with zipfile.ZipFile(out) as zf:
        names = set(zf.namelist())
        manifest = zf.read(MANIFEST).decode()
        # Re-verify independently of verify_pack: sha256sum format, every file listed.
        listed = {}
        for line in manifest.splitlines():
            digest, name = line.split("  ", 1)
            listed[name] = digest
            assert hashlib.sha256(zf.read(name)).hexdigest() == digest
        assert set(listed) == names - {MANIFEST}
        doc = json.loads(zf.read("case.json"))
        html = zf.read("report.html").decode()
        with db.read() as s:
            captures = s.exec(select(Capture).order_by(Capture.id)).all()  # type: ignore[arg-type]
            for c in captures:
                assert zf.read(f"captures/{c.id}.json") == c.raw  # exactly as stored
                assert c.raw_sha256 in html
        payload_files = [n for n in names if n.startswith("payloads/")]
        assert len(payload_files) == 1
        assert zf.read(payload_files[0]) == b'{"page": [1, 2, 3]}'
    assert doc["case"]["reference"] == reference
    assert doc["case"]["crime_reference"] == "CR/1/26"
    assert doc["recipient"] == "CPS Wales" and doc["justification"] == "file for CPS"
    assert [len(i["captures"]) for i in doc["items"]] == [2, 1]  # both versions of the edit
    assert [h["kind"] for h in doc["history"]] == ["create", "status"]
    # Hostile text is escaped in the report, intact in the JSON; contacts never leave.
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "onerror=alert(1)>" not in html
    assert HOSTILE in [c["text"] for i in doc["items"] for c in i["captures"]]
    assert "Secret Victim" not in html and "07700" not in json.dumps(doc)


def test_disclosure_recorded(db: Database, people: People, reference: str, tmp_path: Path) -> None:
    out = tmp_path / "pack.zip"
    _export(db, people, reference, out)
    with db.read() as s:
        ev = s.exec(select(AuditEvent).where(AuditEvent.action == "disclosure")).one()
        assert ev.actor == "officer1" and ev.reason == "file for CPS"
        assert ev.object_id == reference
        assert ev.details["recipient"] == "CPS Wales"
        assert ev.details["pack_sha256"] == hashlib.sha256(out.read_bytes()).hexdigest()
        assert audit.verify(s).ok
        assert s.exec(select(CaseEvent).where(CaseEvent.kind == "disclosure")).one()


@pytest.mark.parametrize("field", ["justification", "recipient"])
def test_export_needs_justification_and_recipient(
    db: Database, people: People, reference: str, tmp_path: Path, field: str
) -> None:
    args = {"justification": "why", "recipient": "who", field: "  "}
    with pytest.raises(cases.CaseError) as err, db.write() as s:
        build_pack(s, actor=people.officer, reference=reference,
                   justification=args["justification"], recipient=args["recipient"])
    assert err.value.field == field
    with db.read() as s:
        assert not s.exec(select(AuditEvent).where(AuditEvent.action == "disclosure")).all()


def test_moderator_cannot_export(db: Database, people: People, reference: str) -> None:
    with pytest.raises(cases.CasePermissionError), db.write() as s:
        build_pack(s, actor=people.moderator, reference=reference, justification="x",
                   recipient="y")


def _rewrite(src: Path, dst: Path, change: dict[str, bytes | None]) -> None:
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w") as zout:
        for name in zin.namelist():
            data = change.get(name, zin.read(name))
            if data is not None:
                zout.writestr(name, data)
        for name, data in change.items():
            if name not in zin.namelist() and data is not None:
                zout.writestr(name, data)


def test_tampering_is_detected(
    db: Database, people: People, reference: str, tmp_path: Path
) -> None:
    out = tmp_path / "pack.zip"
    _export(db, people, reference, out)
    with zipfile.ZipFile(out) as zf:
        capture = next(n for n in zf.namelist() if n.startswith("captures/"))
        manifest = zf.read(MANIFEST).decode()
        raw = zf.read(capture)
    edited = tmp_path / "edited.zip"
    _rewrite(out, edited, {capture: raw + b" "})
    assert any(capture in p and "does not match" in p for p in verify_pack(edited))
    # A forger who also fixes the manifest is still caught by the capture-time hash.
    new = hashlib.sha256(raw + b" ").hexdigest()
    old = hashlib.sha256(raw).hexdigest()
    forged = tmp_path / "forged.zip"
    _rewrite(out, forged, {capture: raw + b" ", MANIFEST: manifest.replace(old, new).encode()})
    assert any("recorded at capture time" in p for p in verify_pack(forged))
    removed = tmp_path / "removed.zip"
    _rewrite(out, removed, {"report.html": None})
    assert any("report.html is listed" in p for p in verify_pack(removed))
    extra = tmp_path / "extra.zip"
    _rewrite(out, extra, {"../evil.txt": b"x"})
    problems = verify_pack(extra)
    assert any("unsafe path" in p for p in problems)
    junk = tmp_path / "junk.zip"
    junk.write_bytes(b"not a zip")
    assert "not a readable ZIP" in verify_pack(junk)[0]

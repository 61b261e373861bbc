"""Evidence packs: one case as a ZIP a crime recording system, an HCSO or a prosecutor can use.

Layout (every path relative, so ``unzip`` then ``sha256sum -c manifest.sha256`` checks it)::

    report.html          printable summary, items, decisions, history
    case.json            the same as data
    captures/<id>.<ext>  each capture's raw bytes exactly as stored
    payloads/<sha>.bin   the whole response a capture came from, when it was kept
    audit_head.json      the audit chain's head at export: a seal (``audit verify --seal``)
    manifest.sha256      sha256sum lines for every other file

An export is a disclosure under DPA 2018 s62: it needs a justification and a recipient and is
written to the audit chain in the same transaction that produced the pack.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlmodel import Session

from monitor import tool_version
from monitor.audit import chain as audit
from monitor.audit.seal import head as audit_head
from monitor.cases.evidence_report import render_report
from monitor.cases.lifecycle import STATUSES, CaseError, require_case, require_worker
from monitor.cases.read import CaseDetail, CaseItemView, case_detail
from monitor.review.decisions import OFFENCES
from monitor.storage.db import Database
from monitor.storage.tables.accounts import User
from monitor.storage.tables.cases import CaseEvent
from monitor.storage.tables.evidence import Capture, Payload
from monitor.storage.types import utcnow

FORMAT = "hate-monitor evidence pack"
FORMAT_VERSION = 1
MANIFEST = "manifest.sha256"
MAX_FIELD = 1000
_EXT = {"application/json": "json", "text/html": "html", "application/xml": "xml",
        "application/rss+xml": "xml", "application/atom+xml": "xml", "text/plain": "txt"}
_MANIFEST_LINE = re.compile(r"^([0-9a-f]{64}) [ *](.+)$")


@dataclass(frozen=True, slots=True)
class Pack:
    reference: str
    data: bytes  # the ZIP
    sha256: str  # of the ZIP, as recorded in the disclosure
    files: dict[str, str]  # path -> sha256, as in the manifest

    @property
    def filename(self) -> str:
        return f"{self.reference}-evidence.zip"


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _capture_file(c: Capture) -> str:
    ext = _EXT.get(c.raw_content_type.split(";")[0].strip().lower(), "bin")
    return f"captures/{c.id}.{ext}"


def _capture_doc(c: Capture, payload: Payload | None) -> dict[str, Any]:
    return {
        "capture_id": c.id,
        "version": c.version,
        "url": c.url,
        "author_handle": c.author_handle,
        "author_id": c.author_id,
        "created_at": _iso(c.created_at),
        # False: the platform's date could not be read and created_at is only the capture time
        # (the latest the post can have been written); the raw capture keeps what it said.
        "created_at_known": c.created_at_known,
        "captured_at": _iso(c.captured_at),
        "text": c.text,
        "language": c.language,
        "thread_id": c.thread_id,
        "parent_id": c.parent_id,
        "raw_content_type": c.raw_content_type,
        "raw_sha256": c.raw_sha256,
        "raw_hash_ok": _sha(c.raw) == c.raw_sha256,
        "content_sha256": c.content_sha256,
        "tool_version": c.tool_version,
        "origin": c.origin,
        "file": _capture_file(c),
        "payload": None if payload is None else {
            "sha256": payload.sha256,
            "file": f"payloads/{payload.sha256}.bin",
            "url": payload.url,
            "fetched_at": _iso(payload.fetched_at),
        },
    }


def _item_doc(v: CaseItemView, payloads: dict[str, Payload], names: dict[int, str]
              ) -> dict[str, Any]:
    return {
        "queue_item_id": v.item.id,
        "platform": v.item.platform,
        "post_id": v.item.post_id,
        "status": v.item.status,
        "added_at": _iso(v.added_at),
        "added_by": v.added_by,
        "captures": [_capture_doc(c, payloads.get(c.payload_sha256 or "")) for c in v.versions],
        "decisions": [
            {
                "decision_id": d.id,
                "created_at": _iso(d.created_at),
                "user": names.get(d.user_id, f"user {d.user_id}"),
                "outcome": d.outcome,
                "strands": list(d.strands),
                "perceived_by": d.perceived_by,
                "offences": list(d.offences),
                "rationale": d.rationale,
                "p_hate_at_decision": d.p_hate_at_decision,
                "model_version": d.model_version,
                "undone_at": _iso(d.undone_at),
            }
            for d in v.decisions
        ],
    }


def build_document(
    detail: CaseDetail, payloads: dict[str, Payload], *, actor: User, recipient: str,
    justification: str, now: datetime,
) -> dict[str, Any]:
    c = detail.case
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "generated_at": _iso(now),
        "generated_by": actor.username,
        "tool_version": tool_version(),
        "recipient": recipient,
        "justification": justification,
        "case": {
            "reference": c.reference,
            "title": c.title,
            "status": c.status,
            "status_label": STATUSES.get(c.status, c.status),
            "crime_reference": c.crime_reference,
            "strands": list(c.strands),
            "offences": [{"code": o, "label": OFFENCES.get(o, o)} for o in c.offences],
            "cyber_enabled": c.cyber_enabled,
            "perception": c.perception,
            "created_at": _iso(c.created_at),
            "created_by": detail.created_by,
            "assignee": detail.assignee,
            "review_date": c.review_date.isoformat() if c.review_date else None,
        },
        "items": [_item_doc(v, payloads, detail.usernames) for v in detail.items],
        "history": [
            {"at": _iso(h.at), "user": h.user, "kind": h.kind, "from_status": h.from_status,
             "to_status": h.to_status, "reason": h.reason, "details": h.details}
            for h in detail.history
        ],
        # Victim and witness contact details are never exported: they stay with the assignee.
        "notes": [{"at": _iso(n.at), "user": n.user, "body": n.body} for n in detail.notes],
    }


def _zip(files: dict[str, bytes], now: datetime) -> bytes:
    buf = io.BytesIO()
    stamp = now.timetuple()[:6]
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, data in files.items():
            info = zipfile.ZipInfo(name, date_time=stamp)  # type: ignore[arg-type]
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, data)
    return buf.getvalue()


def _clean(value: str, field: str) -> str:
    value = value.strip()
    if not value:
        raise CaseError(field, "required: a disclosure is logged with its justification and "
                               "recipient (DPA 2018 s62)")
    if len(value) > MAX_FIELD:
        raise CaseError(field, f"keep it under {MAX_FIELD} characters")
    return value


def build_pack(
    session: Session, *, actor: User, reference: str, justification: str, recipient: str,
    now: datetime | None = None,
) -> Pack:
    """Assemble the pack and record the disclosure, inside the caller's write transaction."""
    require_worker(actor)
    now = now or utcnow()
    justification = _clean(justification, "justification")
    recipient = _clean(recipient, "recipient")
    case = require_case(session, reference)
    detail = case_detail(session, case.reference)
    shas = {c.payload_sha256 for v in detail.items for c in v.versions if c.payload_sha256}
    payloads = {p.sha256: p for p in (session.get(Payload, s) for s in sorted(shas)) if p}
    doc = build_document(detail, payloads, actor=actor, recipient=recipient,
                         justification=justification, now=now)
    files: dict[str, bytes] = {
        "report.html": render_report(doc).encode(),
        "case.json": json.dumps(doc, indent=2, ensure_ascii=False, sort_keys=True).encode(),
    }
    for v in detail.items:
        for c in v.versions:
            files[_capture_file(c)] = c.raw
    for sha, p in payloads.items():
        files[f"payloads/{sha}.bin"] = p.body
    # Every disclosed pack carries the chain's head, so each one is a seal held outside the
    # database: a later rewrite or truncation of the trail before it shows.
    sealed = audit_head(session, now=now)
    if sealed is not None:
        files["audit_head.json"] = (sealed.line() + "\n").encode()
    hashes = {name: _sha(data) for name, data in files.items()}
    files[MANIFEST] = "".join(f"{h}  {name}\n" for name, h in hashes.items()).encode()
    data = _zip(files, now)
    pack = Pack(case.reference, data, _sha(data), hashes)
    capture_ids = [c.id for v in detail.items for c in v.versions]
    session.add(CaseEvent(case_id=case.id or 0, created_at=now, user_id=actor.id or 0,
                          kind="disclosure", reason=justification,
                          details={"recipient": recipient, "pack_sha256": pack.sha256}))
    audit.record(
        session,
        actor=actor.username,
        action="disclosure",
        object_type="case",
        object_id=case.reference,
        reason=justification,
        details={"recipient": recipient, "pack_sha256": pack.sha256,
                 "manifest_sha256": _sha(files[MANIFEST]), "files": len(files),
                 "capture_ids": capture_ids,
                 "audit_head": None if sealed is None else sealed.event_id},
    )
    session.flush()
    return pack


def export_pack(
    db: Database, *, actor: User, reference: str, justification: str, recipient: str,
    out: Path, now: datetime | None = None,
) -> Pack:
    """Write the pack to ``out``; the disclosure commits only if the file was written whole."""
    tmp = out.with_name(f".{out.name}.part")
    with db.write() as session:
        pack = build_pack(session, actor=actor, reference=reference, justification=justification,
                          recipient=recipient, now=now)
        try:
            tmp.write_bytes(pack.data)
            os.replace(tmp, out)
        except OSError as err:
            tmp.unlink(missing_ok=True)
            raise CaseError("out", f"cannot write {out}: {err.strerror or err}") from err
    return pack


def _safe_name(name: str) -> bool:
    return not (name.startswith(("/", "\\")) or ".." in name.split("/") or "\\" in name
                or ":" in name)


def _parse_manifest(text: str, problems: list[str]) -> dict[str, str]:
    listed: dict[str, str] = {}
    for n, line in enumerate(text.splitlines(), 1):
        m = _MANIFEST_LINE.match(line)
        if not m:
            problems.append(f"{MANIFEST} line {n} is not '<sha256>  <path>'")
            continue
        listed[m.group(2)] = m.group(1)
    return listed


def _check_captures(zf: zipfile.ZipFile, names: Iterable[str], problems: list[str]) -> None:
    """Each raw capture must still hash to what was recorded at capture time."""
    if "case.json" not in names:
        problems.append("case.json is missing")
        return
    try:
        doc = json.loads(zf.read("case.json"))
        captures = [c for it in doc["items"] for c in it["captures"]]
    except (ValueError, KeyError, TypeError) as err:
        problems.append(f"case.json cannot be read: {err}")
        return
    for c in captures:
        name = c.get("file")
        if name not in names:
            problems.append(f"capture {c.get('capture_id')}: {name} is missing")
        elif _sha(zf.read(name)) != c.get("raw_sha256"):
            problems.append(f"capture {c.get('capture_id')}: {name} does not match the SHA-256 "
                            "recorded at capture time")


def verify_pack(path: Path | str) -> list[str]:
    """Every problem found in a pack; an empty list means every hash checks out."""
    problems: list[str] = []
    try:
        zf = zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile) as err:
        return [f"{path}: not a readable ZIP file ({err})"]
    with zf:
        names = [i.filename for i in zf.infolist() if not i.is_dir()]
        bad = [n for n in names if not _safe_name(n)]
        problems += [f"unsafe path in pack: {n!r}" for n in bad]
        if len(set(names)) != len(names):
            problems.append("the pack holds the same path more than once")
        if MANIFEST not in names:
            return [*problems, f"{MANIFEST} is missing"]
        listed = _parse_manifest(zf.read(MANIFEST).decode("utf-8", "replace"), problems)
        for name, expected in listed.items():
            if name not in names:
                problems.append(f"{name} is listed in {MANIFEST} but missing")
            elif _sha(zf.read(name)) != expected:
                problems.append(f"{name} does not match its SHA-256 in {MANIFEST}")
        problems += [f"{n} is not listed in {MANIFEST}" for n in names
                     if n != MANIFEST and n not in listed and n not in bad]
        _check_captures(zf, names, problems)
    return problems

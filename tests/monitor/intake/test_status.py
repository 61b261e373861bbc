"""Hearing back: status from the decision, the officer's message, isolation, boost, e-mail."""

from __future__ import annotations

from datetime import timedelta
from email.message import EmailMessage

from sqlmodel import select

from monitor.intake.reports import submit_report
from monitor.intake.status import (
    boost_for,
    my_reports,
    notify_changes,
    report_counts,
    reports_for_item,
    set_feedback,
    track_record,
)
from monitor.review.priority import PriorityWeights
from monitor.storage.db import Database
from monitor.storage.tables.accounts import User
from monitor.storage.tables.review import Decision, QueueItem
from monitor.storage.types import utcnow
from tests.support.fakes import FakeScorer
from tests.support.intake import report

W = PriorityWeights()


def decide(db: Database, item_id: int, officer: User, outcome: str,
           rationale: str = "internal: author known to us from case 42") -> int:
    with db.write() as s:
        item = s.get(QueueItem, item_id)
        assert item is not None
        item.status = "decided"
        item.decided_at = utcnow()
        s.add(item)
        d = Decision(queue_item_id=item_id, capture_id=item.capture_id, user_id=officer.id or 0,
                     outcome=outcome, rationale=rationale)
        s.add(d)
        s.flush()
        return d.id or 0


def status(db: Database, user: User) -> list[str]:
    with db.read() as s:
        return [r.status for r in my_reports(s, user.id or 0)]


async def test_status_follows_the_item(
    db: Database, fake_scorer: FakeScorer, mod_a: User, officer: User
) -> None:
    out = await submit_report(db, fake_scorer, reporter=mod_a, data=report(), weights=W)
    assert status(db, mod_a) == ["received"]
    with db.write() as s:
        item = s.get(QueueItem, out.queue_item_id)
        assert item is not None
        item.assignee_id = officer.id
        item.claimed_until = utcnow() + timedelta(minutes=5)
        s.add(item)
    assert status(db, mod_a) == ["under_review"]
    decision_id = decide(db, out.queue_item_id, officer, "not_hate")
    assert status(db, mod_a) == ["no_action"]
    with db.write() as s:  # undone: the item reopens, held by the officer
        d = s.get(Decision, decision_id)
        assert d is not None
        d.undone_at = utcnow()
        item = s.get(QueueItem, out.queue_item_id)
        assert item is not None
        item.status = "open"
        s.add(d)
        s.add(item)
    assert status(db, mod_a) == ["under_review"]
    decide(db, out.queue_item_id, officer, "possible_crime")
    assert status(db, mod_a) == ["action_taken"]


async def test_moderator_sees_message_but_never_notes_or_others(
    db: Database, fake_scorer: FakeScorer, mod_a: User, mod_b: User, officer: User
) -> None:
    a = await submit_report(db, fake_scorer, reporter=mod_a, data=report(), weights=W)
    b = await submit_report(db, fake_scorer, reporter=mod_b, weights=W,
                            data=report(reason="mod b's private worry about a named child"))
    decide(db, a.queue_item_id, officer, "hate_intelligence")
    with db.write() as s:
        set_feedback(s, report_ids=[a.report_id], message="Thank you: we have recorded it.",
                     officer=officer)
    with db.read() as s:
        mine = my_reports(s, mod_a.id or 0)
        assert [r.id for r in mine] == [a.report_id]
        assert mine[0].message == "Thank you: we have recorded it."
        assert mine[0].status == "action_taken"
        everything = repr(mine) + repr([r.as_json() for r in mine])
        assert "case 42" not in everything and "named child" not in everything
        assert "officer1" not in everything and "mod_b" not in everything
        # Asking for someone else's report by id yields nothing.
        assert my_reports(s, mod_a.id or 0, report_id=b.report_id) == []
        assert [r.id for r in my_reports(s, mod_b.id or 0)] == [b.report_id]
        # The officer sees both reports on the one item, with each reporter's record.
        on_item = reports_for_item(s, a.queue_item_id)
        assert [(r.reporter, r.relation) for r in on_item] == [("mod_a", "new"),
                                                               ("mod_b", "attached")]
        assert report_counts(s, [a.queue_item_id, 999]) == {a.queue_item_id: 2}


def test_boost_formula_is_neutral_for_newcomers_and_bounded() -> None:
    assert boost_for(0, 0) == (0.5, 0.0)
    assert boost_for(4, 4)[1] == round(0.2 * (2 * 6 / 8 - 1), 6)
    assert 0 < boost_for(20, 20)[1] < 0.2
    assert -0.2 < boost_for(0, 20)[1] < 0
    assert boost_for(5, 10)[1] == 0.0


async def test_track_record_boosts_priority(
    db: Database, fake_scorer: FakeScorer, mod_a: User, mod_b: User, officer: User
) -> None:
    for n in range(4):  # mod_a: four reports, all upheld
        out = await submit_report(db, fake_scorer, reporter=mod_a, weights=W,
                                  data=report(100 + n, text=f"post {n}: immigrants are scum"))
        decide(db, out.queue_item_id, officer, "hate_intelligence")
    with db.read() as s:
        rec = track_record(s, mod_a.id or 0)
        assert (rec.reports, rec.decided, rec.upheld) == (4, 4, 4) and rec.boost > 0
        assert track_record(s, mod_b.id or 0).boost == 0.0
    text = "muslims are filth"
    good = await submit_report(db, fake_scorer, reporter=mod_a, weights=W,
                               data=report(200, text=text))
    new = await submit_report(db, fake_scorer, reporter=mod_b, weights=W,
                              data=report(201, text=text))
    assert new.boost == 0.0 and good.boost == rec.boost
    with db.read() as s:
        p_good = s.get(QueueItem, good.queue_item_id)
        p_new = s.get(QueueItem, new.queue_item_id)
        assert p_good is not None and p_new is not None
        assert abs((p_good.priority - p_new.priority) - rec.boost) < 1e-3
    # A repeat by the trusted moderator lifts the newcomer's item by the boost, once.
    before = p_new.priority
    await submit_report(db, fake_scorer, reporter=mod_a, weights=W, data=report(201))
    await submit_report(db, fake_scorer, reporter=mod_a, weights=W, data=report(201))
    with db.read() as s:
        item = s.get(QueueItem, new.queue_item_id)
        assert item is not None and abs(item.priority - (before + rec.boost)) < 1e-6


async def test_email_on_status_change_only(
    db: Database, fake_scorer: FakeScorer, mod_a: User, mod_b: User, officer: User
) -> None:
    a = await submit_report(db, fake_scorer, reporter=mod_a, data=report(), weights=W)
    await submit_report(db, fake_scorer, reporter=mod_b, data=report(2), weights=W)
    sent: list[EmailMessage] = []

    def run() -> int:
        with db.write() as s:
            return notify_changes(s, send=sent.append, base_url="https://desk.example/",
                                  sender_address="desk@example.org")

    assert run() == 0  # "received" was already said by the form
    decide(db, a.queue_item_id, officer, "not_hate")
    with db.write() as s:
        set_feedback(s, report_ids=[a.report_id], message="Not criminal, but we noted it.",
                     officer=officer)
    assert run() == 1 and run() == 0
    msg = sent[0]
    assert msg["To"] == "a@example.org"  # mod_b has no address: never e-mailed
    assert msg["Subject"] == f"Your report #{a.report_id}: No action"
    body = msg.get_content()
    assert "Not criminal, but we noted it." in body
    assert "https://desk.example/intake/reports" in body
    assert "vermin" not in body and "case 42" not in body  # no post text, no internal notes
    with db.read() as s:
        assert s.exec(select(Decision)).first() is not None


async def test_moderator_notices_go_out_over_smtp_and_retry(
    db: Database, fake_scorer: FakeScorer, mod_a: User, officer: User
) -> None:
    from monitor.alerts.config import EmailConfig
    from monitor.intake.notices import send_moderator_notices
    from tests.support.smtp import SmtpSink

    sink = SmtpSink(fail_first=1)
    await sink.start()
    try:
        cfg = EmailConfig(host="127.0.0.1", port=sink.port, sender="desk@example.org",
                          recipients=("cso@example.org",), starttls=False, timeout_s=5)
        a = await submit_report(db, fake_scorer, reporter=mod_a, data=report(), weights=W)
        decide(db, a.queue_item_id, officer, "not_hate")

        async def round_() -> int:
            return await db.run(send_moderator_notices, db, cfg, base_url="https://d.example/")

        assert await round_() == 0  # the server said 451: nothing marked, retried next round
        assert await round_() == 1
        assert await round_() == 0  # already told
    finally:
        await sink.stop()
    assert len(sink.messages) == 1
    body = sink.messages[0].decode()
    assert f"Your report #{a.report_id}: No action" in body
    assert "vermin" not in body

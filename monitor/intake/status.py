"""What happened to a report: the moderator's track record, the priority boost it earns, the
status a moderator sees, the officer's message to them, and the e-mail telling them of a change.

Track record and boost
    upheld  = the moderator's reported posts the officer decided were hate
              (``hate_intelligence`` or ``possible_crime``, decision not undone)
    decided = the moderator's reported posts with any standing decision
    share   = (upheld + PRIOR) / (decided + 2 * PRIOR)      (Beta(PRIOR, PRIOR) prior, mean 1/2)
    boost   = BOOST_WEIGHT * (2 * share - 1)                 (in [-BOOST_WEIGHT, +BOOST_WEIGHT])

A new moderator (nothing decided yet) has share 1/2 and boost 0: neutral. With PRIOR = 2 a
moderator needs several decisions before the boost moves much (4 of 4 upheld: +0.067; 20 of 20:
+0.167). Each post counts once however often the same moderator reported it. The boost is small
against the threat boost (``priority.threat_boost``, default 1.0) so a threat reported by anyone
still tops the queue. An item reported by several moderators takes the largest of their boosts.

Status seen by the moderator, derived from the queue item and the report's own time:
    received      the item is open and no officer has opened it yet
    under_review  an officer has claimed/opened it, or it is decided but the decision is gone
    action_taken  standing decision is hate (intelligence or possible crime)
    no_action     standing decision is "not hate"
A decision older than the report counts for nothing (the report shows "received"): a moderator
learns only what was decided on their own reports, never the outcome of someone else's.
The moderator sees the status and, if the officer wrote one, a short message for reporters;
never the rationale, strands, offences, other reporters or the officer's identity.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage

from sqlmodel import Session, col, func, select

from monitor.audit import chain as audit
from monitor.storage.tables.accounts import User
from monitor.storage.tables.reports import Report, ReportLink, Screenshot
from monitor.storage.tables.review import Decision, QueueItem
from monitor.storage.types import utcnow

PRIOR = 2.0
BOOST_WEIGHT = 0.2
UPHELD = frozenset({"hate_intelligence", "possible_crime"})
MAX_MESSAGE = 500

STATUS_LABELS: dict[str, str] = {
    "received": "Received",
    "under_review": "Under review",
    "action_taken": "Action taken",
    "no_action": "No action",
}


@dataclass(frozen=True, slots=True)
class TrackRecord:
    reports: int
    decided: int
    upheld: int
    share: float
    boost: float


def boost_for(upheld: int, decided: int) -> tuple[float, float]:
    share = (upheld + PRIOR) / (decided + 2 * PRIOR)
    return share, round(BOOST_WEIGHT * (2 * share - 1), 6)


def standing_decisions(session: Session, item_ids: Iterable[int]) -> dict[int, Decision]:
    """The latest not-undone decision of each item."""
    ids = sorted(set(item_ids))
    if not ids:
        return {}
    rows = session.exec(
        select(Decision)
        .where(col(Decision.queue_item_id).in_(ids), col(Decision.undone_at).is_(None))
        .order_by(col(Decision.id))
    ).all()
    return {d.queue_item_id: d for d in rows}


def track_record(session: Session, reporter_id: int) -> TrackRecord:
    items = set(session.exec(
        select(ReportLink.queue_item_id)
        .join(Report, col(Report.id) == ReportLink.report_id)
        .where(Report.reporter_id == reporter_id)
    ).all())
    open_ids = set(session.exec(
        select(QueueItem.id).where(col(QueueItem.id).in_(items), QueueItem.status == "open")
    ).all()) if items else set()
    decisions = standing_decisions(session, items - {i for i in open_ids if i is not None})
    upheld = sum(d.outcome in UPHELD for d in decisions.values())
    share, boost = boost_for(upheld, len(decisions))
    return TrackRecord(len(items), len(decisions), upheld, round(share, 4), boost)


def apply_boost(
    session: Session, item: QueueItem, link: ReportLink, *, reset: bool, now: datetime
) -> None:
    """Add the link and lift the open item's priority to carry the largest boost of its reports.

    ``reset``: the pipeline has just recomputed the item's priority from a new capture (so it
    carries no boost at all)."""
    before = session.exec(
        select(func.max(ReportLink.boost)).where(ReportLink.queue_item_id == item.id)
    ).one()
    had = 0.0 if reset or before is None else float(before)
    session.add(link)
    session.flush()
    best = max(link.boost, float(before) if before is not None else link.boost)
    if item.status == "open" and best != had:
        item.priority = round(item.priority + best - had, 6)
        item.updated_at = now
        session.add(item)
        session.flush()


def status_of(
    item: QueueItem | None, decision: Decision | None, reported_at: datetime | None = None
) -> str:
    """The status one report shows its moderator. A decision taken before the report was made
    answered someone else's report, not this one: the moderator sees "received" until an
    officer acts after their report (otherwise reporting any URL would reveal what the police
    decided about it)."""
    if item is None:
        return "received"
    if item.status == "open":
        return "under_review" if item.assignee_id is not None else "received"
    if decision is None:
        return "under_review"
    if reported_at is not None and decision.created_at < reported_at:
        return "received"
    return "action_taken" if decision.outcome in UPHELD else "no_action"


@dataclass(frozen=True, slots=True)
class MyReport:
    """What a moderator may see about one of their reports, and nothing else."""

    id: int
    url: str
    platform: str
    group: str
    reason: str
    text_as_seen: str
    created_at: datetime
    status: str
    status_label: str
    message: str | None
    capture_kind: str
    screenshots: int

    def as_json(self) -> dict[str, object]:
        return {
            "id": self.id, "url": self.url, "platform": self.platform, "group": self.group,
            "created_at": self.created_at.isoformat(), "status": self.status,
            "message": self.message, "capture_kind": self.capture_kind,
            "screenshots": self.screenshots,
        }


def my_reports(
    session: Session, reporter_id: int, *, report_id: int | None = None, limit: int = 200
) -> list[MyReport]:
    """One moderator's own reports, newest first; filtered by reporter in SQL, so no other
    person's report can appear whatever the caller passes."""
    conds = [col(Report.reporter_id) == reporter_id]
    if report_id is not None:
        conds.append(col(Report.id) == report_id)
    rows = session.exec(
        select(Report, QueueItem)
        .outerjoin(ReportLink, col(ReportLink.report_id) == Report.id)
        .outerjoin(QueueItem, col(QueueItem.id) == ReportLink.queue_item_id)
        .where(*conds)
        .order_by(col(Report.id).desc())
        .limit(limit)
    ).all()
    decisions = standing_decisions(session, [i.id for _, i in rows if i is not None and i.id])
    ids = [r.id for r, _ in rows if r.id is not None]
    shots = dict(session.exec(
        select(Screenshot.report_id, func.count())
        .where(col(Screenshot.report_id).in_(ids))
        .group_by(col(Screenshot.report_id))
    ).all()) if ids else {}
    out = []
    for report, item in rows:
        status = status_of(item, decisions.get(item.id or 0) if item is not None else None,
                           report.created_at)
        out.append(MyReport(
            id=report.id or 0, url=report.url, platform=report.platform,
            group=report.group_name, reason=report.reason, text_as_seen=report.text_as_seen,
            created_at=report.created_at, status=status, status_label=STATUS_LABELS[status],
            message=report.feedback_message, capture_kind=report.capture_kind,
            screenshots=int(shots.get(report.id or 0, 0)),
        ))
    return out


@dataclass(frozen=True, slots=True)
class ItemReport:
    """A report as the officer sees it on the queue item, with the reporter's track record."""

    report: Report
    reporter: str
    record: TrackRecord
    relation: str
    screenshot_ids: list[int]


def item_with_reports(session: Session, item_id: int) -> tuple[QueueItem | None, list[ItemReport]]:
    """A queue item and every report that points at it (the officer's view of the reports)."""
    return session.get(QueueItem, item_id), reports_for_item(session, item_id)


def reports_for_item(session: Session, item_id: int) -> list[ItemReport]:
    rows = session.exec(
        select(Report, ReportLink.relation, User.username)
        .join(ReportLink, col(ReportLink.report_id) == Report.id)
        .join(User, col(User.id) == Report.reporter_id)
        .where(ReportLink.queue_item_id == item_id)
        .order_by(col(Report.id))
    ).all()
    out = []
    for report, relation, username in rows:
        shots = session.exec(
            select(Screenshot.id).where(Screenshot.report_id == report.id)
            .order_by(col(Screenshot.id))
        ).all()
        out.append(ItemReport(report, username, track_record(session, report.reporter_id),
                              relation, [s for s in shots if s is not None]))
    return out


def report_counts(session: Session, item_ids: Iterable[int]) -> dict[int, int]:
    """How many moderator reports each of these queue items has (for a queue column)."""
    ids = sorted(set(item_ids))
    if not ids:
        return {}
    rows = session.exec(
        select(ReportLink.queue_item_id, func.count())
        .where(col(ReportLink.queue_item_id).in_(ids))
        .group_by(col(ReportLink.queue_item_id))
    ).all()
    return {int(i): int(n) for i, n in rows}


class FeedbackError(ValueError):
    """The officer's message cannot be stored as written."""


def set_feedback(
    session: Session, *, report_ids: Sequence[int], message: str, officer: User,
    now: datetime | None = None,
) -> int:
    """Store the officer's message to the reporters of these reports (empty clears it)."""
    message = message.strip()
    if len(message) > MAX_MESSAGE:
        raise FeedbackError(f"keep the message to reporters under {MAX_MESSAGE} characters")
    if "\x00" in message:
        raise FeedbackError("the message contains a NUL character")
    now = now or utcnow()
    reports = session.exec(select(Report).where(col(Report.id).in_(list(report_ids)))).all()
    for report in reports:
        report.feedback_message = message or None
        report.feedback_at = now if message else None
        session.add(report)
    session.flush()
    audit.record(
        session, actor=officer.username, action="report.feedback", object_type="report",
        object_id=",".join(str(r.id) for r in reports), details={"message": message or None},
    )
    return len(reports)


# --- notification --------------------------------------------------------------------------

Sender = Callable[[EmailMessage], None]


def status_email(
    *, to: str, report: MyReport, base_url: str, sender_address: str
) -> EmailMessage:
    """The e-mail telling a moderator their report changed status. It carries the status and
    the officer's message only; the post itself stays on the server (hate material)."""
    msg = EmailMessage()
    msg["To"] = to
    msg["From"] = sender_address
    msg["Subject"] = f"Your report #{report.id}: {report.status_label}"
    lines = [
        f"The status of your report #{report.id} ({report.platform}, {report.group}) is now: "
        f"{report.status_label}.",
    ]
    if report.message:
        lines += ["", "Message from the officer:", report.message]
    lines += ["", f"See all your reports: {base_url.rstrip('/')}/intake/reports"]
    msg.set_content("\n".join(lines))
    return msg


def notify_changes(
    session: Session, *, send: Sender, base_url: str, sender_address: str
) -> int:
    """Send one e-mail per report whose status moved since the last notice; returns the count.

    A report is marked notified only after ``send`` returns, so a failed delivery is retried
    on the next run. Moderators without an e-mail address are skipped."""
    sent = 0
    users = session.exec(
        select(User).where(User.role == "moderator", col(User.email).is_not(None))
    ).all()
    for user in users:
        for mine in my_reports(session, user.id or 0, limit=1000):
            report = session.get(Report, mine.id)
            if report is None or report.notified_status == mine.status:
                continue
            if report.notified_status is None and mine.status == "received":
                report.notified_status = mine.status  # the form already said "received"
            else:
                send(status_email(to=user.email or "", report=mine, base_url=base_url,
                                  sender_address=sender_address))
                report.notified_status = mine.status
                sent += 1
            session.add(report)
            session.flush()
    return sent

"""Moderator reports: validate, capture (canonical or the moderator's copy), queue, attach repeats.

A report becomes a capture and a queue item through the ordinary pipeline stages (origin
``"report"``), so it is scored like anything else. When a connector can fetch the post itself
(``fetch_canonical``), that canonical capture is the evidence; otherwise the text the moderator
pasted is stored as the capture, its raw payload a JSON document marked ``moderator_copy``
(content type ``MODERATOR_COPY_TYPE``) so no one mistakes it for what the platform sent.

A second report of a post already captured (same platform and post id, or the same normalised
URL) attaches to the existing queue item: one item, many reports. Everything a report writes
(capture, score, queue item, report, screenshots, link, boost, audit event) commits in one
transaction, so a failure leaves nothing half-stored.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit, urlunsplit

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from connectors.base import ConnectorError
from connectors.post import Post, sha256_hex
from connectors.registry import CONNECTORS
from models.types import Prediction, Scorer
from monitor.audit import chain as audit
from monitor.ingest.pipeline import PostKey, known_keys, score_posts, store_batch, unique_new
from monitor.intake.images import CleanImage, process_uploads
from monitor.intake.status import apply_boost, track_record
from monitor.review.priority import PriorityWeights
from monitor.storage.db import Database
from monitor.storage.tables.accounts import User
from monitor.storage.tables.evidence import Capture
from monitor.storage.tables.reports import Report, ReportLink, Screenshot
from monitor.storage.tables.review import QueueItem
from monitor.storage.types import utcnow

log = logging.getLogger(__name__)

MODERATOR_COPY_TYPE = "application/vnd.hate-monitor.moderator-copy+json"
# Platforms a connector exists for (a canonical capture may be fetched) ...
FETCHABLE = tuple(CONNECTORS)
# ... and where local groups also live, for which the moderator's copy is all we can have.
PLATFORMS: tuple[str, ...] = (
    *FETCHABLE, "facebook", "instagram", "x", "tiktok", "whatsapp", "discord", "nextdoor", "other",
)
MAX_URL = 2048
MAX_TEXT = 20_000
MAX_REASON = 5_000
MAX_GROUP = 200
MAX_AUTHOR = 255
FETCH_TIMEOUT_S = 20.0
_TRACKING = ("utm_", "fbclid", "gclid", "mc_eid", "igshid", "si")

CanonicalFetcher = Callable[[str], Awaitable[Post | None]]


class ReportInvalid(ValueError):
    """A report we cannot accept; ``errors`` maps each bad field to what is wrong with it."""

    def __init__(self, errors: Mapping[str, str]) -> None:
        self.errors = dict(errors)
        super().__init__("; ".join(f"{k}: {v}" for k, v in self.errors.items()))


@dataclass(frozen=True, slots=True)
class ReportInput:
    url: str
    text: str
    platform: str
    group: str
    reason: str
    author: str = ""


@dataclass(frozen=True, slots=True)
class ReportOutcome:
    report_id: int
    queue_item_id: int
    relation: str  # new | attached
    capture_kind: str  # canonical | moderator_copy
    fetch_note: str | None
    boost: float
    screenshots: int


def _field(data: Mapping[str, object], name: str, limit: int, errors: dict[str, str],
           *, required: bool = True, label: str | None = None) -> str:
    value = data.get(name)
    what = label or name
    if value is None or value == "":
        if required:
            errors[name] = f"{what} is required"
        return ""
    if not isinstance(value, str):
        errors[name] = f"{what} must be a string, got {type(value).__name__}"
        return ""
    value = value.strip()
    if required and not value:
        errors[name] = f"{what} is required (it was only spaces)"
    elif "\x00" in value:
        errors[name] = f"{what} contains a NUL character"
    elif len(value) > limit:
        errors[name] = f"{what} is {len(value)} characters; the limit is {limit}"
    return value


def url_problem(url: str) -> str | None:
    try:
        parts = urlsplit(url)
        host = parts.hostname
        _ = parts.port
    except ValueError as err:
        return f"is not a valid URL ({err})"
    if parts.scheme not in ("http", "https"):
        return "must start with http:// or https://"
    if not host or "." not in host.strip("."):
        return "must name a website (e.g. https://www.facebook.com/groups/...)"
    if parts.username is not None or parts.password is not None:
        return "must not contain a user name or password"
    if any(ch.isspace() for ch in url):
        return "must not contain spaces"
    return None


def parse_report(data: Mapping[str, object]) -> ReportInput:
    """Check every field and report all problems at once, each naming its field."""
    errors: dict[str, str] = {}
    url = _field(data, "url", MAX_URL, errors, label="the post's URL")
    if url and "url" not in errors:
        problem = url_problem(url)
        if problem:
            errors["url"] = f"the post's URL {problem}"
    text = _field(data, "text", MAX_TEXT, errors, label="the text as you saw it")
    platform = _field(data, "platform", 32, errors, label="platform").lower()
    if platform and "platform" not in errors and platform not in PLATFORMS:
        errors["platform"] = f"platform must be one of {', '.join(PLATFORMS)}"
    group = _field(data, "group", MAX_GROUP, errors, label="the group")
    reason = _field(data, "reason", MAX_REASON, errors, label="why you are worried")
    author = _field(data, "author", MAX_AUTHOR, errors, required=False, label="author")
    if errors:
        raise ReportInvalid(errors)
    return ReportInput(url=url, text=text, platform=platform, group=group, reason=reason,
                       author=author)


def normalise_url(url: str) -> str:
    """One spelling per post URL: lower-case scheme and host, no fragment, no tracking
    parameters, no trailing slash. Used to find repeat reports of the same post."""
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower().removeprefix("www.").removeprefix("m.")
    if parts.port and parts.port not in (80, 443):
        host = f"{host}:{parts.port}"
    query = "&".join(
        p for p in parts.query.split("&")
        if p and not p.split("=", 1)[0].lower().startswith(_TRACKING)
    )
    path = parts.path.rstrip("/") or "/"
    return urlunsplit(("https", host, path, query, ""))[:MAX_URL]


def moderator_post(data: ReportInput, *, reporter: str, now: datetime) -> Post:
    """The moderator's pasted copy as a Post; its id is derived from the normalised URL so a
    repeat report of the same link finds it."""
    norm = normalise_url(data.url)
    raw = {
        "kind": "moderator_copy",
        "note": "text pasted by the reporting moderator; not fetched from the platform",
        "url": data.url,
        "platform": data.platform,
        "group": data.group,
        "author": data.author or None,
        "text": data.text,
        "reported_by": reporter,
        "reported_at": now.isoformat(),
    }
    return Post(
        platform=data.platform,
        post_id="report-" + sha256_hex(norm.encode())[:40],
        url=data.url,
        author_handle=data.author,
        created_at=now,  # when it was posted is unknown; the report time is the latest bound
        text=data.text,
        raw=json.dumps(raw, ensure_ascii=False, sort_keys=True).encode(),
        raw_content_type=MODERATOR_COPY_TYPE,
    )


_FETCH_FAILURES = {
    "SourceUnavailable": "the platform could not be reached (network failure or outage); "
                         "this says nothing about whether the post still exists",
    "RateLimited": "the platform asked us to slow down; try again later",
    "AuthFailed": "the platform refused access (credentials)",
    "PermanentError": "the platform refused the request",
    "MalformedResponse": "the platform's answer could not be read",
}


async def fetch_canonical_safely(
    fetch: CanonicalFetcher | None, data: ReportInput, *, timeout_s: float = FETCH_TIMEOUT_S
) -> tuple[Post | None, str | None]:
    """The connector's capture of the post, or None and why the moderator's copy stands."""
    if data.platform not in FETCHABLE:
        return None, f"{data.platform} cannot be fetched; the moderator's copy stands"
    if fetch is None:
        return None, "no connector fetch is configured; the moderator's copy stands"
    try:
        post = await asyncio.wait_for(fetch(data.url), timeout_s)
    except TimeoutError:
        return None, f"fetching the post timed out after {timeout_s:.0f} s; moderator's copy stands"
    except ConnectorError as err:
        # Unreachable, refused, rate-limited...: the report must not fail because of it, and
        # the note says what happened in words (it reaches the moderator's bot).
        log.info("canonical fetch of a reported %s post failed: %s", data.platform, err)
        why = _FETCH_FAILURES.get(type(err).__name__, "the platform's answer could not be used")
        return None, f"the post could not be fetched: {why}; the moderator's copy stands"
    if post is None:
        return None, "the post was not found (deleted or private); the moderator's copy stands"
    return post, None


def _item_for_post(session: Session, platform: str, post_id: str) -> QueueItem | None:
    return session.exec(
        select(QueueItem).where(QueueItem.platform == platform, QueueItem.post_id == post_id)
    ).first()


def existing_item(session: Session, data: ReportInput, canonical: Post | None) -> QueueItem | None:
    """The queue item this report repeats, if any: by platform ids, then by URL."""
    if canonical is not None:
        found = _item_for_post(session, canonical.platform, canonical.post_id)
        if found is not None:
            return found
    norm = normalise_url(data.url)
    link = session.exec(
        select(ReportLink.queue_item_id)
        .join(Report, col(Report.id) == ReportLink.report_id)
        .where(Report.canonical_url == norm)
        .limit(1)
    ).first()
    if link is not None:
        return session.get(QueueItem, link)
    urls = {data.url, norm} | ({canonical.url} if canonical is not None else set())
    cap = session.exec(
        select(Capture.platform, Capture.post_id).where(col(Capture.url).in_(urls)).limit(1)
    ).first()
    if cap is not None:
        return _item_for_post(session, cap[0], cap[1])
    return None


async def submit_report(
    db: Database,
    scorer: Scorer,
    *,
    reporter: User,
    data: ReportInput,
    screenshots: Sequence[tuple[bytes, str | None]] = (),
    weights: PriorityWeights,
    channel: str = "form",
    api_token_id: int | None = None,
    fetch_canonical: CanonicalFetcher | None = None,
    retention_days: int = 30,
) -> ReportOutcome:
    """Accept one report. Raises ``ScreenshotError`` for a bad image before anything is stored."""
    images = await process_uploads(list(screenshots))
    canonical, note = await fetch_canonical_safely(fetch_canonical, data)
    return await db.run(
        submit_report_sync, db, scorer, reporter=reporter, data=data, images=images,
        canonical=canonical, fetch_note=note, weights=weights, channel=channel,
        api_token_id=api_token_id, retention_days=retention_days,
    )


def submit_report_sync(
    db: Database,
    scorer: Scorer,
    *,
    reporter: User,
    data: ReportInput,
    images: Sequence[CleanImage],
    canonical: Post | None,
    fetch_note: str | None,
    weights: PriorityWeights,
    channel: str = "form",
    api_token_id: int | None = None,
    retention_days: int = 30,
    now: datetime | None = None,
) -> ReportOutcome:
    now = now or utcnow()
    candidate = canonical or moderator_post(data, reporter=reporter.username, now=now)
    with db.read() as session:
        repeat = existing_item(session, data, canonical)
        fresh = unique_new([candidate], known_keys(session, [candidate]))
    # A repeat of a post known only by the moderator's copy adds no new capture: the first copy
    # stays the evidence, and this moderator's copy is kept on their report.
    store = canonical is not None or repeat is None
    predictions = score_posts(scorer, fresh) if store else {}
    for attempt in range(3):
        try:
            with db.write() as session:
                return _store_report(
                    session, reporter=reporter, data=data, images=images,
                    candidate=candidate if store else None, canonical=canonical is not None,
                    predictions=predictions, model_version=scorer.model_version,
                    fetch_note=fetch_note, weights=weights, channel=channel,
                    api_token_id=api_token_id, retention_days=retention_days, now=now,
                )
        except IntegrityError:
            # Someone stored the same post between our read and our write: retry sees it.
            if attempt == 2:
                raise
        except _Unscored:
            predictions = score_posts(scorer, [candidate])
    raise AssertionError("unreachable")


class _Unscored(Exception):
    """The post vanished between our read and write (retention purge); score it and retry."""


def _store_report(
    session: Session, *, reporter: User, data: ReportInput, images: Sequence[CleanImage],
    candidate: Post | None, canonical: bool, predictions: dict[PostKey, Prediction],
    model_version: str, fetch_note: str | None, weights: PriorityWeights, channel: str,
    api_token_id: int | None, retention_days: int, now: datetime,
) -> ReportOutcome:
    before = existing_item(session, data, candidate if canonical else None)
    capture_id: int | None = None
    recaptured = False
    if candidate is not None:
        try:
            result = store_batch(
                session, [candidate], predictions,
                model_version=model_version, weights=weights, origin="report",
                actor=reporter.username, retention_days=retention_days, now=now,
            )
        except RuntimeError as err:
            if "unscored" in str(err):
                raise _Unscored from err
            raise
        recaptured = bool(result.capture_ids)
        capture_id = result.capture_ids[0] if result.capture_ids else None
        item = _item_for_post(session, candidate.platform, candidate.post_id)
    else:
        item = before
    if item is None or item.id is None:
        raise RuntimeError(f"report of {data.url!r} produced no queue item")
    report = Report(
        reporter_id=reporter.id or 0, url=data.url, canonical_url=normalise_url(data.url),
        platform=data.platform, group_name=data.group, reason=data.reason,
        text_as_seen=data.text, text_sha256=sha256_hex(data.text.encode()),
        capture_kind="canonical" if canonical else "moderator_copy", fetch_note=fetch_note,
        channel=channel, api_token_id=api_token_id, created_at=now,
    )
    session.add(report)
    session.flush()
    for img in images:
        session.add(Screenshot(
            report_id=report.id or 0, content_type=img.content_type, width=img.width,
            height=img.height, data=img.data, sha256=img.sha256,
            original_sha256=img.original_sha256, original_size=img.original_size,
            filename=img.filename, created_at=now,
        ))
    record = track_record(session, reporter.id or 0)
    relation = "attached" if before is not None and before.id == item.id else "new"
    link = ReportLink(report_id=report.id or 0, queue_item_id=item.id, capture_id=capture_id,
                      relation=relation, boost=record.boost, created_at=now)
    apply_boost(session, item, link, reset=recaptured, now=now)
    audit.record(
        session, actor=reporter.username, action="report.create", object_type="queue_item",
        object_id=item.id, reason=f"moderator report ({channel})",
        details={
            "report_id": report.id, "relation": relation, "capture_kind": report.capture_kind,
            "capture_id": capture_id, "screenshots": [i.sha256 for i in images],
            "boost": record.boost, "fetch_note": fetch_note,
        },
    )
    return ReportOutcome(
        report_id=report.id or 0, queue_item_id=item.id, relation=relation,
        capture_kind=report.capture_kind, fetch_note=fetch_note, boost=record.boost,
        screenshots=len(images),
    )


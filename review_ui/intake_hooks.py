"""What the intake form and the bot API share: the app keys they own, and one submit helper.

The keys live here rather than in ``review_ui.keys`` only because that module belongs to the
review desk; they can move there unchanged."""

from __future__ import annotations

from dataclasses import dataclass, field

from aiohttp import web

from monitor.accounts.moderators import TokenBucket
from monitor.intake.reports import CanonicalFetcher, ReportInput, ReportOutcome, submit_report
from monitor.review.priority import PriorityWeights
from monitor.storage.tables.accounts import User
from review_ui import keys


@dataclass
class IntakeHooks:
    """Pluggable parts of the intake: the connectors' canonical fetch (None until connectors
    provide one; reports then keep the moderator's copy) and the API's per-token buckets."""

    fetch_canonical: CanonicalFetcher | None = None
    bucket: TokenBucket = field(default_factory=TokenBucket)


INTAKE = web.AppKey("intake", IntakeHooks)


def hooks(app: web.Application) -> IntakeHooks:
    found = app.get(INTAKE)
    if found is None:
        found = IntakeHooks()
        app[INTAKE] = found
    return found


class ModelUnavailable(Exception):
    """The classifier is not loaded yet; the report cannot be scored now."""


async def submit(
    request: web.Request, *, user: User, data: ReportInput,
    screenshots: list[tuple[bytes, str | None]], channel: str, api_token_id: int | None = None,
) -> ReportOutcome:
    app = request.app
    slot = app[keys.MODEL]
    if slot.scorer is None:
        raise ModelUnavailable(slot.error or "the classifier is still loading")
    settings = app[keys.SETTINGS]
    return await submit_report(
        app[keys.DB], slot.scorer, reporter=user, data=data, screenshots=screenshots,
        weights=PriorityWeights.from_settings(settings), channel=channel,
        api_token_id=api_token_id, fetch_canonical=app[INTAKE].fetch_canonical,
        retention_days=settings["retention.dismissed_days"],
    )

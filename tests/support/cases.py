"""Fixtures for the case tests: a few users and a queue filled through the real pipeline."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from connectors.post import Post
from monitor.cases import lifecycle as cases
from monitor.ingest.pipeline import process_posts_sync, score_posts, store_batch
from monitor.review.decisions import DecisionInput, record_decision, undo_decision
from monitor.review.priority import PriorityWeights
from monitor.storage.db import Database
from monitor.storage.tables.accounts import User
from monitor.storage.tables.sources import Source
from tests.support.fakes import FakeScorer, make_post

STRANDS = ["race", "religion", "sexual_orientation", "disability", "transgender", "sex_gender",
           "other"]

TEXTS = [
    "immigrants are vermin, get out",
    "muslims are filth and should burn",
    "an ordinary post about the weather",
    "gay people are disgusting scum",
    "<script>alert(1)</script> black people get out",
    "lovely walk in the park today",
]


@dataclass
class People:
    admin: User
    officer: User
    officer2: User
    moderator: User


def _user(db: Database, name: str, role: str) -> User:
    with db.write() as s:
        # The hash is never checked in these tests; Argon2 would only slow them down.
        u = User(username=name, role=role, password_hash="x", display_name=name)
        s.add(u)
        s.flush()
        return u


@pytest.fixture
def people(db: Database) -> People:
    return People(
        admin=_user(db, "admin1", "admin"),
        officer=_user(db, "officer1", "officer"),
        officer2=_user(db, "officer2", "officer"),
        moderator=_user(db, "mod1", "moderator"),
    )


@pytest.fixture
def item_ids(db: Database, fake_scorer: FakeScorer) -> list[int]:
    posts = [make_post(i, t, author=f"user{i % 3}@example.social") for i, t in enumerate(TEXTS)]
    result = process_posts_sync(db, fake_scorer, posts, weights=PriorityWeights(),
                                origin="import", actor="test")
    return result.queue_item_ids


@dataclass
class World:
    """A queue with known contents; the expected statistics are worked out by hand in
    tests/monitor/reporting/test_stats.py from this description."""

    ids: dict[str, int]
    case_refs: list[str]


def _batch(db: Database, scorer: FakeScorer, posts: list[Post], *, now: datetime,
           source_id: int | None) -> list[int]:
    with db.write() as s:
        result = store_batch(s, posts, score_posts(scorer, posts), model_version="fake-1",
                             weights=PriorityWeights(), origin="import", actor="test",
                             source_id=source_id, now=now)
    return result.queue_item_ids


def _decide(db: Database, user: User, item_id: int, outcome: str, strands: list[str],
            at: datetime, offences: tuple[str, ...] = ()) -> int:
    perceived = None if outcome == "not_hate" else "victim"
    data = DecisionInput(outcome=outcome, strands=tuple(strands), perceived_by=perceived,
                         offences=offences, rationale="" if outcome == "not_hate" else "because")
    with db.write() as s:
        return record_decision(s, item_id=item_id, user=user, data=data, now=at).id or 0


@pytest.fixture
def world(db: Database, people: People, fake_scorer: FakeScorer) -> World:
    with db.write() as s:
        src = Source(name="leeds-group", connector="mastodon", target="#leeds")
        s.add(src)
        s.flush()
        source_id = src.id
    a = _batch(db, fake_scorer, [
        make_post(201, "immigrants are vermin"),
        make_post(202, "muslims are filth"),
        make_post(203, "gay people are scum"),
    ], now=datetime(2026, 11, 2, 10, 0, tzinfo=UTC), source_id=source_id)
    b = _batch(db, fake_scorer, [
        make_post(301, "[fr] quelque chose", platform="telegram"),
        make_post(302, "black people get out", platform="telegram"),
        make_post(303, "disabled people are scum", platform="telegram"),
    ], now=datetime(2026, 11, 10, 9, 0, tzinfo=UTC), source_id=None)
    ids = dict(zip(["a1", "a2", "a3", "b1", "b2", "b3"], a + b, strict=True))
    off = people.officer
    _decide(db, off, ids["a1"], "possible_crime", ["race"],
            datetime(2026, 11, 2, 12, 0, tzinfo=UTC), ("mca1988_s1",))
    _decide(db, off, ids["a2"], "hate_intelligence", ["religion", "race"],
            datetime(2026, 11, 3, 10, 0, tzinfo=UTC))
    _decide(db, off, ids["b1"], "not_hate", [], datetime(2026, 11, 10, 10, 0, tzinfo=UTC))
    _decide(db, off, ids["b2"], "possible_crime", ["race"],
            datetime(2026, 11, 11, 9, 0, tzinfo=UTC))
    at = datetime(2026, 11, 11, 9, 30, tzinfo=UTC)
    undone = _decide(db, off, ids["b3"], "hate_intelligence", ["disability"], at)
    with db.write() as s:
        undo_decision(s, decision_id=undone, user=off, now=at + timedelta(seconds=5))
    with db.write() as s:
        c1 = cases.create_case(s, actor=off, item_ids=[ids["a1"]], reason="threat",
                               allowed_strands=STRANDS, case_years=6,
                               now=datetime(2026, 11, 2, 13, 0, tzinfo=UTC))
        cases.change_status(s, actor=off, reference=c1.reference, to_status="crime_recorded",
                            reason="recorded", crime_reference="CR/9/26")
        c2 = cases.create_case(s, actor=off, item_ids=[ids["b2"]], reason="abuse",
                               allowed_strands=STRANDS, case_years=6,
                               strands=["race", "religion"],
                               now=datetime(2026, 11, 11, 10, 0, tzinfo=UTC))
    return World(ids=ids, case_refs=[c1.reference, c2.reference])

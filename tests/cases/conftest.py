"""Fixtures for the case tests: a few users and a queue filled through the real pipeline."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from monitor.pipeline import process_posts_sync
from monitor.priority import PriorityWeights
from monitor.storage.db import Database
from monitor.storage.models import User
from tests.support import FakeScorer, make_post

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

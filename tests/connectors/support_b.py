"""Helpers for the part-B connector tests (Lemmy, Telegram, RSS, YouTube)."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import pytest

from connectors.base import Page
from monitor.post import Post

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "tests" / "fixtures"
SHARED_FIXTURES = REPO / ".." / "shared" / "fixtures"


def fixture_text(platform: str, name: str) -> str:
    return (FIXTURES / platform / name).read_text(encoding="utf-8")


def fixture_obj(platform: str, name: str) -> Any:
    return json.loads((FIXTURES / platform / name).read_bytes())


def shared_file(platform: str, name: str) -> Path:
    """A recorded real response from ../shared/fixtures, or skip with the reason."""
    path = (SHARED_FIXTURES / platform / name).resolve()
    if not path.exists():
        pytest.skip(f"recorded fixture {path} is absent (../shared is only present beside CI and "
                    "developer checkouts)")
    return path


def clone(obj: Any) -> Any:
    return copy.deepcopy(obj)


def posts_of(pages: Iterable[Page]) -> list[Post]:
    return [post for page in pages for post in page.posts]


def ids_of(pages: Iterable[Page]) -> list[str]:
    return [post.post_id for post in posts_of(pages)]


def assert_no_loss(expected: Sequence[str], *runs: Iterable[Page]) -> None:
    """Every expected id was read by one of the runs (duplicates across runs are allowed)."""
    seen = {pid for run in runs for pid in ids_of(run)}
    missing = [pid for pid in expected if pid not in seen]
    assert not missing, f"lost {missing}"

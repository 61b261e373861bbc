"""Real platform responses recorded by other open-source projects' test suites
(``../shared/real-responses``; see its SOURCES.txt). Tests that read them are marked ``shared``
and skip, saying why, where that folder is absent: the repo's own fixtures are written by us."""

from __future__ import annotations

from pathlib import Path

import pytest

REAL_RESPONSES = Path(__file__).resolve().parents[2].parent / "shared" / "real-responses"


def real_response(platform: str, name: str) -> Path:
    path = REAL_RESPONSES / platform / name
    if not path.exists():
        pytest.skip(f"real response {path} is absent (../shared/real-responses is only beside "
                    "developer and CI checkouts)")
    return path

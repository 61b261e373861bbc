"""Helpers for the multi-process scoring tests."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from monitor.ingest.backlog import store_unscored
from monitor.storage.db import Database
from tests.support.fakes import make_post

REPO = Path(__file__).resolve().parents[2]
HOSTILE = ("they are vermin, get out", "kill the filth", "muslims are scum")


def backlog(db: Database, n: int) -> None:
    """n distinct posts stored unscored, in a few transactions."""
    posts = [make_post(i, HOSTILE[i % 3] if i % 7 == 0 else f"ordinary post number {i}")
             for i in range(n)]
    for start in range(0, n, 200):
        store_unscored(db, posts[start:start + 200], origin="import", actor="test")


def start_worker(url: str, worker_id: str, *args: str) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.Popen(
        [sys.executable, "-m", "tests.support.child_worker", url, worker_id, *args],
        cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )


def start_together(url: str, go: Path, count: int, *args: str) -> list[subprocess.Popen[str]]:
    """Start ``count`` workers, wait until each is ready, then let them all go at once."""
    procs = [start_worker(url, f"w{i}", "--go", str(go), *args) for i in range(count)]
    for p in procs:
        assert p.stdout is not None
        line = p.stdout.readline().strip()
        if line != "ready":
            _, err = p.communicate(timeout=10)
            pytest.fail(f"worker did not start: {line!r}\n{err[-3000:]}")
    go.touch()
    return procs


def finish(proc: subprocess.Popen[str], timeout: float = 45.0) -> int:
    out, err = proc.communicate(timeout=timeout)
    if proc.returncode != 0:
        pytest.fail(f"worker exited {proc.returncode}:\n{err[-3000:]}")
    return int(out.strip().splitlines()[-1])

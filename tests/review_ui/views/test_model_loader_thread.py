"""The model loads in a daemon thread, so stopping the service never waits for it."""

from __future__ import annotations

import threading

import pytest

from review_ui.app import _in_daemon_thread


async def test_result_error_and_daemon() -> None:
    seen: list[bool] = []

    def work(x: int) -> int:
        seen.append(threading.current_thread().daemon)
        return x * 2

    assert await _in_daemon_thread(work, 21) == 42
    assert seen == [True]

    def boom() -> None:
        raise OSError("no weights")

    with pytest.raises(OSError, match="no weights"):
        await _in_daemon_thread(boom)

"""Screenshots cannot take a gigabyte: the pixels one report decodes are capped before any
decoding, big images are stored scaled down (JPEGs decoded at reduced scale), and concurrent
reports go through one small pool instead of decoding side by side."""

from __future__ import annotations

import asyncio
import io
import threading
import time

import pytest
from PIL import Image

from monitor.intake import images
from monitor.intake.images import (
    MAX_REPORT_PIXELS,
    STORED_SIDE,
    ScreenshotError,
    clean_all,
    clean_screenshot,
    process_uploads,
)


def encoded(size: tuple[int, int], fmt: str) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buf, format=fmt)
    return buf.getvalue()


def test_a_report_over_the_pixel_budget_is_refused_before_decoding(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    big = encoded((8000, 5000), "PNG")  # 40 Mpx each, compresses to a few hundred KB

    def never(*_: object) -> None:
        raise AssertionError("decoded although the report was over its pixel budget")

    monkeypatch.setattr(images, "clean_screenshot", never)
    with pytest.raises(ScreenshotError, match="add up to"):
        clean_all([(big, "a.png"), (big, "b.png")])
    assert MAX_REPORT_PIXELS < 2 * 40_000_000


def test_big_images_are_stored_scaled_down() -> None:
    for fmt in ("PNG", "JPEG"):
        out = clean_screenshot(encoded((6000, 3000), fmt), f"x.{fmt.lower()}")
        assert max(out.width, out.height) == STORED_SIDE, fmt
        assert (out.width, out.height) == (STORED_SIDE, STORED_SIDE // 2)
    small = clean_screenshot(encoded((1920, 1080), "PNG"), "s.png")
    assert (small.width, small.height) == (1920, 1080)


async def test_concurrent_reports_are_processed_one_at_a_time(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    running = 0
    peak = 0
    guard = threading.Lock()

    def slow(files: list[tuple[bytes, str | None]]) -> list[images.CleanImage]:
        nonlocal running, peak
        with guard:
            running += 1
            peak = max(peak, running)
        time.sleep(0.05)
        with guard:
            running -= 1
        return []

    monkeypatch.setattr(images, "clean_all", slow)
    await asyncio.gather(*(process_uploads([(b"x", None)]) for _ in range(4)))
    assert peak == images.POOL_THREADS == 1

"""Screenshots: PNG/JPEG by magic bytes, capped, re-encoded without metadata, hashed."""

from __future__ import annotations

import hashlib
import io

import pytest
from PIL import Image

from monitor.intake.images import MAX_BYTES, ScreenshotError, clean_all, clean_screenshot
from tests.support.intake import jpeg_bytes, png_bytes


def test_png_text_chunks_are_stripped_and_both_hashes_kept() -> None:
    raw = png_bytes(text={"Author": "Jane Moderator", "Location": "12 High St"})
    out = clean_screenshot(raw, "C:\\Users\\jane\\shot.png")
    assert out.content_type == "image/png"
    assert (out.width, out.height) == (40, 30)
    assert out.original_sha256 == hashlib.sha256(raw).hexdigest()
    assert out.sha256 == hashlib.sha256(out.data).hexdigest()
    assert b"Jane Moderator" not in out.data and b"High St" not in out.data
    assert out.filename == "shot.png"
    with Image.open(io.BytesIO(out.data)) as img:
        assert img.getpixel((0, 0)) == (200, 10, 10)
        assert not img.text  # type: ignore[attr-defined]


def test_jpeg_exif_and_gps_are_stripped() -> None:
    raw = jpeg_bytes(gps=True)
    with Image.open(io.BytesIO(raw)) as before:
        assert before.getexif()
    out = clean_screenshot(raw, "photo.jpg")
    assert out.content_type == "image/jpeg"
    with Image.open(io.BytesIO(out.data)) as img:
        assert not img.getexif()
        assert "exif" not in img.info
    assert b"PhoneMaker" not in out.data


def test_type_is_decided_by_content_not_name() -> None:
    # A JPEG named .png is stored as the JPEG it is; a GIF named .png is refused.
    assert clean_screenshot(jpeg_bytes(), "looks.png").content_type == "image/jpeg"
    with pytest.raises(ScreenshotError, match=r"evil\.png: not a PNG or JPEG"):
        clean_screenshot(b"GIF89a" + b"\x00" * 50, "evil.png")
    with pytest.raises(ScreenshotError, match="not a PNG or JPEG"):
        clean_screenshot(b"<svg onload=alert(1)></svg>", "x.png")


def test_damaged_image_is_a_clear_error() -> None:
    raw = png_bytes()
    with pytest.raises(ScreenshotError, match="damaged or incomplete"):
        clean_screenshot(raw[:60], "cut.png")
    with pytest.raises(ScreenshotError, match="damaged or incomplete"):
        clean_screenshot(b"\xff\xd8\xff\xe0" + b"junk" * 20, "fake.jpg")


def test_empty_oversize_and_huge_dimensions_are_refused() -> None:
    with pytest.raises(ScreenshotError, match="empty"):
        clean_screenshot(b"", "e.png")
    with pytest.raises(ScreenshotError, match="over the 5 MB limit"):
        clean_screenshot(png_bytes() + b"\x00" * MAX_BYTES, "big.png")
    with pytest.raises(ScreenshotError, match="each side must be"):
        clean_screenshot(png_bytes((9000, 1)), "wide.png")


def test_at_most_five_per_report() -> None:
    with pytest.raises(ScreenshotError, match="at most 5"):
        clean_all([(png_bytes(), None)] * 6)

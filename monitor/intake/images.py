"""Screenshots a moderator attaches to a report: checked, decoded and re-encoded before storage.

Uploads are hostile input. We accept only PNG and JPEG, recognised by their magic bytes (never by
the file name or the declared type), refuse anything over the byte or pixel caps *before*
decoding the pixels (decompression bombs), and store only a fresh encoding of the decoded pixels:
that drops EXIF (GPS position, device serials), text chunks, ICC profiles and anything smuggled
after the image data. Both hashes are kept: the upload's, so the moderator's file can be matched
later, and the stored bytes', so the evidence can be shown unchanged since storage.

Memory is bounded three ways, because five 8000x5000 PNGs on each of two concurrent reports took
the server from 750 MB to 1.9 GB: the pixels one report may decode are capped in total (checked
from the headers, before any decoding); images are stored at most ``STORED_SIDE`` pixels a side
(a JPEG is decoded straight at a reduced scale with Pillow's draft mode); and every report's
images go through one small pool (``process_uploads``), so concurrent reports queue instead of
multiplying the memory.
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import threading
import warnings
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

from monitor.audit import chain as audit
from monitor.storage.db import Database
from monitor.storage.tables.reports import Screenshot

MAX_BYTES = 5 * 1024 * 1024
MAX_SIDE = 8000
MAX_PIXELS = 40_000_000
MAX_SCREENSHOTS = 5
# Decoded pixels one report may ask for, all its images together (five full-size screenshots of
# a 4K display fit comfortably; five 40-megapixel images do not).
MAX_REPORT_PIXELS = 60_000_000
# Longest side stored: a 4K-wide screenshot keeps every pixel; anything bigger is scaled down.
STORED_SIDE = 4096
# Threads decoding images across the whole process: the memory bound is this times one image.
POOL_THREADS = 1

_PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
_JPEG_MAGIC = b"\xff\xd8\xff"


class ScreenshotError(ValueError):
    """An upload we will not store; the message names the file and what is wrong with it."""


@dataclass(frozen=True, slots=True)
class CleanImage:
    content_type: str  # image/png | image/jpeg
    width: int
    height: int
    data: bytes  # the re-encoded bytes that are stored
    sha256: str
    original_sha256: str
    original_size: int
    filename: str | None


def sniff(data: bytes) -> str | None:
    """The image format from the first bytes, or None when it is neither PNG nor JPEG."""
    if data.startswith(_PNG_MAGIC):
        return "PNG"
    if data.startswith(_JPEG_MAGIC):
        return "JPEG"
    return None


def _safe_name(filename: str | None) -> str | None:
    if not filename:
        return None
    # Keep only the last path part and printable characters: it is shown back to people.
    name = filename.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch.isprintable())[:255]
    return name or None


def clean_screenshot(data: bytes, filename: str | None = None) -> CleanImage:
    """Validate and re-encode one upload. Blocking (CPU): call it from a worker thread."""
    label = _safe_name(filename) or "screenshot"
    if not data:
        raise ScreenshotError(f"{label}: the file is empty")
    if len(data) > MAX_BYTES:
        raise ScreenshotError(
            f"{label}: {len(data) / 1048576:.1f} MB is over the {MAX_BYTES // 1048576} MB limit"
        )
    fmt = sniff(data)
    if fmt is None:
        raise ScreenshotError(f"{label}: not a PNG or JPEG image (only those are accepted)")
    try:
        with warnings.catch_warnings():
            # Pillow warns about large images; our own caps below decide, and a warning must
            # never escape as an error or into the log with attacker-chosen sizes.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=[fmt]) as img:
                width, height = img.size
                if width < 1 or height < 1 or width > MAX_SIDE or height > MAX_SIDE:
                    raise ScreenshotError(
                        f"{label}: {width}x{height} pixels; each side must be 1-{MAX_SIDE}"
                    )
                if width * height > MAX_PIXELS:
                    raise ScreenshotError(
                        f"{label}: {width}x{height} pixels is over the {MAX_PIXELS:,} pixel limit"
                    )
                if fmt == "JPEG" and max(width, height) > STORED_SIDE:
                    # Decode at 1/2, 1/4 or 1/8 scale directly: the full pixels never exist.
                    img.draft("RGB", (STORED_SIDE, STORED_SIDE))
                img.load()
                out = _reencode(img, fmt)
    except ScreenshotError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError,
            EOFError) as err:
        raise ScreenshotError(f"{label}: the {fmt} image is damaged or incomplete ({err})") from err
    with Image.open(io.BytesIO(out)) as check:
        width, height = check.size
    return CleanImage(
        content_type="image/png" if fmt == "PNG" else "image/jpeg",
        width=width,
        height=height,
        data=out,
        sha256=hashlib.sha256(out).hexdigest(),
        original_sha256=hashlib.sha256(data).hexdigest(),
        original_size=len(data),
        filename=_safe_name(filename),
    )


def _reencode(img: Image.Image, fmt: str) -> bytes:
    # Apply the EXIF rotation to the pixels first, so dropping EXIF keeps what people saw.
    pixels = ImageOps.exif_transpose(img)
    if max(pixels.size) > STORED_SIDE:
        pixels.thumbnail((STORED_SIDE, STORED_SIDE), Image.Resampling.LANCZOS)
    buf = io.BytesIO()
    if fmt == "PNG":
        if pixels.mode not in ("RGB", "RGBA", "L", "LA"):
            pixels = pixels.convert("RGBA")
        # A new image from the raw pixels carries no info dict, so no text chunks or profile.
        fresh = Image.frombytes(pixels.mode, pixels.size, pixels.tobytes())
        fresh.save(buf, format="PNG")
    else:
        if pixels.mode not in ("RGB", "L"):
            pixels = pixels.convert("RGB")
        fresh = Image.frombytes(pixels.mode, pixels.size, pixels.tobytes())
        fresh.save(buf, format="JPEG", quality=92)
    return buf.getvalue()


def declared_pixels(data: bytes) -> int:
    """Width x height from the image header alone (nothing decoded); 0 when unreadable, which
    clean_screenshot then reports properly."""
    fmt = sniff(data)
    if fmt is None:
        return 0
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=[fmt]) as img:
                width, height = img.size
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError,
            Image.DecompressionBombError, EOFError):
        return 0
    return width * height


def clean_all(files: list[tuple[bytes, str | None]]) -> list[CleanImage]:
    """Every upload of one report, or the first problem (so nothing half-stored)."""
    if len(files) > MAX_SCREENSHOTS:
        raise ScreenshotError(f"at most {MAX_SCREENSHOTS} screenshots per report, got {len(files)}")
    total = sum(declared_pixels(data) for data, _ in files)
    if total > MAX_REPORT_PIXELS:
        raise ScreenshotError(
            f"the screenshots add up to {total:,} pixels; one report may carry at most "
            f"{MAX_REPORT_PIXELS:,} (crop them, or send fewer)"
        )
    return [clean_screenshot(data, name) for data, name in files]


_pool: ThreadPoolExecutor | None = None
_pool_lock = threading.Lock()


def _image_pool() -> ThreadPoolExecutor:
    # Made on first use (nothing is created at import time) and shared by the whole process.
    global _pool
    with _pool_lock:
        if _pool is None:
            _pool = ThreadPoolExecutor(max_workers=POOL_THREADS, thread_name_prefix="screenshots")
        return _pool


async def process_uploads(files: list[tuple[bytes, str | None]]) -> list[CleanImage]:
    """clean_all off the event loop, in the bounded pool: concurrent reports wait their turn."""
    if not files:
        return []
    return await asyncio.get_running_loop().run_in_executor(_image_pool(), clean_all, files)


def consult_screenshot(db: Database, shot_id: int, *, actor: str) -> Screenshot | None:
    """A stored screenshot, its viewing audited: viewing evidence is a consultation (DPA 2018
    s62)."""
    with db.write() as s:
        shot = s.get(Screenshot, shot_id)
        if shot is not None:
            audit.record(s, actor=actor, action="consult",
                         object_type="screenshot", object_id=shot_id,
                         details={"report_id": shot.report_id, "sha256": shot.sha256})
        return shot

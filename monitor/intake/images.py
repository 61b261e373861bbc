"""Screenshots a moderator attaches to a report: checked, decoded and re-encoded before storage.

Uploads are hostile input. We accept only PNG and JPEG, recognised by their magic bytes (never by
the file name or the declared type), refuse anything over the byte or pixel caps *before*
decoding the pixels (decompression bombs), and store only a fresh encoding of the decoded pixels:
that drops EXIF (GPS position, device serials), text chunks, ICC profiles and anything smuggled
after the image data. Both hashes are kept: the upload's, so the moderator's file can be matched
later, and the stored bytes', so the evidence can be shown unchanged since storage.
"""

from __future__ import annotations

import hashlib
import io
import warnings
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

from monitor.audit import chain as audit
from monitor.storage.db import Database
from monitor.storage.tables.reports import Screenshot

MAX_BYTES = 5 * 1024 * 1024
MAX_SIDE = 8000
MAX_PIXELS = 40_000_000
MAX_SCREENSHOTS = 5

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


def clean_all(files: list[tuple[bytes, str | None]]) -> list[CleanImage]:
    """Every upload of one report, or the first problem (so nothing half-stored)."""
    if len(files) > MAX_SCREENSHOTS:
        raise ScreenshotError(f"at most {MAX_SCREENSHOTS} screenshots per report, got {len(files)}")
    return [clean_screenshot(data, name) for data, name in files]


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

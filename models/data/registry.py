"""The corpus readers by name, and which of them have a held-out test split."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from models.data import davidson, hatemoji, hatexplain, mlma, olid, stormfront, toxigen
from models.data.base import Example

Reader = Callable[[Path, str], list[Example]]

READERS: dict[str, Reader] = {
    "davidson": davidson.read,
    "hatexplain": hatexplain.read,
    "hatemoji": hatemoji.read,
    "stormfront": stormfront.read,
    "mlma": mlma.read,
    "olid": olid.read,
    "toxigen": toxigen.read,
}
HELD_OUT: tuple[str, ...] = ("hatexplain", "hatemoji", "stormfront")

"""One reader per labelled corpus in ``../shared/data``, each mapping its labels deliberately.

Every reader returns ``Example`` rows. "Offensive" is never "hate": profanity and insults without
a protected-characteristic target are negatives (see ../shared/data/SOURCES.md). Held-out test
splits (HateXplain test, HatemojiBuild test, Stormfront sampled test) are only returned for
``split="test"`` and never for training.
"""

from __future__ import annotations

from models.data.base import DataError, Example, dedupe, strand_for

__all__ = ["DataError", "Example", "dedupe", "strand_for"]

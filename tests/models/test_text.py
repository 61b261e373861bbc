from __future__ import annotations

import numpy as np

from models.embedding import EmbeddingCache, text_key
from models.language import detect
from models.normalise import normalise


def test_normalise_undoes_cheap_disguises() -> None:
    assert normalise("k i l l them all") == "kill them all"
    assert normalise("g4ys are d1sgusting") == "gays are disgusting"
    assert normalise("m.u.s.l.i.m.s out") == "muslims out"
    assert "knife" in normalise("I would \U0001f52a them")
    assert "rat" in normalise("they are \U0001f400\U0001f400")
    assert "pride rainbow flag" in normalise("\U0001f3f3\ufe0f\u200d\U0001f308 people")
    assert normalise("my 2nd covid19 jab") == "my 2nd covid19 jab"
    assert normalise("sooooo good") == "soo good"


def test_language_detection_is_cautious() -> None:
    assert not detect("Ich glaube, dass das Wetter morgen schön wird").supported
    assert detect("Wheelchair users are welcome at the new café").supported
    assert detect("ok").supported and detect("ok").language is None


def test_cache_is_bounded_lru() -> None:
    cache = EmbeddingCache(max_items=2)
    for text in ("a", "b", "c"):
        cache.put(text_key(text), np.zeros(2, np.float32))
    assert len(cache) == 2
    assert cache.get(text_key("a")) is None
    assert cache.get(text_key("c")) is not None
    assert cache.hits == 1 and cache.misses == 1

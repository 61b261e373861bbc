"""LoRA adapter tuning on the real bundled MiniLM (a few rows, so it stays quick on CPU)."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from models import artefact
from models.classifier import HateClassifier, TrainOptions
from models.data.base import Example
from models.embedding import Embedder, EmbeddingError
from models.training import TrainPlan, split_holdout, tune_rows
from models.tuning import (
    SUFFIX_A,
    SUFFIX_B,
    TARGETS,
    Adapter,
    AdapterError,
    TuneOptions,
    TuneRow,
    adapter_id,
    fit_adapter,
    merge,
)
from tests.models.fakes import FakeEmbedder

pytestmark = pytest.mark.model

ROWS = [
    TuneRow("Refugees are vermin and must be driven out", 1, 0, 1.0, (1, 0)),
    TuneRow("I will stab the Muslims on my street tonight", 1, 1, 1.0, (0, 1)),
    TuneRow("Refugees are not vermin, they are our neighbours", 0, 0, 1.0),
    TuneRow("Nobody should ever hurt Muslims", 0, 0, 1.0),
    TuneRow("Trans people are disgusting", 1, None, 1.0),
    TuneRow("Trans people are welcome at the library", 0, 0, 1.0),
] * 2
PROBE = ["Refugees are not vermin", "the bins go out on Thursday"]


@pytest.fixture(scope="module")
def base() -> Embedder:
    return Embedder()


@pytest.fixture(scope="module")
def adapter(base: Embedder) -> Adapter:
    return fit_adapter(base.model, ROWS, TuneOptions(rank=4, batch_size=6, lr=5e-3, seed=3),
                       progress=False)


def test_adapter_covers_every_projection_and_leaves_the_base_alone(
    base: Embedder, adapter: Adapter
) -> None:
    before = base.encode_uncached(PROBE)
    layers = base.model[0].auto_model.config.num_hidden_layers
    assert len(adapter) == 2 * layers * len(TARGETS)
    a = adapter[f"encoder.layer.0.attention.self.query{SUFFIX_A}"]
    b = adapter[f"encoder.layer.0.attention.self.query{SUFFIX_B}"]
    assert a.shape == (4, 384) and b.shape == (384, 4)
    assert float(np.abs(b).max()) > 0  # it learned something
    np.testing.assert_allclose(base.encode_uncached(PROBE), before, atol=1e-6)


def test_same_seed_gives_the_same_adapter(base: Embedder, adapter: Adapter) -> None:
    again = fit_adapter(base.model, ROWS, TuneOptions(rank=4, batch_size=6, lr=5e-3, seed=3),
                        progress=False)
    assert adapter_id(again) == adapter_id(adapter)


def test_merged_adapter_changes_embeddings_and_names_the_encoder(
    base: Embedder, adapter: Adapter
) -> None:
    tuned = base.with_adapter(adapter)
    assert tuned.name == f"all-MiniLM-L6-v2+lora-{adapter_id(adapter)}"
    assert base.with_adapter(adapter) is tuned  # merged once, reused by later loads
    assert not np.allclose(tuned.encode_uncached(PROBE), base.encode_uncached(PROBE), atol=1e-4)
    zero = {k: (np.zeros_like(v) if k.endswith(SUFFIX_B) else v) for k, v in adapter.items()}
    np.testing.assert_allclose(base.with_adapter(zero).encode_uncached(PROBE),
                               base.encode_uncached(PROBE), atol=1e-5)


def test_an_adapter_that_does_not_fit_is_refused(base: Embedder, adapter: Adapter) -> None:
    name = f"encoder.layer.0.attention.self.query{SUFFIX_A}"
    with pytest.raises(AdapterError, match="shape"):
        merge(base.model, {**adapter, name: np.ones((4, 100), np.float32)})
    with pytest.raises(EmbeddingError, match="no matching projection"):
        Embedder(adapter={f"encoder.layer.9.nothing{SUFFIX_A}": np.ones((1, 1), np.float32)})


def _classifier(encoder: Embedder) -> HateClassifier:
    texts = [r.text for r in ROWS] * 3
    y = [r.hateful for r in ROWS] * 3
    clf = HateClassifier(encoder, options=TrainOptions(calibration_fraction=0.3, seed=1))
    return clf.fit(texts, y)


def test_artefact_round_trip_carries_the_adapter(
    base: Embedder, adapter: Adapter, tmp_path: Path
) -> None:
    clf = _classifier(base.with_adapter(adapter))
    path = clf.save(tmp_path / "m")
    config = json.loads((path / artefact.CONFIG).read_text())
    assert config["embedder"]["adapter"]["id"] == adapter_id(adapter)
    assert (path / artefact.ADAPTER).stat().st_size < 2 * 1024 * 1024
    loaded = HateClassifier.load(path, base)
    assert loaded.embedder.name == clf.embedder.name
    np.testing.assert_allclose(loaded.predict_proba(PROBE), clf.predict_proba(PROBE), atol=1e-5)
    # Loaded without an embedder, it builds the adapted one itself.
    lazy = HateClassifier.load(path)
    np.testing.assert_allclose(lazy.predict_proba(PROBE), clf.predict_proba(PROBE), atol=1e-5)


def test_altered_or_unlisted_adapter_is_refused(
    base: Embedder, adapter: Adapter, tmp_path: Path
) -> None:
    path = _classifier(base.with_adapter(adapter)).save(tmp_path / "m")
    data = bytearray((path / artefact.ADAPTER).read_bytes())
    data[-1] ^= 0xFF
    (path / artefact.ADAPTER).write_bytes(bytes(data))
    with pytest.raises(artefact.ArtefactError, match="hash mismatch"):
        HateClassifier.load(path, base)
    plain = _classifier(base).save(tmp_path / "plain")
    (plain / artefact.ADAPTER).write_bytes(bytes(data))
    with pytest.raises(artefact.ArtefactError, match="not in the manifest"):
        HateClassifier.load(plain, base)


def test_an_adapter_needs_a_real_encoder(
    base: Embedder, adapter: Adapter, tmp_path: Path
) -> None:
    path = _classifier(base.with_adapter(adapter)).save(tmp_path / "m")
    with pytest.raises(artefact.ArtefactError, match="cannot take one"):
        HateClassifier.load(path, FakeEmbedder(384))


def _ex(text: str, label: int, severity: str | None = None, group: str = "",
        strands: tuple[str, ...] = ()) -> Example:
    return Example(text, label, "contrast" if group else "olid", strands, severity, group)


def test_tune_rows_mark_threats_only_where_known(tmp_path: Path) -> None:
    plan = TrainPlan(tmp_path, tune_corpus_rows=1, contrast_repeats=2, seed=1)
    base_rows = [_ex("corpus hate", 1), _ex("corpus fine", 0)]
    contrast = [_ex("kill them", 1, "threat", "c:a", ("religion",)),
                _ex("they are vermin", 1, "dehumanisation", "c:b"),
                _ex("lovely people", 0, None, "c:c")]
    rows = tune_rows(base_rows, contrast, plan)
    assert len(rows) == 1 + 2 * len(contrast)
    by_text = {r.text: r for r in rows}
    assert by_text["kill them"].threat == 1
    assert by_text["they are vermin"].threat == 0
    assert by_text["lovely people"].threat == 0
    # Strands: multi-hot over the default strands; our rows without a group say "none".
    assert by_text["kill them"].strands == (0, 1, 0, 0, 0, 0, 0)
    assert by_text["lovely people"].strands == (0,) * 7
    for text in ("corpus hate", "corpus fine"):
        if text in by_text:  # a corpus row: severity and target unknown unless given
            assert by_text[text].strands is None
            assert by_text[text].threat == (None if text == "corpus hate" else 0)


def test_holdout_splits_whole_templates_from_every_category() -> None:
    from models.training import contrast_categories, read_contrast, written_groups

    rows = read_contrast()
    written = written_groups()
    train, held = split_holdout(rows, 0.2, seed=13)
    assert len(train) + len(held) == len(rows)
    assert not {r.group for r in train} & {r.group for r in held}
    cats = contrast_categories()
    # A template is filed under its commonest category (its misspelt variants have their own);
    # written posts always stay in training, so only templates are held out.
    counts: dict[str, Counter[str]] = {}
    for r in rows:
        if r.group in written:
            continue
        counts.setdefault(r.group, Counter())[cats[r.text]] += 1
    main = {g: c.most_common(1)[0][0] for g, c in counts.items()}
    big = {c for c, n in Counter(main.values()).items() if n >= 5}
    assert big <= {main[r.group] for r in held}
    assert split_holdout(rows, 0.0, seed=13) == (rows, [])
    with pytest.raises(ValueError, match="holdout"):
        TrainPlan(Path("."), holdout=0.7)


def test_bad_tune_options_fail_fast() -> None:
    with pytest.raises(ValueError, match="rank"):
        TuneOptions(rank=0)
    with pytest.raises(ValueError, match="both classes"):
        fit_adapter(object(), [TuneRow("a", 1, None)], TuneOptions())

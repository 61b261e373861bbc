"""The sentence-transformers encoder run by ONNX Runtime instead of PyTorch.

Same weights, same tokenisation, same mean pooling: the vectors match PyTorch's to about 1e-7,
so the classifier's figures do not move, while ONNX Runtime's fused CPU kernels run the
transformer faster (``bench/bench_scoring.py --backend``; figures in docs/DEPLOYMENT.md). The
graph is exported in memory from the loaded model (its LoRA adapter already merged), so there
is no second copy of the weights to ship, cache or keep in step.

``int8=True`` quantises the exported graph's matrix products to int8 (ONNX Runtime's dynamic
quantisation): much faster, with scores that move; the model card says by how much.
"""

from __future__ import annotations

import io
import logging
import tempfile
import threading
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

log = logging.getLogger(__name__)

Matrix = npt.NDArray[np.float32]
_INPUTS = ("input_ids", "attention_mask", "token_type_ids")
# Texts per ONNX Runtime call. Smaller batches than PyTorch's 64 pad less and ran faster here
# (2 cores: 32 beat 64 by about 10% on the pipeline benchmark's posts).
BATCH = 32


class OnnxUnsupported(Exception):
    """This sentence-transformers model is not a plain transformer + mean pooling."""


def check(st: Any) -> None:
    """Raise ``OnnxUnsupported`` unless this model can run here on ONNX Runtime."""
    try:
        import onnx  # noqa: F401  (the exporter writes through it)
        import onnxruntime  # noqa: F401
    except ImportError as err:
        raise OnnxUnsupported(f"{err.name} is not installed") from err
    names = [type(m).__name__ for m in st]
    if names[:2] != ["Transformer", "Pooling"] or any(n != "Normalize" for n in names[2:]):
        raise OnnxUnsupported(f"modules {names}: only Transformer + Pooling (+ Normalize)")
    pooling = st[1].get_config_dict()
    mode = pooling.get("pooling_mode") or (
        "mean" if pooling.get("pooling_mode_mean_tokens") else "other")
    if mode != "mean":
        raise OnnxUnsupported(f"pooling mode {mode!r}: only mean pooling")


def export(st: Any) -> bytes:
    """The transformer of a loaded ``SentenceTransformer`` as an ONNX graph (bytes)."""
    import torch

    check(st)
    bert = st[0].auto_model

    class _Hidden(torch.nn.Module):
        # Keyword arguments: transformers 5 moved the positional order of BertModel.forward.
        def __init__(self) -> None:
            super().__init__()
            self.bert = bert

        def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor,
                    token_type_ids: torch.Tensor) -> torch.Tensor:
            out: torch.Tensor = self.bert(input_ids=input_ids, attention_mask=attention_mask,
                                          token_type_ids=token_type_ids).last_hidden_state
            return out

    sample = st.preprocess(["an example sentence to trace", "two"])
    missing = [k for k in _INPUTS if k not in sample]
    if missing:
        raise OnnxUnsupported(f"the tokeniser gives no {', '.join(missing)}")
    axes = {name: {0: "batch", 1: "tokens"} for name in (*_INPUTS, "hidden")}
    buf = io.BytesIO()
    with warnings.catch_warnings(), torch.no_grad():
        # Tracing warns about Python-side shape checks it freezes; none of them matter for a
        # graph whose batch and token axes are declared dynamic (the tests compare vectors).
        warnings.simplefilter("ignore")
        # The TorchScript exporter writes to any binary file object; its stub says paths only.
        torch.onnx.export(_Hidden().eval(), tuple(sample[k] for k in _INPUTS), buf,  # type: ignore[arg-type]
                          input_names=list(_INPUTS), output_names=["hidden"],
                          dynamic_axes=axes, opset_version=17, dynamo=False)
    return buf.getvalue()


def quantize_int8(graph: bytes) -> bytes:
    """Dynamic int8 quantisation of the graph's matrix products (per output channel)."""
    from onnxruntime.quantization import QuantType, quantize_dynamic

    with tempfile.TemporaryDirectory() as tmp:
        src, dst = Path(tmp) / "fp32.onnx", Path(tmp) / "int8.onnx"
        src.write_bytes(graph)
        # It logs a "consider pre-processing" hint straight on the root logger; drop only its
        # own records there, so other threads' logging is untouched meanwhile.
        root = logging.getLogger()
        root.addFilter(_not_from_onnxruntime)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                quantize_dynamic(src, dst, weight_type=QuantType.QInt8, per_channel=True)
        finally:
            root.removeFilter(_not_from_onnxruntime)
        return dst.read_bytes()


def _not_from_onnxruntime(record: logging.LogRecord) -> bool:
    return "onnxruntime" not in Path(record.pathname).parts


class OnnxEncoder:
    """Unit-length sentence vectors from an exported graph, ``SentenceTransformer.encode``'s way:
    its own tokeniser settings (``preprocess``), longest texts first, mean pooling."""

    def __init__(self, st: Any, *, int8: bool = False, threads: int | None = None) -> None:
        import onnxruntime as ort

        graph = export(st)
        if int8:
            graph = quantize_int8(graph)
        options = ort.SessionOptions()
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        if threads is None:
            import torch

            threads = torch.get_num_threads()  # the same CPU share PyTorch would take
        options.intra_op_num_threads = max(1, threads)
        options.log_severity_level = 3  # errors only: its warnings are about graph fusions
        self._session = ort.InferenceSession(graph, options, providers=["CPUExecutionProvider"])
        self._st = st
        self._dimension = int(st[1].get_config_dict().get("embedding_dimension") or 0)
        self._lock = threading.Lock()  # tokenisers are not safe to share across threads

    def encode(self, texts: Sequence[str], batch_size: int = BATCH, *,
               show_progress: bool = False) -> Matrix:
        out = np.empty((len(texts), self._dimension), np.float32)
        if not texts:
            return out
        with self._lock:
            feats = self._st.preprocess(list(texts))  # one call: padded to the longest text
        arrays = {k: feats[k].numpy().astype(np.int64) for k in _INPUTS}
        lengths = arrays["attention_mask"].sum(axis=1)
        # Mini-batches of similar token counts, each cut to its own longest (padding is on the
        # right, so the cut columns are padding only): less padding than sorting by characters.
        order = np.argsort(-lengths, kind="stable")
        starts = range(0, len(order), batch_size)
        if show_progress:
            from tqdm import tqdm

            starts = tqdm(starts, desc="Batches")
        for start in starts:
            idx = order[start:start + batch_size]
            width = int(lengths[idx].max())
            batch = {k: v[idx, :width] for k, v in arrays.items()}
            hidden = self._session.run(None, batch)[0]
            weights = batch["attention_mask"][..., None].astype(np.float32)
            pooled = (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
            norms = np.linalg.norm(pooled, axis=1, keepdims=True)
            out[idx] = pooled / np.clip(norms, 1e-12, None)
        return out

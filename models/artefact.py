"""Classifier artefacts on disk: arrays in safetensors, everything else JSON, no pickle.

Layout of an artefact directory (fixed names, like SetFit's):

    weights.safetensors  every array (heads, calibration, exemplar embeddings)
    config.json          version, embedder, strands, severities, thresholds, metrics
    exemplars.json       the labelled texts behind the exemplar embeddings (shippable only)
    MODEL_CARD.md        data, licences, metrics, limitations
    adapter.safetensors  optional: LoRA matrices for the base encoder (``models.tuning``)
    manifest.json        sha256 of each file above; checked before anything is loaded
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

WEIGHTS = "weights.safetensors"
CONFIG = "config.json"
EXEMPLARS = "exemplars.json"
CARD = "MODEL_CARD.md"
ADAPTER = "adapter.safetensors"
MANIFEST = "manifest.json"
FILES = (WEIGHTS, CONFIG, EXEMPLARS, CARD)
FORMAT = "hate-monitor-classifier/1"

Arrays = dict[str, npt.NDArray[Any]]


class ArtefactError(Exception):
    """An artefact directory is missing, incomplete, altered or of an unknown format."""


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def write(
    directory: Path,
    arrays: Arrays,
    config: dict[str, Any],
    exemplars: list[dict[str, Any]],
    card: str,
    adapter: Arrays | None = None,
) -> dict[str, str]:
    """Write all files, then the manifest last (a half-written directory never verifies)."""
    from safetensors.numpy import save_file

    directory.mkdir(parents=True, exist_ok=True)
    (directory / MANIFEST).unlink(missing_ok=True)
    (directory / ADAPTER).unlink(missing_ok=True)
    if adapter:
        save_file({k: np.ascontiguousarray(v) for k, v in adapter.items()},
                  str(directory / ADAPTER))
    save_file({k: np.ascontiguousarray(v) for k, v in arrays.items()}, str(directory / WEIGHTS))
    (directory / CONFIG).write_text(json.dumps({"format": FORMAT, **config}, indent=2,
                                               sort_keys=True) + "\n", encoding="utf-8")
    (directory / EXEMPLARS).write_text(json.dumps(exemplars, ensure_ascii=False, indent=0) + "\n",
                                       encoding="utf-8")
    (directory / CARD).write_text(card, encoding="utf-8")
    return write_manifest(directory)


def write_manifest(directory: Path) -> dict[str, str]:
    names = FILES + ((ADAPTER,) if (directory / ADAPTER).is_file() else ())
    hashes = {name: sha256_file(directory / name) for name in names}
    (directory / MANIFEST).write_text(json.dumps({"sha256": hashes}, indent=2, sort_keys=True)
                                      + "\n", encoding="utf-8")
    return hashes


def verify(directory: Path) -> dict[str, str]:
    """Check every file against the manifest; raise ``ArtefactError`` naming the first problem."""
    if not directory.is_dir():
        raise ArtefactError(f"classifier artefact {str(directory)!r} is not a directory")
    manifest_path = directory / MANIFEST
    if not manifest_path.is_file():
        raise ArtefactError(f"{manifest_path}: missing; this is not a complete classifier artefact")
    try:
        hashes = json.loads(manifest_path.read_text(encoding="utf-8"))["sha256"]
    except (ValueError, KeyError, TypeError) as err:
        raise ArtefactError(f"{manifest_path}: unreadable manifest ({err})") from err
    if (directory / ADAPTER).is_file() and ADAPTER not in hashes:
        # An unlisted adapter would change every score without the manifest vouching for it.
        raise ArtefactError(f"{directory / ADAPTER}: present but not in the manifest; refusing "
                            "to load an encoder adapter nobody recorded")
    for name in FILES + ((ADAPTER,) if ADAPTER in hashes else ()):
        path = directory / name
        if name not in hashes:
            raise ArtefactError(f"{manifest_path}: no hash recorded for {name}")
        if not path.is_file():
            raise ArtefactError(f"{path}: missing from the classifier artefact")
        actual = sha256_file(path)
        if actual != hashes[name]:
            raise ArtefactError(
                f"{path}: content hash mismatch (manifest {hashes[name][:12]}…, file "
                f"{actual[:12]}…); the artefact was altered or corrupted, refusing to load it"
            )
    return dict(hashes)


def read_adapter(directory: Path) -> Arrays | None:
    """The encoder adapter's arrays, or None when the artefact uses the plain encoder.

    Call after ``read`` (which verifies the manifest, adapter included).
    """
    from safetensors.numpy import load_file

    path = directory / ADAPTER
    return {k: np.asarray(v, np.float32) for k, v in load_file(str(path)).items()} \
        if path.is_file() else None


def read(directory: Path) -> tuple[Arrays, dict[str, Any], list[dict[str, Any]]]:
    """Verify, then load arrays, config and exemplars."""
    from safetensors.numpy import load_file

    verify(directory)
    config = json.loads((directory / CONFIG).read_text(encoding="utf-8"))
    if config.get("format") != FORMAT:
        raise ArtefactError(
            f"{directory / CONFIG}: format {config.get('format')!r}, expected {FORMAT!r}"
        )
    arrays = dict(load_file(str(directory / WEIGHTS)))
    exemplars = json.loads((directory / EXEMPLARS).read_text(encoding="utf-8"))
    return arrays, config, exemplars


def content_id(arrays: Arrays) -> str:
    """A short hash of the weights, used in version names."""
    digest = hashlib.sha256()
    for key in sorted(arrays):
        digest.update(key.encode())
        digest.update(np.ascontiguousarray(arrays[key]).tobytes())
    return digest.hexdigest()[:10]

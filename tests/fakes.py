"""A fake encoder with the real protocol: bag of hashed words, so shared words mean similarity."""

from __future__ import annotations

import hashlib
import re

import numpy as np

DIM = 512
STOP = {"the", "of", "and", "to", "in", "a", "by", "for", "on", "with", "as", "or", "at", "all", "their", "that", "is"}


class FakeEncoder:
    name = "fake-bow"
    dim = DIM

    def __init__(self) -> None:
        self.calls: list[int] = []

    def encode(self, texts):
        self.calls.append(len(texts))
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i, t in enumerate(texts):
            for w in re.findall(r"[a-z]+", t.lower()):
                if w not in STOP:
                    out[i, int(hashlib.md5(w[:6].encode()).hexdigest(), 16) % self.dim] += 1.0
            norm = np.linalg.norm(out[i])
            if norm:
                out[i] /= norm
        return out

    @property
    def encoded(self) -> int:
        return sum(self.calls)


class SpyModelEncoder(FakeEncoder):
    """Answers to the real model's name, so shipped vectors apply; records what it had to encode."""

    name = "all-MiniLM-L6-v2"
    dim = 384

    def __init__(self) -> None:
        super().__init__()
        self.texts: list[str] = []

    def encode(self, texts):
        self.texts += list(texts)
        return super().encode(texts)

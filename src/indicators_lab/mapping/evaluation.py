"""Measure suggestion quality on a labelled crosswalk (data/labels/gcm_crosswalk.csv).

Labels are used here only to measure; the suggestion code never reads them.
"""

from __future__ import annotations

import csv
import hashlib
import itertools
import random
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from sqlmodel import Session

from indicators_lab.catalogue.frameworks import item_text, items_frame, list_objectives
from indicators_lab.core.config import shipped_path
from indicators_lab.mapping.embeddings import Encoder, embed_texts
from indicators_lab.mapping.suggestions import (
    DEFAULT_WEIGHTS,
    ObjectiveTexts,
    Signals,
    Weights,
    capped_boost,
    compute_signals,
    lexical_scores,
    neighbour_adjustment,
)

LABELS = shipped_path("labels", "gcm_crosswalk.csv")


@dataclass(frozen=True)
class Label:
    framework: str
    code: str
    objectives: frozenset[int]
    confidence: str = "clear"  # source / clear / judgement (data/labels/README.md)


def load_labels(path: Path = LABELS) -> list[Label]:
    with open(path, encoding="utf-8", newline="") as fh:
        return [
            Label(r["framework"], r["item_code"], frozenset(int(x) for x in r["objectives"].split(";")),
                  r.get("confidence") or "clear")
            for r in csv.DictReader(fh)
        ]


@dataclass(frozen=True)
class Quality:
    n: int
    top1: float
    top3: float

    def __str__(self) -> str:
        return f"top-1 {self.top1:5.1%}  top-3 {self.top3:5.1%}  (n={self.n})"


def quality(scores: np.ndarray, numbers: list[int], labels: list[Label]) -> Quality:
    """Share of labelled rows whose right objective is first / in the top 3 of ``scores``."""
    top1 = top3 = 0
    for row, label in zip(scores, labels):
        order = [numbers[j] for j in np.argsort(-row, kind="stable")[:3]]
        top1 += order[0] in label.objectives
        top3 += bool(label.objectives & set(order))
    n = len(labels)
    return Quality(n, top1 / n, top3 / n)


@dataclass
class Bench:
    """Everything needed to score the labelled items by each method."""

    labels: list[Label]
    numbers: list[int]
    signals: Signals
    tfidf_title_actions: np.ndarray
    title_only_embedding: np.ndarray

    def ours(self, weights: Weights = DEFAULT_WEIGHTS) -> Quality:
        return quality(self.signals.combine(weights), self.numbers, self.labels)

    def baselines(self) -> dict[str, Quality]:
        return {
            "TF-IDF (objective titles + actions)": quality(self.tfidf_title_actions, self.numbers, self.labels),
            "MiniLM, objective titles only": quality(self.title_only_embedding, self.numbers, self.labels),
            "MiniLM, best-matching action only": quality(self.signals.action, self.numbers, self.labels),
        }

    def subset(self, framework: str) -> Bench:
        return self.take([i for i, lab in enumerate(self.labels) if lab.framework == framework])

    def take(self, idx: list[int]) -> Bench:
        """The bench restricted to the labelled rows ``idx``."""
        s = self.signals
        sub = Signals(*(getattr(s, f)[idx] for f in Signals.__dataclass_fields__))
        return Bench([self.labels[i] for i in idx], self.numbers, sub,
                     self.tfidf_title_actions[idx], self.title_only_embedding[idx])


def build_bench(encoder: Encoder, labels: list[Label] | None = None, *, session: Session) -> Bench:
    labels = labels or load_labels()
    frames = {}
    texts, bare = [], []
    for lab in labels:
        if lab.framework not in frames:
            frames[lab.framework] = items_frame(lab.framework, session=session).set_index("code", drop=False)
        row = frames[lab.framework].loc[lab.code].to_dict()
        texts.append(item_text(row))
        bare.append(item_text(row, context=False))
    objectives = list_objectives(session=session)
    obj = ObjectiveTexts.from_objectives(objectives)
    signals = compute_signals(encoder, texts, obj, session=session)
    docs = [" ".join([o.title, *(a.text for a in o.actions)]) for o in objectives]
    tfidf = lexical_scores(bare, docs)
    vecs = embed_texts(encoder, bare + obj.titles, session=session)
    title_only = vecs[: len(bare)] @ vecs[len(bare) :].T
    return Bench(labels, obj.numbers, signals, tfidf, title_only)


# --------------------------------------------------------------------------- honest estimates

GRID = [
    Weights(title=t, action=a, action_mean_top2=m, commitment=c, lexical=lx)
    for t, a, m, c, lx in itertools.product(
        [0, 0.25, 0.5], [0, 0.25, 0.5], [0, 0.25], [0, 0.1], [0.25, 0.5, 1]
    )
]


def split_labels(labels: list[Label]) -> tuple[list[int], list[int]]:
    """(development rows, held-out rows): within each framework, items sorted by a hash of their
    code go alternately to each part, so the split is fixed, even and not chosen by hand."""
    dev, held = [], []
    for fw in dict.fromkeys(lab.framework for lab in labels):
        rows = [i for i, lab in enumerate(labels) if lab.framework == fw]
        rows.sort(key=lambda i: hashlib.sha256(f"{fw}:{labels[i].code}".encode()).hexdigest())
        dev += rows[0::2]
        held += rows[1::2]
    return sorted(dev), sorted(held)


def choose_weights(bench: Bench, rows: list[int], grid: list[Weights] = GRID) -> Weights:
    """The grid weights with the best top-1 + top-3 on ``rows`` (ties: first in the grid)."""
    part = bench.take(rows)
    return max(grid, key=lambda w: (lambda q: q.top1 + q.top3)(part.ours(w)))


def nested_cv_scores(bench: Bench, folds: int = 5, seed: int = 7, grid: list[Weights] = GRID) -> np.ndarray:
    """Out-of-fold scores: each fold is scored with weights chosen on the other folds only."""
    idx = list(range(len(bench.labels)))
    random.Random(seed).shuffle(idx)
    idx.sort(key=lambda i: bench.labels[i].framework)  # stable: every framework in every fold
    parts = [idx[k::folds] for k in range(folds)]
    out = np.zeros((len(idx), len(bench.numbers)), dtype=np.float32)
    for part in parts:
        held = set(part)
        w = choose_weights(bench, [i for i in idx if i not in held], grid)
        out[part] = bench.signals.combine(w)[part]
    return out


# --------------------------------------------------------------------------- learning from decisions
# The development half plays the co-leads' one-by-one decisions: each of its items accepted for its
# labelled objectives. The app's own neighbour boost (suggestions.capped_boost) then moves the
# scores of the other items, exactly as ``suggest`` does with decisions in the database.

NEIGHBOUR_GRID = [(nw, thr) for nw in (0.0, 0.1, 0.25, 0.5) for thr in (0.45, 0.55, 0.65, 0.75)]


def decided_matrix(bench: Bench, rows: list[int]) -> np.ndarray:
    """(rows, objectives): +1 where a labelled row's objective is one of its labels."""
    out = np.zeros((len(rows), len(bench.numbers)), dtype=np.float32)
    col = {n: k for k, n in enumerate(bench.numbers)}
    for r, i in enumerate(rows):
        for o in bench.labels[i].objectives:
            out[r, col[o]] = 1.0
    return out


def boosted_scores(bench: Bench, decided: list[int], weights: Weights) -> np.ndarray:
    """Text scores of every labelled row plus the capped boost from the ``decided`` rows' labels,
    as if co-leads had accepted them one by one (a row never learns from itself)."""
    model = bench.signals.combine(weights)
    if not decided or weights.neighbour == 0:
        return model
    vecs = bench.signals.item_vectors
    self_mask = np.arange(len(bench.labels))[:, None] == np.array(decided)[None, :]
    adj = neighbour_adjustment(vecs, vecs[decided], decided_matrix(bench, decided),
                               threshold=weights.neighbour_threshold, self_mask=self_mask)
    return model + capped_boost(adj, weights)


def choose_neighbour(bench: Bench, rows: list[int], weights: Weights, folds: int = 5,
                     seed: int = 7, grid=NEIGHBOUR_GRID) -> Weights:
    """Neighbour weight and threshold by ``folds``-fold cross-validation inside ``rows``: each fold
    is scored with the other folds as decisions (ties: first in the grid, i.e. the smaller boost)."""
    from dataclasses import replace

    idx = list(rows)
    random.Random(seed).shuffle(idx)
    idx.sort(key=lambda i: bench.labels[i].framework)
    parts = [idx[k::folds] for k in range(folds)]

    def cv(w: Weights) -> float:
        total = 0.0
        for part in parts:
            held = set(part)
            scores = boosted_scores(bench, [i for i in rows if i not in held], w)
            q = quality(scores[part], bench.numbers, [bench.labels[i] for i in part])
            total += (q.top1 + q.top3) * len(part)
        return total

    candidates = [replace(weights, neighbour=nw, neighbour_threshold=thr) for nw, thr in grid]
    return max(candidates, key=cv)


@dataclass(frozen=True)
class ChanceCheck:
    """The acceptance model fitted on the development half's decisions, read on the held-out half's
    top-``top_k`` suggestions: is the chance calibrated, and how many suggestions does it keep?"""

    fitted_on: int  # decisions
    brier: float  # of the fitted chance, held-out suggestions
    brier_raw: float  # of the text score read as a chance, same suggestions
    bins: list[tuple[float, float, float, int]]  # (low, high, mean chance, share right), n
    items: int
    shown: float  # suggestions kept per item, on average
    recall: float  # items with a right objective among those kept
    precision: float  # kept suggestions that are right
    three_recall: float  # the same for always three
    three_precision: float


def chance_on_held_out(bench: Bench, dev: list[int], held: list[int], weights: Weights, *,
                       floor: float, top_k: int = 5, default: int = 3) -> ChanceCheck | None:
    """Fit learning.calibrate on the development half as one-by-one decisions (its labelled
    objectives accepted, the other objectives of its first three rejected) and check the chance on
    the held-out half; learning.supported keeps the suggestions it supports."""
    import pandas as pd

    from indicators_lab.mapping.learning import calibrate, supported
    from indicators_lab.mapping.suggestions import Suggestions

    model = bench.signals.combine(weights)
    scores = boosted_scores(bench, dev, weights)
    boost = scores - model
    ids = list(range(1, len(bench.labels) + 1))
    decisions, table = [], []
    dev_set, held_set = set(dev), set(held)
    for i in sorted(dev_set | held_set):
        order = np.argsort(-scores[i], kind="stable")
        right = bench.labels[i].objectives
        if i in dev_set:
            for n in right:
                decisions.append((ids[i], n, "accepted"))
            for j in order[:default]:
                if bench.numbers[j] not in right:
                    decisions.append((ids[i], bench.numbers[j], "rejected"))
        else:  # held out
            for rank, j in enumerate(order[:top_k], start=1):
                table.append((ids[i], bench.numbers[j], rank, bench.numbers[j] in right, float(model[i, j])))
    decided = pd.DataFrame(decisions, columns=["item_id", "objective", "status"]).assign(origin="suggestion")
    frame = pd.DataFrame(table, columns=["item_id", "objective", "rank", "right", "model_score"]).assign(decision="")
    result = Suggestions("crosswalk", frame, None, 0, ids, list(bench.numbers), model, boost)
    cal = calibrate(result, decided)
    if cal is None:
        return None
    chance = cal.chance(result, frame).to_numpy()
    right = frame["right"].to_numpy(float)
    edges = [0.0, 0.2, 0.4, 0.6, 0.8, 1.0001]
    bins = []
    for lo, hi in zip(edges, edges[1:]):
        m = (chance >= lo) & (chance < hi)
        if m.any():
            bins.append((lo, min(hi, 1.0), float(chance[m].mean()), float(right[m].mean()), int(m.sum())))
    kept = supported(result, cal, floor=floor, default=default)
    three = frame[frame["rank"] <= default]

    def recall_precision(part: pd.DataFrame) -> tuple[float, float]:
        return float(part.groupby("item_id")["right"].any().mean()), float(part["right"].mean())

    r, p = recall_precision(kept)
    r3, p3 = recall_precision(three)
    return ChanceCheck(cal.n, float(((chance - right) ** 2).mean()),
                       float(((np.clip(frame["model_score"].to_numpy(), 0, 1) - right) ** 2).mean()),
                       bins, frame["item_id"].nunique(), len(kept) / frame["item_id"].nunique(), r, p, r3, p3)


FLOORS = (0.05, 0.1, 0.15, 0.2, 0.3)


def choose_floor(bench: Bench, rows: list[int], weights: Weights, folds: int = 5, seed: int = 7,
                 floors=FLOORS, slack: float = 0.02) -> float:
    """The highest chance floor that, by ``folds``-fold cross-validation inside ``rows``, still finds
    a right objective for as many items as always showing three (less ``slack``): fewer
    suggestions to read, no right one lost."""
    idx = list(rows)
    random.Random(seed).shuffle(idx)
    idx.sort(key=lambda i: bench.labels[i].framework)
    parts = [idx[k::folds] for k in range(folds)]
    recall = {f: 0.0 for f in floors}
    three = 0.0
    for part in parts:
        train = [i for i in rows if i not in set(part)]
        for f in floors:
            c = chance_on_held_out(bench, train, part, weights, floor=f)
            if c is None:
                return min(floors)
            recall[f] += c.recall * c.items
            three = c.three_recall * c.items if f == floors[0] else three
        recall["three"] = recall.get("three", 0.0) + three
    ok = [f for f in floors if recall[f] >= recall["three"] - slack * len(rows)]
    return max(ok) if ok else min(floors)


BULK_PRECISION = 0.9  # a bulk accept's links should be right nine times in ten on the held-out labels
BULK_MIN_ITEMS = 5  # ... measured on at least this many held-out items


@dataclass(frozen=True)
class HeldOut:
    """The shipped weights on one framework's held-out labelled items."""

    quality: Quality
    top_scores: list[float]  # each item's best score
    top1_right: list[bool]

    def right_at_or_above(self, threshold: float) -> tuple[int, int]:
        """(right, of): held-out items whose best score is >= threshold, and how many were right."""
        picked = [hit for s, hit in zip(self.top_scores, self.top1_right) if s >= threshold]
        return sum(picked), len(picked)

    def threshold_for(self, precision: float = BULK_PRECISION, *, min_items: int = BULK_MIN_ITEMS) -> float | None:
        """The lowest score at which the held-out first suggestions scoring at least that much are
        right at least ``precision`` of the time, on ``min_items`` items or more: a bulk-accept
        threshold read off the labelled crosswalk, not chosen by hand. None when no such score."""
        best = None
        for t in sorted(set(self.top_scores), reverse=True):
            right, of = self.right_at_or_above(t)
            if of >= min_items and right >= precision * of:
                best = t
        return best


def held_out(encoder: Encoder, framework: str, *, session: Session) -> HeldOut | None:
    """Top-1 / top-3 of the shipped weights on the held-out half of the labelled crosswalk for
    one framework (None if it has no labels). Shipped texts have shipped vectors: no model load."""
    labels = load_labels()
    _, held = split_labels(labels)
    mine = [labels[i] for i in held if labels[i].framework == framework]
    if not mine:
        return None
    frame = items_frame(framework, session=session).set_index("code", drop=False)
    mine = [lab for lab in mine if lab.code in frame.index]
    if not mine:
        return None
    texts = [item_text(frame.loc[lab.code].to_dict()) for lab in mine]
    obj = ObjectiveTexts.from_objectives(list_objectives(session=session))
    scores = compute_signals(encoder, texts, obj, session=session).combine(DEFAULT_WEIGHTS)
    best = scores.argmax(axis=1)
    return HeldOut(
        quality(scores, obj.numbers, mine),
        [float(scores[i, j]) for i, j in enumerate(best)],
        [obj.numbers[j] in lab.objectives for j, lab in zip(best, mine)],
    )


def held_out_quality(encoder: Encoder, framework: str, *, session: Session) -> Quality | None:
    """Just the held-out top-1 / top-3 of ``held_out``."""
    h = held_out(encoder, framework, session=session)
    return h.quality if h else None

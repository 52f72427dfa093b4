"""Suggest GCM objectives for framework items, with a reason, and learn from curation.

An item is compared with each objective at three levels (title, commitment sentences, each
lettered action) by sentence-embedding cosine, and with the objective's whole text by TF-IDF;
the four are combined with weights chosen by measurement (benchmarks/mapping_quality.py).
Co-leads' decisions then act in two ways: an item's own accepted links rank first and its
rejected links last, and decided items shift the scores of similar items (k-nearest neighbours).
That shift is capped (Weights.neighbour_cap), explained per suggestion ("similar to 10.7.2 3b,
which was linked to objective 5"), learnt only from decisions made one by one (bulk accepts would
feed the model its own output), and kept out of ``model_score``, the text-only score that bulk
accept thresholds, so no decision on a neighbour can carry an item into a bulk accept.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from sqlmodel import Session

from indicators_lab.core.access import Actor, require
from indicators_lab.catalogue.frameworks import GCM_KEY, ObjectiveView, item_text, framework_keys, items_frame, list_objectives
from indicators_lab.mapping.embeddings import Encoder, Progress, embed_texts
from indicators_lab.core.errors import UserError


@dataclass(frozen=True)
class Weights:
    """How the signals combine. Chosen by a grid search on the development half of the labelled
    crosswalk only (evaluation.split_labels); benchmarks/mapping_quality.py prints the choice and
    the quality on the held-out half. Commitment sentences added nothing, so they only serve as
    reasons; nor did the title or the mean of the two best actions once SDG items carry their goal
    (item_text), and scoring by each objective's single best sentence (title, commitment sentence
    or action, by cosine or TF-IDF) lost top-1 in 5-fold cross-validation on the development half
    (70% against 77%), so it is not a signal."""

    title: float = 0.0
    action: float = 0.25
    action_mean_top2: float = 0.0
    commitment: float = 0.0
    lexical: float = 1.0
    # Chosen by cross-validation inside the development half, its items playing the decisions
    # (evaluation.choose_neighbour): at 0.55 the boost cost 4 points of top-1 there, at 0.75
    # (only close neighbours count) it gained 3.
    neighbour: float = 0.25
    neighbour_threshold: float = 0.75
    # The most decided neighbours may add to a score: a few decisions nudge the ranking but never
    # carry an item far on similarity alone (bulk accept ignores the boost altogether).
    neighbour_cap: float = 0.1


DEFAULT_WEIGHTS = Weights()
SENTENCE_RE = re.compile(r"(?<=[.;])\s+(?=[A-Z])")


# --------------------------------------------------------------------------- texts


@dataclass
class ObjectiveTexts:
    numbers: list[int]
    titles: list[str]
    commitment: list[tuple[int, str]] = field(default_factory=list)  # (objective index, sentence)
    actions: list[tuple[int, str, str]] = field(default_factory=list)  # (index, letter, text)
    documents: list[str] = field(default_factory=list)  # whole text, for TF-IDF

    @classmethod
    def from_objectives(cls, objectives: list[ObjectiveView]) -> ObjectiveTexts:
        out = cls(numbers=[o.number for o in objectives], titles=[o.title for o in objectives])
        for idx, o in enumerate(objectives):
            for sentence in SENTENCE_RE.split(o.commitment or ""):
                if sentence.strip():
                    out.commitment.append((idx, sentence.strip()))
            for a in o.actions:
                out.actions.append((idx, a.letter, a.text))
            out.documents.append(
                " ".join([o.title, o.commitment or "", *(a.text for a in o.actions)])
            )
        return out


# --------------------------------------------------------------------------- scoring


def _group_max(sim: np.ndarray, groups: np.ndarray, n_groups: int) -> tuple[np.ndarray, np.ndarray]:
    """Per row, the max over the columns of each group, and the column where it is reached."""
    best = np.full((sim.shape[0], n_groups), -1.0, dtype=np.float32)
    arg = np.full((sim.shape[0], n_groups), -1, dtype=np.int64)
    for g in range(n_groups):
        cols = np.flatnonzero(groups == g)
        if cols.size:
            sub = sim[:, cols]
            j = sub.argmax(axis=1)
            best[:, g] = sub[np.arange(sub.shape[0]), j]
            arg[:, g] = cols[j]
    return best, arg


def _group_mean_top2(sim: np.ndarray, groups: np.ndarray, n_groups: int) -> np.ndarray:
    out = np.zeros((sim.shape[0], n_groups), dtype=np.float32)
    for g in range(n_groups):
        cols = np.flatnonzero(groups == g)
        if cols.size:
            top = np.sort(sim[:, cols], axis=1)[:, -2:]
            out[:, g] = top.mean(axis=1)
    return out


def lexical_scores(item_texts: list[str], documents: list[str]) -> np.ndarray:
    """TF-IDF cosine of each item text with each objective document."""
    # A pure function of the texts, refitted on every page rerun (~0.4 s for the SDG): memoised.
    return _lexical_scores(tuple(item_texts), tuple(documents)).copy()


@functools.lru_cache(maxsize=8)
def _lexical_scores(item_texts: tuple[str, ...], documents: tuple[str, ...]) -> np.ndarray:
    from sklearn.feature_extraction.text import TfidfVectorizer

    vec = TfidfVectorizer(stop_words="english", sublinear_tf=True, ngram_range=(1, 2), min_df=1)
    vec.fit([*documents, *item_texts])
    d = vec.transform(documents)
    q = vec.transform(item_texts)
    return np.asarray((q @ d.T).todense(), dtype=np.float32)


@dataclass
class Signals:
    """Every per-objective signal for a list of items (rows) and the 23 objectives (columns)."""

    title: np.ndarray
    action: np.ndarray
    action_arg: np.ndarray
    action_mean_top2: np.ndarray
    commitment: np.ndarray
    commitment_arg: np.ndarray
    lexical: np.ndarray
    item_vectors: np.ndarray

    def combine(self, w: Weights) -> np.ndarray:
        return (
            w.title * self.title
            + w.action * self.action
            + w.action_mean_top2 * self.action_mean_top2
            + w.commitment * np.maximum(self.commitment, 0)
            + w.lexical * self.lexical
        )


def compute_signals(
    encoder: Encoder,
    texts: list[str],
    obj: ObjectiveTexts,
    progress: Progress | None = None, *, session: Session,
) -> Signals:
    n_obj = len(obj.numbers)
    all_texts = (
        list(texts)
        + obj.titles
        + [s for _, s in obj.commitment]
        + [t for _, _, t in obj.actions]
    )
    vectors = embed_texts(encoder, all_texts, progress=progress, session=session)
    n = len(texts)
    items = vectors[:n]
    titles = vectors[n : n + n_obj]
    commit = vectors[n + n_obj : n + n_obj + len(obj.commitment)]
    actions = vectors[n + n_obj + len(obj.commitment) :]
    action_groups = np.array([i for i, _, _ in obj.actions])
    commit_groups = np.array([i for i, _ in obj.commitment])
    sim_actions = items @ actions.T
    act_max, act_arg = _group_max(sim_actions, action_groups, n_obj)
    if len(obj.commitment):
        com_max, com_arg = _group_max(items @ commit.T, commit_groups, n_obj)
    else:
        com_max = np.full((n, n_obj), -1.0, np.float32)
        com_arg = np.full((n, n_obj), -1, np.int64)
    return Signals(
        title=items @ titles.T,
        action=act_max,
        action_arg=act_arg,
        action_mean_top2=_group_mean_top2(sim_actions, action_groups, n_obj),
        commitment=com_max,
        commitment_arg=com_arg,
        lexical=lexical_scores(list(texts), obj.documents),
        item_vectors=items,
    )


def neighbour_weights(
    item_vectors: np.ndarray,
    decided_vectors: np.ndarray,
    *,
    threshold: float,
    self_mask: np.ndarray | None = None,
) -> np.ndarray:
    """(items, decided items): how far each similarity exceeds ``threshold``, scaled to [0, 1];
    ``self_mask[i, j]`` True zeroes decided item j for item i (its own decisions)."""
    if decided_vectors.size == 0:
        return np.zeros((item_vectors.shape[0], 0), dtype=np.float32)
    sim = item_vectors @ decided_vectors.T
    w = np.clip((sim - threshold) / (1 - threshold), 0, None)
    if self_mask is not None:
        w = np.where(self_mask, 0.0, w)
    return w.astype(np.float32)


def neighbour_adjustment(
    item_vectors: np.ndarray,
    decided_vectors: np.ndarray,
    decided_matrix: np.ndarray,
    *,
    threshold: float,
    self_mask: np.ndarray | None = None,
) -> np.ndarray:
    """How decided items pull (accepted, +1) or push (rejected, -1) the objectives of similar
    items: sum of decisions weighted by how far similarity exceeds ``threshold``, clipped to
    [-1, 1]. ``self_mask[i, j]`` True excludes decided item j from item i (its own decisions)."""
    if decided_vectors.size == 0:
        return np.zeros((item_vectors.shape[0], decided_matrix.shape[1]), dtype=np.float32)
    w = neighbour_weights(item_vectors, decided_vectors, threshold=threshold, self_mask=self_mask)
    return np.clip(w @ decided_matrix, -1.0, 1.0).astype(np.float32)


def capped_boost(adj: np.ndarray, w: Weights) -> np.ndarray:
    """The score change from neighbours: ``neighbour`` × adjustment, at most ``neighbour_cap``
    either way."""
    return np.clip(w.neighbour * adj, -w.neighbour_cap, w.neighbour_cap).astype(np.float32)


# --------------------------------------------------------------------------- suggestions


SUGGESTION_COLUMNS = [
    "framework", "item_id", "item_code", "item_title", "objective", "rank", "score",
    "model_score", "reason_ref", "reason_text", "decision", "boost", "boost_reason",
]


@dataclass
class Suggestions:
    """Ranked objectives for every item of a framework; ``table`` has SUGGESTION_COLUMNS.
    ``score`` = ``model_score`` (text only) + ``boost`` (capped, from decided neighbours).
    ``precision_at_1`` counts only items decided one by one (no bulk accepts)."""

    framework: str
    table: pd.DataFrame
    precision_at_1: float | None
    decided_items: int
    # Every item × objective (rows follow item_ids, columns numbers), for learning.calibrate.
    item_ids: list[int] = field(default_factory=list)
    numbers: list[int] = field(default_factory=list)
    model_matrix: np.ndarray | None = None
    boost_matrix: np.ndarray | None = None


def suggest(
    encoder: Encoder,
    key: str, *,
    session: Session, actor: Actor, top_k: int = 3,
    weights: Weights = DEFAULT_WEIGHTS,
    use_decisions: bool = True,
    progress: Progress | None = None,
) -> Suggestions:
    """Top-``top_k`` objectives for each item of framework ``key``, with the reason."""
    from indicators_lab.mapping.links import decisions_frame

    require(actor, "mapping.read")  # before any encoding: the model's work is for co-leads only
    if not 1 <= top_k <= 23:
        raise UserError("top-k must be between 1 and 23 (there are 23 GCM objectives).")
    if key == GCM_KEY:
        keys = ", ".join(k for k in framework_keys(session=session) if k != GCM_KEY)
        raise UserError(f"'gcm' holds the objectives themselves; suggest for a framework: {keys}.")
    items = items_frame(key, session=session)
    objectives = list_objectives(session=session)
    obj = ObjectiveTexts.from_objectives(objectives)
    texts = [item_text(r) for r in items.to_dict("records")]
    sig = compute_signals(encoder, texts, obj, progress=progress, session=session)
    model = sig.combine(weights)

    decided = decisions_frame(session=session) if use_decisions else pd.DataFrame()
    boost = np.zeros_like(model)
    own: dict[int, dict[int, str]] = {}
    one_by_one: set[int] = set()  # items with an accepted link decided one by one
    for r in decided.itertuples():
        own.setdefault(r.item_id, {})[r.objective] = r.status
        if r.status == "accepted" and r.origin != "bulk":
            one_by_one.add(r.item_id)
    # Learn only from decisions made one by one: a bulk accept is the model's own output.
    learn = decided[decided["origin"] != "bulk"] if len(decided) else decided
    nw = np.zeros((len(items), 0), dtype=np.float32)
    dm = np.zeros((0, len(obj.numbers)), dtype=np.float32)
    d_labels: list[str] = []
    if len(learn):
        d_items = learn.drop_duplicates("item_id")[["item_id", "text", "framework", "code"]].reset_index(drop=True)
        d_vecs = embed_texts(encoder, list(d_items["text"]), session=session)
        pos = {iid: k for k, iid in enumerate(d_items["item_id"])}
        col = {n: k for k, n in enumerate(obj.numbers)}
        dm = np.zeros((len(d_items), len(obj.numbers)), dtype=np.float32)
        for r in learn.itertuples():
            dm[pos[r.item_id], col[r.objective]] = 1.0 if r.status == "accepted" else -1.0
        self_mask = np.array(
            [[iid == did for did in d_items["item_id"]] for iid in items["id"]], dtype=bool
        ).reshape(len(items), len(d_items))
        nw = neighbour_weights(sig.item_vectors, d_vecs, threshold=weights.neighbour_threshold,
                               self_mask=self_mask)
        boost = capped_boost(np.clip(nw @ dm, -1.0, 1.0), weights)
        d_labels = [f"{fw} {code}" for fw, code in zip(d_items["framework"], d_items["code"])]
    scores = model + boost

    rows = []
    hits = n_decided = 0
    numbers = np.array(obj.numbers)
    for i, item in enumerate(items.itertuples()):
        mine = own.get(item.id, {})
        order = np.argsort(-scores[i], kind="stable")
        if mine:
            accepted = {n for n, st in mine.items() if st == "accepted"}
            if item.id in one_by_one:  # precision of the model's own top choice, one-by-one decisions
                n_decided += 1
                hits += int(numbers[order[0]] in accepted)
            rank_key = [(0 if mine.get(numbers[j]) == "accepted" else
                         2 if mine.get(numbers[j]) == "rejected" else 1) for j in order]
            order = [j for _, j in sorted(zip(rank_key, order), key=lambda t: t[0])]
        for rank, j in enumerate(order[:top_k], start=1):
            ref, text = _reason(sig, obj, i, j)
            b = float(boost[i, j])
            rows.append(
                (key, item.id, item.code, item.title, int(numbers[j]), rank,
                 round(float(scores[i, j]), 4), round(float(model[i, j]), 4), ref, text,
                 mine.get(int(numbers[j]), ""), round(b, 4),
                 _boost_reason(nw[i], dm[:, j], d_labels, int(numbers[j])) if abs(b) > 1e-4 else "")
            )
    table = pd.DataFrame(rows, columns=SUGGESTION_COLUMNS)
    precision = hits / n_decided if n_decided else None
    return Suggestions(key, table, precision, n_decided, [int(x) for x in items["id"]],
                       [int(n) for n in obj.numbers], model, boost)


def _boost_reason(w_row: np.ndarray, decisions: np.ndarray, labels: list[str], number: int) -> str:
    """The decided neighbour that moved this score most, in words."""
    contrib = w_row * decisions
    k = int(np.argmax(np.abs(contrib)))
    verb = "linked to" if decisions[k] > 0 else "rejected for"
    others = int((np.abs(contrib) > 1e-6).sum()) - 1
    more = f" (and {others} more decided item{'s' if others > 1 else ''})" if others > 0 else ""
    return f"similar to {labels[k]}, which was {verb} objective {number}{more}"


def _reason(sig: Signals, obj: ObjectiveTexts, i: int, j: int) -> tuple[str, str]:
    """The piece of the objective that matched best: an action such as '6(c)', or a sentence
    of the commitment, or the title."""
    number = obj.numbers[j]
    a, c = sig.action_arg[i, j], sig.commitment_arg[i, j]
    if a >= 0 and (c < 0 or sig.action[i, j] >= sig.commitment[i, j]):
        _, letter, text = obj.actions[a]
        return f"{number}({letter})", text
    if c >= 0:
        return f"{number} commitment", obj.commitment[c][1]
    return f"{number} title", obj.titles[j]


# --------------------------------------------------------------------------- page helpers

REVIEW_STATES = ("unreviewed", "accepted", "rejected")


def item_overview(table: pd.DataFrame) -> pd.DataFrame:
    """One row per item: its review state, accepted objectives, and the ranked suggestions."""
    # Plain Python over the columns: a pandas group per item cost ~1 s per rerun of the page.
    groups: dict[tuple, list[tuple]] = {}
    for item_id, code, title, objective, rank, score, decision in zip(
        table["item_id"], table["item_code"], table["item_title"], table["objective"],
        table["rank"], table["score"], table["decision"],
    ):
        groups.setdefault((item_id, code, title), []).append((rank, objective, score, decision))
    rows = []
    for (item_id, code, title), g in groups.items():
        g.sort(key=lambda r: r[0])
        accepted = sorted(o for _, o, _, d in g if d == "accepted")
        rejected = any(d == "rejected" for *_, d in g)
        state = "accepted" if accepted else ("rejected" if rejected else "unreviewed")
        rows.append({
            "item_id": item_id, "code": code, "title": title, "state": state,
            "accepted": ", ".join(str(o) for o in accepted),
            "top_score": float(max(sc for _, _, sc, _ in g)),
            "suggestions": "  ".join(f"{o} ({sc:.2f})" for _, o, sc, _ in g),
            "objectives": [o for _, o, _, _ in g],
        })
    return pd.DataFrame(rows, columns=["item_id", "code", "title", "state", "accepted",
                                       "top_score", "suggestions", "objectives"])


def filter_overview(
    overview: pd.DataFrame, *, states: list[str], objectives: list[int], min_score: float
) -> pd.DataFrame:
    """Items in one of ``states``, suggested for any of ``objectives`` (all if empty), whose best
    score is at least ``min_score``."""
    out = overview[overview["state"].isin(states or list(REVIEW_STATES))]
    if objectives:
        wanted = set(objectives)
        out = out[out["objectives"].map(lambda objs: bool(wanted & set(objs)))]
    return out[out["top_score"] >= min_score]

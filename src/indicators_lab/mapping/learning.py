"""Learning from one-by-one decisions: a logistic regression over the similarity signals and the
neighbours' decisions that turns a suggestion's score into the chance a co-lead accepts it.

Fitted only on links decided one by one (bulk accepts repeat the suggestions), validated by 5-fold
cross-validation grouped by item, and used only when it beats the raw score there; it re-states a
score as a probability and never re-ranks an item's suggestions on neighbours alone.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from indicators_lab.mapping.suggestions import Suggestions

MIN_DECISIONS = 20  # and both accepted and rejected among them
# How many suggestions an item shows: with a useful fitted chance, each one whose chance of
# acceptance is at least MIN_CHANCE, always the first and never more than MAX_SUGGESTIONS; until
# then the first DEFAULT_SUGGESTIONS, as the score alone says nothing about how many are right.
# MIN_CHANCE is the floor evaluation.choose_floor picks by cross-validation inside the development
# half of the labelled crosswalk: 2.4 suggestions per item, with a right one for 91% of items
# (always three: 92%); benchmarks/mapping_quality.py prints the choice and the held-out check
# (there: 1.9 per item, a right one for 83%; always three: 91%).
MIN_CHANCE = 0.2
MAX_SUGGESTIONS = 5
DEFAULT_SUGGESTIONS = 3
FEATURES = ("text score", "gap to the item's best", "is the item's best", "neighbours' boost")


@dataclass
class Calibration:
    """A fitted model, with how it did on decisions it was not fitted on."""

    n: int
    accepted: int
    brier_cv: float  # of the fitted chance, out of fold
    brier_raw: float  # of the raw text score read as a chance, same decisions
    coef: dict[str, float]
    _model: object

    @property
    def useful(self) -> bool:
        return self.brier_cv < self.brier_raw

    def chance(self, result: Suggestions, table: pd.DataFrame) -> pd.Series:
        """The fitted chance of acceptance for each row of a suggestions table."""
        X = _features(result, list(zip(table["item_id"], table["objective"])))
        return pd.Series(self._model.predict_proba(X)[:, 1], index=table.index)


def _features(result: Suggestions, pairs: list[tuple[int, int]]) -> np.ndarray:
    row = {iid: k for k, iid in enumerate(result.item_ids)}
    col = {n: k for k, n in enumerate(result.numbers)}
    m, b = result.model_matrix, result.boost_matrix
    best = m.max(axis=1)
    out = []
    for item_id, objective in pairs:
        i, j = row[int(item_id)], col[int(objective)]
        out.append((m[i, j], best[i] - m[i, j], float(m[i, j] >= best[i]), b[i, j]))
    return np.array(out, dtype=np.float64).reshape(len(pairs), len(FEATURES))


def training_rows(result: Suggestions, decisions: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Features, labels (accepted = 1) and item groups of this framework's one-by-one decisions."""
    mine = decisions[(decisions["origin"] != "bulk") & decisions["item_id"].isin(set(result.item_ids))]
    pairs = list(zip(mine["item_id"], mine["objective"]))
    return (_features(result, pairs), (mine["status"] == "accepted").to_numpy(int),
            mine["item_id"].to_numpy())


def _model():
    """Logistic regression on standardised features: the gaps are a few hundredths, and unscaled
    they were all but erased by the regularisation (every second suggestion got the same chance)."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    return make_pipeline(StandardScaler(), LogisticRegression(C=1.0))


def calibrate(result: Suggestions, decisions: pd.DataFrame, *, folds: int = 5) -> Calibration | None:
    """Fit the acceptance model on one-by-one decisions; None until there are MIN_DECISIONS of
    them with both outcomes."""
    from sklearn.model_selection import GroupKFold

    X, y, groups = training_rows(result, decisions)
    if len(y) < MIN_DECISIONS or y.min() == y.max():
        return None
    oof = np.zeros(len(y))
    k = min(folds, len(set(groups)))
    for train, test in GroupKFold(n_splits=k).split(X, y, groups):
        if y[train].min() == y[train].max():
            oof[test] = y[train].mean()
            continue
        oof[test] = _model().fit(X[train], y[train]).predict_proba(X[test])[:, 1]
    model = _model().fit(X, y)
    raw = np.clip(X[:, 0], 0, 1)
    return Calibration(
        n=len(y), accepted=int(y.sum()),
        brier_cv=float(((oof - y) ** 2).mean()), brier_raw=float(((raw - y) ** 2).mean()),
        coef=dict(zip(FEATURES, (float(c) for c in model[-1].coef_[0]))), _model=model,
    )


def supported(result: Suggestions, calibration: Calibration | None, *, floor: float = MIN_CHANCE,
              default: int = DEFAULT_SUGGESTIONS) -> pd.DataFrame:
    """The rows of ``result.table`` the evidence supports, with a ``chance`` column: with a useful
    fitted chance, every suggestion whose chance is at least ``floor`` (always an item's first and
    any already decided; at most the table's top-k); without one, each item's first ``default``
    (chance empty)."""
    table = result.table
    if calibration is None or not calibration.useful or table.empty:
        return table[table["rank"] <= default].assign(chance=np.nan)
    chance = calibration.chance(result, table)
    keep = (table["rank"] == 1) | (chance >= floor) | (table["decision"] != "")
    return table[keep].assign(chance=chance[keep])

"""The acceptance model: fitted on one-by-one decisions only, validated out of fold."""

import numpy as np
import pandas as pd

from indicators_lab.mapping.learning import MIN_DECISIONS, calibrate, training_rows
from indicators_lab.mapping.suggestions import Suggestions


def _result(n_items=40, seed=0):
    rng = np.random.default_rng(seed)
    model = rng.uniform(0, 0.8, size=(n_items, 23)).astype(np.float32)
    return Suggestions("nat", pd.DataFrame(), None, 0, list(range(1, n_items + 1)), list(range(1, 24)),
                       model, np.zeros_like(model))


def _decisions(result, origin="suggestion"):
    rows = []
    for i, item_id in enumerate(result.item_ids):
        best = int(np.argmax(result.model_matrix[i])) + 1
        worst = int(np.argmin(result.model_matrix[i])) + 1
        # co-leads accept the best-scoring objective and reject the worst
        rows.append({"item_id": item_id, "objective": best, "status": "accepted", "origin": origin})
        rows.append({"item_id": item_id, "objective": worst, "status": "rejected", "origin": origin})
    return pd.DataFrame(rows)


def test_no_model_until_there_are_enough_decisions_of_both_kinds():
    r = _result()
    few = _decisions(r).head(MIN_DECISIONS - 1)
    assert calibrate(r, few) is None
    only_accepts = _decisions(r)
    assert calibrate(r, only_accepts[only_accepts["status"] == "accepted"]) is None


def test_bulk_accepts_are_not_training_data():
    r = _result()
    X, y, _ = training_rows(r, _decisions(r, origin="bulk"))
    assert len(y) == 0 and calibrate(r, _decisions(r, origin="bulk")) is None


def test_fitted_chance_beats_the_raw_score_out_of_fold_and_ranks_accepts_higher():
    r = _result()
    cal = calibrate(r, _decisions(r))
    assert cal is not None and cal.n == 80 and cal.accepted == 40
    assert cal.useful, (cal.brier_cv, cal.brier_raw)
    table = pd.DataFrame({"item_id": [1, 1], "objective": [int(np.argmax(r.model_matrix[0])) + 1,
                                                             int(np.argmin(r.model_matrix[0])) + 1]})
    chance = cal.chance(r, table)
    assert chance.iloc[0] > 0.5 > chance.iloc[1]

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


def _table(result, top_k=5):
    rows = []
    for i, item_id in enumerate(result.item_ids):
        order = np.argsort(-result.model_matrix[i])[:top_k]
        for rank, j in enumerate(order, start=1):
            rows.append({"item_id": item_id, "objective": int(j) + 1, "rank": rank,
                         "score": float(result.model_matrix[i, j]), "decision": ""})
    return pd.DataFrame(rows)


def _mixed_decisions(result):
    """Items with one clear objective and items with two near-equal ones: co-leads accept every
    objective within 0.05 of the best and reject the third."""
    rows = []
    for i, item_id in enumerate(result.item_ids):
        order = np.argsort(-result.model_matrix[i])
        best = result.model_matrix[i, order[0]]
        for j in order[:3]:
            ok = result.model_matrix[i, j] >= best - 0.05
            rows.append({"item_id": item_id, "objective": int(j) + 1,
                         "status": "accepted" if ok else "rejected", "origin": "suggestion"})
    return pd.DataFrame(rows)


def test_an_item_shows_as_many_suggestions_as_their_fitted_chance_supports():
    from indicators_lab.mapping.learning import MAX_SUGGESTIONS, MIN_CHANCE, supported

    r = _result(n_items=60, seed=1)
    rng = np.random.default_rng(2)
    # half the items have a close second objective, half one clear winner
    for i in range(0, 60, 2):
        order = np.argsort(-r.model_matrix[i])
        r.model_matrix[i, order[1]] = r.model_matrix[i, order[0]] - rng.uniform(0, 0.02)
    for i in range(1, 60, 2):
        order = np.argsort(-r.model_matrix[i])
        r.model_matrix[i, order[1:]] -= 0.5
    r.table = _table(r)
    cal = calibrate(r, _mixed_decisions(r))
    assert cal is not None and cal.useful
    shown = supported(r, cal)
    counts = shown.groupby("item_id").size()
    assert counts.min() >= 1 and counts.max() <= MAX_SUGGESTIONS
    clear, close = counts[counts.index % 2 == 0], counts[counts.index % 2 == 1]  # ids start at 1
    assert clear.mean() < close.mean() and (clear == 1).any() and (close >= 2).all()
    beyond_first = shown[shown["rank"] > 1]
    assert (beyond_first["chance"] >= MIN_CHANCE).all()
    dropped = r.table.drop(shown.index)
    assert (cal.chance(r, dropped) < MIN_CHANCE).all()


def test_without_a_fitted_chance_every_item_shows_its_first_three():
    from indicators_lab.mapping.learning import supported

    r = _result()
    r.table = _table(r)
    shown = supported(r, None)
    assert (shown.groupby("item_id").size() == 3).all() and shown["chance"].isna().all()


def test_bulk_threshold_is_the_lowest_score_right_nine_times_in_ten_on_held_out_items():
    from indicators_lab.mapping.evaluation import HeldOut, Quality

    scores = [0.9, 0.8, 0.7, 0.6, 0.5, 0.45, 0.4, 0.3, 0.2, 0.1]
    right = [True, True, True, True, True, True, True, True, False, False]
    # Eight of the ten right: from 0.3 up, every item is right; from 0.2, 8 of 9 (89 %) is too few.
    held = HeldOut(Quality(10, 0.8, 0.9), scores, right)
    assert held.threshold_for(0.9) == 0.3
    assert held.threshold_for(0.85) == 0.2  # 8 of 9 right is enough at 85 %
    # A wrong first suggestion at the top: no score reaches 90 % (best 7 of 8): no threshold, and
    # the page falls back to the top tenth.
    held = HeldOut(Quality(10, 0.8, 0.9), scores, [False, *right[1:], True][:10])
    assert held.threshold_for(0.9) is None
    # Three right items alone are too few to read a precision from.
    held = HeldOut(Quality(10, 0.3, 0.9), scores, [True, True, True] + [False] * 7)
    assert held.threshold_for(0.9) is None
    assert held.threshold_for(0.9, min_items=3) == 0.7

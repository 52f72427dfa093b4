"""Readiness in decisions: per-objective data readiness, and the optimiser's data minimum and tie-break."""

import pandas as pd
import pytest

from indicators_lab.core.errors import UserError
from indicators_lab.sets.optimiser import Request, optimise
from indicators_lab.sets.readiness import readiness_by_objective


def test_readiness_counts_indicators_with_data_for_half_and_migratory_split():
    links = pd.DataFrame({"item_key": [1, 2, 3, 1], "objective": [6, 6, 6, 7]})
    ready = pd.DataFrame({"item_id": [1, 2, 3], "data_share": [0.8, 0.2, 0.5],
                          "migratory_split": [False, True, False]})
    out = readiness_by_objective(links, ready, min_share=0.5).set_index("objective")
    assert out.loc[6, ["indicators", "data_for_half", "migratory_split", "not_ready"]].tolist() == [3, 2, 1, 1]
    assert out.loc[7, ["indicators", "data_for_half", "migratory_split"]].tolist() == [1, 1, 0]


def test_item_without_readiness_counts_as_no_data():
    links = pd.DataFrame({"item_key": [9], "objective": [1]})
    out = readiness_by_objective(links, pd.DataFrame({"item_id": [], "data_share": [], "migratory_split": []}))
    assert out.iloc[0]["data_for_half"] == 0


LINKS = pd.DataFrame({"key": ["a", "b", "c"], "objective": [1, 1, 2], "weight": [1.0, 1.0, 1.0]})
ITEMS = pd.DataFrame({"key": ["a", "b", "c"], "tier": ["Tier I", "Tier II", "Tier I"],
                      "framework": ["sdg"] * 3, "data_coverage": [0.2, 0.9, 0.6]})


@pytest.mark.parametrize("solver", ["cbc", "greedy"])
def test_ties_go_to_the_indicator_with_more_data(solver):
    # a and b cover objective 1 equally; a is Tier I, but b has data for more countries
    result = optimise(LINKS, ITEMS, Request(solver=solver))
    assert sorted(result.chosen) == ["b", "c"]


def test_without_the_data_tiebreak_tier_i_wins_the_tie():
    result = optimise(LINKS, ITEMS, Request(data_tiebreak=False))
    assert sorted(result.chosen) == ["a", "c"]


def test_minimum_data_coverage_leaves_out_indicators_below_it():
    items = ITEMS.assign(data_coverage=[0.9, 0.2, 0.6])
    result = optimise(LINKS, items, Request(min_data_coverage=0.5, data_tiebreak=False))
    assert sorted(result.chosen) == ["a", "c"]
    with pytest.raises(UserError, match="objective 2"):
        optimise(LINKS, items, Request(min_data_coverage=0.7))


def test_locked_in_indicator_below_the_minimum_is_named():
    with pytest.raises(UserError, match="Locked-in items have less data coverage"):
        optimise(LINKS, ITEMS, Request(min_data_coverage=0.5, lock_in={"a"}))


def test_each_point_of_the_curve_counts_its_ready_and_splittable_indicators():
    from indicators_lab.sets.readiness import readiness_of_points

    ready = pd.DataFrame({"item_id": [1, 2, 3], "data_share": [0.8, 0.2, 0.5],
                          "migratory_split": [False, True, True]})
    out = readiness_of_points([[1], [1, 2], [1, 2, 3, 9]], ready, min_share=0.5)
    assert out.to_dict(orient="records") == [
        {"data_ready": 1, "migratory_split": 0},
        {"data_ready": 1, "migratory_split": 1},
        {"data_ready": 2, "migratory_split": 2},  # 9 has no readiness row: neither
    ]

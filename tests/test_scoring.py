"""Each score on small hand-made sets whose answers are worked out here."""

import numpy as np
import pandas as pd
import pytest

from indicators_lab.sets import scoring

LINKS = pd.DataFrame([
    {"item_key": 1, "objective": 1, "grade": "direct", "action": "a"},
    {"item_key": 1, "objective": 2, "grade": "proxy", "action": ""},
    {"item_key": 2, "objective": 1, "grade": "partial", "action": "b"},
    {"item_key": 3, "objective": 5, "grade": "direct", "action": "c"},
])
ITEMS = pd.DataFrame([
    {"item_key": 1, "code": "A", "title": "Migrant workers by sex", "framework": "x", "tier": "Tier I",
     "custodian": "ILO, IOM", "gender_specific": False},
    {"item_key": 2, "code": "B", "title": "Children under 5 registered", "framework": "x", "tier": "Tier II",
     "custodian": "UNICEF", "gender_specific": False},
])
N_ACTIONS = {1: 4, 2: 2, 5: 1}


def test_coverage_sums_grade_weights_caps_at_one_and_counts_actions():
    cov = scoring.coverage(LINKS, [1, 2], N_ACTIONS).set_index("objective")
    # objective 1: direct (1) + partial (0.5) = 1.5, capped at 1; actions a and b of 4
    assert cov.loc[1, "weight"] == 1.5 and cov.loc[1, "coverage"] == 1.0
    assert cov.loc[1, "action_share"] == 0.5 and cov.loc[1, "best_grade"] == "direct"
    # objective 2: one proxy link, no action
    assert cov.loc[2, "coverage"] == 0.25 and cov.loc[2, "action_share"] == 0.0
    # objective 5 is linked only to item 3, which is not chosen
    assert cov.loc[5, "coverage"] == 0.0 and cov.loc[5, "items"] == 0
    assert len(cov) == 23


def test_grade_weights_are_configurable():
    cov = scoring.coverage(LINKS, [2], N_ACTIONS, {"direct": 1, "partial": 0.9, "proxy": 0}).set_index("objective")
    assert cov.loc[1, "coverage"] == 0.9


def test_heatmap_has_objectives_by_items_with_blanks_for_no_link():
    grid = scoring.heatmap(LINKS, ITEMS)
    assert list(grid.columns) == ["A", "B"] and list(grid.index) == list(range(1, 24))
    assert grid.loc[1, "A"] == 1.0 and grid.loc[1, "B"] == 0.5 and grid.loc[2, "A"] == 0.25
    assert np.isnan(grid.loc[2, "B"])


def test_overlap_flags_similar_wording_and_same_objectives_with_a_reason():
    sim = np.array([[1.0, 0.8], [0.8, 1.0]])
    pairs = scoring.overlap_pairs(ITEMS, LINKS, sim)
    assert list(pairs[["item_a", "item_b"]].iloc[0]) == ["A", "B"]
    assert pairs.iloc[0]["reason"] == "wording 80% similar; both cover objective 1"
    assert scoring.redundancy(pairs, 2) == 1.0
    assert scoring.overlap_pairs(ITEMS, LINKS, np.array([[1.0, 0.3], [0.3, 1.0]])).empty


def test_same_objectives_lower_the_wording_bar():
    links = LINKS[LINKS["objective"] == 1]
    sim = np.array([[1.0, 0.65], [0.65, 1.0]])
    assert len(scoring.overlap_pairs(ITEMS, links, sim)) == 1   # same objectives, 65% similar
    assert scoring.overlap_pairs(ITEMS, LINKS, sim).empty        # A also covers 2: not the same


def test_readiness_counts_tiers_agencies_and_migrant_wording():
    r = scoring.readiness(ITEMS)
    assert r["tiers"] == {"Tier I": 1, "Tier II": 1}
    assert r["custodians"] == {"ILO": 1, "IOM": 1, "UNICEF": 1}
    assert r["names_migrants_codes"] == ["A"]


def test_principles_find_gender_and_child_disaggregation():
    p = scoring.principles(ITEMS)
    assert p == {"gender_responsive": ["A"], "child_sensitive": ["B"]}


def test_scorecard_summary_and_what_if_comparison():
    sim = np.eye(2)
    before = scoring.scorecard(ITEMS.iloc[:1], LINKS, sim[:1, :1], N_ACTIONS)
    after = scoring.scorecard(ITEMS, LINKS, sim, N_ACTIONS)
    assert before.summary["objectives_covered"] == 2 and after.summary["items"] == 2
    assert before.summary["mean_coverage"] == pytest.approx(1.25 / 23, abs=1e-4)
    diff = scoring.compare(before.summary, after.summary).set_index("score")
    assert diff.loc["indicators in the set", "change"] == 1
    assert diff.loc["share Tier I", "after"] == 0.5

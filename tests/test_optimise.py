"""The optimiser against brute force on small instances; locks, caps, infeasibility, greedy."""

import itertools
import random

import pandas as pd
import pytest

from indicators_lab.sets.optimiser import Infeasible, Request, covered_weight, optimise, pareto, prepare


def random_instance(seed, n_items=9, n_obj=5, p=0.35):
    rng = random.Random(seed)
    rows = []
    for i in range(n_items):
        for o in range(1, n_obj + 1):
            if rng.random() < p:
                rows.append({"key": f"i{i}", "objective": o, "weight": rng.choice([1.0, 0.5, 0.25])})
    for o in range(1, n_obj + 1):  # every objective linked at least twice
        for i in rng.sample(range(n_items), 2):
            rows.append({"key": f"i{i}", "objective": o, "weight": 1.0})
    items = pd.DataFrame({"key": [f"i{i}" for i in range(n_items)],
                          "tier": [rng.choice(["Tier I", "Tier II"]) for _ in range(n_items)],
                          "framework": [rng.choice(["a", "b"]) for _ in range(n_items)]})
    return pd.DataFrame(rows), items


def brute_min_size(links, items, m, cap=None):
    lk, info = prepare(links, items)
    keys = list(info["key"])
    objs = set(lk["objective"])
    fw = dict(zip(info["key"], info["framework"]))
    for size in range(1, len(keys) + 1):
        sets = []
        for combo in itertools.combinations(keys, size):
            if cap and max(pd.Series([fw[k] for k in combo]).value_counts()) > cap:
                continue
            mine = lk[lk["key"].isin(combo)]
            if all(mine[mine["objective"] == o]["key"].nunique() >= m for o in objs):
                sets.append(combo)
        if sets:
            return size, sets
    return None, []


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("m", [1, 2])
def test_smallest_set_matches_brute_force_including_tie_breaks(seed, m):
    links, items = random_instance(seed)
    size, best_sets = brute_min_size(links, items, m)
    result = optimise(links, items, Request(min_cover=m))
    assert len(result.chosen) == size
    lk, info = prepare(links, items)
    total = lk.groupby("key")["weight"].sum()
    tier = dict(zip(info["key"], info["tier_1"]))
    rank = lambda s: (round(sum(total[k] for k in s), 6), sum(tier[k] for k in s))  # noqa: E731
    assert rank(result.chosen) == max(rank(s) for s in best_sets)


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("k, m", [(1, 1), (2, 1), (3, 2)])
def test_best_coverage_with_at_most_k_matches_brute_force(seed, k, m):
    links, items = random_instance(seed)
    lk, _ = prepare(links, items)
    keys = sorted(set(lk["key"]))
    best = max(covered_weight(lk, list(c), m) for size in range(1, k + 1)
               for c in itertools.combinations(keys, size))
    result = optimise(links, items, Request(min_cover=m, max_size=k))
    assert len(result.chosen) <= k
    assert result.covered_weight == pytest.approx(best)


def test_locks_are_honoured():
    links, items = random_instance(3)
    free = optimise(links, items, Request())
    out = free.chosen[0]
    extra = next(k for k in items["key"] if k not in free.chosen)
    locked = optimise(links, items, Request(lock_in={extra}, lock_out={out}))
    assert extra in locked.chosen and out not in locked.chosen


def test_per_framework_maximum_matches_brute_force():
    links, items = random_instance(4)
    size, _ = brute_min_size(links, items, 1, cap=2)
    if size is None:
        with pytest.raises(Infeasible):
            optimise(links, items, Request(max_per_framework=2))
    else:
        result = optimise(links, items, Request(max_per_framework=2))
        assert len(result.chosen) == size
        assert items.set_index("key").loc[result.chosen, "framework"].value_counts().max() <= 2


def test_infeasible_request_names_the_objectives_and_why():
    links = pd.DataFrame({"key": ["a", "b", "c"], "objective": [1, 1, 8], "weight": [1, 1, 1]})
    with pytest.raises(Infeasible, match=r"objective 8 \(1 linked item; needs 2\)") as err:
        optimise(links, None, Request(min_cover=2))
    assert err.value.objectives == [8]
    with pytest.raises(Infeasible, match=r"objective 8 \(1 linked item, 1 locked out; needs 1\)"):
        optimise(links, None, Request(lock_out={"c"}))


def test_objectives_competing_for_a_framework_cap_are_named():
    links = pd.DataFrame({"key": ["a1", "a2"], "objective": [1, 2], "weight": [1, 1]})
    items = pd.DataFrame({"key": ["a1", "a2"], "framework": ["a", "a"]})
    with pytest.raises(Infeasible, match="objectives left short: [12]"):
        optimise(links, items, Request(max_per_framework=1))


def test_each_chosen_item_says_which_objectives_need_it():
    links = pd.DataFrame({"key": ["a", "b", "b"], "objective": [1, 1, 2], "weight": [1, 1, 1]})
    result = optimise(links, None, Request())
    assert result.chosen == ["b"]
    row = result.explanation.iloc[0]
    assert row["objectives"] == "1 2" and row["needed_for"] == "1 2"


def test_greedy_is_feasible_and_never_beats_exact():
    for seed in range(5):
        links, items = random_instance(seed, n_items=12)
        exact = optimise(links, items, Request(min_cover=2))
        quick = optimise(links, items, Request(min_cover=2, solver="greedy"))
        assert len(quick.chosen) >= len(exact.chosen)


def test_highs_gives_the_same_optimum_as_cbc():
    links, items = random_instance(5)
    assert len(optimise(links, items, Request(solver="highs")).chosen) == len(optimise(links, items).chosen)


def test_pareto_curve_rises_to_full_coverage():
    links, items = random_instance(2)
    curve = pareto(links, items, Request())
    assert list(curve["size"]) == sorted(curve["size"])
    assert curve["covered_weight"].is_monotonic_increasing
    assert curve.iloc[-1]["objectives_covered"] == curve.iloc[-1]["objectives"]

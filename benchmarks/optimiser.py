"""Optimiser benchmark: 1,000 candidates x 23 objectives (and their actions).

    python benchmarks/optimiser.py [--seeds 3]

Prints, for each random instance, the exact solve time with CBC and HiGHS, the greedy time,
and the greedy gap to the exact optimum (items more than needed; covered weight lost at K),
side by side. Links are drawn like a real mapping: each candidate covers 1-3 objectives,
a few objectives are rare.
"""

from __future__ import annotations

import argparse
import random
import time

import pandas as pd

from indicators_lab.sets.optimiser import Request, optimise


def instance(seed: int, n: int = 1000) -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = random.Random(seed)
    popularity = [rng.choice([0.3, 1, 1, 2, 3]) for _ in range(23)]
    rows = []
    for i in range(n):
        for o in rng.choices(range(1, 24), weights=popularity, k=rng.choice([1, 1, 2, 3])):
            rows.append({"key": f"c{i}", "objective": o, "weight": rng.choice([1.0, 0.5, 0.25]),
                         "action": rng.choice("abcdefghij")})
    items = pd.DataFrame({"key": [f"c{i}" for i in range(n)],
                          "tier": [rng.choice(["Tier I", "Tier I", "Tier II"]) for _ in range(n)],
                          "framework": [rng.choice(["sdg", "mgi", "10.7.2", "national"]) for _ in range(n)]})
    links = pd.DataFrame(rows).drop_duplicates(["key", "objective"])
    return links[["key", "objective", "weight"]], items


def timed(links, items, req):
    t = time.perf_counter()
    r = optimise(links, items, req)
    return time.perf_counter() - t, r


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seeds", type=int, default=3)
    args = parser.parse_args()
    print(f"{'instance':22} {'CBC s':>7} {'HiGHS s':>8} {'greedy s':>9} {'CBC/greedy':>11} {'exact':>6} {'greedy':>7} {'gap':>5}")
    for seed in range(args.seeds):
        links, items = instance(seed)
        for label, req in [("min size, M=2", dict(min_cover=2)), ("min size, M=3 cap 25", dict(min_cover=3, max_per_framework=25)),
                           ("best with K=15", dict(max_size=15))]:
            t_cbc, r = timed(links, items, Request(solver="cbc", **req))
            t_highs, r2 = timed(links, items, Request(solver="highs", **req))
            t_greedy, g = timed(links, items, Request(solver="greedy", **req))
            if "max_size" in req:
                exact_v, greedy_v = r.covered_weight, g.covered_weight
                gap = f"{(exact_v - greedy_v) / exact_v:.1%}"
                assert abs(r2.covered_weight - exact_v) < 1e-6
            else:
                exact_v, greedy_v = len(r.chosen), len(g.chosen)
                gap = f"+{greedy_v - exact_v}"
                assert len(r2.chosen) == exact_v
            print(f"{f'#{seed} {label}':22} {t_cbc:7.2f} {t_highs:8.2f} {t_greedy:9.2f} {t_cbc / t_greedy:11.1f} "
                  f"{exact_v:6g} {greedy_v:7g} {gap:>5}")
    print("target: exact in under 2 s; ratios above are in the same run on the same machine")


if __name__ == "__main__":
    main()

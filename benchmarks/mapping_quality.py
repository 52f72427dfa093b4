"""Mapping benchmark: suggestion quality, pipeline throughput, warm re-map.

    python benchmarks/mapping_quality.py

Prints (a) top-1 / top-3 per framework on the labelled crosswalk (data/labels/): weights are
chosen on the development half and reported on the held-out half, beside TF-IDF and plain-MiniLM
baselines on the same held-out rows, plus a nested 5-fold cross-validated estimate over all rows;
then learning from decisions, with the development half as co-leads' one-by-one decisions: the
neighbour boost (weight and threshold chosen by cross-validation inside the development half) on
the held-out ranking, and the fitted chance of acceptance on the held-out first five suggestions
(calibration by bin, and how many suggestions the chance floor keeps against always three);
(b) pipeline throughput (embed_texts with its cache writes, under a model name that has no
shipped vectors) as a ratio of raw model.encode on the same texts in the same run; (c) warm
re-map time of every framework, and whether torch was imported for it (it must not be).
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from indicators_lab.startup import open_database
from indicators_lab.catalogue.frameworks import items_frame, list_objectives
from indicators_lab.core.config import Settings
from indicators_lab.core.db import init_db, make_engine
from indicators_lab.mapping.embeddings import MiniLMEncoder, embed_texts
from indicators_lab.mapping.evaluation import (Bench, boosted_scores, build_bench, chance_on_held_out, choose_floor,
                                               choose_neighbour, choose_weights,
                                               nested_cv_scores, quality, split_labels)
from indicators_lab.mapping.learning import MIN_CHANCE
from indicators_lab.mapping.suggestions import DEFAULT_WEIGHTS, ObjectiveTexts, item_text
from indicators_lab.core.db import in_transaction as tx
from indicators_lab.core.access import COMMAND_LINE

FRAMEWORKS = ("sdg", "10.7.2", "mgi")


def _cell(q) -> str:
    return f"{q.top1:4.0%} / {q.top3:4.0%} (n={q.n})" if q.n else "–"


def _per_framework(bench: Bench, rows: list[int], method) -> list:
    """Quality of ``method(part)`` for each framework's share of ``rows``, then all of them."""
    out = []
    for fw in (*FRAMEWORKS, None):
        keep = [i for i in rows if fw is None or bench.labels[i].framework == fw]
        out.append(method(bench.take(keep)) if keep else None)
    return out


def print_quality(bench: Bench) -> None:
    dev, held = split_labels(bench.labels)
    chosen = choose_weights(bench, dev)
    print(f"\n(a) suggestion quality, top-1 / top-3, on the labelled crosswalk ({len(bench.labels)} items; "
          f"development half {len(dev)}, held-out half {len(held)})")
    print(f"weights chosen on the development half: {chosen}")
    print(f"shipped DEFAULT_WEIGHTS {'are' if chosen == DEFAULT_WEIGHTS else 'are NOT'} these weights")
    learnt = choose_neighbour(bench, dev, chosen)
    print(f"neighbour boost chosen by 5-fold CV inside the development half: weight {learnt.neighbour}, "
          f"threshold {learnt.neighbour_threshold} (cap {learnt.neighbour_cap}); shipped: "
          f"{'the same' if (learnt.neighbour, learnt.neighbour_threshold) == (DEFAULT_WEIGHTS.neighbour, DEFAULT_WEIGHTS.neighbour_threshold) else 'NOT the same'}")
    head = f"{'method (held-out half unless noted)':46}" + "".join(f"{k:>24}" for k in (*FRAMEWORKS, "all"))
    print(head)
    rows = {
        "Indicators Lab, weights chosen on dev": _per_framework(bench, held, lambda b: b.ours(chosen)),
    }
    for name in bench.baselines():
        rows[name] = _per_framework(bench, held, lambda b, n=name: b.baselines()[n])
    clear = [i for i in held if bench.labels[i].confidence != "judgement"]
    rows["Indicators Lab, held-out source+clear labels"] = _per_framework(bench, clear, lambda b: b.ours(chosen))
    oof = nested_cv_scores(bench)
    everything = list(range(len(bench.labels)))
    rows["Indicators Lab, nested 5-fold CV, all rows"] = _per_framework(
        bench, everything, lambda b: quality(oof[[bench.labels.index(x) for x in b.labels]], b.numbers, b.labels))
    # Learning from decisions: the development half plays the co-leads' one-by-one decisions and
    # the app's capped neighbour boost moves the held-out scores (weight and threshold chosen by
    # cross-validation inside the development half).
    learnt = choose_neighbour(bench, dev, chosen)
    boosted = boosted_scores(bench, dev, learnt)
    rows["+ neighbours' boost, dev half as decisions"] = _per_framework(
        bench, held, lambda b: quality(boosted[[bench.labels.index(x) for x in b.labels]], b.numbers, b.labels))
    rows["(optimistic) chosen weights on dev itself"] = _per_framework(bench, dev, lambda b: b.ours(chosen))
    for name, qs in rows.items():
        print(f"{name:46}" + "".join(f"{_cell(q) if q else '–':>24}" for q in qs))
    print("target (issue 17): top-1 >= 85% and top-3 >= 95% of held-out items in every framework")
    # A score that means something: the chance of acceptance fitted on the development half's
    # decisions, read on the held-out half's first five suggestions.
    floor = choose_floor(bench, dev, learnt)
    print(f"chance floor chosen by 5-fold CV inside the development half (the highest that finds a right "
          f"objective for as many items as always three, less 2 points): {floor:.0%}; shipped "
          f"learning.MIN_CHANCE {MIN_CHANCE:.0%}{'' if floor == MIN_CHANCE else ' (NOT the same)'}")
    check = chance_on_held_out(bench, dev, held, learnt, floor=floor)
    if check:
        print(f"chance of acceptance fitted on {check.fitted_on} development-half decisions, held-out first five "
              f"suggestions: Brier {check.brier:.3f} (text score read as a chance: {check.brier_raw:.3f}); "
              + "; ".join(f"chance {lo:.1f}-{hi:.1f}: mean {m:.2f}, {r:.0%} right (n={n})" for lo, hi, m, r, n in check.bins))
        print(f"suggestions kept at chance >= {floor:.0%} (always the first, at most five): {check.shown:.1f} per "
              f"item; an item has a right one among them {check.recall:.0%}, {check.precision:.0%} of them right "
              f"(always three: {check.three_recall:.0%}, {check.three_precision:.0%} right; {check.items} items)")
    # How far the text score can be trusted (what a bulk-accept threshold buys), held-out rows only.
    part = bench.take(held)
    scores = part.signals.combine(chosen)
    best = scores.argmax(axis=1)
    top = scores[np.arange(len(best)), best]
    right = np.array([part.numbers[j] in lab.objectives for j, lab in zip(best, part.labels)])
    cuts = np.quantile(top, [0.25, 0.5, 0.75])
    edges = [top.min(), *cuts, top.max() + 1e-6]
    bins = [(top >= lo) & (top < hi) for lo, hi in zip(edges, edges[1:])]
    print("held-out first suggestions by text score (quartiles): " + "; ".join(
        f"{lo:.2f}-{min(hi, top.max()):.2f}: {right[b].mean():.0%} right (n={int(b.sum())})"
        for lo, hi, b in zip(edges, edges[1:], bins)))


class _Unshipped:
    """The real model under another name, so the shipped vectors do not answer for it."""

    name = "all-MiniLM-L6-v2 (benchmark, not shipped)"

    def __init__(self, encoder: MiniLMEncoder) -> None:
        self.encode = encoder.encode


def main() -> None:
    tmp = Path(tempfile.mkdtemp(prefix="ilab-bench-"))
    engine = open_database(Settings(data_dir=tmp / "quality"))
    encoder = MiniLMEncoder()
    t0 = time.perf_counter()
    encoder.encode(["warm up"])
    print(f"model load: {time.perf_counter() - t0:.1f} s")

    # (a) quality
    bench = tx(engine, build_bench, encoder)
    print_quality(bench)

    # (b) throughput: the pipeline against raw model.encode on the same texts
    objectives = tx(engine, list_objectives)
    obj = ObjectiveTexts.from_objectives(objectives)
    texts = []
    for key in ("sdg", "10.7.2", "mgi"):
        texts += [item_text(r) for r in tx(engine, items_frame, key).to_dict("records")]
    texts += obj.titles + [s for _, s in obj.commitment] + [t for _, _, t in obj.actions]
    texts = list(dict.fromkeys(texts))
    raw = pipe = float("inf")
    for run in range(2):  # alternate, best of two each, so both see the same machine state
        t0 = time.perf_counter()
        encoder.encode(texts)
        raw = min(raw, time.perf_counter() - t0)
        cold = make_engine(f"sqlite:///{tmp / f'throughput{run}.db'}")
        init_db(cold)
        t0 = time.perf_counter()
        tx(cold, embed_texts, _Unshipped(encoder), texts)
        pipe = min(pipe, time.perf_counter() - t0)
    print(f"\n(b) throughput on {len(texts)} texts: raw model.encode {len(texts) / raw:.0f} texts/s, "
          f"pipeline {len(texts) / pipe:.0f} texts/s, ratio {raw / pipe:.2f} (target >= 0.9)")

    # (c) warm re-map in a fresh process: every framework, cache warm, torch must stay unloaded
    code = (
        "import sys, time\n"
        "from pathlib import Path\n"
        "from indicators_lab.startup import open_database\n"
        "from indicators_lab.core.config import Settings\n"
        "from indicators_lab.mapping.embeddings import MiniLMEncoder\n"
        "from indicators_lab.core.db import in_transaction as tx\n"
        "from indicators_lab.mapping.suggestions import suggest\n"
        "from indicators_lab.core.access import COMMAND_LINE\n"
        "from indicators_lab.core.db import in_transaction as tx\n"
        f"e = open_database(Settings(data_dir=Path({str(tmp / 'quality')!r})))\n"
        "t = time.perf_counter()\n"
        "n = sum(len(tx(e, suggest, MiniLMEncoder(), k, actor=COMMAND_LINE, top_k=3).table)"
        " for k in ('sdg', '10.7.2', 'mgi'))\n"
        "print(f'{time.perf_counter() - t:.2f} {n} {\"torch\" in sys.modules}')\n"
    )
    for key in ("sdg", "10.7.2", "mgi"):  # make sure every framework is cached
        from indicators_lab.mapping.suggestions import suggest

        tx(engine, suggest, encoder, key, actor=COMMAND_LINE, top_k=3)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    seconds, n, torch_loaded = out.stdout.split()
    print(f"\n(c) warm re-map of sdg + 10.7.2 + mgi ({n} suggestions): {float(seconds):.2f} s, "
          f"torch imported: {torch_loaded}; ratio to one raw encode of the same texts: "
          f"{float(seconds) / raw:.2f}")


if __name__ == "__main__":
    main()

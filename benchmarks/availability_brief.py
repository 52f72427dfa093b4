"""The availability brief beside every indicator: its cost on each page rerun.

    python benchmarks/availability_brief.py [--repeat 20]

Builds the brief (countries and migratory split from the shipped metadata, areas from the newest
data import, the source) for every SDG indicator, with and without an import of every SDG
code, and prints its time as a ratio to a baseline measured in the same run: reading the same
framework's items (``items_frame``), which the Catalogue page does on every rerun anyway.
The extract is TEST DATA made up here.
"""

from __future__ import annotations

import argparse
import csv
import io
import tempfile
import time
from pathlib import Path

from indicators_lab.catalogue.data import apply_data_import, availability_brief, plan_data_import
from indicators_lab.catalogue.frameworks import items_frame
from indicators_lab.core.access import Actor
from indicators_lab.core.config import Settings
from indicators_lab.core.db import in_transaction as tx
from indicators_lab.startup import open_database


def best_of(repeat, fn):
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=20)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        engine = open_database(Settings(data_dir=Path(tmp)))
        items = tx(engine, items_frame, "sdg")
        ids = [int(i) for i in items["id"]]
        base = best_of(args.repeat, lambda: tx(engine, items_frame, "sdg"))
        without = best_of(args.repeat, lambda: tx(engine, availability_brief, ids))
        buf = io.StringIO()
        w = csv.writer(buf)
        w.writerow(["Indicator", "GeoAreaCode", "GeoAreaName", "TimePeriod", "Value", "[Migratory status]"])
        for code in items["code"]:
            for area in range(1, 41):
                w.writerow([code, area, f"Testland {area}", 2019, 1.0, "MIGRANT" if area % 2 else "_T"])
        plan = tx(engine, plan_data_import, buf.getvalue().encode(), "bench.csv", max_bytes=200 * 1024 * 1024)
        tx(engine, apply_data_import, plan, actor=Actor("Benchmark lead", "co_lead"))
        with_import = best_of(args.repeat, lambda: tx(engine, availability_brief, ids))
        print(f"{len(ids)} SDG indicators; baseline items_frame {base * 1000:.1f} ms")
        print(f"brief, no import:        {without * 1000:.1f} ms  ratio {without / base:.2f}")
        print(f"brief, every code imported: {with_import * 1000:.1f} ms  ratio {with_import / base:.2f}")
        engine.dispose()


if __name__ == "__main__":
    main()

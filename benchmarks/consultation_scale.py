"""Consultation at scale: 50,000 comments in one round, and 50 writers posting at once.

    python benchmarks/consultation_scale.py [--comments 50000] [--url DATABASE_URL]

Prints the time of one matrix page (list and each filter), of the full export (CSV and XLSX),
and comment-post throughput with 1 and 50 concurrent writers, with ratios to a baseline
measured in the same run (a bare INSERT of the same rows). Targets: a page under 1 s, the full
export under 10 s.
"""

from __future__ import annotations

import argparse
import random
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from sqlmodel import Session

from indicators_lab.consultation import rounds as con
from indicators_lab.consultation import matrix
from indicators_lab.core.access import Actor
from indicators_lab.startup import open_database
from indicators_lab.core.config import Settings
from indicators_lab.mapping.links import item_id_for
from indicators_lab.core.models import Comment
from indicators_lab.core.accounts import create_user
from indicators_lab.core.db import in_transaction as tx

LEAD = Actor("Benchmark lead", "co_lead")


def timed(fn):
    t = time.perf_counter()
    out = fn()
    return time.perf_counter() - t, out


def timed_cpu(fn):
    """Wall and CPU seconds of ``fn`` (CPU time is the steadier one on a shared, busy machine)."""
    t, c = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - t, time.process_time() - c


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--comments", type=int, default=50_000)
    parser.add_argument("--url", help="database URL (default: a temporary SQLite file)")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="ilab-scale-"))
    engine = open_database(Settings(data_dir=tmp, database_url=args.url))
    rid = tx(engine, con.create_round, actor=LEAD, title="Scale")
    items = [tx(engine, item_id_for, "sdg", c) for c in ("10.7.1", "10.7.2", "10.7.3", "10.c.1", "8.8.1")]
    rng = random.Random(1)
    consts = list(con.CONSTITUENCIES)
    rows = [dict(round_id=rid, author_name=f"Org {i % 700}", organisation=f"Org {i % 700}",
                 constituency=rng.choice(consts), item_id=rng.choice(items + [None]), objective=rng.choice([None, *range(1, 24)]),
                 stance=rng.choice(["keep", "modify", "drop", "add", ""]),
                 text=f"Comment {i}: " + rng.choice(["keep this", "needs sex disaggregation", "data are scarce"]) * 3,
                 text_key=str(i)) for i in range(args.comments)]
    t_bulk, _ = timed(lambda: _bulk(engine, rows))
    print(f"loaded {args.comments} comments in {t_bulk:.1f} s")

    print("\nmatrix page (50 rows) — target under 1 s")
    for label, filt in [("no filter", {}), ("indicator 10.7.1", {"indicator_code": "10.7.1"}),
                        ("objective 6", {"objective": 6}), ("constituency", {"constituency": "academia"}),
                        ("unanswered", {"disposition": "unanswered"}), ("page 500", {})]:
        page = 500 if label == "page 500" else 1
        t, (df, total) = timed(lambda: tx(engine, matrix.matrix_page, actor=LEAD, page=page,
                                                          filt=matrix.MatrixFilter(round_id=rid, **filt)))
        print(f"  {label:18} {t * 1000:7.0f} ms  ({total} matching)")

    print("\nfull export, as ratios to a bare XlsxWriter constant_memory write of the same rows")
    frame = tx(engine, matrix.matrix_frame, actor=LEAD, round_id=rid)
    plain = [tuple("" if v is None else v for v in row) for row in frame.itertuples(index=False, name=None)]
    t_bare, c_bare = timed_cpu(lambda: _bare_xlsx(plain, list(frame.columns), tmp / "bare.xlsx"))
    print(f"  bare XlsxWriter write   {t_bare:6.2f} s  CPU {c_bare:6.2f} s  (baseline, {len(plain)} rows)")
    for fmt in ("csv", "xlsx"):
        t, c = timed_cpu(lambda: tx(engine, matrix.export_matrix, actor=LEAD, round_id=rid, fmt=fmt, out=tmp / f"m.{fmt}"))
        print(f"  export_matrix {fmt:5}     {t:6.2f} s  ratio {t / t_bare:.2f}  CPU ratio {c / c_bare:.2f}"
              "  (target for xlsx <= 1.2)")

    print("\ncomment posting")
    people = [tx(engine, create_user, actor=LEAD, email=f"w{i}@x.org", name=f"W{i}", role="stakeholder") for i in range(50)]
    per = 20
    base_rows = [dict(round_id=rid, author_name="base", text=f"baseline {i}", text_key="b") for i in range(50 * per)]
    t_base, _ = timed(lambda: _bulk(engine, base_rows, one_by_one=True))
    t_one, _ = timed(lambda: [tx(engine, con.post_comment, actor=people[0], round_id=rid, text=f"solo {i}") for i in range(50 * per)])
    barrier = threading.Barrier(50)

    def writer(actor):
        barrier.wait()
        for i in range(per):
            tx(engine, con.post_comment, actor=actor, round_id=rid, text=f"{actor.name} {i}")

    t_many, _ = timed(lambda: list(ThreadPoolExecutor(50).map(writer, people)))
    n = 50 * per
    print(f"  bare INSERT, one per transaction: {n / t_base:7.0f} /s (baseline)")
    print(f"  post_comment, 1 writer:           {n / t_one:7.0f} /s  ratio {t_base / t_one:.2f}")
    print(f"  post_comment, 50 writers at once: {n / t_many:7.0f} /s  ratio {t_base / t_many:.2f}")


def _bare_xlsx(rows, header, out):
    import xlsxwriter

    wb = xlsxwriter.Workbook(str(out), {"constant_memory": True})
    ws = wb.add_worksheet("Comments")
    ws.write_row(0, 0, header)
    for r, row in enumerate(rows, start=1):
        ws.write_row(r, 0, row)
    wb.close()


def _bulk(engine, rows, one_by_one=False):
    if one_by_one:
        for r in rows:
            with Session(engine) as s:
                s.add(Comment(**r))
                s.commit()
        return
    with Session(engine) as s:
        s.add_all([Comment(**r) for r in rows])
        s.commit()


if __name__ == "__main__":
    main()

"""File-read benchmark: a 50,000-row XLSX through our safe path, bare python-calamine and openpyxl.

    PYTHONPATH=src python benchmarks/file_reads.py [--rows 50000] [--repeat 3]

Prints the best of ``--repeat`` runs of each reader (wall and CPU time; the readers take turns
in each round) and its ratio to the bare calamine read measured in the same run (target for the
safe path: at most 1.5x). On a shared, busy machine the CPU-time ratio is the steadier one. The safe path is
``reading.read_xlsx``: the bounded pre-scan of every part, calamine, then clean string rows.
"""

from __future__ import annotations

import argparse
import io
import time

import xlsxwriter
from python_calamine import CalamineWorkbook

from indicators_lab.catalogue.reading import prescan_xlsx, read_xlsx


def workbook(rows: int) -> bytes:
    """A framework-like sheet: code, title, description, parent, level, a number."""
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    ws = wb.add_worksheet()
    ws.write_row(0, 0, ["code", "title", "description", "parent", "level", "baseline"])
    for i in range(1, rows + 1):
        ws.write_row(i, 0, [f"N{i}", f"Proportion of migrants in group {i % 97}",
                            f"Share of migrants with access to service {i % 311}, by sex and age",
                            f"D{i % 12}", "indicator", i * 0.5])
    wb.close()
    return buf.getvalue()


def bare_calamine(data: bytes):
    return CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).to_python()


def openpyxl_read_only(data: bytes):
    import openpyxl

    wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        return [list(r) for r in wb.worksheets[0].iter_rows(values_only=True)]
    finally:
        wb.close()


def best_of(fns, data: bytes, repeat: int) -> list[tuple[float, float]]:
    """Best wall and best CPU time of each reader; the readers take turns in every round, so a
    busy machine slows them alike instead of whichever happened to run during the busy spell."""
    wall = [[] for _ in fns]
    cpu = [[] for _ in fns]
    for _ in range(repeat):
        for i, fn in enumerate(fns):
            t, c = time.perf_counter(), time.process_time()
            fn(data)
            wall[i].append(time.perf_counter() - t)
            cpu[i].append(time.process_time() - c)
    return [(min(w), min(c)) for w, c in zip(wall, cpu)]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=50_000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    data = workbook(args.rows)
    assert read_xlsx(data).rows_read == args.rows
    readers = [("bare python-calamine", bare_calamine), ("safe path (read_xlsx)", read_xlsx),
               ("  of which the pre-scan", prescan_xlsx), ("openpyxl read-only", openpyxl_read_only)]
    times = best_of([fn for _, fn in readers], data, args.repeat)
    (base, base_cpu) = times[0]
    print(f"{args.rows:,} rows x 6 columns, {len(data) / 1_048_576:.1f} MB; best of {args.repeat}")
    print(f"{'reader':<28}{'seconds':>10}{'x calamine':>12}{'CPU s':>10}{'x calamine':>12}")
    for (name, _), (t, c) in zip(readers, times):
        print(f"{name:<28}{t:>10.3f}{t / base:>11.2f}x{c:>10.3f}{c / base_cpu:>11.2f}x")


if __name__ == "__main__":
    main()

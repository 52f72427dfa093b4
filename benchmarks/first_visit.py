"""First-visit benchmark: a fresh install should feel as fast as a warm one.

    PYTHONPATH=src python benchmarks/first_visit.py [--repeat 3]

Prints, each measured in this run on this machine:
(a) ``python -m indicators_lab suggest --framework sdg`` on a new database vs a warm re-run on
    the same database (wall time of the whole process; target: ratio <= 1.5), and whether the
    fresh run imported torch (it must not: the shipped vectors cover every shipped text);
(b) loading the shipped catalogues into a new database (target <= 2 s);
(c) page renders as ratios to a bare Streamlit page (a title and a line of text) rendered the
    same way: home's first render on a fresh database (target <= 2 s), the Mapping page's first
    visit, and warm re-runs of the main pages (target <= 0.5 s).

Renders are timed with streamlit.testing.v1.AppTest, each page set in a fresh subprocess with a
new data folder. AppTest runs the page script as the server would (same ScriptRunner), without
a browser or websocket; a real server's first HTML is a static file served before any script
runs, so timing it would not measure the render. Imports of the app's modules (pandas, SQLModel,
plotly…) happen inside the first render, as in a freshly started server; Streamlit's own import
is done before the clock starts, for the bare page too, and so is the scan for installed
components that a real server makes when it starts (AppTest would make it in its first run).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BARE_PAGE = "import streamlit as st\nst.title('Bare page')\nst.write('Nothing else.')\n"
WARM_PAGES = ["views/home.py", "views/catalogue.py", "views/objectives.py", "views/mapping.py"]


def _env(data_dir: Path) -> dict[str, str]:
    env = dict(os.environ, INDICATORS_LAB_DATA_DIR=str(data_dir))
    env.pop("INDICATORS_LAB_DATABASE_URL", None)
    src = str(ROOT / "src")
    env["PYTHONPATH"] = src + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    return env


def _child(mode: str, arg: str = "") -> dict:
    """Run this script as ``--child mode`` in a fresh process with a new data folder."""
    with tempfile.TemporaryDirectory() as tmp:
        proc = subprocess.run(
            [sys.executable, __file__, "--child", mode, arg], env=_env(Path(tmp) / "var"),
            capture_output=True, text=True, cwd=ROOT, timeout=900,
        )
    if proc.returncode != 0:
        raise SystemExit(f"{mode} failed:\n{proc.stderr}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


# --------------------------------------------------------------------------- children


def _started(at):
    """``at`` as a started server holds it: a real server scans the installed packages for
    components once, when it starts (streamlit.runtime.Runtime), before any visitor; AppTest does
    it inside its first run (0.7 s here, 682 packages). Done before the clock, for every page alike."""
    from streamlit.components.v2.component_manager import BidiComponentManager

    manager = BidiComponentManager()
    manager.discover_and_register_components(start_file_watching=False)
    at._bidi_component_manager = manager  # what AppTest's first run would otherwise build
    return at


def child_bare() -> dict:
    from streamlit.testing.v1 import AppTest

    at = _started(AppTest.from_string(BARE_PAGE, default_timeout=60))
    t = time.perf_counter()
    at.run()
    first = time.perf_counter() - t
    warm = []
    for _ in range(5):
        t = time.perf_counter()
        at.run()
        warm.append(time.perf_counter() - t)
    return {"first": first, "warm": statistics.median(warm)}


def child_app() -> dict:
    from streamlit.testing.v1 import AppTest

    out: dict = {}
    at = _started(AppTest.from_file(str(ROOT / "app.py"), default_timeout=300))
    t = time.perf_counter()
    at.run()  # the default page, home, on a database that does not exist yet
    out["home_first"] = time.perf_counter() - t
    assert not at.exception, at.exception
    at.switch_page("views/mapping.py")
    t = time.perf_counter()
    at.run()
    out["mapping_first"] = time.perf_counter() - t
    assert not at.exception, at.exception
    out["torch_after_mapping"] = "torch" in sys.modules
    for page in WARM_PAGES:
        at.switch_page(page).run()  # first visit of this page in the run
        times = []
        for _ in range(3):
            t = time.perf_counter()
            at.run()
            times.append(time.perf_counter() - t)
        assert not at.exception, (page, at.exception)
        out[f"warm {page}"] = statistics.median(times)
    return out


def child_load(repeat: str) -> dict:
    from indicators_lab.catalogue.frameworks import load_shipped_catalogues
    from indicators_lab.core.config import shipped_path
    from indicators_lab.core.db import in_transaction, init_db, make_engine

    times = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in range(int(repeat)):
            engine = make_engine(f"sqlite:///{Path(tmp) / f'load{n}.db'}")
            init_db(engine)
            t = time.perf_counter()
            in_transaction(engine, load_shipped_catalogues, shipped_path("frameworks"))
            times.append(time.perf_counter() - t)
            engine.dispose()
    return {"load": statistics.median(times)}


def child_suggest(repeat: str) -> dict:
    data_dir = Path(os.environ["INDICATORS_LAB_DATA_DIR"])
    code = ("import sys\nfrom indicators_lab.cli import main\n"
            "rc = main(sys.argv[1:])\nprint('torch' in sys.modules)\nsys.exit(rc)\n")
    cold, warm, torch = [], [], []
    for n in range(int(repeat)):
        env = _env(data_dir / f"db{n}")
        cmd = [sys.executable, "-c", code, "suggest", "--framework", "sdg",
               "--out", str(data_dir / f"s{n}.csv")]
        for bucket in (cold, warm):
            t = time.perf_counter()
            proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=900)
            bucket.append(time.perf_counter() - t)
            if proc.returncode != 0:
                raise SystemExit(proc.stderr)
            if bucket is cold:
                torch.append(proc.stdout.strip().splitlines()[-1] == "True")
    return {"cold": statistics.median(cold), "warm": statistics.median(warm), "torch": any(torch)}


# --------------------------------------------------------------------------- report


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement (median)")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        mode, *rest = args.child
        fn = {"bare": child_bare, "app": child_app, "load": child_load, "suggest": child_suggest}
        print(json.dumps(fn[mode](*[r for r in rest if r]) ))
        return

    s = _child("suggest", str(args.repeat))
    load = _child("load", str(max(args.repeat, 5)))
    bares = [_child("bare") for _ in range(args.repeat)]
    apps = [_child("app") for _ in range(args.repeat)]
    bare_first = statistics.median(b["first"] for b in bares)
    bare_warm = statistics.median(b["warm"] for b in bares)

    def med(key: str) -> float:
        return statistics.median(a[key] for a in apps)

    print(f"(a) suggest --framework sdg: fresh database {s['cold']:.2f} s, warm re-run "
          f"{s['warm']:.2f} s, ratio {s['cold'] / s['warm']:.2f} (target <= 1.5); "
          f"torch imported on the fresh run: {'yes' if s['torch'] else 'no'}")
    print(f"(b) shipped catalogues into a new SQLite database: {load['load']:.3f} s (target <= 2 s)")
    print(f"(c) renders (AppTest, median of {args.repeat} fresh processes); bare page: first "
          f"{bare_first:.3f} s, warm {bare_warm:.3f} s")
    rows = [("home, first render, fresh database", med("home_first"), bare_first, 2.0),
            ("mapping, first visit (sdg)", med("mapping_first"), bare_first, None)]
    rows += [(f"{p.split('/')[1][:-3]}, warm re-run", med(f"warm {p}"), bare_warm, 0.5)
             for p in WARM_PAGES]
    print(f"    {'page':<38} {'seconds':>8} {'x bare':>8} {'target':>8}")
    for name, secs, base, target in rows:
        goal = f"<= {target:g} s" if target else ""
        flag = "" if target is None or secs <= target else "  (over)"
        print(f"    {name:<38} {secs:8.3f} {secs / base:8.1f} {goal:>8}{flag}")
    print(f"    torch imported after the first Mapping visit: "
          f"{'yes' if any(a['torch_after_mapping'] for a in apps) else 'no'}")


if __name__ == "__main__":
    main()

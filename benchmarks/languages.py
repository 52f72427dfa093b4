"""Cost of the three languages, as ratios to a baseline measured in the same run.

    PYTHONPATH=src python benchmarks/languages.py [--repeat 5]

Prints:
(a) catalogue search over the 231 SDG items with their French and Spanish titles, against the
    same search on the items stripped of their translations (English only, as before);
(b) detecting a comment's language (py3langid, offline) against hashing its text (``text_key``,
    which every comment already pays), per comment, and the model's one-off load;
(c) compiling a .po catalogue in memory (once per process) and a translated lookup against the
    identity function;
(d) a warm re-run of the Catalogue, Matrix, Consultation (a round on ten SDG indicators, as cards)
    and Home pages in French against the same page in English (AppTest, one process).
    ``--pages`` runs (d) only;
(e) building a stakeholder's French offline template of that round against a warm re-run of the
    Consultation page in French. ``--template`` runs (e) only.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # tests.fakes / tests.paths for the page renders


def best(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def search(repeat: int) -> None:
    import pandas as pd

    from indicators_lab.catalogue.frameworks import search_items

    doc = json.loads((ROOT / "src/indicators_lab/data/frameworks/sdg.json").read_text(encoding="utf-8"))
    rows = [{"code": i["code"], "title": i["title"], "description": "", "former_title": i.get("former_title") or "",
             "also_codes": ", ".join(i["attributes"].get("also_codes", [])), "attributes": i["attributes"]}
            for i in doc["items"]]
    with_tr = pd.DataFrame(rows)
    without = pd.DataFrame([{**r, "attributes": {k: v for k, v in r["attributes"].items() if k != "translations"}}
                            for r in rows])
    for query in ("remittance costs", "migrant workers", "travailleurs migrants", "migración"):
        search_items(with_tr, query)  # warm the stem caches, as a running server has them
        base = best(lambda: search_items(without, query), repeat)
        new = best(lambda: search_items(with_tr, query), repeat)
        print(f"(a) search {query!r}: {new * 1000:.0f} ms with fr/es titles, {base * 1000:.0f} ms English only "
              f"-> {new / base:.2f} x ({len(search_items(with_tr, query))} vs {len(search_items(without, query))} found)")


def detection(repeat: int) -> None:
    from indicators_lab.consultation import languages
    from indicators_lab.consultation.rounds import text_key

    t = time.perf_counter()
    languages._identifier()
    load = time.perf_counter() - t
    texts = ["Cet indicateur devrait être ventilé par statut migratoire et par sexe.",
             "Faltan datos sobre las remesas de los trabajadores migrantes.",
             "This indicator should be disaggregated by migratory status and sex."] * 334
    base = best(lambda: [text_key(x) for x in texts], repeat)
    new = best(lambda: [languages.detect(x) for x in texts], repeat)
    print(f"(b) detection: {new / len(texts) * 1e6:.0f} µs per comment vs text_key {base / len(texts) * 1e6:.0f} µs "
          f"-> {new / base:.1f} x; model load once per process {load:.2f} s")


def catalogues(repeat: int) -> None:
    from indicators_lab.core import i18n

    def compile_fr():
        i18n.translations.cache_clear()
        i18n.translations("fr")

    load = best(compile_fr, repeat)
    msgids = [m for m in i18n.translations("fr")._catalog if isinstance(m, str) and m][:300]
    with i18n.use_locale("fr"):
        new = best(lambda: [i18n._(m) for m in msgids * 10], repeat)
    base = best(lambda: [str(m) for m in msgids * 10], repeat)
    print(f"(c) fr catalogue compiled in memory in {load * 1000:.0f} ms (once per process); "
          f"a lookup {new / len(msgids) / 10 * 1e6:.2f} µs -> {new / base:.1f} x the identity")


def _round_database():
    """A fresh data dir whose database has a co-lead and a round on a ten-indicator set; the pages
    use the fake encoder. Returns (engine, co-lead, round id)."""
    import os

    os.environ["INDICATORS_LAB_DATA_DIR"] = tempfile.mkdtemp()
    import streamlit as st

    import indicators_lab.mapping.embeddings as embeddings  # ui.resources imports it when first used
    from indicators_lab.consultation import rounds as con
    from indicators_lab.core.access import Actor
    from indicators_lab.core.accounts import create_user
    from indicators_lab.core.config import Settings
    from indicators_lab.core.db import in_transaction as tx
    from indicators_lab.mapping import links
    from indicators_lab.sets import candidate_sets as cs
    from indicators_lab.startup import open_database
    from tests.fakes import FakeEncoder

    embeddings.MiniLMEncoder = FakeEncoder
    st.cache_resource.clear()
    engine = open_database(Settings())
    lead = tx(engine, create_user, actor=Actor("Admin", "admin"), email="l@x.org", name="Lead", role="co_lead",
              password="long enough pw")
    codes = ["10.7.1", "10.7.2", "10.7.3", "10.7.4", "10.c.1", "8.8.1", "8.8.2", "17.3.2", "16.9.1", "5.2.1"]
    set_id = tx(engine, cs.create_set, actor=lead, name="Draft",
                item_ids=[tx(engine, links.item_id_for, "sdg", c) for c in codes])
    return engine, lead, tx(engine, con.create_round, actor=lead, title="Round", set_id=set_id)


def pages(repeat: int) -> None:
    from streamlit.testing.v1 import AppTest

    engine, lead, _rid = _round_database()
    for path in ("views/catalogue.py", "views/matrix.py", "views/consultation.py", "views/home.py"):
        runs = {}
        for code in ("en", "fr"):
            at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
            at.session_state["ilab.auth.user_id"] = lead.user_id
            at.session_state["ilab.language"] = code
            at.run()
            at.switch_page(path).run()
            times = []
            for _ in range(repeat):
                t = time.perf_counter()
                at.run()
                times.append(time.perf_counter() - t)
            runs[code] = statistics.median(times)
        print(f"(d) {path} warm re-run: fr {runs['fr'] * 1000:.0f} ms, en {runs['en'] * 1000:.0f} ms "
              f"-> {runs['fr'] / runs['en']:.2f} x")


def template(repeat: int) -> None:
    """(e) A stakeholder's French offline template of the ten-indicator round, built (as the
    Consultation page's download does when tapped) against a warm re-run of that page in French."""
    from streamlit.testing.v1 import AppTest

    from indicators_lab.consultation.matrix import template_xlsx
    from indicators_lab.core.accounts import create_user
    from indicators_lab.core.db import in_transaction as tx
    from indicators_lab.core.i18n import use_locale

    engine, lead, rid = _round_database()
    ngo = tx(engine, create_user, actor=lead, email="n@x.org", name="Nadia", role="stakeholder",
             password="long enough pw", organisation="ONG", constituency="civil_society")

    def build():
        with use_locale("fr"):
            tx(engine, template_xlsx, rid, actor=ngo)

    build()  # xlsxwriter's import, once per process
    built = best(build, repeat)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.session_state["ilab.auth.user_id"] = ngo.user_id
    at.session_state["ilab.language"] = "fr"
    at.run()
    at.switch_page("views/consultation.py").run()
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        at.run()
        times.append(time.perf_counter() - t)
    page = statistics.median(times)
    print(f"(e) a stakeholder's French template: {built * 1000:.0f} ms; the Consultation page's warm re-run in "
          f"French {page * 1000:.0f} ms -> {built / page:.2f} x (built only when the download is tapped)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--pages", action="store_true", help="only (d), the page re-runs")
    parser.add_argument("--template", action="store_true", help="only (e), the offline template")
    args = parser.parse_args()
    if args.pages:
        pages(args.repeat)
        return
    if args.template:
        template(args.repeat)
        return
    search(args.repeat)
    detection(args.repeat)
    catalogues(args.repeat)
    pages(args.repeat)
    template(args.repeat)


if __name__ == "__main__":
    main()

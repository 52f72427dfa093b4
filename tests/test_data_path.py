"""The whole path of issue 18, as a co-lead walks it: import a Global Database extract, see
countries with data and migratory-status flags beside the indicators (catalogue, mapping brief,
scorecard, optimiser), ask the optimiser for a set whose indicators each have data for at least
half of countries, freeze it, propose an action on a gap and export an annex whose strategy
section lists, per objective, the gaps and the actions.

The extract is TEST DATA made up for the test (areas "Testland 1…" and values are not real).
"""

from docx import Document

from indicators_lab.catalogue.data import (
    apply_data_import, availability_brief, plan_data_import, readiness_frame,
)
from indicators_lab.core.db import in_transaction as tx
from indicators_lab.mapping import links
from indicators_lab.proposal import versions as proposals
from indicators_lab.proposal.annex import export_version
from indicators_lab.proposal.strategy import TITLE, save_action, strategy_table
from indicators_lab.sets import candidate_sets as cs
from tests.apptest import app, choose, co_lead, open_page  # noqa: F401  (app is a fixture)
from tests.fakes import FakeEncoder
from tests.test_data_extracts import MB, fixture_extract, sdg_row

# (code, objective linked, areas with a value in the extract, migratory-status dimension)
PLAN = [("8.8.1", 22, 120, True), ("10.7.1", 6, 110, False), ("10.c.1", 20, 30, True), ("17.3.2", 20, 150, False),
        ("16.2.2", 10, 100, True)]


def extract():
    rows = []
    for code, _, areas, migratory in PLAN:
        for i in range(1, areas + 1):
            rows.append(sdg_row(code, (i, f"Testland {i}"), 2016, 1.0, mig="_T"))
            rows.append(sdg_row(code, (i, f"Testland {i}"), 2019, 2.0, mig="MIGRANT" if migratory else "_T"))
    return fixture_extract(rows)  # series without the split carry only totals (_T) in that column


def test_co_lead_imports_an_extract_and_carries_it_to_the_annex_strategy(app, tmp_path):
    lead = co_lead(app)
    ids = {code: tx(app, links.item_id_for, "sdg", code) for code, *_ in PLAN}
    for code, objective, *_ in PLAN:
        tx(app, links.decide, actor=lead, item_id=ids[code], objective=objective, status="accepted", grade="direct")

    # 1. Import (planned, then stored in one transaction).
    plan = tx(app, plan_data_import, extract(), "SDG_extract.csv", max_bytes=MB)
    assert plan.problem_count == 0 and set(plan.figures) == {c for c, *_ in PLAN}
    tx(app, apply_data_import, plan, actor=lead)

    # 2. Countries with data and migratory flags beside every indicator: the one brief behind the
    # catalogue, mapping, candidate-set and optimiser tables, and the catalogue page itself.
    brief = tx(app, availability_brief, list(ids.values())).set_index("item_id")
    for code, _, areas, _ in PLAN:
        assert brief.loc[ids[code], "imported"].startswith(f"{areas} areas")
        assert "SDG_extract.csv, imported" in brief.loc[ids[code], "data_source"]
    at = open_page("views/catalogue.py", lead.user_id)
    choose(at, "Framework", "sdg")
    table = at.dataframe[0].value.set_index("code")
    assert table.loc["8.8.1", "imported"] == "120 areas · migratory split"
    assert table.loc["8.8.1", "countries_metadata"] == "97"

    # 3. The optimiser, asked for indicators with data for at least half of countries.
    at = open_page("views/optimise.py", lead.user_id)
    at.radio[0].set_value("best").run()
    next(s for s in at.slider if s.label.startswith("Each chosen indicator has data")).set_value(0.5).run()
    next(b for b in at.button if b.label == "Optimise").click().run()
    assert not at.exception, at.exception
    at.text_input[0].input("Data-ready")
    next(b for b in at.button if b.label.startswith("Save ")).click().run()
    assert not at.exception, at.exception
    set_id = next(s.id for s in tx(app, cs.list_sets, actor=lead) if s.name == "Data-ready")
    chosen = list(tx(app, cs.members_frame, set_id)["item_key"])
    ready = tx(app, readiness_frame, chosen)
    assert len(chosen) and (ready["data_share"] >= 0.5).all()
    assert ids["10.c.1"] not in chosen  # 30 of 193 areas: below the minimum
    per_item, per_objective = tx(app, cs.set_readiness, chosen, min_share=0.5)
    assert (per_objective["data_for_half"] == per_objective["indicators"]).all()  # the scorecard agrees

    # 4. Freeze, propose an action on a gap, export: the strategy lists gaps and actions per objective.
    number = tx(app, proposals.freeze, FakeEncoder(), actor=lead, set_id=set_id, note="Data-ready set")
    strategy = tx(app, strategy_table, tx(app, proposals.get_version, number))
    gaps = strategy[(strategy["gap"] != "") & (strategy["key"] != "")]
    assert "sdg:10.7.1" in set(gaps["key"])  # no migratory dimension in its data, metadata does not say so
    assert strategy.query("code == '8.8.1'").iloc[0]["split_today"] == "yes"
    tx(app, save_action, actor=lead, version=number, objective=6, item_key="sdg:10.7.1",
       action="Ask the World Bank to split recruitment costs by migratory status", who="World Bank", by_when="2028")
    doc = Document(str(tx(app, export_version, number, "docx", tmp_path / "annex.docx", actor=lead, full=False)))
    paragraphs = [p.text for p in doc.paragraphs]
    start = paragraphs.index(TITLE)
    headings = [p for p in paragraphs[start:] if p.startswith("Objective ")]
    assert [int(h.split()[1].rstrip(":")) for h in headings[:23]] == list(range(1, 24))  # every objective
    cells = [[c.text for c in row.cells] for t in doc.tables for row in t.rows]
    row = next(r for r in cells if r[0].startswith("10.7.1 ") and "Ask the World Bank" in r[3])
    assert row[1].startswith("no: ") and "Cannot be split by migratory status today" in row[2]
    assert row[4] == "World Bank, 2028"
    assert ["(none)", "", "No indicator of this version covers the objective.", "not yet proposed", ""] in cells
    assert any(r[0].startswith("8.8.1 ") and r[1].startswith("yes: ") and "Countries: data: 120 areas" in r[1]
               for r in cells)

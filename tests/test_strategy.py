"""The disaggregation strategy (para 70(b)): per objective, split today, gaps and proposed actions,
in the page, the DOCX/XLSX annex, and CSV/JSON."""

import csv
import json

import openpyxl
import pytest
from docx import Document

from indicators_lab.catalogue.data import apply_data_import, plan_data_import
from indicators_lab.core.access import Actor
from indicators_lab.core.db import in_transaction as tx
from indicators_lab.core.errors import UserError
from indicators_lab.proposal import versions as proposals
from indicators_lab.proposal.annex import export_version
from indicators_lab.proposal.strategy import TITLE, save_action, strategy_table
from tests.test_data_extracts import MB, fixture_extract, sdg_row
from tests.test_proposals import LEAD, drafted  # noqa: F401  (fixture)

EXCOM = Actor("Ex Com", "excom")


def table(engine, number=1):
    v = tx(engine, proposals.get_version, number)
    return tx(engine, strategy_table, v)


def test_every_objective_has_a_row_and_gaps_are_named(drafted):  # noqa: F811
    engine, _ = drafted
    t = table(engine)
    assert sorted(t["objective"].unique()) == list(range(1, 24))
    row = t[(t["objective"] == 6) & (t["code"] == "10.7.1")].iloc[0]
    assert row["split_today"] == "no" and row["gap"].startswith("Cannot be split by migratory status today")
    empty = t[t["objective"] == 1].iloc[0]
    assert empty["key"] == "" and empty["gap"] == "No indicator of this version covers the objective."


def test_imported_migratory_dimension_closes_the_gap_with_its_source(drafted):  # noqa: F811
    engine, _ = drafted
    plan = tx(engine, plan_data_import, fixture_extract([sdg_row("10.7.1", (4, "Testland"), 2019, 1.0, mig="MIGRANT")]),
              "costs.csv", max_bytes=MB)
    tx(engine, apply_data_import, plan, actor=LEAD)
    row = table(engine).query("code == '10.7.1'").iloc[0]
    assert row["split_today"] == "yes" and row["gap"] == ""
    assert "Migratory status" in row["data"] and "costs.csv" in row["data"]


def test_actions_are_kept_per_version_and_closed_once_approved(drafted):  # noqa: F811
    engine, set_id = drafted
    tx(engine, save_action, actor=LEAD, version=1, objective=6, item_key="sdg:10.7.1",
       action="Add migratory status to the recruitment cost survey", who="ILO, World Bank", by_when="2027 Q4")
    tx(engine, save_action, actor=LEAD, version=1, objective=6, item_key="sdg:10.7.1",
       action="Add migratory status to the recruitment cost survey module", who="ILO", by_when="2027 Q4")
    row = table(engine).query("code == '10.7.1' and objective == 6").iloc[0]
    assert (row["action"], row["who"], row["by_when"]) == (
        "Add migratory status to the recruitment cost survey module", "ILO", "2027 Q4")
    from tests.fakes import FakeEncoder

    tx(engine, proposals.freeze, FakeEncoder(), actor=LEAD, set_id=set_id, note="v2")
    assert table(engine, 2).query("code == '10.7.1' and objective == 6").iloc[0]["action"] == ""
    with pytest.raises(UserError, match="Only a co-lead"):
        tx(engine, save_action, actor=EXCOM, version=2, objective=6, item_key="sdg:10.7.1", action="x")
    with pytest.raises(UserError, match="not an indicator of version 2"):
        tx(engine, save_action, actor=LEAD, version=2, objective=6, item_key="sdg:1.1.1", action="x")


def test_annex_exports_carry_the_strategy(drafted, tmp_path):  # noqa: F811
    engine, _ = drafted
    tx(engine, save_action, actor=LEAD, version=1, objective=20, item_key="sdg:10.c.1",
       action="=Ask the World Bank to split remittance costs by corridor of origin", who="World Bank", by_when="2028")
    wb = openpyxl.load_workbook(tx(engine, export_version, 1, "xlsx", tmp_path / "a.xlsx", actor=LEAD, full=True))
    sheet = wb["Disaggregation strategy"]
    header = [c.value for c in sheet[1]]
    rows = [dict(zip(header, [c.value for c in r])) for r in sheet.iter_rows(min_row=2)]
    assert next(r for r in rows if r["code"] == "10.c.1")["action"].startswith("'=Ask the World Bank")

    docx = Document(str(tx(engine, export_version, 1, "docx", tmp_path / "a.docx", actor=LEAD, full=True)))
    assert TITLE in [p.text for p in docx.paragraphs]
    cells = [c.text for t in docx.tables for row in t.rows for c in row.cells]
    assert any("Ask the World Bank" in c for c in cells) and "World Bank, 2028" in cells

    data = json.loads(tx(engine, export_version, 1, "json", tmp_path / "a.json", actor=LEAD, full=True).read_text())
    assert {r["objective"] for r in data["strategy"]} == set(range(1, 24))
    rows = list(csv.DictReader(tx(engine, export_version, 1, "strategy-csv", tmp_path / "s.csv", actor=LEAD, full=True).open(encoding="utf-8")))
    assert next(r for r in rows if r["code"] == "10.c.1")["who"] == "World Bank"

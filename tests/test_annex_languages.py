"""The annex in a chosen language: headings, labels and SDG titles translated; the GCM's official
text (no French or Spanish source) stays in English, marked; the English annex is unchanged."""

import subprocess
import sys

import openpyxl
import pytest
from docx import Document

from indicators_lab.core.access import Actor
from indicators_lab.core.db import in_transaction as tx
from indicators_lab.core.errors import UserError
from indicators_lab.mapping import links
from indicators_lab.proposal import versions as proposals
from indicators_lab.proposal.annex import export_version
from indicators_lab.sets import candidate_sets as cs
from tests.fakes import FakeEncoder

LEAD = Actor("Lead", "co_lead")


@pytest.fixture
def version(engine):
    """10.7.2 linked to objective 23, 10.7.1 to objective 6, frozen as version 1."""
    ids = {c: tx(engine, links.item_id_for, "sdg", c) for c in ("10.7.2", "10.7.1")}
    tx(engine, links.decide, actor=LEAD, item_id=ids["10.7.2"], objective=23, status="accepted", grade="direct")
    tx(engine, links.decide, actor=LEAD, item_id=ids["10.7.1"], objective=6, status="accepted", grade="partial")
    set_id = tx(engine, cs.create_set, actor=LEAD, name="Draft", item_ids=list(ids.values()))
    return tx(engine, proposals.freeze, FakeEncoder(), actor=LEAD, set_id=set_id, note="Primer borrador")


def _docx_text(path) -> list[str]:
    doc = Document(str(path))
    texts = [p.text for p in doc.paragraphs]
    texts += [cell.text for table in doc.tables for row in table.rows for cell in row.cells]
    return texts


def test_a_spanish_docx_annex_translates_headings_and_sdg_titles_and_marks_gcm_text(engine, version, tmp_path):
    out = tx(engine, export_version, version, "docx", tmp_path / "anexo.docx", actor=LEAD, language="es")
    texts = _docx_text(out)
    assert "Anexo: conjunto limitado de indicadores del PMM propuesto (versión 1)" in texts
    assert "Metodología" in texts and "Indicadores por objetivo" in texts
    assert any(t.startswith("Número de países que han aplicado políticas migratorias") for t in texts)
    objective_heading = next(t for t in texts if t.startswith("Objetivo 23:"))
    assert objective_heading.endswith("[EN]")  # the GCM title, in English, marked
    assert any("marcados [EN]" in t for t in texts)
    assert "Indicators by objective" not in texts


def test_the_english_annex_is_unchanged_by_languages(engine, version, tmp_path):
    texts = _docx_text(tx(engine, export_version, version, "docx", tmp_path / "annex.docx", actor=LEAD))
    assert "Annex: proposed limited set of GCM indicators (version 1)" in texts
    assert not any("[EN]" in t for t in texts)
    assert any(t.startswith("Number of countries with migration policies") for t in texts)


def test_a_french_xlsx_annex_has_french_sheets_and_titles_with_the_english_kept(engine, version, tmp_path):
    out = tx(engine, export_version, version, "xlsx", tmp_path / "annexe.xlsx", actor=LEAD, language="fr")
    book = openpyxl.load_workbook(out, read_only=True)
    assert book.sheetnames[:3] == ["Indicateurs", "Couverture", "Consultation"]
    rows = list(book["Indicateurs"].iter_rows(values_only=True))
    header = list(rows[0])
    row = dict(zip(header, next(r for r in rows[1:] if r[header.index("code")] == "10.7.2")))
    assert row["title"].startswith("Nombre de pays dotés de politiques migratoires")
    assert row["title_en"].startswith("Number of countries") and row["title_language"] == "fr"


def test_an_unknown_annex_language_is_refused_in_words(engine, version, tmp_path):
    with pytest.raises(UserError, match="Unknown language 'de'"):
        tx(engine, export_version, version, "docx", tmp_path / "a.docx", actor=LEAD, language="de")


def test_the_command_line_exports_a_spanish_annex(settings_env, tmp_path):
    from indicators_lab.startup import open_database

    engine = open_database(settings_env)
    ids = [tx(engine, links.item_id_for, "sdg", "10.7.2")]
    tx(engine, links.decide, actor=LEAD, item_id=ids[0], objective=23, status="accepted", grade="direct")
    set_id = tx(engine, cs.create_set, actor=LEAD, name="Draft", item_ids=ids)
    tx(engine, proposals.freeze, FakeEncoder(), actor=LEAD, set_id=set_id, note="v1")
    engine.dispose()
    out = tmp_path / "anexo.docx"
    done = subprocess.run([sys.executable, "-m", "indicators_lab", "export", "--version", "1", "--format", "docx",
                           "--out", str(out), "--language", "es"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "Metodología" in _docx_text(out)

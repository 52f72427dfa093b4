"""Texts our services build (the strategy's gaps, the optimiser's reasons, zxcvbn's password advice)
reach a French or Spanish reader in their language, in the pages and in the annex in a chosen
language; the data (JSON, the service's table) and the command line stay English."""

from __future__ import annotations

import ast
import inspect
import json

import openpyxl
import pandas as pd
import pytest
from docx import Document

from indicators_lab.core import i18n
from indicators_lab.core.db import in_transaction as tx
from indicators_lab.core.errors import UserError
from indicators_lab.core.i18n import use_locale
from indicators_lab.core.passwords import ZXCVBN_FEEDBACK, check_password
from indicators_lab.proposal import versions as proposals
from indicators_lab.proposal.annex import export_version
from indicators_lab.proposal.strategy import localise, strategy_table
from indicators_lab.sets.optimiser import Infeasible, Request, optimise, uncovered
from tests.test_proposals import LEAD, drafted  # noqa: F401  (fixture)


def _zxcvbn_sentences() -> set[str]:
    """Every sentence the installed zxcvbn can give as feedback (its ``_("...")`` calls)."""
    import zxcvbn.feedback

    tree = ast.parse(inspect.getsource(zxcvbn.feedback))
    return {n.args[0].value for n in ast.walk(tree)
            if isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id == "_"
            and n.args and isinstance(n.args[0], ast.Constant)}


@pytest.mark.parametrize("code", ["fr", "es"])
def test_every_sentence_of_zxcvbns_advice_is_in_the_catalogue_and_translated(code):
    found = _zxcvbn_sentences()
    assert len(found) > 20, "zxcvbn's feedback module was read"
    assert found <= set(ZXCVBN_FEEDBACK), sorted(found - set(ZXCVBN_FEEDBACK))
    assert [s for s in ZXCVBN_FEEDBACK if not i18n.is_translated(s, code)] == []


def test_a_refused_password_is_told_zxcvbns_advice_in_the_readers_language():
    with pytest.raises(UserError) as english:
        check_password("password1234")
    assert str(english.value) == ("This password is too easy to guess. This is a very common password. "
                                  "Add another word or two. Uncommon words are better.")
    with use_locale("fr"), pytest.raises(UserError) as french:
        check_password("abcdefghijkl")
    assert "Les suites comme « abc » ou « 6543 » sont faciles à deviner." in str(french.value)
    assert "Avoid sequences" not in str(french.value)
    with use_locale("es"), pytest.raises(UserError) as spanish:
        check_password("password1234")
    assert "Es una contraseña muy común." in str(spanish.value)


LINKS = pd.DataFrame({"key": ["a", "b", "c"], "objective": [1, 1, 2], "weight": [1.0, 1.0, 1.0]})


def test_the_optimisers_reasons_follow_the_run_language_and_stay_english_outside_it():
    req = Request(min_cover=2, lock_out=["c"], objectives=[1, 2, 3])
    english = uncovered(LINKS, ["a"], req)
    assert english == {1: "covered 1 time, needs 2", 2: "its linked indicator is locked out",
                       3: "no linked indicator"}
    with use_locale("fr"):
        french = uncovered(LINKS, ["a"], req)
    assert french == {1: "couvert 1 fois, il en faut 2", 2: "son indicateur lié est verrouillé hors de l’ensemble",
                      3: "aucun indicateur lié"}
    with use_locale("es"), pytest.raises(Infeasible, match=r"^2 de los 3 objetivos no pueden cubrirse") as exc:
        optimise(LINKS, req=Request(min_cover=2, objectives=[1, 2, 3]))
    assert exc.value.objectives == [2, 3]
    assert "objetivo 2 (1 elemento vinculado; necesita 2)" in str(exc.value)


def test_strategy_gaps_are_worded_in_the_readers_language_and_the_table_stays_english(drafted):  # noqa: F811
    engine, _ = drafted
    table = tx(engine, strategy_table, tx(engine, proposals.get_version, 1))
    row = table[(table["objective"] == 6) & (table["code"] == "10.7.1")].index[0]
    assert table.loc[row, "gap"].startswith("Cannot be split by migratory status today (metadata: ")
    with use_locale("fr"):
        french = localise(table)
    assert french.loc[row, "gap"].startswith("Ne peut pas être ventilé par statut migratoire aujourd’hui (métadonnées : ")
    assert french.loc[row, "split_today"] == "non"
    assert french[french["objective"] == 1]["gap"].iloc[0] == "Aucun indicateur de cette version ne couvre l’objectif."
    # Nothing else moves: keys, codes, the co-leads' text; an English reader gets the table as it is.
    assert list(french["key"]) == list(table["key"]) and list(french["action"]) == list(table["action"])
    assert localise(table).equals(table)


def test_the_annex_in_french_carries_the_french_gaps_and_its_json_stays_english(drafted, tmp_path):  # noqa: F811
    engine, _ = drafted
    book = openpyxl.load_workbook(tx(engine, export_version, 1, "xlsx", tmp_path / "a.xlsx", actor=LEAD, language="fr"))
    sheet = book["Stratégie de ventilation"]
    header = [c.value for c in sheet[1]]
    gaps = {r[header.index("gap")] for r in sheet.iter_rows(min_row=2, values_only=True)}
    assert "Aucun indicateur de cette version ne couvre l’objectif." in gaps
    assert not any(g and g.startswith(("Cannot be split", "No indicator of")) for g in gaps)
    docx = " ".join(c.text for t in Document(tx(engine, export_version, 1, "docx", tmp_path / "a.docx", actor=LEAD,
                                                  language="fr")).tables for r in t.rows for c in r.cells)
    assert "Ne peut pas être ventilé par statut migratoire aujourd’hui" in docx and "Cannot be split" not in docx
    same = [json.loads(tx(engine, export_version, 1, "json", tmp_path / f"a.{lang}.json", actor=LEAD,
                          language=lang).read_text(encoding="utf-8"))["strategy"] for lang in ("fr", "en")]
    assert same[0] == same[1]


@pytest.mark.parametrize("english, french", [
    ("data: 120 areas since 2015 (extract.csv, 2026-01-02)", "données : 120 zones depuis 2015 (extract.csv, 2026-01-02)"),
    ("data: no migratory dimension (extract.csv); metadata: not stated",
     "données : aucune dimension migratoire (extract.csv) ; métadonnées : non indiqué"),
    ("metadata: not stated", "métadonnées : non indiqué"),
    # The metadata's own sentence is official English text: quoted as it is, after our French wording.
    ("metadata: Data are disaggregated by migratory status.", "métadonnées : Data are disaggregated by migratory status."),
    ("no data imported", "aucune donnée importée"),
])
def test_a_readiness_source_is_reworded_in_the_readers_language_and_quotes_stay_as_they_are(english, french):
    from indicators_lab.catalogue.data import localise_source

    assert localise_source(english) == english
    with use_locale("fr"):
        assert localise_source(english) == french


@pytest.mark.parametrize("code, one, many", [
    ("fr", "1 zone", "12 zones · désagrégation migratoire"),
    ("es", "1 zona", "12 zonas · desglose migratorio"),
    ("en", "1 area", "12 areas · migratory split"),
])
def test_a_data_badge_is_shown_in_the_readers_language(code, one, many):
    from indicators_lab.catalogue.data import _data_badge, localise_badge

    with use_locale(code):
        assert localise_badge(_data_badge(1, "")) == one
        assert localise_badge(_data_badge(12, "migration_status")) == many
        assert localise_badge("no data imported") == i18n._("no data imported")
    assert _data_badge(12, "migration_status") == "12 areas · migratory split"  # stored English

"""The catalogue in three languages: French and Spanish SDG titles from the shipped sources,
searchable in each language (accents ignored, words stemmed per language), imported title
columns per language, and the catalogue page in the person's language."""

import json

import pytest

from indicators_lab.catalogue import frameworks as cat
from indicators_lab.catalogue.importing import apply_import, plan_import
from indicators_lab.catalogue.translations import localise
from indicators_lab.core.access import Actor
from indicators_lab.core.db import in_transaction as tx
from tests.conftest import FRAMEWORKS_DIR
from tests.factories import csv_bytes

LEAD = Actor("Ana (IOM)", "co_lead")


def _sdg(engine):
    return tx(engine, cat.items_frame, "sdg")


def _codes(df):
    return set(df["code"])


def test_shipped_sdg_titles_carry_french_and_spanish_from_open_sdg():
    doc = json.loads((FRAMEWORKS_DIR / "sdg.json").read_text(encoding="utf-8"))
    item = next(i for i in doc["items"] if i["code"] == "10.7.2")
    tr = item["attributes"]["translations"]
    assert tr["fr"]["title"].startswith("Nombre de pays dotés de politiques migratoires")
    assert tr["es"]["target_title"].startswith("Facilitar la migración y la movilidad ordenadas")
    assert tr["fr"]["goal_title"] == "Réduire les inégalités dans les pays et d’un pays à l’autre"
    with_titles = sum(1 for i in doc["items"] if i["attributes"]["translations"].get("fr", {}).get("title"))
    assert with_titles == 230  # every indicator whose English title is open-sdg's (one comes from the 2022 list)


@pytest.mark.parametrize("query", ["travailleurs migrants", "TRAVAILLEUR migrant", "migración", "migracion",
                                   "trabajadores migrantes"])
def test_french_and_spanish_words_find_items_whatever_the_accents_or_word_form(engine, query):
    found = cat.search_items(_sdg(engine), query)
    assert "8.8.2" in _codes(found) or "10.7.2" in _codes(found) or "10.7.1" in _codes(found), query
    assert len(found) < 60


def test_french_search_is_stemmed_in_french():
    import pandas as pd

    df = pd.DataFrame([{"code": "X1", "title": "Workers", "description": "", "also_codes": "", "former_title": "",
                        "attributes": {"translations": {"fr": {"title": "Envois de fonds des travailleuses migrantes"}}}},
                       {"code": "X2", "title": "Other", "description": "", "also_codes": "", "former_title": "",
                        "attributes": {"translations": {"fr": {"title": "Autre chose"}}}}])
    assert list(cat.search_items(df, "travailleuse migrante envoi")["code"]) == ["X1"]
    assert list(cat.search_items(df, "envoi")["matched"]) == ["title"]


def test_english_search_is_unchanged(engine):
    assert len(cat.search_items(_sdg(engine), "remittance costs")) == 1


def test_localised_table_shows_each_language_and_marks_english_where_untranslated(engine):
    df = _sdg(engine)
    fr = localise(df, "fr").set_index("code")
    assert fr.loc["10.7.2", "title"].startswith("Nombre de pays")
    assert fr.loc["10.7.2", "title_en"].startswith("Number of countries")
    assert fr.loc["10.7.2", "title_language"] == "fr"
    assert (fr["title_language"] == "en").sum() == 1
    assert (localise(df, "en")["title"] == df["title"]).all()


def test_imported_framework_title_columns_per_language_are_kept_and_searchable(engine):
    data = csv_bytes([["code", "title", "title_fr", "Título"],
                      ["N1", "Migrant workers in employment", "Travailleurs migrants en emploi", "Trabajadores migrantes"],
                      ["N2", "Remittance costs", "", ""]])
    p = tx(engine, plan_import, data, "f.csv", key="nat", name="National", max_bytes=1 << 20)
    assert set(p.columns) == {"code", "title", "title_fr", "title_es"}
    tx(engine, apply_import, p, actor=LEAD)
    df = tx(engine, cat.items_frame, "nat")
    es = localise(df, "es").set_index("code")
    assert es.loc["N1", "title"] == "Trabajadores migrantes"
    assert es.loc["N2", "title_language"] == "en"
    assert list(cat.search_items(df, "emploi")["code"]) == ["N1"]


def _open_in(language, path="views/catalogue.py"):
    from streamlit.testing.v1 import AppTest

    from tests.paths import PROJECT_ROOT

    at = AppTest.from_file(str(PROJECT_ROOT / "app.py"), default_timeout=120)
    at.session_state["ilab.language"] = language
    at.run()
    at.switch_page(path).run()
    assert not at.exception, at.exception
    return at


def test_catalogue_page_in_french_shows_french_titles_and_finds_french_words(settings_env):
    at = _open_in("fr")
    assert at.title[0].value == "Catalogue"
    assert at.text_input[0].label == "Rechercher par code ou par mots"
    at.text_input[0].input("travailleurs migrants").run()
    assert not at.exception, at.exception
    table = at.dataframe[0].value
    assert len(table) >= 1 and any("travailleurs migrants" in t.lower() for t in table["title"])
    assert any("éléments sur 231" in c.value for c in at.caption)


def test_catalogue_page_in_spanish_marks_english_only_frameworks(settings_env):
    at = _open_in("es")
    at.selectbox(key="ilab.catalogue.framework").select("10.7.2").run()
    assert not at.exception, at.exception
    assert any("Los títulos están en inglés" in c.value for c in at.caption)

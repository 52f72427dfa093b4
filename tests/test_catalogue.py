"""Loading the shipped catalogues, reading and searching them."""

import json
import shutil

import pytest
from sqlmodel import select

from indicators_lab.catalogue import frameworks as cat
from indicators_lab.core.db import unit_of_work
from indicators_lab.core.errors import NotFound
from indicators_lab.core.models import FrameworkItem
from tests.conftest import FRAMEWORKS_DIR
from indicators_lab.core.db import in_transaction as tx


def test_first_load_creates_every_catalogue(engine):
    c = tx(engine, cat.counts)
    assert (c.frameworks, c.objectives, c.actions) == (3, 23, 187)
    assert c.items == 231 + 36 + 20
    assert [f.key for f in tx(engine, cat.list_frameworks)] == ["sdg", "10.7.2", "mgi"]


def test_second_load_loads_nothing_twice(engine):
    report = tx(engine, cat.load_shipped_catalogues, FRAMEWORKS_DIR)
    assert report.loaded == [] and sorted(report.skipped) == ["10.7.2", "gcm", "mgi", "sdg"]
    assert tx(engine, cat.counts).items == 287


def _item_id(engine, key, code):
    return tx(engine, cat.get_item, key, code)["id"]


def test_newer_catalogue_version_updates_titles_and_keeps_item_rows(engine, tmp_path):
    before = _item_id(engine, "10.7.2", "1a")
    newdir = tmp_path / "fw"
    shutil.copytree(FRAMEWORKS_DIR, newdir)
    doc = json.loads((newdir / "10.7.2.json").read_text())
    doc["framework"]["version"] = "next"
    doc["items"] = [i for i in doc["items"] if i["code"] != "6e"]
    next(i for i in doc["items"] if i["code"] == "1a")["title"] = "Emergency health care (revised)"
    (newdir / "10.7.2.json").write_text(json.dumps(doc))

    report = tx(engine, cat.load_shipped_catalogues, newdir)

    assert report.loaded == ["10.7.2"] and report.updated == 1 and report.retired == 1
    item = tx(engine, cat.get_item, "10.7.2", "1a")
    assert item["id"] == before
    assert item["title"] == "Emergency health care (revised)"
    assert item["former_title"] == "Essential and/or emergency health care"
    retired = tx(engine, cat.get_item, "10.7.2", "6e")
    assert retired["in_current_version"] is False
    assert "6e" not in set(tx(engine, cat.items_frame, "10.7.2")["code"])


def test_repeated_sdg_indicator_is_found_by_any_of_its_codes(engine):
    assert tx(engine, cat.get_item, "sdg", "13.1.1")["code"] == "1.5.1"


def test_unknown_framework_names_the_valid_keys(engine):
    with pytest.raises(NotFound, match="Known keys: .*sdg"):
        tx(engine, cat.items_frame, "nope")


def test_unknown_item_code_is_a_clear_error(engine):
    with pytest.raises(NotFound, match="no item with the code '99.9.9'"):
        tx(engine, cat.get_item, "sdg", "99.9.9")


def test_search_matches_all_words_in_code_or_title(engine):
    df = tx(engine, cat.items_frame, "sdg")
    hits = cat.search_items(df, "remittance COSTS")
    assert list(hits["code"]) == ["10.c.1"]
    assert "10.7.2" in set(cat.search_items(df, "10.7")["code"])


def test_filters_by_tier_goal_and_single_custodian(engine):
    df = tx(engine, cat.items_frame, "sdg")
    opts = cat.filter_options(df)
    assert "IOM" in opts["custodian"] and "Tier I" in opts["tier"]
    iom = cat.apply_filters(df, {"custodian": ["IOM"]})
    assert "10.7.2" in set(iom["code"])
    g10_t1 = cat.apply_filters(df, {"goal": ["10"], "tier": ["Tier I"]})
    assert len(g10_t1) > 0 and set(g10_t1["goal"]) == {"10"} and set(g10_t1["tier"]) == {"Tier I"}


def test_objective_has_actions_and_incomplete_text_is_marked(engine):
    o20 = tx(engine, cat.get_objective, 20)
    assert o20.text_incomplete and "after (i)" in o20.text_note
    assert [a.letter for a in o20.actions] == list("abcdefghi")
    o6 = tx(engine, cat.get_objective, 6)
    assert o6.commitment is None and o6.text_incomplete
    assert tx(engine, cat.get_objective, 2).commitment.startswith("We commit")
    with pytest.raises(NotFound):
        tx(engine, cat.get_objective, 24)


def test_principles_are_loaded(engine):
    assert [p.code for p in tx(engine, cat.list_principles)] == list("abcdefghij")


def test_catalogue_export_of_gcm_has_one_row_per_objective(engine, tmp_path):
    out = tmp_path / "gcm.csv"
    assert tx(engine, cat.export_catalogue, "gcm", out) == 23
    import csv

    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert [r["code"] for r in rows] == [str(n) for n in range(1, 24)]
    assert rows[0]["title"].startswith("Collect and utilize")


def test_items_are_stored_once_per_code(engine):
    with unit_of_work(engine) as s:
        codes = s.exec(select(FrameworkItem.code)).all()
    assert len(codes) == 287


def test_search_finds_word_forms_without_accents_and_says_where_it_matched(engine):
    df = tx(engine, cat.items_frame, "sdg")
    hits = cat.search_items(df, "Remittances")
    assert "10.c.1" in set(hits["code"])
    assert hits.set_index("code").loc["10.c.1", "matched"].startswith("title")
    assert "10.c.1" in set(cat.search_items(df, "RÉMITTANCE cost")["code"])
    repeat = cat.search_items(df, "13.1.1").set_index("code")
    assert repeat.loc["1.5.1", "matched"] == "repeat code"
    by_target = cat.search_items(df, "orderly").set_index("code")
    assert "10.7.2" in by_target.index and "target" in by_target.loc["10.7.2", "matched"]

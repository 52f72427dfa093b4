"""The shipped catalogues are what the build script makes from the sources, and complete."""

import json
import sys

import pytest

from indicators_lab.core.config import shipped_path
from tests.paths import PROJECT_ROOT

FW = shipped_path("frameworks")
SOURCES = PROJECT_ROOT.parent / "shared" / "sources"


def load(name):
    return json.loads((FW / f"{name}.json").read_text(encoding="utf-8"))


def test_sdg_has_231_unique_indicators_with_repeats_folded_in():
    items = load("sdg")["items"]
    codes = [i["code"] for i in items]
    assert len(codes) == len(set(codes)) == 231
    disaster = next(i for i in items if i["code"] == "1.5.1")
    assert disaster["attributes"]["also_codes"] == ["11.5.1", "13.1.1"]
    assert disaster["attributes"]["targets"] == ["1.5", "11.5", "13.1"]
    all_codes = set(codes) | {c for i in items for c in i["attributes"]["also_codes"]}
    assert len(all_codes) == 248


def test_sdg_prefers_the_newer_title_and_keeps_the_former():
    item = next(i for i in load("sdg")["items"] if i["code"] == "10.7.2")
    assert item["title"].startswith("Number of countries")
    assert item["former_title"].startswith("Proportion of countries")
    assert item["attributes"]["tier"] == "Tier I"
    assert item["attributes"]["custodians"] == ["DESA Population Division", "IOM"]


def test_dash_only_differences_are_not_former_titles():
    item = next(i for i in load("sdg")["items"] if i["code"] == "3.2.1")
    assert item["former_title"] is None


def test_10_7_2_has_six_domains_and_thirty_subcategories():
    doc = load("10.7.2")
    subs = [i["code"] for i in doc["items"] if i["level"] == "sub-category"]
    assert subs[0] == "1a" and subs[-1] == "6e" and len(subs) == 30
    assert doc["framework"]["meta"]["scoring"]["bands"][0]["label"] == "Requires further progress"


def test_mgi_is_marked_partial_and_ships_only_public_policy_areas():
    doc = load("mgi")
    assert doc["framework"]["is_partial"] is True
    dims = [i for i in doc["items"] if i["level"] == "dimension"]
    areas = [i for i in doc["items"] if i["level"] == "policy area"]
    assert len(dims) == 6 and len(areas) == 14
    assert {a["parent_code"] for a in areas} == {"1", "2", "3"}


def test_gcm_objectives_actions_and_gaps_are_flagged_not_filled():
    doc = load("gcm")
    objs = {o["number"]: o for o in doc["objectives"]}
    assert sorted(objs) == list(range(1, 24))
    assert sum(len(o["actions"]) for o in objs.values()) == 187
    assert len(doc["principles"]) == 10
    for n in (6, 8, 18):
        assert objs[n]["commitment"] is None and objs[n]["text_incomplete"]
    o20 = objs[20]
    assert [a["letter"] for a in o20["actions"]] == list("abcdefghi")
    assert {a["letter"] for a in o20["actions"] if a["text_incomplete"]} == {"d", "i"}
    assert "Remittances" in o20["title"].title()
    assert not objs[2]["text_incomplete"]


@pytest.mark.skipif(not SOURCES.is_dir(), reason="../shared/sources is not beside this checkout")
def test_build_script_reproduces_the_shipped_files(tmp_path):
    sys.path.insert(0, str(PROJECT_ROOT / "scripts"))
    import build_frameworks

    build_frameworks.main(["--sources", str(SOURCES), "--out", str(tmp_path), "--skip-vectors"])
    for path in FW.glob("*.json"):
        assert (tmp_path / path.name).read_text(encoding="utf-8") == path.read_text(encoding="utf-8"), path.name

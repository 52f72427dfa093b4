"""Data availability read from the shipped SDG metadata: real sentences, quoted, 'not stated'."""

import json

from indicators_lab.catalogue.availability import (
    AVAILABLE,
    NAMED,
    NOT_AVAILABLE,
    NOT_STATED,
    PLANNED,
    metadata_availability,
    migration_split,
    stated_countries,
    summary_status,
)
from indicators_lab.core.config import shipped_path

R881_AVAIL = ("Data on fatal injuries per 100,000 workers is available for 97 countries and territories. "
              "Data on non-fatal injuries per 100,000 workers is available for 95 countries and territories.")
R881_DISAGG = ("This indicator should be disaggregated by both sex and migrant status. Wherever possible, "
               "it would also be useful to have information disaggregated by economic activity and occupation.")
R882_DISAGG = "The disaggregation by sex and migrant status is not currently available."


def sdg_item(code):
    doc = json.loads(shipped_path("frameworks", "sdg.json").read_text(encoding="utf-8"))
    return next(i for i in doc["items"] if i["code"] == code)


def test_stated_number_of_countries_comes_with_its_sentence():
    count = stated_countries(R881_AVAIL)
    assert count.number == 97
    assert count.quote == "Data on fatal injuries per 100,000 workers is available for 97 countries and territories."


def test_per_100000_is_not_a_count_of_countries():
    assert stated_countries("Data on fatal injuries per 100,000 workers is available.").number is None


def test_text_without_a_number_of_countries_is_not_stated():
    count = stated_countries("The data is available for all ILO member states. This submission covers "
                             "country, regional and global data from 2015 to 2021.")
    assert count.number is None and count.label == NOT_STATED


def test_qualifier_and_plus_are_kept():
    assert stated_countries("Data for this indicator exist for more than 160 economies.").label == "more than 160"
    assert stated_countries("Data are available in 160+ economies, (measured in terms of number of "
                            "economies that have at least 1 data point).").label == "160+"


def test_several_figures_in_one_sentence_are_not_reduced_to_one():
    count = stated_countries("The data are available for 365 corridors, which include 48 sending countries "
                             "and 105 receiving countries.")
    assert count.number is None and count.figures == (48, 105)


def test_should_be_disaggregated_by_migrant_status_is_planned_not_available():
    (reading,) = migration_split(R881_DISAGG)
    assert reading.status == PLANNED
    assert reading.term == "migrant status"
    assert reading.quote == "This indicator should be disaggregated by both sex and migrant status."


def test_not_currently_available_is_read_as_not_available():
    (reading,) = migration_split(R882_DISAGG)
    assert reading.status == NOT_AVAILABLE and reading.quote == R882_DISAGG


def test_citizenship_in_a_plain_list_is_named_without_status():
    (reading,) = migration_split("By sex and age Income level Education Citizenship Ethnicity")
    assert reading.status == NAMED and reading.term == "citizenship"


def test_published_disaggregated_by_citizenship_is_available():
    (reading,) = migration_split("Data are published disaggregated by sex and citizenship.")
    assert reading.status == AVAILABLE


def test_text_silent_on_migration_is_not_stated():
    readings = migration_split("Six policy domains: (i) migrant rights; (ii) whole-of-government.")
    assert readings == [] and summary_status(readings) == NOT_STATED


def test_shipped_8_8_1_carries_verbatim_metadata_with_source_and_readings():
    attrs = sdg_item("8.8.1")["attributes"]
    (rec,) = attrs["metadata_coverage"]
    assert rec["data_availability"] == R881_AVAIL and rec["disaggregation"] == R881_DISAGG
    assert rec["source"] == "worldbank/sdg-metadata @ 8565f8e04beaf8f712aedadfb5f01eadf0689700: api/8-8-1/COVERAGE/en.json"
    av = metadata_availability(attrs)
    assert av.countries.number == 97 and av.migration_status == PLANNED and not av.splits_by_migration


def test_shipped_8_8_2_says_the_migrant_split_is_not_available():
    av = metadata_availability(sdg_item("8.8.2")["attributes"])
    assert av.migration_status == NOT_AVAILABLE
    assert av.countries.label == NOT_STATED


def test_french_and_spanish_text_is_shipped_where_it_exists():
    av = metadata_availability(sdg_item("10.c.1")["attributes"])
    (rec,) = av.records
    assert rec.translations["fr"]["data_availability"].startswith("Les données sont disponibles pour 365")
    assert "es" in rec.translations


def test_repeat_codes_bring_their_own_records():
    recs = sdg_item("10.3.1")["attributes"]["metadata_coverage"]
    assert [r["code"] for r in recs] == ["10.3.1", "16.b.1"]


def test_item_without_metadata_says_so():
    av = metadata_availability({})
    assert not av.has_metadata and av.migration_status == "no metadata shipped"


def test_catalogue_table_shows_the_metadata_badge_beside_8_8_2(settings_env):
    from tests.test_pages import open_page

    at = open_page("views/catalogue.py")
    at.text_input[0].input("8.8.2").run()
    table = at.dataframe[0].value
    assert list(table["migration_metadata"]) == [NOT_AVAILABLE]
    assert list(table["countries_metadata"]) == [NOT_STATED]

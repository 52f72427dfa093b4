"""A co-lead finds indicators and imports a framework in a real browser."""

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import ADMIN, screenshot, sign_in, upload
from tests.factories import csv_bytes

pytestmark = pytest.mark.browser


def test_home_then_catalogue_search(app_server, page):
    page.goto(app_server)
    expect(page.get_by_text("GCM objectives").first).to_be_visible()
    expect(page.get_by_test_id("stMetric").filter(has_text="GCM objectives")).to_contain_text("23")
    screenshot(page, "home")

    page.get_by_role("link", name="Browse the catalogue").click()
    expect(page.get_by_text("231 of 231 items")).to_be_visible()
    search = page.get_by_role("textbox", name="Search by code or words")
    search.fill("remittance costs")
    search.press("Enter")
    expect(page.get_by_text("1 of 231 items")).to_be_visible()
    screenshot(page, "catalogue")


def test_objective_20_shows_text_incomplete(app_server, page):
    page.goto(app_server + "/objectives")
    # The objective picker, not the sidebar's language selector.
    page.get_by_test_id("stSelectbox").filter(has_text="Objective").first.click()
    page.get_by_role("option", name="Objective 20:").click()
    expect(page.get_by_text("Part of this objective's text is missing here")).to_be_visible()
    expect(page.get_by_text("Develop a roadmap to reduce the transaction costs")).to_be_visible()
    screenshot(page, "objective")


def test_import_previews_then_stores_and_refuses_a_bad_file(app_server, page, tmp_path):
    good = tmp_path / "regional.csv"
    good.write_bytes(csv_bytes([["Indicator code", "Indicator"], ["R1", "Regional migrant share"],
                                ["R2", "Remittance inflows"]]))
    bad = tmp_path / "bad.csv"
    bad.write_bytes(csv_bytes([["code", "title"], ["B1", "x"], ["B1", "y"]]))

    page.goto(app_server + "/import_framework")
    expect(page.get_by_text("Sign in (sidebar) for import or update a framework")).to_be_visible()
    sign_in(page, *ADMIN)
    page.get_by_label("Key of the new framework").fill("regional")
    page.get_by_label("Name").fill("Regional list")
    upload(page, bad)
    page.get_by_role("button", name="Check the file").click()
    expect(page.get_by_text("Row 3: the code 'B1' is repeated")).to_be_visible()

    upload(page, good)
    page.get_by_role("button", name="Check the file").click()
    expect(page.get_by_text("2 new items")).to_be_visible()
    screenshot(page, "import-preview")
    page.get_by_role("button", name="Confirm import").click()
    expect(page.get_by_text("Imported 'regional'")).to_be_visible()

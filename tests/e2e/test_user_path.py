"""The whole path in a real browser: map, build and optimise a set, consult, answer, approve,
export. Screenshots of the main pages go to tests/artifacts/, to look at after a failure (the
README's tour comes from scripts/tour.py).

The app server is shared with the other browser tests, which may run before or after this one
and leave their own sets, rounds, comments and accepted links behind: this test names its own
set, round and comment, picks them by name on every screen, and counts what the optimiser chose
instead of assuming the database holds only its own link."""

import re

import openpyxl
import pytest
from playwright.sync_api import expect

from indicators_lab.core.access import Actor
from indicators_lab.startup import open_database
from indicators_lab.core.config import Settings
from indicators_lab.core.accounts import create_user
from tests.e2e.conftest import choose, go, screenshot, sign_in, sign_out, wait_idle
from indicators_lab.core.db import in_transaction as tx

pytestmark = [pytest.mark.browser, pytest.mark.real_model]
PW = "a long enough password"
LEAD = ("lead@example.org", PW)
NGO = ("ngo@example.org", PW)
EXCOM = ("excom@example.org", PW)


@pytest.fixture(scope="module")
def people(app_server, app_data_dir):
    engine = open_database(Settings(data_dir=app_data_dir))
    admin = Actor("Admin Example", "admin")
    tx(engine, create_user, actor=admin, email=LEAD[0], name="Lena Lead", role="co_lead", password=PW)
    tx(engine, create_user, actor=admin, email=NGO[0], name="Nadia NGO", role="stakeholder", password=PW,
                organisation="Migrant Rights Network", constituency="civil_society")
    tx(engine, create_user, actor=admin, email=EXCOM[0], name="Eric ExCom", role="excom", password=PW)
    engine.dispose()


SET, OPTIMISED, ROUND = "Path draft", "Path optimised", "Path consultation"
COMMENT = "Please add an indicator on missing migrants."


def success(page, text):
    alert = page.get_by_test_id("stAlertContentSuccess").filter(has_text=text).first
    expect(alert).to_be_visible(timeout=120_000)
    return alert.inner_text()


def test_from_mapping_to_approved_annex(app_server, people, page, tmp_path):
    page.goto(app_server)
    sign_in(page, *LEAD)

    # A co-lead accepts a mapping suggestion (the model encodes the framework on first use).
    go(page, "Mapping")
    choose(page, "Framework", "SDG indicator 10.7.2: migration policies (6 domains, 30 sub-categories)")
    # The queue shows the least certain item first (the model encodes the framework on first use).
    # (other browser tests in the session may have decided some items already)
    expect(page.get_by_text(re.compile(r"Item 1 of ([0-9]|[12][0-9]|3[0-6]) in the queue"))).to_be_visible(timeout=240_000)
    wait_idle(page)  # a click during the framework's rerun can be swallowed
    page.get_by_role("button", name="Accept", exact=True).first.click()
    success(page, "Accepted")
    screenshot(page, "mapping")

    # ...builds a set, then asks the optimiser for the smallest one and saves it.
    go(page, "Candidate sets")
    new_set = page.get_by_test_id("stExpander").filter(has_text="New set").first
    expect(new_set).to_be_visible()
    if new_set.locator("details").get_attribute("open") is None:  # open only while there is no set
        new_set.get_by_text("New set").click()
    new_set.get_by_role("textbox", name="Name").fill(SET)
    new_set.get_by_role("button", name="Create set", exact=True).click()
    success(page, "Created the set")
    go(page, "Optimise")
    # One linked objective of 23: the smallest set covering all is impossible, so ask for the best
    # coverage with at most K indicators.
    page.get_by_text("The best coverage with at most K indicators").click()
    wait_idle(page)
    page.get_by_role("button", name="Optimise", exact=True).click()
    # Links accepted by the other browser tests may be linked too: count what was chosen.
    result = page.get_by_role("heading", name=re.compile(r"^\d+ indicators? covers? \d+ of 23 objectives"))
    expect(result).to_be_visible()
    chosen = int(re.match(r"\d+", result.inner_text()).group())
    assert chosen >= 1
    page.get_by_label("Save these indicators as a new set named").fill(OPTIMISED)
    page.get_by_role("button", name=re.compile(rf"^Save {chosen} indicators? as a new set")).click()
    success(page, f"Saved '{OPTIMISED}'")
    screenshot(page, "optimise")

    # ...opens a round on it.
    go(page, "Rounds")
    page.get_by_text("Open a new round").click()
    page.get_by_role("textbox", name="Title").fill(ROUND)
    choose(page, "Under consultation", f"Set '{OPTIMISED}' as it is now")
    page.get_by_role("button", name="Open round", exact=True).click()
    success(page, "Opened round")
    sign_out(page)

    # A stakeholder comments on the set as a whole.
    sign_in(page, *NGO)
    go(page, "Consultation")
    picker = page.get_by_test_id("stSelectbox").filter(has=page.get_by_text("Open consultation", exact=True))
    if picker.count():  # shown only while more than one round is open (other browser tests open some)
        choose(page, "Open consultation", ROUND)
    page.get_by_test_id("stButtonGroup").get_by_text("The set as a whole").click()
    # The set's own form: until the rerun has drawn it, the first indicator's form (same label) is
    # still on the page, and text typed there is gone when that form leaves.
    form = page.locator(".st-key-ilab-form-set")
    expect(form).to_have_count(1)
    form.get_by_label("Your comment").fill(COMMENT)
    form.get_by_role("button", name="Post comment", exact=True).click()
    success(page, "Your comment was posted")
    screenshot(page, "consultation")
    sign_out(page)

    # The co-lead answers it in the comment-response matrix, then freezes version 1.
    sign_in(page, *LEAD)
    go(page, "Comment-response matrix")
    choose(page, "Round", f"{ROUND} (open)")
    choose(page, "Comment", COMMENT)
    expect(page.get_by_role("textbox", name="Response")).to_have_count(1)
    page.get_by_role("textbox", name="Response").fill("Noted: we will look for a data source.")
    page.get_by_role("button", name="Save answer", exact=True).click()
    success(page, "Answered comment")
    screenshot(page, "matrix")
    go(page, "Versions and annex")
    page.get_by_text("Freeze a set as a new version").click()
    choose(page, "Set", OPTIMISED)
    page.get_by_label("Change note (what changed and why)").fill("Draft for ExCom")
    page.get_by_role("button", name="Freeze", exact=True).click()
    version = int(re.search(r"Froze version (\d+)", success(page, "Froze version")).group(1))
    sign_out(page)

    # An ExCom member approves; the co-lead records the decision.
    sign_in(page, *EXCOM)
    go(page, "Review (ExCom)")
    choose(page, "Version", f"Version {version}")
    page.get_by_role("button", name="Record my view", exact=True).click()
    success(page, "was recorded")
    screenshot(page, "review")
    sign_out(page)
    sign_in(page, *LEAD)
    go(page, "Review (ExCom)")
    choose(page, "Version", f"Version {version}")
    page.get_by_text("Close it now (no more comments)").click()  # the round on the set is still open
    page.get_by_role("button", name="Record approval", exact=True).click()
    success(page, "Approved by Lena Lead")

    # The public XLSX annex downloads and opens (with the comment, without its author).
    go(page, "Versions and annex")
    choose(page, "Version", str(version))
    page.get_by_role("button", name="Prepare public XLSX", exact=True).click()
    wait_idle(page)
    with page.expect_download() as info:
        page.get_by_role("button", name=f"Download annex_v{version}.xlsx").click()
    path = tmp_path / "annex.xlsx"
    info.value.save_as(path)
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["Indicators", "Coverage", "Consultation", "Sources", "Disaggregation strategy",
                             "Strategy comments"]
    # One row per indicator and objective it serves: links other browser tests accepted may give an
    # indicator two objectives, so count codes.
    codes = {row[2] for row in wb["Indicators"].iter_rows(min_row=2, values_only=True)}
    assert len(codes) == chosen
    comments = [row for row in wb["Consultation"].iter_rows(min_row=2, values_only=True)]
    assert any(COMMENT in str(c) for row in comments for c in row)

"""Each decision screen saves what the user chose and shows what is true (issue 16), in Chromium.

One test per promise: the optimiser saves the point picked on its curve and counts all 23
objectives; an ExCom objection survives a later view and is listed at approval; the last admin
cannot lock the platform; a round's indicators stay as they were when it opened.

The tests share the session's app server with the other browser tests, so each seeds its own
uniquely named people, sets and rounds and never relies on "the first" row. The file name makes
it run after the whole-path test, which expects a single accepted link in the database.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from indicators_lab.core.access import Actor
from indicators_lab.core.accounts import create_user, list_users
from indicators_lab.core.config import Settings
from indicators_lab.core.db import in_transaction as tx
from indicators_lab.mapping import links
from indicators_lab.proposal import versions as proposals
from indicators_lab.sets import candidate_sets as cs
from indicators_lab.startup import open_database
from tests.e2e.conftest import ADMIN, choose, go, sign_in, sign_out, wait_idle
from tests.fakes import SpyModelEncoder

pytestmark = [pytest.mark.browser]
PW = "an honest passphrase for screens"
LEAD = ("decisions-lead@example.org", PW)
EXCOM = ("decisions-excom@example.org", PW)
NGO = ("decisions-ngo@example.org", PW)
OTHER = ("decisions-other@example.org", PW)
# SDG indicators linked one objective each (objective, code): enough for a curve up to K=5 and more.
LINKED = [(1, "17.18.1"), (2, "10.7.4"), (3, "16.9.1"), (4, "10.7.3"), (5, "8.8.1"), (7, "8.8.2"),
          (8, "5.2.1"), (9, "16.2.2")]


@pytest.fixture(scope="module")
def engine(app_server, app_data_dir):
    e = open_database(Settings(data_dir=app_data_dir))
    yield e
    e.dispose()


@pytest.fixture(scope="module")
def seeded(app_server, engine):
    admin = Actor("Admin Example", "admin")
    lead = tx(engine, create_user, actor=admin, email=LEAD[0], name="Dina Decisions", role="co_lead", password=PW)
    tx(engine, create_user, actor=admin, email=EXCOM[0], name="Omar Objector", role="excom", password=PW)
    tx(engine, create_user, actor=admin, email=NGO[0], name="Rosa Round", role="stakeholder", password=PW,
       organisation="Diaspora Forum", constituency="civil_society")
    tx(engine, create_user, actor=admin, email=OTHER[0], name="Otto Other", role="stakeholder", password=PW,
       organisation="Local Partners", constituency="civil_society")
    ids = {}
    for objective, code in LINKED:
        ids[code] = tx(engine, links.item_id_for, "sdg", code)
        tx(engine, links.decide, actor=lead, item_id=ids[code], objective=objective, status="accepted",
           grade="direct", rationale="Seeded for the decision screens test")
    return {"url": app_server, "lead": lead, "ids": ids}


def success(page, text) -> str:
    alert = page.get_by_test_id("stAlertContentSuccess").filter(has_text=text).first
    expect(alert).to_be_visible(timeout=120_000)
    return alert.inner_text()


def error(page, text):
    expect(page.get_by_test_id("stAlertContentError").filter(has_text=text).first).to_be_visible()


def test_optimiser_saves_the_point_picked_on_its_curve(seeded, page):
    page.goto(seeded["url"])
    sign_in(page, *LEAD)
    go(page, "Optimise")
    page.get_by_test_id("stRadioGroup").get_by_text("The best coverage with at most K indicators", exact=True).click()
    wait_idle(page)
    k = page.get_by_label("At most (K) indicators")
    k.fill("5")
    k.press("Enter")
    wait_idle(page)
    page.get_by_role("button", name="Optimise", exact=True).click()
    heading = page.get_by_role("heading", name=re.compile(r"^5 indicators cover \d+ of 23 objectives"))
    expect(heading).to_be_visible()

    # Look at a smaller point of the curve: the table and the save button follow it...
    slider = page.get_by_role("slider", name="Point of the curve to look at and save")
    slider.focus()
    slider.press("ArrowLeft")
    wait_idle(page)
    slider.press("ArrowLeft")
    wait_idle(page)
    expect(page.get_by_role("heading", name=re.compile(r"^3 indicators cover \d+ of 23 objectives"))).to_be_visible()
    expect(page.get_by_role("button", name="Save 3 indicators as a new set")).to_be_visible()
    # ...then pick the point of 5 again, and save exactly that.
    slider.focus()
    slider.press("End")
    wait_idle(page)
    expect(heading).to_be_visible()
    covered = int(re.search(r"cover (\d+) of", heading.inner_text()).group(1))
    expect(page.get_by_text(f"{23 - covered} of 23 objectives are not covered")).to_be_visible()
    page.get_by_label("Save these indicators as a new set named").fill("Decisions K5")
    page.get_by_role("button", name="Save 5 indicators as a new set").click()
    success(page, "Saved 'Decisions K5' with 5 indicators")

    go(page, "Candidate sets")
    box = page.get_by_test_id("stSelectbox").filter(has=page.get_by_text("Set", exact=True)).first
    expect(box.get_by_role("combobox")).to_have_value("Decisions K5 (5 indicators)")
    expect(page.get_by_test_id("stMetric").filter(has_text="Indicators").first).to_contain_text("5")


def test_smallest_set_counts_all_23_objectives_and_names_the_uncovered(seeded, engine, page):
    accepted = tx(engine, links.accepted_links_frame)
    unlinked = sorted(set(range(1, 24)) - {int(o) for o in accepted["objective"]})
    assert unlinked and len(unlinked) < 23  # the seeded links cover some objectives, not all
    page.goto(seeded["url"])
    sign_in(page, *LEAD)
    go(page, "Optimise")
    page.get_by_role("button", name="Optimise", exact=True).click()
    message = page.get_by_test_id("stAlertContentError").filter(has_text="Not possible")
    expect(message).to_contain_text(f"{len(unlinked)} of the 23 objectives cannot be covered as asked")
    expect(message).to_contain_text(", ".join(map(str, unlinked)) + " (no linked indicator)")
    # The best coverage names each uncovered objective and why.
    page.get_by_test_id("stRadioGroup").get_by_text("The best coverage with at most K indicators", exact=True).click()
    wait_idle(page)
    page.get_by_role("button", name="Optimise", exact=True).click()
    expect(page.get_by_text(re.compile(rf"^{len(unlinked)} of 23 objectives are not covered"))).to_be_visible()
    table = page.get_by_test_id("stDataFrame").filter(has_text="No linked indicator").first  # not the curve's points table
    expect(table).to_contain_text("No linked indicator")


def test_an_objection_survives_a_later_view_and_is_listed_at_approval(seeded, engine, page):
    ids = seeded["ids"]
    set_id = tx(engine, cs.create_set, actor=seeded["lead"], name="Decisions ExCom set",
                item_ids=[ids["10.7.4"], ids["16.9.1"]])
    spy = SpyModelEncoder()
    number = tx(engine, proposals.freeze, spy, actor=seeded["lead"], set_id=set_id, note="For the ExCom test")
    assert spy.encoded == 0  # shipped vectors: the shared database keeps only the real model's vectors

    page.goto(seeded["url"])
    sign_in(page, *EXCOM)
    go(page, "Review (ExCom)")
    choose(page, "Version", f"Version {number}")
    form = page.get_by_test_id("stForm").filter(has_text=f"Record your view on version {number}")
    choose(page, "On", "Objective 5")
    form.get_by_text("Object", exact=True).click()
    form.get_by_label("Comments (needed unless you approve)").fill("Objective 5 needs a labour indicator.")
    form.get_by_role("button", name="Record my view").click()
    success(page, f"Your view on objective 5 of version {number} was recorded: Object.")
    # The next view starts from the whole version again: it cannot overwrite the objection unseen.
    expect(form.get_by_role("combobox", name="On")).to_have_value("The whole version")
    form.get_by_text("Approve", exact=True).click()
    form.get_by_role("button", name="Record my view").click()
    success(page, f"Your view on the whole version of version {number} was recorded: Approve.")
    current = page.get_by_test_id("stDataFrame").filter(has_text="Objective 5").first
    expect(current).to_contain_text("Object")
    expect(current).to_contain_text("The whole version")
    expect(page.get_by_text(f"Every view recorded on version {number} (2)")).to_be_visible()
    sign_out(page)

    sign_in(page, *LEAD)
    go(page, "Review (ExCom)")
    choose(page, "Version", f"Version {number}")
    approval = page.get_by_test_id("stForm").filter(has_text="Record the ExCom's approval")
    expect(approval).to_contain_text(f"1 objection still stands on version {number}")
    expect(approval).to_contain_text("Omar Objector, on objective 5")
    expect(approval).to_contain_text("Objective 5 needs a labour indicator.")
    approval.get_by_role("button", name="Record approval").click()
    error(page, "1 objection still stands: acknowledge it before approving.")
    approval.get_by_text("I acknowledge this objection").click()
    approval.get_by_role("button", name="Record approval").click()
    error(page, "write how it was considered")
    approval.get_by_label("How the objection was considered (kept with the approval)").fill(
        "Discussed at the ExCom meeting; a labour indicator is planned for the next review.")
    approval.get_by_role("button", name="Record approval").click()
    success(page, f"Version {number} approved.")
    expect(page.get_by_text("Approved with 1 standing objection, acknowledged: Discussed at the ExCom meeting")).to_be_visible()
    stored = tx(engine, proposals.get_version, number)
    assert [o["member"] for o in stored.approval_objections] == ["Omar Objector"]
    assert stored.objections_acknowledgement.startswith("Discussed at the ExCom meeting")


def test_the_last_admin_cannot_lock_the_platform(seeded, engine, page):
    page.goto(seeded["url"])
    sign_in(page, *ADMIN)
    go(page, "People")
    choose(page, "Account", f"Admin Example ({ADMIN[0]})")
    page.get_by_text("Yes, disable Admin Example").click()
    wait_idle(page)
    page.get_by_role("button", name="Disable", exact=True).click()
    error(page, "You are the last active admin: make another admin first")
    role = page.get_by_role("combobox", name="Role").last  # the invitation form has a Role too
    role.click()
    page.get_by_role("option", name="Co-lead", exact=True).click()
    wait_idle(page)
    page.get_by_role("button", name="Change role", exact=True).click()
    error(page, "You are the last active admin")
    page.reload()
    wait_idle(page)
    expect(page.get_by_test_id("stSidebar").get_by_text("Signed in as")).to_be_visible()
    go(page, "People")

    # Disabling someone else waits for a confirmation.
    choose(page, "Account", f"Otto Other ({OTHER[0]})")
    disable = page.get_by_role("button", name="Disable", exact=True)
    expect(disable).to_be_disabled()
    page.get_by_text("Yes, disable Otto Other: they can no longer sign in").click()
    wait_idle(page)
    expect(disable).to_be_enabled()
    disable.click()
    success(page, "Otto Other can no longer sign in.")
    people = page.get_by_test_id("stDataFrame").first
    expect(people).to_be_visible()
    rows = {u["email"]: u for u in tx(engine, list_users, actor=Actor("Admin Example", "admin"))}
    assert rows[ADMIN[0]]["active"] and rows[ADMIN[0]]["role"] == "admin"
    assert not rows[OTHER[0]]["active"]


def test_a_rounds_indicators_do_not_change_when_the_set_does(seeded, engine, page):
    ids = seeded["ids"]
    set_id = tx(engine, cs.create_set, actor=seeded["lead"], name="Decisions round set",
                item_ids=[ids["8.8.1"], ids["8.8.2"]])
    page.goto(seeded["url"])
    sign_in(page, *LEAD)
    go(page, "Rounds")
    page.get_by_text("Open a new round").click()
    page.get_by_role("textbox", name="Title").fill("Decisions labour round")
    choose(page, "Under consultation", "Set 'Decisions round set' as it is now")
    page.get_by_role("button", name="Open round", exact=True).click()
    round_id = int(re.search(r"Opened round (\d+)", success(page, "Opened round")).group(1))
    sign_out(page)

    # The co-leads change the set while the round is open.
    tx(engine, cs.replace_members, actor=seeded["lead"], set_id=set_id, add=[ids["5.2.1"]], remove=[ids["8.8.1"]])

    sign_in(page, *NGO)
    page.goto(f"{seeded['url']}/consultation?round={round_id}")  # the round is in the address
    wait_idle(page)
    cards = page.get_by_test_id("stMain").locator("[class*='st-key-ilab-card-']")
    expect(cards).to_have_count(2)
    codes = sorted(cards.all_inner_texts())
    assert [c.split()[0] for c in codes] == ["8.8.1", "8.8.2"], codes

"""The stakeholder's path in a real browser, on a phone (390×844, touch) and on a laptop (1366×768):
open the invitation link, set a password, read the round, post a comment, reload, still see it.

Counted on the way: taps and text inputs from the link to the posted comment (at most 6 and 3).
Checked on each screen: the sign-in form and the first indicator card above the fold, no clipped
text (no text element's scroll width above its client width), every tap target of the main area
at least 44 px. ``ILAB_SCREENSHOTS=1`` writes the phone's steps to docs/screenshots/phone-*.png
(shown in the README); otherwise they go to tests/artifacts/.

The file name makes it run after the other browser tests but the plain-text one: the links it
seeds would change what the mapping and optimiser pages show first.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field

import pytest
from playwright.sync_api import expect

from indicators_lab.core.access import PAGE_ACCESS, pages_for
from indicators_lab.core.vocabulary import RATING_HELP
from tests.e2e.conftest import ARTIFACTS, wait_idle
from tests.e2e.phone_seed import CODES, seed
from tests.paths import PROJECT_ROOT

pytestmark = pytest.mark.browser
PASSWORD = "a long enough password 42"
COMMENT = "Keep it, and count women recruited through agencies separately."
SIZES = {  # name -> (width, height, phone?, constituency of its round)
    "phone": (390, 844, True, "migrant_diaspora"),
    "laptop": (1366, 768, False, "trade_union"),
}
MIN_TAP = 44
# JS: the tap targets of the main area smaller than the minimum (visible ones only).
SMALL_TARGETS = """min => [...document.querySelectorAll('[data-testid="stMain"] :is(button, a[href], input, textarea, [role=radio], summary)')]
  .filter(e => { const r = e.getBoundingClientRect(), s = getComputedStyle(e);
    return r.width > 0 && r.height > 0 && s.visibility !== 'hidden' && e.type !== 'hidden'
      && (r.height < min - 0.5 || r.width < min - 0.5); })
  .map(e => `${e.tagName} "${(e.innerText || e.getAttribute('aria-label') || '').trim().slice(0, 30)}" `
    + `${Math.round(e.getBoundingClientRect().width)}x${Math.round(e.getBoundingClientRect().height)}`)"""
# JS: text elements of the main area whose text is wider than their box (clipped or overflowing).
CLIPPED = """() => [...document.querySelectorAll('[data-testid="stMain"] :is(p, h1, h2, h3, li, label, button, a, summary, [data-testid=stText], [data-testid=stCaptionContainer], [data-testid=stMarkdownContainer])')]
  .filter(e => getComputedStyle(e).display !== 'inline' && e.getBoundingClientRect().width > 0
    && e.scrollWidth > e.clientWidth + 1)
  .map(e => `${e.tagName} "${e.innerText.trim().slice(0, 40)}" ${e.scrollWidth}>${e.clientWidth}`)"""


@dataclass
class Count:
    """Taps and text inputs a person makes, counted as the test makes them."""

    taps: int = 0
    inputs: int = 0
    log: list[str] = field(default_factory=list)

    def tap(self, locator, what: str, *, phone: bool) -> None:
        locator.tap() if phone else locator.click()
        self.taps += 1
        self.log.append(f"tap {what}")

    def type(self, locator, text: str, what: str) -> None:
        locator.fill(text)
        self.inputs += 1
        self.log.append(f"type {what}")


@pytest.fixture(scope="module")
def rounds(app_server, app_data_dir):
    """A round of ten indicators for each size, each for its own constituency and invitee."""
    return {name: seed(app_data_dir, app_server, suffix=f"-{name}", constituency=constituency)
            for name, (_, _, _, constituency) in SIZES.items()}


@pytest.fixture(scope="module")
def signed_up(app_server, app_data_dir):
    """Another round whose invitee has already set their password and commented on its first indicator."""
    from indicators_lab.consultation import rounds as con
    from indicators_lab.consultation.invitations import accept_invite
    from indicators_lab.core.config import Settings
    from indicators_lab.core.db import in_transaction as tx
    from indicators_lab.startup import open_database

    seeded = seed(app_data_dir, app_server, suffix="-again", constituency="academia")
    engine = open_database(Settings(data_dir=app_data_dir))
    actor = tx(engine, accept_invite, token=seeded.invitation_link.split("token=")[1], password=PASSWORD)
    first = tx(engine, con.set_items, seeded.round_id, actor=actor)[0]
    tx(engine, con.post_comment, actor=actor, round_id=seeded.round_id, item_id=first["item_id"], text=COMMENT)
    engine.dispose()
    return seeded


def shot(page, size: str, step: str) -> None:
    """What the person sees now (the viewport: Streamlit scrolls its main area, not the page)."""
    if size == "phone" and os.environ.get("ILAB_SCREENSHOTS"):
        folder = PROJECT_ROOT / "docs" / "screenshots"
        name = f"phone-{step}.png"
    else:
        folder, name = ARTIFACTS, f"phone-path-{size}-{step}.png"
    folder.mkdir(parents=True, exist_ok=True)
    page.wait_for_timeout(300)  # the scroll-into-view helper settles
    page.screenshot(path=str(folder / name))


def check_screen(page) -> None:
    """No clipped text and no tap target under 44 px in the main area of this screen."""
    wait_idle(page)
    assert page.evaluate(CLIPPED) == []
    assert page.evaluate(SMALL_TARGETS, MIN_TAP) == []


def above_the_fold(locator) -> None:
    expect(locator).to_be_in_viewport(ratio=1)


def cards(page):
    return page.get_by_test_id("stMain").locator("[class*='st-key-ilab-card-']")


def open_card(page):
    """The indicator card that holds the comment form (the one chosen)."""
    return cards(page).filter(has=page.get_by_role("button", name="Post comment"))


def expect_open(page, code: str) -> None:
    """Exactly one card is open, and it is the card of ``code`` (retried while the page reruns)."""
    expect(open_card(page)).to_have_count(1)
    expect(open_card(page).filter(has_text=code)).to_have_count(1)


@pytest.mark.parametrize("size", list(SIZES))
def test_stakeholder_goes_from_invitation_to_a_posted_comment(app_server, browser, rounds, size):
    width, height, phone, _ = SIZES[size]
    seeded = rounds[size]
    context = browser.new_context(viewport={"width": width, "height": height}, is_mobile=phone, has_touch=phone)
    page = context.new_page()
    page.set_default_timeout(60_000)
    main = page.get_by_test_id("stMain")
    count = Count()
    try:
        # A signed-out visitor: what this is, how to join, the sign-in form, all without scrolling.
        page.goto(app_server)
        wait_idle(page)
        above_the_fold(main.get_by_text("Consultations are by invitation."))
        for element in (main.get_by_label("Email"), main.get_by_label("Password", exact=True),
                        main.get_by_role("button", name="Sign in")):
            above_the_fold(element)
        check_screen(page)
        shot(page, size, "1-home")

        # The invitation link: set a password, and land in the round (no extra tap).
        page.goto(seeded.invitation_link)
        wait_idle(page)
        new, again = main.get_by_label(re.compile("^New password")), main.get_by_label("The same password again")
        above_the_fold(new)
        check_screen(page)
        count.type(new, PASSWORD, "password")
        count.type(again, PASSWORD, "password again")
        shot(page, size, "2-password")
        count.tap(main.get_by_role("button", name="Set password"), "Set password", phone=phone)
        expect(page).to_have_url(re.compile(rf"/consultation\?round={seeded.round_id}$"))
        expect(main.get_by_text("Welcome, Nadia NGO. You are signed in.")).to_be_visible()
        wait_idle(page)

        # The round: ten cards, each with its code and full title; the first above the fold.
        expect(main.get_by_role("heading", name=seeded.title)).to_be_visible()
        expect(cards(page)).to_have_count(len(CODES))
        first = cards(page).first
        above_the_fold(first.get_by_text(seeded.first_code, exact=False).first)
        for code in CODES:
            expect(cards(page).filter(has_text=code)).to_have_count(1)
        check_screen(page)
        shot(page, size, "3-round")
        cards(page).nth(1).scroll_into_view_if_needed()
        shot(page, size, "4-cards")

        # Comment on the first indicator: a stance, the text, post.
        count.tap(first.get_by_role("radio", name="Keep"), "Keep", phone=phone)
        box = first.get_by_label("Your comment")
        count.type(box, COMMENT, "comment")
        check_screen(page)
        shot(page, size, "5-comment")
        count.tap(first.get_by_role("button", name="Post comment"), "Post comment", phone=phone)
        posted = first.locator("[class*='st-key-ilab-comment-']").filter(has_text=COMMENT)
        confirmation = main.get_by_test_id("stAlertContentSuccess").filter(has_text="Your comment was posted.")
        expect(confirmation).to_be_in_viewport()
        expect(posted.get_by_test_id("stAlertContentSuccess")).to_have_count(1)  # beside the comment itself
        expect(first.get_by_text(COMMENT, exact=True)).to_be_in_viewport()
        expect(first.get_by_text("· Keep", exact=False).last).to_be_visible()
        expect(first.get_by_label("Your comment")).to_have_value("")  # the form is cleared
        check_screen(page)
        shot(page, size, "6-posted")
        assert count.taps <= 6 and count.inputs <= 3, count.log

        # A reload: still signed in, on the same indicator, the comment still there.
        page.reload()
        wait_idle(page)
        expect(page).to_have_url(re.compile(rf"/consultation\?round={seeded.round_id}$"))
        expect(cards(page).first.get_by_text(COMMENT, exact=True)).to_be_visible()
        expect(main.get_by_label("Email")).to_have_count(0)
        shot(page, size, "7-reloaded")
    finally:
        context.close()


@pytest.mark.parametrize("size", ["phone"])
def test_chosen_indicator_and_draft_survive_reload_back_and_forward(app_server, browser, signed_up, size):
    width, height, phone, _ = SIZES[size]
    seeded = signed_up
    context = browser.new_context(viewport={"width": width, "height": height}, is_mobile=phone, has_touch=phone)
    page = context.new_page()
    page.set_default_timeout(60_000)
    main = page.get_by_test_id("stMain")
    try:
        # A signed-out deep link to an indicator: the sign-in form right there, then back to it.
        second = CODES[1] if seeded.first_code != CODES[1] else CODES[2]
        deep = f"{app_server}/consultation?round={seeded.round_id}&indicator={second}"
        page.goto(deep)
        wait_idle(page)
        above_the_fold(main.get_by_role("button", name="Sign in"))
        main.get_by_label("Email").fill(seeded.email)
        main.get_by_label("Password", exact=True).fill(PASSWORD)
        main.get_by_role("button", name="Sign in").tap()
        wait_idle(page)
        expect_open(page, second)
        assert page.url == deep

        # Another indicator, then Back and Forward: the address and the open card follow.
        other = cards(page).filter(has_text=seeded.first_code).first
        other.get_by_role("button", name="Read and comment").tap()
        wait_idle(page)
        expect(page).to_have_url(re.compile(rf"indicator={re.escape(seeded.first_code)}$"))
        expect_open(page, seeded.first_code)
        page.go_back()
        wait_idle(page)
        expect(page).to_have_url(re.compile(rf"indicator={re.escape(second)}$"))
        expect_open(page, second)
        page.go_forward()
        wait_idle(page)
        expect(page).to_have_url(re.compile(rf"indicator={re.escape(seeded.first_code)}$"))
        expect_open(page, seeded.first_code)

        # A draft typed and not posted is still in the box after an accidental reload.
        wait_idle(page)
        main.get_by_test_id("stForm").get_by_label("Your comment").fill("A draft I have not posted yet")
        page.wait_for_timeout(500)
        page.reload()
        wait_idle(page)
        expect(main.get_by_test_id("stForm").get_by_label("Your comment")).to_have_value("A draft I have not posted yet")

        # The optional ratings: five rows of large buttons, each explained in a sentence.
        main.get_by_text("Optional ratings, from 1 (low) to 5 (high)").tap()
        for sentence in RATING_HELP.values():
            group = main.get_by_role("radiogroup", name=sentence)
            expect(group.get_by_role("radio")).to_have_count(5)
        check_screen(page)

        # Home, signed in: their open round with its deadline, size and progress; a menu of
        # only the pages a stakeholder may use (folded away on the phone, and not needed).
        page.goto(app_server)
        wait_idle(page)
        mine = main.locator("[class*='st-key-ilab-round-']").filter(has_text=seeded.title)
        expect(mine).to_contain_text(re.compile(r"Open until .* \(UTC\)"))
        expect(mine).to_contain_text(f"{len(CODES)} indicators · you have commented on 1 of them")
        expect(mine.get_by_role("link", name="Read and comment")).to_be_in_viewport()
        check_screen(page)
        shot(page, size, "8-home-signed-in")
        listed = page.get_by_test_id("stSidebarNav").get_by_role("link")
        titles = [PAGE_ACCESS[p][0] for p in pages_for("stakeholder")]
        assert [t.split("\n")[-1].strip() for t in listed.all_inner_texts()] == titles  # after the icon
        expect(page.get_by_test_id("stSidebar")).not_to_be_in_viewport()

        # Signing out (the menu opened on the phone) drops the drafts this browser kept.
        drafts = "() => Object.keys(localStorage).filter(k => k.startsWith('ilab.draft.')).length"
        assert page.evaluate(drafts) == 1
        page.get_by_test_id("stExpandSidebarButton").tap()
        page.get_by_test_id("stSidebar").get_by_role("button", name="Sign out").tap()
        expect(main.get_by_role("button", name="Sign in")).to_be_visible()
        page.wait_for_function(f"() => ({drafts})() === 0")
    finally:
        context.close()

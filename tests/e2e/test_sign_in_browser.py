"""Sign-in in a real browser: the form seen at once on a laptop and a phone, a sign-in that
survives a reload and a bookmark, and a sign-out that kills the old cookie."""

import pytest
from playwright.sync_api import expect

from indicators_lab.core.tokens import COOKIE_NAME
from tests.e2e.conftest import ADMIN, screenshot, sign_in, sign_out

pytestmark = pytest.mark.browser


def _session_cookie(context):
    return next((c for c in context.cookies() if c["name"] == COOKIE_NAME), None)


def _wait_for_cookie(page, present: bool) -> None:
    """The app writes the cookie from a frame just after the rerun: wait for the browser to have it."""
    test = f"document.cookie.split('; ').some(c => c.startsWith('{COOKIE_NAME}='))"
    page.wait_for_function(f"() => {test}" if present else f"() => !({test})")


def _signed_in(page):
    return page.get_by_test_id("stSidebar").get_by_text("Signed in as")


@pytest.mark.parametrize("width, height", [(1366, 768), (390, 844)])
def test_home_shows_the_purpose_and_the_sign_in_form_without_scrolling(app_server, browser, width, height):
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    try:
        page.goto(app_server)
        main = page.get_by_test_id("stMain")
        expect(main.get_by_text("Global Compact for Migration, for the Secretary-General")).to_be_in_viewport()
        for element in (main.get_by_label("Email"), main.get_by_label("Password", exact=True),
                        main.get_by_role("button", name="Sign in")):
            expect(element).to_be_in_viewport(ratio=1)
        main.get_by_label("Password", exact=True).fill("typing something")
        expect(page.get_by_text("Press Enter to submit")).to_have_count(0)
        screenshot(page, f"sign_in_{width}x{height}")
    finally:
        context.close()


def test_sign_in_survives_a_reload_and_a_bookmark(app_server, page):
    page.goto(app_server)
    sign_in(page, *ADMIN)
    _wait_for_cookie(page, True)
    cookie = _session_cookie(page.context)
    assert cookie is not None and cookie["sameSite"] == "Strict" and cookie["expires"] > 0
    page.reload()
    expect(_signed_in(page)).to_be_visible()
    bookmark = page.context.new_page()  # a bookmarked page opened later in the same browser
    bookmark.goto(app_server + "/people")
    expect(_signed_in(bookmark)).to_be_visible()
    expect(bookmark.get_by_role("heading", name="People")).to_be_visible()
    bookmark.close()


def test_after_sign_out_the_old_cookie_no_longer_signs_in(app_server, page):
    page.goto(app_server)
    sign_in(page, *ADMIN)
    _wait_for_cookie(page, True)
    old = _session_cookie(page.context)
    assert old is not None
    sign_out(page)
    _wait_for_cookie(page, False)  # the browser forgot it
    page.context.add_cookies([old])  # someone kept a copy
    page.reload()
    expect(page.get_by_text("You were signed out")).to_be_visible()
    expect(_signed_in(page)).to_have_count(0)

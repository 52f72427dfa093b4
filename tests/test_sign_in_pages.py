"""Sign-in pages (AppTest): the home page's own form, and a sign-in carried by the browser's cookie.

AppTest cannot send cookies, so the cookie a browser would send is handed to the session module
(``_browser_token``); tests/e2e/test_sign_in_browser.py checks the real cookie in Chromium.
"""

from streamlit.testing.v1 import AppTest

from indicators_lab.core.accounts import create_user
from indicators_lab.core.db import in_transaction as tx
from indicators_lab.core import tokens
from tests.apptest import ADMIN, app  # noqa: F401 - fixture
from tests.paths import PROJECT_ROOT

PW = "violet anchor meadow 42"


def _visit(monkeypatch, cookie=None):
    """A new browser tab (a new session) that sends ``cookie`` as its sign-in cookie."""
    import indicators_lab.ui.session as session

    monkeypatch.setattr(session, "_browser_token", lambda: cookie)
    at = AppTest.from_file(str(PROJECT_ROOT / "app.py"), default_timeout=120)
    at.run()
    assert not at.exception, at.exception
    return at


def _sign_in_on_home(at, email, password):
    at.text_input(key="ilab.signin.home.email").input(email)
    at.text_input(key="ilab.signin.home.password").input(password)
    next(b for b in at.button if b.label == "Sign in").click().run()
    assert not at.exception, at.exception


def _signed_in_as(at):
    return [c.value for c in at.sidebar.caption if "Signed in as" in c.value]


def _written_cookie(at):
    """The value the app's cookie script writes in the browser ("" clears it), or None if none ran."""
    import re

    frames = at.get("iframe")
    if not frames:
        return None
    match = re.search(r'"ilab_session" \+ "=" \+ "([^"]*)"', frames[-1].proto.srcdoc)
    return match.group(1) if match else None


def test_home_shows_what_it_is_for_and_the_sign_in_form_in_the_main_area(app, monkeypatch):
    at = _visit(monkeypatch)
    assert "Secretary-General" in at.main.markdown[0].value
    assert {t.label for t in at.main.text_input} == {"Email", "Password"}
    assert not at.sidebar.text_input  # one form, not two


def test_sign_in_on_home_then_a_reload_with_the_cookie_is_still_signed_in(app, monkeypatch):
    tx(app, create_user, actor=ADMIN, email="lead@example.org", name="Lena Lead", role="co_lead", password=PW)
    at = _visit(monkeypatch)
    _sign_in_on_home(at, "lead@example.org", PW)
    assert _signed_in_as(at) == ["Signed in as **Lena Lead** (co-lead)"]
    cookie = _written_cookie(at)
    assert cookie

    reloaded = _visit(monkeypatch, cookie)  # a reload opens a new session that sends the cookie
    assert _signed_in_as(reloaded) == ["Signed in as **Lena Lead** (co-lead)"]


def test_after_sign_out_the_old_cookie_no_longer_signs_in(app, monkeypatch):
    tx(app, create_user, actor=ADMIN, email="lead@example.org", name="Lena Lead", role="co_lead", password=PW)
    at = _visit(monkeypatch)
    _sign_in_on_home(at, "lead@example.org", PW)
    cookie = _written_cookie(at)
    next(b for b in at.sidebar.button if b.label == "Sign out").click().run()
    assert not _signed_in_as(at)
    assert _written_cookie(at) == ""  # the browser is told to forget it

    replayed = _visit(monkeypatch, cookie)  # someone kept a copy of the cookie
    assert not _signed_in_as(replayed)
    assert any("signed out" in w.value for w in replayed.warning)


def test_a_forged_cookie_signs_nobody_in(app, monkeypatch):
    tx(app, create_user, actor=ADMIN, email="lead@example.org", name="Lena Lead", role="co_lead", password=PW)
    forged = tokens.issue("not the app's key " * 3, user_id=1, epoch=0)
    at = _visit(monkeypatch, forged)
    assert not _signed_in_as(at)


def test_wrong_password_on_home_says_so_and_stays_signed_out(app, monkeypatch):
    tx(app, create_user, actor=ADMIN, email="lead@example.org", name="Lena Lead", role="co_lead", password=PW)
    at = _visit(monkeypatch)
    _sign_in_on_home(at, "lead@example.org", "not my password")
    assert [e.value for e in at.error] == ["The email or password is not right."]
    assert not _signed_in_as(at)

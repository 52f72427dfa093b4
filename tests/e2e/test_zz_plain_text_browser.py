"""User and imported text is shown as typed, in a real browser: no element and no fetch comes of it.

Markdown and HTML are seeded in a display name, a set name, a round title, a rationale and a
comment; every page that shows them is opened as a co-lead and as a stakeholder, while Chromium
records every request. The file name makes it run after the other browser tests: the sets and
rounds it seeds in the shared app server would change what their pages show first.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from indicators_lab.consultation import rounds as con
from indicators_lab.core.access import Actor
from indicators_lab.core.accounts import create_user
from indicators_lab.core.config import Settings
from indicators_lab.core.db import in_transaction as tx
from indicators_lab.core.tokens import COOKIE_NAME
from indicators_lab.mapping import links
from indicators_lab.sets import candidate_sets as cs
from indicators_lab.startup import open_database
from tests.e2e.conftest import sign_in, sign_out, wait_idle

pytestmark = [pytest.mark.browser]
PW = "plain text passphrase for the browser"
EVIL = ('Evil <b id="evil-b">bold</b> <img id="evil-img" src="http://127.0.0.1:9/px.png"> '
        '![x](http://127.0.0.1:9/md.png) [link](http://127.0.0.1:9/l) **strong** :red[red]')
LEAD = ("plain-lead@example.org", PW)
NGO = ("plain-ngo@example.org", PW)


@pytest.fixture(scope="module")
def seeded(app_server, app_data_dir):
    engine = open_database(Settings(data_dir=app_data_dir))
    admin = Actor("Admin Example", "admin")
    lead = tx(engine, create_user, actor=admin, email=LEAD[0], name="Lead " + EVIL, role="co_lead", password=PW)
    ngo = tx(engine, create_user, actor=admin, email=NGO[0], name="Ngo " + EVIL, role="stakeholder", password=PW,
             organisation="Org " + EVIL, constituency="civil_society")
    item = tx(engine, links.item_id_for, "sdg", "10.7.1")
    tx(engine, links.decide, actor=lead, item_id=item, objective=6, status="accepted", rationale="Why " + EVIL)
    set_id = tx(engine, cs.create_set, actor=lead, name="Set " + EVIL, description="About " + EVIL, item_ids=[item])
    rid = tx(engine, con.create_round, actor=lead, title="Round " + EVIL, purpose="Purpose " + EVIL, set_id=set_id)
    tx(engine, con.post_comment, actor=ngo, round_id=rid, item_id=item, text="Comment " + EVIL)
    engine.dispose()
    return app_server


def _signed_in(page, email, password):
    sign_in(page, email, password)
    for _ in range(100):  # the sign-in cookie is written a moment after the sidebar says so
        if any(c["name"] == COOKIE_NAME for c in page.context.cookies()):
            return
        page.wait_for_timeout(200)
    raise AssertionError("no sign-in cookie was set")


def _visit(page, url):
    page.goto(url)
    wait_idle(page)
    expect(page.get_by_test_id("stSidebar").get_by_text("Signed in as")).to_be_visible()
    assert page.locator("#evil-b, #evil-img").count() == 0
    found = page.locator("img[src*='127.0.0.1:9/'], a[href*='127.0.0.1:9/']")
    assert found.count() == 0, [found.nth(i).evaluate("e => e.parentElement.outerHTML.slice(0, 400)") for i in range(found.count())]


def test_seeded_markdown_and_html_create_no_element_and_no_fetch(seeded, page):
    fetched = []
    page.on("request", lambda request: fetched.append(request.url) if "127.0.0.1:9/" in request.url else None)
    page.goto(seeded)
    _signed_in(page, *LEAD)
    for path in ("", "/candidate_sets", "/mapping", "/rounds", "/consultation", "/matrix", "/people"):
        _visit(page, seeded + path)
    sign_out(page)
    _signed_in(page, *NGO)
    _visit(page, seeded + "/consultation")
    assert fetched == []

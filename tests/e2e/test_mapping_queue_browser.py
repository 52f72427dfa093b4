"""A co-lead works through a framework from the queue in Chromium: each decision brings the next
item into the same place, and the counts of decided and remaining items follow."""

import re

import pytest
from playwright.sync_api import expect

from indicators_lab.core.access import Actor
from indicators_lab.core.accounts import create_user
from indicators_lab.core.config import Settings
from indicators_lab.core.db import in_transaction as tx
from indicators_lab.startup import open_database
from tests.e2e.conftest import choose, go, screenshot, sign_in, wait_idle

pytestmark = [pytest.mark.browser]
LEAD = ("queue-lead@example.org", "a long enough password")
FRAMEWORK = "SDG indicator 10.7.2: migration policies (6 domains, 30 sub-categories)"


@pytest.fixture(scope="module")
def lead(app_server, app_data_dir):
    engine = open_database(Settings(data_dir=app_data_dir))
    tx(engine, create_user, actor=Actor("Admin Example", "admin"), email=LEAD[0], name="Queue Lead",
       role="co_lead", password=LEAD[1])
    engine.dispose()


def _queue_caption(page):
    return page.get_by_text(re.compile(r"Item \d+ of \d+ in the queue")).first


def test_co_lead_works_through_a_framework_from_the_queue(app_server, lead, page):
    page.goto(app_server)
    sign_in(page, *LEAD)
    go(page, "Mapping")
    choose(page, "Framework", FRAMEWORK)
    expect(_queue_caption(page)).to_be_visible(timeout=240_000)
    total = int(re.search(r"of (\d+) in the queue", _queue_caption(page).inner_text()).group(1))
    seen = []
    for n in range(3):
        heading = page.get_by_role("heading", level=3).first.inner_text()
        assert heading not in seen
        seen.append(heading)
        page.get_by_role("button", name="Accept", exact=True).first.click()
        expect(page.get_by_test_id("stAlertContentSuccess").filter(has_text="Accepted").first).to_be_visible(timeout=120_000)
        wait_idle(page)
        expect(page.get_by_text(f"of {total - n - 1} in the queue")).to_be_visible()
    assert page.get_by_role("heading", level=3).first.inner_text() not in seen
    expect(page.get_by_text("Top suggestion right on 3 items decided one by one")).to_be_visible()
    screenshot(page, "mapping_queue")

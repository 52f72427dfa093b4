"""A co-lead works through a framework from the queue in Chromium: each decision brings the next
item into the same place, and the count of remaining items follows."""

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
    # 10.7.2 has 36 items: a larger count is the previous framework's page, still on screen
    return page.get_by_text(re.compile(r"Item \d+ of ([0-9]|[12][0-9]|3[0-6]) in the queue")).first


def test_co_lead_works_through_a_framework_from_the_queue(app_server, lead, page):
    page.goto(app_server)
    sign_in(page, *LEAD)
    go(page, "Mapping")
    choose(page, "Framework", FRAMEWORK)
    expect(_queue_caption(page)).to_be_visible(timeout=240_000)
    wait_idle(page)
    total = int(re.search(r"of (\d+) in the queue", _queue_caption(page).inner_text()).group(1))
    seen = []
    for n in range(3):
        heading = page.get_by_role("heading", level=3).first.inner_text()
        assert heading not in seen
        seen.append(heading)
        # Rejections: they leave no accepted link behind for the other browser tests' sets.
        page.get_by_role("button", name="Reject", exact=True).first.click()
        # The count is the signal: the previous decision's "Rejected" is still on screen until the
        # two reruns of this one (the decision, then the page with the next item) are done, which
        # took over 20 s on a loaded machine (two xdist workers beside the app server).
        expect(page.get_by_text(f"of {total - n - 1} in the queue")).to_be_visible(timeout=120_000)
        expect(page.get_by_test_id("stAlertContentSuccess").filter(has_text="Rejected").first).to_be_visible()
        wait_idle(page)
    assert page.get_by_role("heading", level=3).first.inner_text() not in seen
    screenshot(page, "mapping_queue")

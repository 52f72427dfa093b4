"""Two app processes on one PostgreSQL: sign in on one, carry on on the other; both see the same writes.

Nothing that a request needs lives in one process: the sign-in is a signed cookie checked against
the database, caches are per process but rebuilt from the database, locks are the database's.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request

import pytest
from playwright.sync_api import expect
from sqlalchemy import text
from sqlmodel import SQLModel

from indicators_lab.core.tokens import COOKIE_NAME
from tests.e2e.conftest import ADMIN, _free_port, sign_in, wait_idle
from tests.paths import PROJECT_ROOT

POSTGRES_URL = os.environ.get("INDICATORS_LAB_TEST_POSTGRES_URL")
pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(not POSTGRES_URL, reason="needs INDICATORS_LAB_TEST_POSTGRES_URL (scripts/test sets it)")]


def _start(env, log_path):
    port = _free_port()
    log = log_path.open("w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
         "--server.headless", "true", "--server.address", "127.0.0.1"],
        cwd=PROJECT_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while True:
        try:
            with urllib.request.urlopen(url + "/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return proc, url
        except OSError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            raise RuntimeError("the app did not start: " + log_path.read_text())
        time.sleep(0.5)


@pytest.fixture
def two_servers(tmp_path):
    from indicators_lab.core import models  # noqa: F401  (registers the tables)
    from indicators_lab.core.db import make_engine

    engine = make_engine(POSTGRES_URL)
    SQLModel.metadata.drop_all(engine)
    with engine.begin() as conn:
        conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
    engine.dispose()
    env = dict(os.environ, INDICATORS_LAB_DATABASE_URL=POSTGRES_URL,
               INDICATORS_LAB_SECRET_KEY="one key for every process of this deployment")
    subprocess.run([sys.executable, "-m", "indicators_lab", "users", "create-admin", "--email", ADMIN[0],
                    "--name", "Admin Example"], cwd=PROJECT_ROOT, check=True, capture_output=True,
                   env=dict(env, INDICATORS_LAB_DATA_DIR=str(tmp_path / "cli"), INDICATORS_LAB_ADMIN_PASSWORD=ADMIN[1]))
    procs = []
    try:
        for name in ("a", "b"):
            # Separate data dirs: the processes share nothing but the database (and the key).
            procs.append(_start(dict(env, INDICATORS_LAB_DATA_DIR=str(tmp_path / name)), tmp_path / f"{name}.log"))
        yield [url for _, url in procs]
    finally:
        for proc, _ in procs:
            proc.terminate()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()


def test_sign_in_on_one_process_and_carry_on_on_the_other(two_servers, page):
    url_a, url_b = two_servers
    page.goto(url_a)
    wait_idle(page)
    sign_in(page, *ADMIN)
    # The sign-in cookie is written by the page a moment after the sidebar says "Signed in".
    for _ in range(100):
        if any(c["name"] == COOKIE_NAME for c in page.context.cookies()):
            break
        page.wait_for_timeout(200)
    assert any(c["name"] == COOKIE_NAME for c in page.context.cookies()), "no sign-in cookie was set"

    page.goto(url_b + "/candidate_sets")  # the other process: same cookie, same database
    wait_idle(page)
    expect(page.get_by_test_id("stSidebar").get_by_text("Signed in as")).to_be_visible()
    new_set = page.get_by_test_id("stExpander").filter(has_text="New set").first
    expect(new_set).to_be_visible()
    if new_set.locator("details").get_attribute("open") is None:  # open only while there is no set
        new_set.get_by_text("New set").click()
    new_set.get_by_label("Name", exact=True).fill("Made on process B")
    new_set.get_by_role("button", name="Create set").click()
    wait_idle(page)
    expect(page.get_by_role("combobox", name="Set")).to_be_visible()
    assert "Made on process B" in page.get_by_role("combobox", name="Set").aria_snapshot()

    page.goto(url_a + "/candidate_sets")  # and process A sees the write
    wait_idle(page)
    expect(page.get_by_role("combobox", name="Set")).to_be_visible()
    assert "Made on process B" in page.get_by_role("combobox", name="Set").aria_snapshot()

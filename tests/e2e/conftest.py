"""Browser tests: the app started as the README says, on a free port, driven by Playwright in
Debian's Chromium (never a downloaded browser)."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.paths import PROJECT_ROOT

# CI machines are busy: give the app time to rerun before an assertion fails.
expect.set_options(timeout=20_000)

CHROMIUM = "/usr/bin/chromium"
ADMIN = ("admin@example.org", "correct horse battery")
ARTIFACTS = PROJECT_ROOT / "tests" / "artifacts"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def app_data_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("e2e-var")


@pytest.fixture(scope="session")
def app_server(app_data_dir):
    """``streamlit run app.py`` on a free port with a throwaway data dir; yields the base URL."""
    port = _free_port()
    data_dir = app_data_dir
    env = dict(os.environ, INDICATORS_LAB_DATA_DIR=str(data_dir))
    env.pop("INDICATORS_LAB_DATABASE_URL", None)
    subprocess.run(
        [sys.executable, "-m", "indicators_lab", "users", "create-admin", "--email", ADMIN[0],
         "--name", "Admin Example"],
        cwd=PROJECT_ROOT, env=dict(env, INDICATORS_LAB_ADMIN_PASSWORD=ADMIN[1]), check=True,
        capture_output=True,
    )
    log = (data_dir / "streamlit.log").open("w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
         "--server.headless", "true", "--server.address", "127.0.0.1"],
        cwd=PROJECT_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while True:
        try:
            with urllib.request.urlopen(url + "/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    break
        except OSError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            raise RuntimeError("the app did not start: " + (data_dir / "streamlit.log").read_text())
        time.sleep(0.5)
    yield url
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
    log.close()


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        raise RuntimeError(f"{CHROMIUM} is missing: apt-get install chromium (see README)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"],
        )
        yield b
        b.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    pg = context.new_page()
    pg.set_default_timeout(60_000)
    yield pg
    context.close()


def screenshot(page, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def sign_in(page, email: str, password: str) -> None:
    """Sign in through the form on the page (the home page's own, else the sidebar's), as a person would."""
    form = page.get_by_test_id("stForm").filter(has=page.get_by_role("button", name="Sign in")).first
    form.get_by_label("Email").fill(email)
    form.get_by_label("Password", exact=True).fill(password)
    form.get_by_role("button", name="Sign in").click()
    expect(page.get_by_test_id("stSidebar").get_by_text("Signed in as")).to_be_visible()


def wait_idle(page) -> None:
    """Wait until the app has finished its current rerun (Streamlit's status widget is gone)."""
    page.wait_for_timeout(300)
    expect(page.get_by_test_id("stStatusWidget")).to_have_count(0, timeout=240_000)


def upload(page, path) -> None:
    """Choose a file in the (only) uploader and wait for the app to take it in."""
    page.locator("input[type=file]").set_input_files(str(path))
    expect(page.get_by_text(Path(path).name)).to_be_visible()
    wait_idle(page)


def sign_out(page) -> None:
    page.get_by_test_id("stSidebar").get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("button", name="Sign in").first).to_be_visible()


def go(page, name: str) -> None:
    """Open a page from the sidebar navigation, as a person would."""
    page.get_by_test_id("stSidebarNav").get_by_role("link", name=name, exact=True).click()
    wait_idle(page)


def choose(page, label: str, option: str) -> None:
    """Pick an option of the selectbox with this label."""
    box = page.get_by_test_id("stSelectbox").filter(has=page.get_by_text(label, exact=True)).first
    combo = box.get_by_role("combobox")
    for _ in range(3):  # a click during a rerun can be swallowed: open until the list shows
        combo.click()
        combo.press_sequentially(option[:40], delay=20)
        target = page.get_by_role("option", name=option).first
        try:
            target.wait_for(timeout=10_000)
        except Exception:
            page.keyboard.press("Escape")
            continue
        try:
            target.click(timeout=10_000)
        except Exception:  # the list re-rendering under the pointer (a loaded machine): pick it by keyboard
            combo.press("Enter")
        try:  # the chosen label is the combobox input's value (no text of the box holds it)
            expect(combo).to_have_value(re.compile(re.escape(option[:30])), timeout=10_000)
            break
        except AssertionError:
            continue
    wait_idle(page)

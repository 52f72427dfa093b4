"""Screenshot tour: seed a demo database in a temporary folder, start the app, sign in as each role
and save docs/screenshots/<page>.png of every page at 1366×768 (the README's "Tour").

    python scripts/tour.py [--out docs/screenshots] [--keep]

Uses Playwright with Debian's Chromium (/usr/bin/chromium), never a downloaded browser. The data
is clearly a demo (names and organisations say so); nothing outside the temporary folder changes.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
VIEWPORT = {"width": 1366, "height": 768}
PW = "demo passphrase for the tour"
ADMIN = ("admin@demo.example.org", "Ada Admin (demo)")
LEAD = ("lead@demo.example.org", "Lena Lead (demo)")
EXCOM = ("excom@demo.example.org", "Eric ExCom (demo)")
EXCOM2 = ("excom2@demo.example.org", "Esther ExCom (demo)")
NGO = ("ngo@demo.example.org", "Nadia Ndiaye (demo)")
UNION = ("union@demo.example.org", "Tomás Torres (demo)")

# (SDG code, objective, grade, rationale): links a co-lead could have accepted.
LINKS = [
    ("17.18.1", 1, "direct", "Measures national statistical capacity, the basis of migration data."),
    ("8.5.2", 2, "partial", "Unemployment is one of the drivers that make people leave."),
    ("10.7.2", 5, "partial", "Policies that facilitate regular migration widen regular pathways."),
    ("10.7.2", 23, "partial", "The policy domains include international cooperation."),
    ("16.9.1", 4, "direct", "Birth registration is proof of legal identity."),
    ("10.7.1", 6, "direct", "Recruitment costs borne by workers are the core of fair recruitment."),
    ("8.8.2", 6, "partial", "Labour rights compliance supports decent work for migrant workers."),
    ("16.1.3", 7, "proxy", "Violence experienced is one side of vulnerability in migration."),
    ("10.7.3", 8, "direct", "Deaths and disappearances during migration: the objective itself."),
    ("16.2.2", 10, "direct", "Victims of trafficking, by sex, age and form of exploitation."),
    ("3.8.1", 15, "partial", "Coverage of essential health services, where migrants can be seen."),
    ("10.c.1", 20, "direct", "Remittance costs: the objective's own target."),
    ("17.3.2", 19, "proxy", "Remittances reflect the contribution of diasporas."),
    ("1.3.1", 22, "partial", "Social protection coverage, a precondition for portability."),
]
DRAFT = ["17.18.1", "16.9.1", "10.7.1", "8.8.2", "10.7.3", "16.2.2", "3.8.1", "10.c.1", "1.3.1", "10.7.2"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def seed(data_dir: Path) -> str:
    """Fill the demo database; returns a one-time invitation link path (for the password page)."""
    from indicators_lab.consultation import rounds as con
    from indicators_lab.consultation.invitations import invite
    from indicators_lab.core.accounts import create_user
    from indicators_lab.core.config import Settings
    from indicators_lab.core.db import in_transaction as tx
    from indicators_lab.mapping import links
    from indicators_lab.mapping.embeddings import MiniLMEncoder
    from indicators_lab.proposal import versions
    from indicators_lab.sets import candidate_sets as cs
    from indicators_lab.startup import open_database

    engine = open_database(Settings(data_dir=data_dir))
    admin = tx(engine, create_user, actor=None, email=ADMIN[0], name=ADMIN[1], role="admin", password=PW)
    lead = tx(engine, create_user, actor=admin, email=LEAD[0], name=LEAD[1], role="co_lead", password=PW)
    excom = tx(engine, create_user, actor=admin, email=EXCOM[0], name=EXCOM[1], role="excom", password=PW)
    excom2 = tx(engine, create_user, actor=admin, email=EXCOM2[0], name=EXCOM2[1], role="excom", password=PW)
    ngo = tx(engine, create_user, actor=admin, email=NGO[0], name=NGO[1], role="stakeholder", password=PW,
             organisation="Demo Migrant Rights Network", constituency="civil_society")
    union = tx(engine, create_user, actor=admin, email=UNION[0], name=UNION[1], role="stakeholder", password=PW,
               organisation="Demo Transport Workers' Union", constituency="trade_union")
    ids = {}
    for code, objective, grade, why in LINKS:
        ids[code] = tx(engine, links.item_id_for, "sdg", code)
        tx(engine, links.decide, actor=lead, item_id=ids[code], objective=objective, status="accepted",
           grade=grade, rationale=why, origin="manual")
    draft = tx(engine, cs.create_set, actor=lead, name="Demo draft set",
               description="A first draft for the demo: one or two indicators per objective where data exist.",
               item_ids=[ids[c] for c in DRAFT])
    tx(engine, cs.create_set, actor=lead, name="Demo labour focus",
       description="An alternative that leans on decent work indicators.",
       item_ids=[ids[c] for c in ("10.7.1", "8.8.2", "8.5.2", "1.3.1", "10.c.1")])
    number = tx(engine, versions.freeze, MiniLMEncoder(), actor=lead, set_id=draft,
                note="Draft for the demo consultation and ExCom review.")
    rid = tx(engine, con.create_round, actor=lead, title="Demo consultation on version 1",
             purpose="Tell us whether these indicators measure the objectives well, and what is missing.",
             version=number)
    c1 = tx(engine, con.post_comment, actor=ngo, round_id=rid, item_id=ids["10.7.3"], stance="keep",
            ratings={"relevant": 5, "credible": 4}, text="Essential. Please keep the breakdown by route.")
    tx(engine, con.post_comment, actor=union, round_id=rid, item_id=ids["10.7.1"], stance="modify",
       text="Recruitment costs should include fees paid to sub-agents in the country of origin.")
    tx(engine, con.post_comment, actor=ngo, round_id=rid, objective=13, stance="add",
       text="Nothing here measures alternatives to detention (objective 13).")
    tx(engine, con.post_comment, actor=union, round_id=rid,  # on the set as a whole
       text="A good start; the set needs more on labour rights.")
    tx(engine, con.respond, actor=lead, comment_id=c1, disposition="accepted",
       text="Kept; the breakdown by route is in the custodian's metadata.")
    tx(engine, versions.record_view, actor=excom, version=number, verdict="approve_with_comments",
       text="Supportive. Check the data availability of 1.3.1 before approval.")
    tx(engine, versions.record_view, actor=excom2, version=number, verdict="object", objective=13,
       text="Objective 13 has no indicator at all.")
    inv = tx(engine, invite, actor=lead, email="newcomer@demo.example.org", name="Noor Newcomer (demo)",
             organisation="Demo Diaspora Forum", constituency="migrant_diaspora")
    engine.dispose()
    return inv.link("")


def start_app(data_dir: Path) -> tuple[subprocess.Popen, str]:
    port = _free_port()
    env = dict(os.environ, INDICATORS_LAB_DATA_DIR=str(data_dir))
    env.pop("INDICATORS_LAB_DATABASE_URL", None)
    log = (data_dir / "streamlit.log").open("w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
         "--server.headless", "true", "--server.address", "127.0.0.1"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
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
            raise SystemExit("The app did not start:\n" + (data_dir / "streamlit.log").read_text())
        time.sleep(0.5)


def wait_idle(page) -> None:
    """Until the page has drawn: a title, no placeholder left, no rerun running."""
    page.wait_for_timeout(500)
    page.locator("[data-testid=stMain] h1").first.wait_for(timeout=240_000)
    for _ in range(3):  # a rerun may start just after the previous one ended
        page.get_by_test_id("stStatusWidget").wait_for(state="detached", timeout=240_000)
        page.get_by_test_id("stSkeleton").first.wait_for(state="detached", timeout=240_000)
        page.wait_for_timeout(400)


def sign_in(page, url: str, email: str) -> None:
    from indicators_lab.core.tokens import COOKIE_NAME

    page.goto(url)
    wait_idle(page)
    form = page.get_by_test_id("stForm").filter(has=page.get_by_role("button", name="Sign in")).first
    form.get_by_label("Email").fill(email)
    form.get_by_label("Password", exact=True).fill(PW)
    form.get_by_role("button", name="Sign in").click()
    page.get_by_test_id("stSidebar").get_by_text("Signed in as").wait_for()
    for _ in range(100):  # the sign-in cookie is written a moment after the sidebar says so
        if any(c["name"] == COOKIE_NAME for c in page.context.cookies()):
            break
        page.wait_for_timeout(200)


def shoot(page, url: str, path: str, out: Path, name: str, then=None) -> None:
    page.goto(f"{url}/{path}")
    wait_idle(page)
    if then:
        then(page)
        wait_idle(page)
    page.mouse.move(0, 0)
    page.screenshot(path=str(out / f"{name}.png"))
    print(f"  {name}.png")


def run_optimiser(page) -> None:
    page.get_by_test_id("stRadioGroup").get_by_text("The best coverage with at most K indicators", exact=True).click()
    wait_idle(page)
    k = page.get_by_label("At most (K) indicators")
    k.fill("8")
    k.press("Enter")
    wait_idle(page)
    page.get_by_role("button", name="Optimise", exact=True).click()
    page.get_by_role("heading", name=re.compile(r"indicators cover \d+ of 23 objectives")).wait_for(timeout=240_000)
    wait_idle(page)
    page.get_by_role("button", name="Optimise", exact=True).evaluate("e => e.scrollIntoView({block: 'start'})")


def scroll(pixels: int):
    def go(page) -> None:
        page.mouse.wheel(0, pixels)
    return go


def scroll_to(text: str):
    """Bring the part of the page that starts with ``text`` to the top of the screen."""
    def go(page) -> None:
        target = page.get_by_text(text).first
        target.wait_for()
        target.evaluate("e => e.scrollIntoView({block: 'start'})")
    return go


def wait_for_queue(page) -> None:
    # The first visit encodes the framework with the model (shipped vectors make it quick).
    page.get_by_text(re.compile(r"in the queue")).first.wait_for(timeout=600_000)


TOUR = {
    # role: [(url path, screenshot name, action)]
    None: [("", "home", None)],
    LEAD: [
        ("catalogue", "catalogue", None),
        ("objectives", "objectives", None),
        ("import_framework", "import-framework", None),
        ("data_availability", "data-availability", None),
        ("mapping", "mapping", wait_for_queue),
        ("candidate_sets", "candidate-sets", None),
        ("optimise", "optimise", run_optimiser),
        ("rounds", "rounds", None),
        ("matrix", "matrix", None),
        ("people", "people", None),
        ("versions", "versions", None),
        ("strategy", "strategy", None),
        ("review", "review-co-lead", scroll_to("Record the ExCom's approval")),
    ],
    NGO: [("", "home-stakeholder", None), ("consultation", "consultation", None)],
    EXCOM: [("review", "review", None), ("review", "review-views", scroll_to("Views of ExCom members"))],
    ADMIN: [("people", "people-admin", scroll(700))],
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    parser.add_argument("--keep", action="store_true", help="keep the temporary data folder (printed)")
    parser.add_argument("--only", nargs="*", help="screenshot names to take (default: all)")
    args = parser.parse_args(argv)
    if not Path(CHROMIUM).exists():
        raise SystemExit(f"{CHROMIUM} is missing: apt-get install chromium")
    from playwright.sync_api import sync_playwright

    args.out.mkdir(parents=True, exist_ok=True)
    data_dir = Path(tempfile.mkdtemp(prefix="ilab-tour-"))
    print(f"Seeding a demo database in {data_dir}")
    invitation = seed(data_dir)
    proc, url = start_app(data_dir)
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
            for who, stops in TOUR.items():
                stops = [s for s in stops if not args.only or s[1] in args.only]
                if not stops:
                    continue
                context = browser.new_context(viewport=VIEWPORT, device_scale_factor=1)
                page = context.new_page()
                page.set_default_timeout(120_000)
                print("Signed out" if who is None else f"As {who[1]}")
                if who is not None:
                    sign_in(page, url, who[0])
                for path, name, then in stops:
                    shoot(page, url, path, args.out, name, then)
                context.close()
            if not args.only or "set-password" in args.only:
                context = browser.new_context(viewport=VIEWPORT, device_scale_factor=1)
                page = context.new_page()
                print("From an invitation link")
                shoot(page, url, invitation.lstrip("/"), args.out, "set-password")
                context.close()
            browser.close()
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
        if args.keep:
            print(f"Kept {data_dir}")
        else:
            shutil.rmtree(data_dir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

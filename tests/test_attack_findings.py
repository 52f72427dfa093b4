"""Findings of the security/robustness pass (one failing test per finding; the app code is not
fixed here). Each test states in its docstring what leaks or breaks."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta

import openpyxl
import pytest

from indicators_lab.catalogue.data import apply_data_import, plan_data_import
from indicators_lab.catalogue.extracts import iter_rows, parse_value, summarise
from indicators_lab.consultation import matrix
from indicators_lab.consultation import rounds as con
from indicators_lab.core.access import Actor
from indicators_lab.core.accounts import create_user
from indicators_lab.core.db import in_transaction as tx
from indicators_lab.core.errors import UserError
from indicators_lab.core.models import Comment, utcnow
from indicators_lab.proposal import versions as proposals
from indicators_lab.proposal.annex import export_version
from indicators_lab.proposal.strategy import round_strategy
from tests.apptest import app  # noqa: F401  (fixture)
from tests.factories import csv_bytes
from tests.fakes import FakeEncoder
from tests.test_proposals import LEAD, drafted  # noqa: F401  (fixture)

ADMIN = Actor("Admin", "admin")
MB = 50 * 1024 * 1024
KNOWN = {"1.1.1": "1.1.1"}
HEADER = b"Indicator,TimePeriod,Value,GeoAreaCode\n"


def _summarise(data: bytes, name: str = "extract.csv"):
    return summarise(iter_rows(data, name), name, known_codes=KNOWN)


def _people(engine):
    lead = tx(engine, create_user, actor=ADMIN, email="lead@x.org", name="Lead", role="co_lead",
              password="a long password")
    civil = tx(engine, create_user, actor=lead, email="cs@x.org", name="Cleo Civil", role="stakeholder",
               password="a long password", constituency="civil_society", organisation="Civil Org")
    state = tx(engine, create_user, actor=lead, email="ms@x.org", name="Sam State", role="stakeholder",
               password="a long password", constituency="member_state", organisation="Ministry")
    return lead, civil, state


# --------------------------------------------------------------------------- hostile extract files


def test_extract_csv_whose_first_line_is_one_huge_field_is_refused_in_one_line():
    """A CSV extract whose header is one field over 100,000 characters crashes with UnboundLocalError, not a one-line refusal."""
    with pytest.raises(UserError, match="could not be read"):
        _summarise(b"A" * 200_000 + b"\n1,2\n")


def test_extract_utf16_file_with_an_odd_byte_count_is_refused_in_one_line():
    """A UTF-16 (BOM) extract with a truncated last character raises UnicodeDecodeError (a traceback), not a UserError."""
    data = b"\xff\xfe" + (HEADER + b"1.1.1,2019,1,A\n").decode().encode("utf-16-le") + b"a"
    with pytest.raises(UserError):
        _summarise(data)


def test_extract_utf16_file_with_a_lone_surrogate_is_refused_in_one_line():
    """A UTF-16 (BOM) extract holding an unpaired surrogate raises UnicodeDecodeError (a traceback), not a UserError."""
    data = b"\xff\xfe" + (HEADER + b"1.1.1,2019,1,A\n").decode().encode("utf-16-le") + b"\x00\xd8a\x00"
    with pytest.raises(UserError):
        _summarise(data)


def test_extract_value_of_infinity_written_as_1e999_is_not_counted_as_data():
    """'1e999' (an infinite value) passes as a valid number and counts the area as having data."""
    assert parse_value("1e999") != (True, True)
    summary = _summarise(HEADER + b"1.1.1,2019,1e999,A\n")
    assert "1.1.1" not in summary.figures


MEMORY_SCRIPT = """
import sys
from indicators_lab.cli import main
code = main(["import-data", sys.argv[1]])
hwm = next(l for l in open("/proc/self/status") if l.startswith("VmHWM:"))
print("peak_mb", int(hwm.split()[1]) / 1024)
sys.exit(code)
"""


def test_a_10_mb_extract_of_distinct_areas_imports_under_the_memory_budget(settings_env, tmp_path):
    """A 10 MB extract (1/20 of the 200 MB limit) with one row per distinct area peaks far above 300 MB (about 240 MB over a bare import)."""
    from tests.paths import PROJECT_ROOT

    path = tmp_path / "areas.csv"
    with path.open("wb") as fh:
        fh.write(HEADER)
        size, n = len(HEADER), 0
        while size < 10 * 1024 * 1024:
            line = b"1.1.1,2019,1,%x\n" % n
            fh.write(line)
            size, n = size + len(line), n + 1
    env = dict(os.environ, PYTHONPATH=str(PROJECT_ROOT / "src"), INDICATORS_LAB_DATA_DIR=str(tmp_path / "var"))
    env.pop("INDICATORS_LAB_DATABASE_URL", None)
    done = subprocess.run([sys.executable, "-c", MEMORY_SCRIPT, str(path)], env=env, capture_output=True,
                          text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    peak = float(done.stdout.split("peak_mb")[1].split()[0])
    assert peak <= 300, f"peak memory {peak:.0f} MB for a {size / 1048576:.0f} MB extract of {n:,} areas"


# --------------------------------------------------------------------------- offline comment import


def _import(engine, rid, rows):
    header = ["organisation", "constituency", "indicator_code", "objective", "stance", "comment"]
    return tx(engine, matrix.import_comments, actor=LEAD, data=csv_bytes([header, *rows]), filename="c.csv",
              round_id=rid, max_bytes=MB)


def test_comment_import_with_an_infinite_objective_is_refused_in_one_line(engine):
    """An objective cell 'inf' (or 1e999) in an offline comment file raises OverflowError (a traceback), not a refusal with the row."""
    rid = tx(engine, con.create_round, actor=LEAD, title="General")
    with pytest.raises(UserError, match="Row 2"):
        _import(engine, rid, [["Org", "civil society", "", "inf", "", "A comment"]])


def test_comment_import_with_a_fractional_objective_is_refused_not_truncated(engine):
    """An objective cell '3.9' is silently stored as objective 3: something other than what the file says."""
    rid = tx(engine, con.create_round, actor=LEAD, title="General")
    try:
        _import(engine, rid, [["Org", "civil society", "", "3.9", "", "About objective 3.9?"]])
    except UserError:
        return
    from sqlmodel import select
    stored = tx(engine, lambda *, session: [c.objective for c in session.exec(select(Comment))])
    assert stored != [3], "objective 3.9 was stored as objective 3"



def test_links_file_with_an_infinite_objective_is_refused_in_one_line():
    """An objective 'inf' in a links file (optimise --links) raises OverflowError (a traceback), not a refusal with the row."""
    from indicators_lab.sets.optimiser import read_links_file

    data = csv_bytes([["item_code", "objective", "weight"], ["10.7.2", "inf", "1"]])
    with pytest.raises(UserError, match="Row 2"):
        read_links_file(data, "links.csv", max_bytes=MB)

def test_comment_import_refuses_a_constituency_the_round_is_not_open_to(engine):
    """A round open to civil society only accepts imported rows from any other constituency."""
    rid = tx(engine, con.create_round, actor=LEAD, title="Civil society only", constituencies=["civil_society"])
    with pytest.raises(UserError, match="Row 2"):
        _import(engine, rid, [["Ministry", "member state", "", "", "", "From a member state"]])


# --------------------------------------------------------------------------- access leaks


def test_public_annex_of_an_approved_version_leaves_out_a_later_drafts_closed_round(drafted, tmp_path):  # noqa: F811
    """The public annex of approved version 1 carries comments posted later, in a round on draft version 2 open to another constituency only."""
    engine, set_id = drafted
    lead, civil, state = _people(engine)
    tx(engine, proposals.approve, actor=LEAD, version=1)
    tx(engine, proposals.freeze, FakeEncoder(), actor=LEAD, set_id=set_id, note="Second draft")
    rid = tx(engine, con.create_round, actor=LEAD, title="Draft 2, civil society only", version=2,
             constituencies=["civil_society"])
    tx(engine, con.post_comment, actor=civil, round_id=rid, text="SECRET remark on draft two")
    out = tx(engine, export_version, 1, "xlsx", tmp_path / "annex.xlsx", actor=state)
    wb = openpyxl.load_workbook(out, read_only=True)
    cells = [str(c) for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for c in row if c]
    assert not any("SECRET" in c for c in cells), "a member-state stakeholder reads a civil-society-only draft round"


def test_round_strategy_counts_no_comments_from_rounds_closed_to_the_reader(drafted):  # noqa: F811
    """round_strategy gives a member-state stakeholder the number of comments posted in a civil-society-only round on the same version."""
    engine, _ = drafted
    lead, civil, state = _people(engine)
    hidden_from_state = tx(engine, con.create_round, actor=LEAD, title="Civil society only", version=1,
                           constituencies=["civil_society"])
    tx(engine, con.post_comment, actor=civil, round_id=hidden_from_state, objective=6, strategy=True,
       text="Only for civil society")
    for_states = tx(engine, con.create_round, actor=LEAD, title="Member states", version=1,
                    constituencies=["member_state"])
    table = tx(engine, round_strategy, for_states, actor=state)
    assert table["strategy_comments"].sum() == 0, "counts comments of a round the reader may not see"


def test_a_draft_versions_strategy_is_not_served_before_its_round_opens(drafted):  # noqa: F811
    """A stakeholder reads a draft version's strategy (gaps, actions) and items through a round that opens only next week."""
    engine, _ = drafted
    lead, civil, state = _people(engine)
    later = tx(engine, con.create_round, actor=LEAD, title="Next week", version=1,
               opens_at=utcnow() + timedelta(days=7))
    assert tx(engine, con.open_rounds_for, civil) == []  # the page does not offer it...
    with pytest.raises(UserError):  # ...but the service serves it by id
        tx(engine, round_strategy, later, actor=civil)


# --------------------------------------------------------------------------- plain text


EVIL_NAME = "[click me](javascript:alert(1)) **bold** $x^2$.csv"  # no "/": the stored name is Path(name).name


def test_data_page_shows_an_imported_files_name_as_plain_text(app):  # noqa: F811
    """The Data availability page (open to signed-out visitors) renders the latest import's file name as Markdown: a javascript: link, bold, an icon."""
    from tests.apptest import open_page

    plan = tx(app, plan_data_import, HEADER + b"1.1.1,2019,1,A\n", EVIL_NAME, max_bytes=MB)
    tx(app, apply_data_import, plan, actor=LEAD)
    at = open_page("views/data_availability.py")
    latest = next(i.value for i in at.info if "Latest import" in i.value)
    assert "[click me](javascript:" not in latest and "**bold**" not in latest, latest


def test_review_page_shows_an_objecting_members_name_as_plain_text(app):  # noqa: F811
    """The Review page's approval form renders an ExCom member's name as Markdown (links, emphasis) in the list of objections."""
    from indicators_lab.mapping import links
    from indicators_lab.sets import candidate_sets as cs
    from tests.apptest import open_page

    lead = tx(app, create_user, actor=ADMIN, email="lead@x.org", name="Lead", role="co_lead",
              password="a long password")
    member = tx(app, create_user, actor=ADMIN, email="ex@x.org", name="[Evil](https://evil.example) **Ex**",
                role="excom", password="a long password")
    item = tx(app, links.item_id_for, "sdg", "10.7.1")
    tx(app, links.decide, actor=lead, item_id=item, objective=6, status="accepted")
    set_id = tx(app, cs.create_set, actor=lead, name="Draft", item_ids=[item])
    tx(app, proposals.freeze, FakeEncoder(), actor=lead, set_id=set_id, note="v1")
    _record_objection(app, member)
    at = open_page("views/review.py", lead.user_id)
    assert not at.exception, at.exception
    shown = [m.value for m in at.markdown if "on " in m.value and "Ex" in m.value]
    assert shown and not any("[Evil](https://evil.example)" in s or "**Ex**" in s for s in shown), shown


def _record_objection(engine, member):
    tx(engine, proposals.record_view, actor=member, version=1, verdict="object", text="I object")


def _check_upload(app, name: str, data: bytes):  # noqa: F811
    from tests.apptest import co_lead, open_page

    lead = co_lead(app)
    at = open_page("views/data_availability.py", lead.user_id)
    at.file_uploader[0].upload(name, data, "text/csv").run()
    next(b for b in at.button if b.label == "Check the file").click().run()
    return at


def test_data_page_shows_a_refused_files_column_names_as_plain_text(app):  # noqa: F811
    """The Data availability page puts a refused file's column names into st.error as Markdown: a javascript: link and bold from the file render."""
    at = _check_upload(app, "columns.csv", b"[click me](javascript:alert(1)),**bold**\n1,2\n")
    assert not at.exception, at.exception
    [error] = [e.value for e in at.error]
    assert "Found the columns" in error
    assert "[click me](javascript:" not in error and "**bold**" not in error, error


def test_data_page_preview_shows_the_uploaded_files_name_as_plain_text(app):  # noqa: F811
    """The Data availability preview renders the uploaded file's name as Markdown (st.markdown with the raw name)."""
    at = _check_upload(app, EVIL_NAME, HEADER + b"1.1.1,2019,1,A\n")
    assert not at.exception, at.exception
    preview = [m.value for m in at.markdown if "rows read" in m.value]
    assert preview and not any("[click me](javascript:" in p for p in preview), preview


def test_data_page_refuses_a_csv_with_one_huge_first_line_without_a_traceback(app):  # noqa: F811
    """Uploading a CSV whose first line is one 200,000-character field ends the Data availability page in an app error (UnboundLocalError), not a one-line refusal."""
    at = _check_upload(app, "huge.csv", b"A" * 200_000 + b"\n1,2\n")
    assert not at.exception, at.exception[0].message if at.exception else ""
    assert any("could not be read" in e.value for e in at.error)


def test_comment_import_with_two_comment_columns_is_refused_not_read_from_the_last(engine):
    """An offline comment file with two 'comment' columns is imported silently from the last one (the first column's text is dropped)."""
    rid = tx(engine, con.create_round, actor=LEAD, title="General")
    header = ["organisation", "constituency", "indicator_code", "objective", "stance", "comment", "comment"]
    data = csv_bytes([header, ["Org", "civil society", "", "", "", "FIRST text", "second text"]])
    try:
        tx(engine, matrix.import_comments, actor=LEAD, data=data, filename="c.csv", round_id=rid, max_bytes=MB)
    except UserError:
        return
    from sqlmodel import select
    stored = tx(engine, lambda *, session: [c.text for c in session.exec(select(Comment))])
    assert stored != ["second text"], "the first 'comment' column was silently dropped"


def test_extract_with_two_value_columns_is_refused_not_read_from_one():
    """A data extract with two 'Value' columns is summarised silently from the first one; the other is ignored."""
    data = b"Indicator,TimePeriod,Value,GeoAreaCode,Value\n1.1.1,2019,,A,5\n"
    try:
        summary = _summarise(data)
    except UserError:
        return
    assert summary.rows_without_value == 0, "the second Value column (5) was ignored: the row counts as no data"


def test_excom_member_cannot_post_in_a_round_closed_to_their_constituency(drafted):  # noqa: F811
    """An ExCom member posts comments in a round open only to civil society (take_part covers rounds open to one's constituency; rounds.read only reads)."""
    engine, _ = drafted
    lead, _, _ = _people(engine)
    member = tx(engine, create_user, actor=ADMIN, email="ex@x.org", name="Ex Member", role="excom",
                password="a long password")
    rid = tx(engine, con.create_round, actor=LEAD, title="Civil society only", version=1,
             constituencies=["civil_society"])
    with pytest.raises(UserError):
        tx(engine, con.post_comment, actor=member, round_id=rid, objective=6, strategy=True, text="ExCom speaking")


# --------------------------------------------------------------------------- races


def test_a_strategy_action_saved_while_the_version_is_approved_does_not_land(drafted):  # noqa: F811
    """save_action reads 'not approved' without a lock: an approval committed meanwhile (PostgreSQL) still gets the action stored on the approved, closed version."""
    from sqlmodel import select

    from indicators_lab.core.models import StrategyAction
    from indicators_lab.proposal import strategy

    engine, _ = drafted
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite takes the write lock at BEGIN: the two actions queue (set INDICATORS_LAB_TEST_POSTGRES_URL)")
    original, approved = strategy.get_version, []

    def get_version_then_approve(number, *, session):
        v = original(number, session=session)
        if not approved:  # another co-lead approves between the check and the write
            approved.append(tx(engine, proposals.approve, actor=LEAD, version=number))
        return v

    strategy.get_version = get_version_then_approve
    try:
        tx(engine, strategy.save_action, actor=LEAD, version=1, objective=20, item_key="sdg:10.c.1",
           action="Late action")
    except UserError:
        pass
    finally:
        strategy.get_version = original
    assert tx(engine, proposals.get_version, 1).approved
    late = tx(engine, lambda *, session: list(session.exec(select(StrategyAction.action))))
    assert late == [], "an action landed on version 1 after its approval"


def test_signed_out_visitor_is_not_told_which_co_lead_imported_the_data(app):  # noqa: F811
    """The Data availability page tells signed-out visitors the name of the co-lead who imported each extract (who decided what is co-lead-only elsewhere: links.rationale.read)."""
    from tests.apptest import open_page

    plan = tx(app, plan_data_import, HEADER + b"1.1.1,2019,1,A\n", "public.csv", max_bytes=MB)
    tx(app, apply_data_import, plan, actor=Actor("Priya Colead", "co_lead"))
    at = open_page("views/data_availability.py")
    shown = [i.value for i in at.info] + [str(d.value.to_dict()) for d in at.dataframe]
    assert not any("Priya Colead" in s for s in shown), shown

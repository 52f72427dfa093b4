"""The comment-response matrix, participation, export safety, offline import all or nothing."""

import csv
import io

import openpyxl
import pytest

from indicators_lab.consultation import rounds as con
from indicators_lab.consultation import matrix
from indicators_lab.core.access import Actor, PermissionDenied
from indicators_lab.core.errors import UserError
from tests.factories import csv_bytes, xlsx_bytes
from indicators_lab.core.db import in_transaction as tx
from indicators_lab.core.models import Comment

LEAD = Actor("Lead", "co_lead")
MB = 1024 * 1024
HEADER = ["organisation", "constituency", "indicator_code", "objective", "stance", "comment"]


@pytest.fixture
def rid(engine):
    return tx(engine, con.create_round, actor=LEAD, title="Round")


def imp(engine, rid, rows, filename="c.csv", data=None):
    data = data if data is not None else csv_bytes([HEADER, *rows])
    return tx(engine, matrix.import_comments, actor=LEAD, data=data, filename=filename, round_id=rid, max_bytes=MB)


def test_import_then_filter_paginate_and_find_the_unanswered(engine, rid):
    n = imp(engine, rid, [["IOM", "UN entity", "10.7.1", "6", "keep", "Good"],
                          ["NGO", "Civil society", "", "8", "add", "Missing migrants need more"],
                          ["Uni", "academia", "", "", "", "Overall fine"]])
    assert n == 3
    page, total = tx(engine, matrix.matrix_page, actor=LEAD, filt=matrix.MatrixFilter(round_id=rid), page=1, page_size=2)
    assert total == 3 and len(page) == 2 and list(page["comment"]) == ["Overall fine", "Missing migrants need more"]
    first = page.iloc[-1]["comment_id"]
    tx(engine, con.respond, actor=LEAD, comment_id=int(first), disposition="noted", text="Thanks")
    _, open_total = tx(engine, matrix.matrix_page, actor=LEAD, filt=matrix.MatrixFilter(round_id=rid, disposition="unanswered"))
    assert open_total == 2
    civil, t = tx(engine, matrix.matrix_page, actor=LEAD, filt=matrix.MatrixFilter(round_id=rid, constituency="civil_society"))
    assert t == 1 and civil.iloc[0]["objective"] == 8
    by_code, t = tx(engine, matrix.matrix_page, actor=LEAD, filt=matrix.MatrixFilter(indicator_code="10.7.1"))
    assert t == 1 and by_code.iloc[0]["indicator_title"].startswith("Recruitment cost")


@pytest.mark.parametrize("rows, message", [
    ([["A", "Martians", "", "", "", "x"]], "Row 2: Unknown constituency 'Martians'"),
    ([["A", "Other", "", "", "", "ok"], ["B", "Other", "99.9.9", "", "", "x"]], "Row 3: unknown indicator '99.9.9'"),
    ([["A", "Other", "", "24", "", "x"]], "Row 2: there is no GCM objective 24"),
    ([["A", "Other", "", "six", "", "x"]], "Row 2: the objective 'six' is not a number"),
    ([["A", "Other", "", "", "", "  "]], "Row 2: The comment is empty"),
    ([["A", "Other", "", "", "love it", "x"]], "Row 2: Unknown stance"),
    ([["A", "Other", "1", "", "", "x"]], "in several frameworks; write it as framework:code"),
])
def test_any_bad_row_refuses_the_whole_file(engine, rid, rows, message):
    with pytest.raises(UserError, match=message):
        imp(engine, rid, rows)
    assert tx(engine, matrix.matrix_page, actor=LEAD, filt=matrix.MatrixFilter(round_id=rid))[1] == 0


def test_wrong_type_undecodable_and_oversized_files_are_refused(engine, rid):
    with pytest.raises(UserError, match="not a CSV or XLSX"):
        imp(engine, rid, [], filename="c.pdf", data=b"%PDF-1.7 not a table")
    with pytest.raises(UserError, match="binary"):
        imp(engine, rid, [], data=b"\x00\xff\x00garbage")
    with pytest.raises(UserError, match="the limit is"):
        tx(engine, matrix.import_comments, actor=LEAD, data=csv_bytes([HEADER, ["A", "Other", "", "", "", "x" * 2000]]),
                               filename="c.csv", round_id=rid, max_bytes=1000)
    with pytest.raises(UserError, match="missing: stance"):
        imp(engine, rid, [], data=csv_bytes([["organisation", "constituency", "indicator_code", "objective", "comment"],
                                             ["A", "Other", "", "", "x"]]))


def test_export_neutralises_formulas_in_csv_and_xlsx(engine, rid, tmp_path):
    imp(engine, rid, [["=cmd|' /C calc'!A0", "Other", "", "", "", "+1+1"],
                      ["@SUM(A1)", "Other", "", "", "", "-2"]])
    out = tmp_path / "m.csv"
    assert tx(engine, matrix.export_matrix, actor=LEAD, round_id=rid, fmt="csv", out=out) == 2
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert [r["comment"] for r in rows] == ["'+1+1", "'-2"]
    assert rows[0]["organisation"].startswith("'=") and rows[1]["organisation"].startswith("'@")
    xl = tmp_path / "m.xlsx"
    tx(engine, matrix.export_matrix, actor=LEAD, round_id=rid, fmt="xlsx", out=xl)
    ws = openpyxl.load_workbook(xl).active
    values = [c.value for row in ws.iter_rows(min_row=2) for c in row if isinstance(c.value, str)]
    assert not any(v.startswith(("=", "+", "-", "@")) for v in values)
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref


def test_xlsx_writer_neutralises_formula_text_wherever_it_sits_in_a_column(tmp_path):
    import pandas as pd

    # Formula-like text after many clean cells, in a column that mixes text and numbers, and in
    # a sheet given as plain columns; missing values become blank cells, numbers stay numbers.
    clean = [f"Comment {i}" for i in range(300)]
    frame = pd.DataFrame({"text": [*clean, "=HYPERLINK(\"http://x\")"],
                          "mixed": [*range(300), "@SUM(A1)"],
                          "score": [*[0.5] * 300, float("nan")]})
    out = tmp_path / "x.xlsx"
    matrix.write_xlsx({"Frame": frame,
                       "Columns": matrix.Columns(["a", "b"], [["ok", "-1+1", "+2"], [1, None, "\tcmd"]])}, out)
    wb = openpyxl.load_workbook(out)
    frame_rows = list(wb["Frame"].iter_rows(min_row=2, values_only=True))
    assert frame_rows[-1] == ("'=HYPERLINK(\"http://x\")", "'@SUM(A1)", None)
    assert frame_rows[0] == ("Comment 0", 0, 0.5)
    assert list(wb["Columns"].iter_rows(min_row=2, values_only=True)) == [("ok", 1), ("'-1+1", None), ("'+2", "'\tcmd")]


def test_stakeholders_cannot_read_the_matrix(engine, rid):
    with pytest.raises(PermissionDenied):
        tx(engine, matrix.matrix_page, actor=Actor("S", "stakeholder", 5), filt=matrix.MatrixFilter(round_id=rid))


def test_template_round_trips_through_import(engine, rid):
    wb = openpyxl.load_workbook(io.BytesIO(tx(engine, matrix.template_xlsx, rid, actor=LEAD)))
    assert wb.sheetnames[:3] == ["Comments", "Indicators", "Constituencies"]
    ws = wb["Comments"]
    ws.append(["NGO", "Civil society", "sdg:10.7.1", 6, "Keep", "From the template"])
    buf = io.BytesIO()
    wb.save(buf)
    assert imp(engine, rid, [], filename="filled.xlsx", data=buf.getvalue()) == 1


def test_participation_counts_campaign_duplicates_once(engine, rid):
    same = "Please   keep indicator 10.7.1!"
    imp(engine, rid, [["A", "Civil society", "", "6", "", same], ["B", "Civil society", "", "6", "", same.lower()],
                      ["C", "Academia", "", "8", "", "Different point"]])
    p = tx(engine, matrix.participation, rid, actor=LEAD)
    assert dict(zip(p["constituency"]["constituency"], p["constituency"]["comments"])) == {"Civil society": 1, "Academia": 1}
    assert dict(zip(p["objective"]["objective"], p["objective"]["comments"])) == {6: 1, 8: 1}
    assert int(p["totals"].iloc[0]["unanswered"]) == 3


def test_xlsx_import_is_refused_whole_on_a_bad_row(engine, rid):
    data = xlsx_bytes([HEADER, ["A", "Other", "", "", "", "fine"], ["B", "Nobody", "", "", "", "bad"]])
    with pytest.raises(UserError, match="Row 3"):
        imp(engine, rid, [], filename="c.xlsx", data=data)


def _import_rows(engine, rid, rows):
    header = ["organisation", "constituency", "indicator_code", "objective", "stance", "comment"]
    return tx(engine, matrix.import_comments, actor=LEAD, data=csv_bytes([header, *rows]), filename="c.csv",
              round_id=rid, max_bytes=MB)


def test_comment_import_refuses_an_infinite_objective_naming_the_row(engine):
    """An objective cell 'inf' (or 1e999) in an offline comment file raises OverflowError (a traceback), not a refusal with the row."""
    rid = tx(engine, con.create_round, actor=LEAD, title="General")
    with pytest.raises(UserError, match="Row 2"):
        _import_rows(engine, rid, [["Org", "civil society", "", "inf", "", "A comment"]])


def test_comment_import_refuses_a_fractional_objective_rather_than_truncating_it(engine):
    """An objective cell '3.9' is silently stored as objective 3: something other than what the file says."""
    rid = tx(engine, con.create_round, actor=LEAD, title="General")
    try:
        _import_rows(engine, rid, [["Org", "civil society", "", "3.9", "", "About objective 3.9?"]])
    except UserError:
        return
    from sqlmodel import select
    stored = tx(engine, lambda *, session: [c.objective for c in session.exec(select(Comment))])
    assert stored != [3], "objective 3.9 was stored as objective 3"


def test_comment_import_refuses_a_constituency_the_round_is_not_open_to(engine):
    """A round open to civil society only accepts imported rows from any other constituency."""
    rid = tx(engine, con.create_round, actor=LEAD, title="Civil society only", constituencies=["civil_society"])
    with pytest.raises(UserError, match="Row 2"):
        _import_rows(engine, rid, [["Ministry", "member state", "", "", "", "From a member state"]])


def test_comment_import_refuses_two_comment_columns_rather_than_reading_the_last(engine):
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

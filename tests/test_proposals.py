"""Versions: snapshot immutability, diff, approval rules per role, exports opened back."""

import csv
import json

import openpyxl
import pytest
from docx import Document

from indicators_lab.sets import candidate_sets as cs
from indicators_lab.consultation import rounds as con
from indicators_lab.mapping import links
from indicators_lab.proposal import versions as proposals
from indicators_lab.proposal.annex import export_version
from indicators_lab.core.access import Actor, PermissionDenied
from indicators_lab.core.errors import NotFound, UserError
from tests.fakes import FakeEncoder
from indicators_lab.core.db import in_transaction as tx
from tests.factories import three_people

LEAD = Actor("Lead", "co_lead")
EXCOM = Actor("Ex Com", "excom")


def iid(engine, code, key="sdg"):
    return tx(engine, links.item_id_for, key, code)


@pytest.fixture
def drafted(engine):
    """A set of 10.7.1 (objective 6) and 10.c.1 (objective 20), frozen as version 1."""
    tx(engine, links.decide, actor=LEAD, item_id=iid(engine, "10.7.1"), objective=6, status="accepted", rationale="recruitment")
    tx(engine, links.decide, actor=LEAD, item_id=iid(engine, "10.c.1"), objective=20, status="accepted", grade="direct")
    tx(engine, links.decide, actor=LEAD, item_id=iid(engine, "10.7.3"), objective=8, status="accepted")
    set_id = tx(engine, cs.create_set, actor=LEAD, name="Draft", item_ids=[iid(engine, "10.7.1"), iid(engine, "10.c.1")])
    tx(engine, proposals.freeze, FakeEncoder(), actor=LEAD, set_id=set_id, note="First draft")
    return engine, set_id


def test_a_version_never_changes_after_later_edits(drafted):
    engine, set_id = drafted
    before = tx(engine, proposals.get_version, 1).snapshot
    tx(engine, cs.remove_items, actor=LEAD, set_id=set_id, item_ids=[iid(engine, "10.c.1")])
    tx(engine, links.decide, actor=LEAD, item_id=iid(engine, "10.7.1"), objective=6, status="accepted", grade="proxy")
    after = tx(engine, proposals.get_version, 1).snapshot
    assert after == before
    assert [it["code"] for it in after["items"]] == ["10.7.1", "10.c.1"]
    assert after["items"][0]["links"][0]["grade"] == "direct"
    assert after["summary"]["objectives_covered"] == 2


def test_diff_shows_added_removed_regraded_coverage_and_reasons(drafted):
    engine, set_id = drafted
    ngo = Actor("NGO", "stakeholder")
    rid = tx(engine, con.create_round, actor=LEAD, title="R", set_id=set_id)
    from indicators_lab.core.accounts import create_user

    ngo = tx(engine, create_user, actor=LEAD, email="n@x.org", name="NGO", role="stakeholder", constituency="civil_society")
    cid = tx(engine, con.post_comment, actor=ngo, round_id=rid, objective=8, stance="add", text="Add missing migrants 10.7.3")
    tx(engine, con.respond, actor=LEAD, comment_id=cid, disposition="accepted", text="Added 10.7.3")
    tx(engine, cs.add_items, actor=LEAD, set_id=set_id, item_ids=[iid(engine, "10.7.3")])
    tx(engine, cs.remove_items, actor=LEAD, set_id=set_id, item_ids=[iid(engine, "10.c.1")])
    tx(engine, links.decide, actor=LEAD, item_id=iid(engine, "10.7.1"), objective=6, status="accepted", grade="partial")
    tx(engine, proposals.freeze, FakeEncoder(), actor=LEAD, set_id=set_id, note="After consultation")
    tx(engine, proposals.link_reason, actor=LEAD, version=2, item_key="sdg:10.7.3", comment_id=cid)

    d = tx(engine, proposals.diff, 1, 2, actor=LEAD)
    assert d.added == ["sdg:10.7.3"] and d.removed == ["sdg:10.c.1"]
    assert d.regraded.to_dict("records") == [{"key": "sdg:10.7.1", "objective": 6, "grade_before": "direct", "grade_after": "partial"}]
    cov = d.coverage.set_index("objective")
    assert (cov.loc[8, "change"], cov.loc[20, "change"], cov.loc[6, "change"]) == (1.0, -1.0, -0.5)
    assert d.reasons.iloc[0][["key", "comment_id", "disposition"]].tolist() == ["sdg:10.7.3", cid, "accepted"]


def test_freeze_needs_a_note_a_non_empty_set_and_a_co_lead(drafted):
    engine, set_id = drafted
    with pytest.raises(UserError, match="change note"):
        tx(engine, proposals.freeze, FakeEncoder(), actor=LEAD, set_id=set_id, note=" ")
    empty = tx(engine, cs.create_set, actor=LEAD, name="Empty")
    with pytest.raises(UserError, match="empty"):
        tx(engine, proposals.freeze, FakeEncoder(), actor=LEAD, set_id=empty, note="x")
    with pytest.raises(PermissionDenied):
        tx(engine, proposals.freeze, FakeEncoder(), actor=EXCOM, set_id=set_id, note="x")
    assert [v.number for v in tx(engine, proposals.list_versions, actor=LEAD)] == [1]


def test_excom_views_and_approval_rules(drafted):
    engine, set_id = drafted
    from indicators_lab.core.accounts import create_user

    EXCOM = tx(engine, create_user, actor=Actor("A", "admin"), email="ex@x.org", name="Ex Com", role="excom")
    tx(engine, proposals.record_view, actor=EXCOM, version=1, verdict="approve")
    tx(engine, proposals.record_view, actor=EXCOM, version=1, objective=8, verdict="object", text="Objective 8 is uncovered")
    with pytest.raises(UserError, match="needs a text"):
        tx(engine, proposals.record_view, actor=EXCOM, version=1, verdict="object")
    with pytest.raises(PermissionDenied):
        tx(engine, proposals.record_view, actor=Actor("S", "stakeholder"), version=1, verdict="approve")
    assert len(tx(engine, proposals.views, 1, actor=LEAD)) == 2
    with pytest.raises(PermissionDenied):
        tx(engine, proposals.approve, actor=EXCOM, version=1)
    tx(engine, proposals.freeze, FakeEncoder(), actor=LEAD, set_id=set_id, note="v2")
    with pytest.raises(UserError, match="Only the latest version \\(2\\)"):
        tx(engine, proposals.approve, actor=LEAD, version=1)
    assert not tx(engine, proposals.get_version, 1).approved
    tx(engine, proposals.approve, actor=LEAD, version=2)
    v2 = tx(engine, proposals.get_version, 2)
    assert v2.approved and v2.approved_by == "Lead"
    with pytest.raises(UserError, match="already approved"):
        tx(engine, proposals.approve, actor=LEAD, version=2)
    with pytest.raises(UserError, match="approved and locked"):
        tx(engine, proposals.record_view, actor=EXCOM, version=2, verdict="approve")


def test_exports_open_back_with_their_content(drafted, tmp_path):
    engine, set_id = drafted
    tx(engine, links.decide, actor=LEAD, item_id=iid(engine, "10.7.1"), objective=6, status="accepted",
                 rationale="=HYPERLINK(\"http://evil\")")
    tx(engine, proposals.freeze, FakeEncoder(), actor=LEAD, set_id=set_id, note="with formula-like rationale")

    wb = openpyxl.load_workbook(tx(engine, export_version, 2, "xlsx", tmp_path / "a.xlsx", actor=LEAD, full=True))
    assert wb.sheetnames == ["Indicators", "Coverage", "Consultation", "Sources", "Disaggregation strategy",
                             "Strategy comments"]
    ind = wb["Indicators"]
    header = [c.value for c in ind[1]]
    rows = [dict(zip(header, [c.value for c in r])) for r in ind.iter_rows(min_row=2)]
    assert {(r["objective"], r["code"]) for r in rows} == {(6, "10.7.1"), (20, "10.c.1")}
    assert next(r for r in rows if r["code"] == "10.7.1")["rationale"].startswith("'=")
    assert ind.freeze_panes == "A2"
    assert {c.value for c in wb["Sources"]["A"]} >= {"framework", "sdg", "gcm"}

    docx = Document(str(tx(engine, export_version, 2, "docx", tmp_path / "a.docx", actor=LEAD, full=True)))
    text = "\n".join(p.text for p in docx.paragraphs)
    assert "Methodology" in text and "Objective 6:" in text and "Consultation summary" in text
    assert any("10.7.1" in c.text for t in docx.tables for row in t.rows for c in row.cells)

    data = json.loads(tx(engine, export_version, 2, "json", tmp_path / "a.json", actor=LEAD, full=True).read_text())
    assert data["schema"] == "indicators-lab/annex" and data["version"]["number"] == 2
    assert {i["key"] for i in data["indicators"]} == {"sdg:10.7.1", "sdg:10.c.1"}
    assert len(data["coverage"]) == 23

    rows = list(csv.DictReader(tx(engine, export_version, 2, "csv", tmp_path / "a.csv", actor=LEAD, full=True).open(encoding="utf-8")))
    assert {r["code"] for r in rows} == {"10.7.1", "10.c.1"} and rows[0]["version"] == "2"


def test_exporting_a_missing_version_is_a_clear_error(drafted, tmp_path):
    engine, _ = drafted
    with pytest.raises(NotFound, match="There is no version 9. Versions: 1."):
        tx(engine, export_version, 9, "xlsx", tmp_path / "x.xlsx", actor=LEAD, full=True)
    assert not (tmp_path / "x.xlsx").exists()


def test_public_annex_of_an_approved_version_leaves_out_rounds_on_a_later_draft(drafted, tmp_path):
    """The public annex of approved version 1 carries comments posted later, in a round on draft version 2 open to another constituency only."""
    engine, set_id = drafted
    lead, civil, state = three_people(engine)
    tx(engine, proposals.approve, actor=LEAD, version=1)
    tx(engine, proposals.freeze, FakeEncoder(), actor=LEAD, set_id=set_id, note="Second draft")
    rid = tx(engine, con.create_round, actor=LEAD, title="Draft 2, civil society only", version=2,
             constituencies=["civil_society"])
    tx(engine, con.post_comment, actor=civil, round_id=rid, text="SECRET remark on draft two")
    out = tx(engine, export_version, 1, "xlsx", tmp_path / "annex.xlsx", actor=state)
    wb = openpyxl.load_workbook(out, read_only=True)
    cells = [str(c) for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for c in row if c]
    assert not any("SECRET" in c for c in cells), "a member-state stakeholder reads a civil-society-only draft round"


def test_an_approved_annex_stays_as_approved_its_rounds_do_not_reopen_and_answers_do_not_change(drafted):
    from datetime import timedelta

    from indicators_lab.core.accounts import create_user
    from indicators_lab.core.models import utcnow
    from indicators_lab.proposal.annex import annex_rounds

    engine, set_id = drafted
    on_set = tx(engine, con.create_round, actor=LEAD, title="On the set", set_id=set_id)
    on_version = tx(engine, con.create_round, actor=LEAD, title="On version 1", set_id=set_id, version=1)
    ngo = tx(engine, create_user, actor=LEAD, email="n@x.org", name="NGO", role="stakeholder",
             constituency="civil_society")
    cid = tx(engine, con.post_comment, actor=ngo, round_id=on_version, objective=6, text="Keep it")
    tx(engine, con.respond, actor=LEAD, comment_id=cid, disposition="noted", text="Thank you")
    tx(engine, proposals.approve, actor=LEAD, version=1, close_rounds=True)
    v = tx(engine, proposals.get_version, 1)
    held = {r.id for r in tx(engine, annex_rounds, v)}
    # The annex holds the version's round; the set round opened after the freeze is about what came next.
    assert on_version in held and on_set not in held
    later = utcnow() + timedelta(days=7)
    with pytest.raises(UserError, match="Version 1 is approved"):
        tx(engine, con.set_round_close, actor=LEAD, round_id=on_version, closes_at=later)
    with pytest.raises(UserError, match="answers in its annex are final"):
        tx(engine, con.respond, actor=LEAD, comment_id=cid, disposition="accepted", text="Changed after approval")
    assert [c.response for c in tx(engine, con.thread, actor=LEAD, round_id=on_version, objective=6)] == ["Thank you"]
    tx(engine, con.set_round_close, actor=LEAD, round_id=on_set, closes_at=later)  # not in the annex: reopens
    assert tx(engine, con.get_round, on_set).closes_at.replace(tzinfo=None) == later.replace(tzinfo=None)
    tx(engine, con.set_round_close, actor=LEAD, round_id=on_version, closes_at=utcnow())  # closing stays allowed

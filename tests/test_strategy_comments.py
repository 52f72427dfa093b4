"""Comments on the disaggregation strategy: a round on a version lets people comment on the
strategy for an objective (its gaps and proposed actions); the matrix and the annex carry those
comments, and co-leads answer them like any other. Runs on SQLite and PostgreSQL."""

import openpyxl
import pytest

from indicators_lab.consultation import matrix
from indicators_lab.consultation import rounds as con
from indicators_lab.core.access import ANONYMOUS, Actor, PermissionDenied
from indicators_lab.core.accounts import create_user
from indicators_lab.core.db import in_transaction as tx
from indicators_lab.core.errors import UserError
from indicators_lab.proposal.annex import export_version
from indicators_lab.proposal.strategy import round_strategy, save_action
from tests.test_proposals import LEAD, drafted  # noqa: F401  (fixture)
from datetime import timedelta

from indicators_lab.core.models import utcnow
from tests.factories import three_people

NGO = Actor("NGO", "stakeholder")
ACTION = "Add a migratory-status question to the recruitment cost survey"


@pytest.fixture
def on_version(drafted):  # noqa: F811
    """Version 1 (10.7.1 on objective 6, 10.c.1 on objective 20) with an action on objective 6's
    gap, and a round open on it."""
    engine, set_id = drafted
    tx(engine, save_action, actor=LEAD, version=1, objective=6, item_key="sdg:10.7.1", action=ACTION,
       who="ILO", by_when="2027 Q4")
    rid = tx(engine, con.create_round, actor=LEAD, title="On version 1", version=1)
    return engine, set_id, rid


def test_stakeholder_comments_on_an_objectives_strategy_apart_from_the_objective(on_version):
    engine, _, rid = on_version
    s = tx(engine, con.post_comment, actor=NGO, round_id=rid, objective=6, strategy=True,
           text="The survey reaches few domestic workers")
    o = tx(engine, con.post_comment, actor=NGO, round_id=rid, objective=6, text="Objective 6 needs a wage indicator")
    reply = tx(engine, con.post_comment, actor=LEAD, round_id=rid, parent_id=s, text="We will add them")

    strategy = tx(engine, con.thread, actor=NGO, round_id=rid, objective=6, strategy=True)
    assert [(c.id, c.about) for c in strategy] == [(s, "strategy for objective 6"), (reply, "strategy for objective 6")]
    assert [c.id for c in tx(engine, con.thread, actor=NGO, round_id=rid, objective=6)] == [o]
    assert tx(engine, con.thread, actor=NGO, round_id=rid, whole_set=True) == []
    assert tx(engine, con.thread, actor=NGO, round_id=rid, objective=20, strategy=True) == []


def test_participants_read_the_gaps_and_proposed_actions_of_the_round_version(on_version):
    engine, _, rid = on_version
    table = tx(engine, round_strategy, rid, actor=NGO)  # a draft version: its strategy is what the round asks about
    row = table[(table["objective"] == 6) & (table["code"] == "10.7.1")].iloc[0]
    assert (row["action"], row["who"], row["by_when"]) == (ACTION, "ILO", "2027 Q4")
    assert row["split_today"] == "no" and row["gap"].startswith("Cannot be split by migratory status today")
    assert sorted(table["objective"].unique()) == list(range(1, 24))
    with pytest.raises(PermissionDenied):
        tx(engine, round_strategy, rid, actor=ANONYMOUS)


def test_a_round_on_a_set_has_no_strategy_to_comment_on(on_version):
    engine, set_id, _ = on_version
    on_set = tx(engine, con.create_round, actor=LEAD, title="On the set", set_id=set_id)
    with pytest.raises(UserError, match="not on a frozen version"):
        tx(engine, con.post_comment, actor=NGO, round_id=on_set, objective=6, strategy=True, text="x")
    assert tx(engine, round_strategy, on_set, actor=NGO).empty
    _, _, rid = on_version
    with pytest.raises(UserError, match="Choose the objective"):
        tx(engine, con.post_comment, actor=NGO, round_id=rid, strategy=True, text="x")


def test_strategy_comments_keep_the_rounds_constituencies_and_roles(on_version):
    engine, _, _ = on_version
    admin = Actor("Admin", "admin")
    lead = tx(engine, create_user, actor=admin, email="l@x.org", name="Lead", role="co_lead", password="a long password")
    state = tx(engine, create_user, actor=lead, email="s@x.org", name="Sam", role="stakeholder",
               password="a long password", constituency="member_state")
    closed_to_states = tx(engine, con.create_round, actor=LEAD, title="Civil society only", version=1,
                          constituencies=["civil_society"])
    with pytest.raises(UserError, match="open to"):
        tx(engine, con.post_comment, actor=state, round_id=closed_to_states, objective=6, strategy=True, text="x")
    with pytest.raises(PermissionDenied):
        tx(engine, round_strategy, closed_to_states, actor=state)
    with pytest.raises(PermissionDenied):
        tx(engine, con.post_comment, actor=ANONYMOUS, round_id=closed_to_states, objective=6, strategy=True, text="x")


def test_co_leads_answer_strategy_comments_and_the_matrix_and_annex_carry_them(on_version, tmp_path):
    engine, _, rid = on_version
    cid = tx(engine, con.post_comment, actor=NGO, round_id=rid, objective=6, strategy=True, text="Who pays for it?")
    with pytest.raises(PermissionDenied):
        tx(engine, con.respond, actor=NGO, comment_id=cid, disposition="noted", text="x")
    tx(engine, con.respond, actor=LEAD, comment_id=cid, disposition="accepted", text="The ILO programme budget")

    frame = tx(engine, matrix.matrix_frame, actor=LEAD, round_id=rid)
    row = frame.set_index("comment_id").loc[cid]
    assert (row["about"], row["objective"], row["response"]) == (
        "strategy for objective 6", 6, "The ILO programme budget")
    page, total = tx(engine, matrix.matrix_page, actor=LEAD, filt=matrix.MatrixFilter(round_id=rid, strategy=True))
    assert total == 1 and list(page["comment_id"]) == [cid]

    for full in (True, False):
        wb = openpyxl.load_workbook(tx(engine, export_version, 1, "xlsx", tmp_path / f"a{full}.xlsx", actor=LEAD, full=full))
        sheet = next(ws for ws in wb.worksheets if any(c.value == "about" for c in ws[1]))
        header = [c.value for c in sheet[1]]
        rows = [dict(zip(header, [c.value for c in r])) for r in sheet.iter_rows(min_row=2)]
        assert [(r["about"], r["comment"]) for r in rows] == [("strategy for objective 6", "Who pays for it?")]


def test_annex_strategy_section_lists_each_objectives_comments_with_their_answers(on_version, tmp_path):
    import csv
    import json

    from docx import Document

    engine, _, rid = on_version
    cid = tx(engine, con.post_comment, actor=NGO, round_id=rid, objective=6, strategy=True, text="Include domestic work")
    tx(engine, con.respond, actor=LEAD, comment_id=cid, disposition="accepted", text="Added to the action")
    hidden = tx(engine, con.post_comment, actor=NGO, round_id=rid, objective=6, strategy=True, text="spam spam")
    tx(engine, con.moderate, actor=LEAD, comment_id=hidden, hide=True, reason="spam")

    docx = Document(str(tx(engine, export_version, 1, "docx", tmp_path / "a.docx", actor=LEAD, full=False)))
    paragraphs = [p.text for p in docx.paragraphs]
    start = next(i for i, p in enumerate(paragraphs) if p.startswith("Objective 6: "))
    end = next(i for i, p in enumerate(paragraphs) if p.startswith("Objective 7: "))
    section = paragraphs[start:end]
    assert "Consultation comments on this objective's strategy: 1 comment." in section
    assert any("Include domestic work Answer (Accepted): Added to the action" in p for p in section)
    assert not any("spam" in p for p in paragraphs)

    public = json.loads(tx(engine, export_version, 1, "json", tmp_path / "p.json", actor=LEAD, full=False).read_text())
    assert [c["comment"] for c in public["strategy_comments"]] == ["Include domestic work"]
    assert "author" not in public["strategy_comments"][0]
    full = json.loads(tx(engine, export_version, 1, "json", tmp_path / "f.json", actor=LEAD, full=True).read_text())
    assert [(c["comment"], c["hidden"]) for c in full["strategy_comments"]] == [
        ("Include domestic work", False), ("spam spam", True)]
    rows = list(csv.DictReader(tx(engine, export_version, 1, "strategy-csv", tmp_path / "s.csv", actor=LEAD,
                                  full=False).open(encoding="utf-8")))
    assert next(r for r in rows if r["code"] == "10.7.1")["strategy_comments"] == "1"
    assert next(r for r in rows if r["code"] == "10.c.1")["strategy_comments"] == "0"


def test_offline_comments_on_the_strategy_import_with_the_about_column(on_version):
    from tests.factories import csv_bytes

    engine, set_id, rid = on_version
    header = [*matrix.IMPORT_COLUMNS, "about"]
    data = csv_bytes([header, ["Ministry", "Member State", "", "6", "", "Our survey has the question", "strategy"],
                      ["Ministry", "Member State", "", "6", "", "On objective 6 itself", ""]])
    assert tx(engine, matrix.import_comments, actor=LEAD, data=data, filename="offline.csv", round_id=rid,
              max_bytes=10_000_000) == 2
    [c] = tx(engine, con.thread, actor=LEAD, round_id=rid, objective=6, strategy=True)
    assert c.text == "Our survey has the question"

    on_set = tx(engine, con.create_round, actor=LEAD, title="On the set", set_id=set_id)
    with pytest.raises(UserError, match="Row 2: this round is on a candidate set"):
        tx(engine, matrix.import_comments, actor=LEAD, data=data, filename="offline.csv", round_id=on_set,
           max_bytes=10_000_000)
    bad = csv_bytes([header, ["Ministry", "Member State", "10.7.1", "", "", "x", "strategy"]])
    with pytest.raises(UserError, match="Row 2: a comment on the strategy names an objective"):
        tx(engine, matrix.import_comments, actor=LEAD, data=bad, filename="offline.csv", round_id=rid,
           max_bytes=10_000_000)


def test_round_strategy_counts_only_comments_of_rounds_the_reader_may_read(drafted):  # noqa: F811
    """round_strategy gives a member-state stakeholder the number of comments posted in a civil-society-only round on the same version."""
    engine, _ = drafted
    lead, civil, state = three_people(engine)
    hidden_from_state = tx(engine, con.create_round, actor=LEAD, title="Civil society only", version=1,
                           constituencies=["civil_society"])
    tx(engine, con.post_comment, actor=civil, round_id=hidden_from_state, objective=6, strategy=True,
       text="Only for civil society")
    for_states = tx(engine, con.create_round, actor=LEAD, title="Member states", version=1,
                    constituencies=["member_state"])
    table = tx(engine, round_strategy, for_states, actor=state)
    assert table["strategy_comments"].sum() == 0, "counts comments of a round the reader may not see"


def test_a_round_on_a_draft_is_not_served_before_it_opens(drafted):  # noqa: F811
    """A stakeholder reads a draft version's strategy (gaps, actions) and items through a round that opens only next week."""
    engine, _ = drafted
    lead, civil, state = three_people(engine)
    later = tx(engine, con.create_round, actor=LEAD, title="Next week", version=1,
               opens_at=utcnow() + timedelta(days=7))
    assert tx(engine, con.open_rounds_for, civil) == []  # the page does not offer it...
    with pytest.raises(UserError):  # ...but the service serves it by id
        tx(engine, round_strategy, later, actor=civil)


def test_the_french_annex_words_the_strategy_comments_in_french(on_version, tmp_path):
    from docx import Document

    engine, _, rid = on_version
    cid = tx(engine, con.post_comment, actor=NGO, round_id=rid, objective=6, strategy=True, text="Include domestic work")
    tx(engine, con.respond, actor=LEAD, comment_id=cid, disposition="accepted", text="Added to the action")
    docx = Document(str(tx(engine, export_version, 1, "docx", tmp_path / "a.docx", actor=LEAD, language="fr")))
    paragraphs = [p.text for p in docx.paragraphs]
    assert "Commentaires de la consultation sur la stratégie de cet objectif : 1 commentaire." in paragraphs
    assert any(p.endswith("Include domestic work Réponse (Accepté) : Added to the action") for p in paragraphs), \
        [p for p in paragraphs if "Include domestic work" in p]

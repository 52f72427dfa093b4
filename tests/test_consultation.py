"""Consultation rules: roles, round windows, constituencies, threads, edits, moderation, responses."""

from datetime import datetime, timedelta, timezone

import pytest

from indicators_lab.sets import candidate_sets as cs
from indicators_lab.consultation import rounds as con
from indicators_lab.mapping import links
from indicators_lab.core.access import Actor, PermissionDenied
from indicators_lab.core.errors import NotFound, UserError
from indicators_lab.core.accounts import create_user
from indicators_lab.core.db import in_transaction as tx

ADMIN = Actor("Admin", "admin")
PW = "a long password"
NOW = datetime.now(timezone.utc)


@pytest.fixture
def people(engine):
    lead = tx(engine, create_user, actor=ADMIN, email="lead@x.org", name="Lead", role="co_lead", password=PW)
    ngo = tx(engine, create_user, actor=lead, email="ngo@x.org", name="Nadia", role="stakeholder", password=PW,
                      organisation="Migrant Rights NGO", constituency="civil_society")
    state = tx(engine, create_user, actor=lead, email="ms@x.org", name="Sam", role="stakeholder", password=PW,
                        organisation="Ministry", constituency="member_state")
    return lead, ngo, state


@pytest.fixture
def round_id(engine, people):
    lead = people[0]
    item = tx(engine, links.item_id_for, "sdg", "10.7.1")
    set_id = tx(engine, cs.create_set, actor=lead, name="Draft", item_ids=[item])
    return tx(engine, con.create_round, actor=lead, title="Round 1", set_id=set_id)


def item(engine, code="10.7.1"):
    return tx(engine, links.item_id_for, "sdg", code)


def test_stakeholder_comments_on_an_indicator_an_objective_and_the_set(engine, people, round_id):
    _, ngo, _ = people
    a = tx(engine, con.post_comment, actor=ngo, round_id=round_id, item_id=item(engine), stance="Modify",
                         ratings={"relevant": 5, "robust": "2"}, text="Add sex disaggregation")
    tx(engine, con.post_comment, actor=ngo, round_id=round_id, objective=8, text="Objective 8 has no indicator")
    tx(engine, con.post_comment, actor=ngo, round_id=round_id, text="Too many indicators overall", stance="drop")
    [c] = tx(engine, con.thread, actor=ngo, round_id=round_id, item_id=item(engine))
    assert (c.id, c.stance, c.ratings, c.constituency, c.organisation) == (
        a, "modify", {"relevant": 5, "robust": 2}, "civil_society", "Migrant Rights NGO")
    assert len(tx(engine, con.thread, actor=ngo, round_id=round_id, objective=8)) == 1
    assert [x.stance for x in tx(engine, con.thread, actor=ngo, round_id=round_id, whole_set=True)] == ["drop"]


def test_replies_inherit_the_target_of_their_parent(engine, people, round_id):
    _, ngo, state = people
    parent = tx(engine, con.post_comment, actor=ngo, round_id=round_id, item_id=item(engine), text="Keep it")
    reply = tx(engine, con.post_comment, actor=state, round_id=round_id, parent_id=parent, text="Agreed")
    views = tx(engine, con.thread, actor=state, round_id=round_id, item_id=item(engine))
    assert [(v.id, v.parent_id) for v in views] == [(parent, None), (reply, parent)]


def test_text_is_stored_as_given_and_never_interpreted(engine, people, round_id):
    _, ngo, _ = people
    evil = "<script>alert(1)</script> **bold** [x](javascript:alert(1))"
    tx(engine, con.post_comment, actor=ngo, round_id=round_id, text=evil)
    assert tx(engine, con.thread, actor=ngo, round_id=round_id, whole_set=True)[0].text == evil


@pytest.mark.parametrize("kwargs, message", [
    ({"text": "   "}, "The comment is empty"),
    ({"text": "x" * 10_001}, "the limit is 10000"),
    ({"text": "ok", "stance": "maybe"}, "Unknown stance"),
    ({"text": "ok", "ratings": {"relevant": 7}}, "from 1 to 5"),
    ({"text": "ok", "ratings": {"beauty": 3}}, "Unknown rating"),
    ({"text": "ok", "objective": 24}, "no GCM objective 24"),
])
def test_bad_comments_are_refused_and_store_nothing(engine, people, round_id, kwargs, message):
    with pytest.raises(UserError, match=message):
        tx(engine, con.post_comment, actor=people[1], round_id=round_id, **kwargs)
    assert tx(engine, con.thread, actor=people[0], round_id=round_id) == []


def test_indicator_outside_the_set_is_refused(engine, people, round_id):
    with pytest.raises(UserError, match="not in the set under consultation"):
        tx(engine, con.post_comment, actor=people[1], round_id=round_id, item_id=item(engine, "1.1.1"), text="x")


def test_closed_or_future_round_refuses_comments(engine, people, round_id):
    lead, ngo, _ = people
    tx(engine, con.close_round_now, actor=lead, round_id=round_id)
    with pytest.raises(UserError, match="is closed"):
        tx(engine, con.post_comment, actor=ngo, round_id=round_id, text="late")
    later = tx(engine, con.create_round, actor=lead, title="Later", opens_at=NOW + timedelta(days=2))
    with pytest.raises(UserError, match="not yet open"):
        tx(engine, con.post_comment, actor=ngo, round_id=later, text="early")


def test_extending_a_round_reopens_it(engine, people, round_id):
    lead, ngo, _ = people
    tx(engine, con.close_round_now, actor=lead, round_id=round_id)
    tx(engine, con.set_round_close, actor=lead, round_id=round_id, closes_at=NOW + timedelta(days=3))
    assert tx(engine, con.get_round, round_id).status == "open"
    tx(engine, con.post_comment, actor=ngo, round_id=round_id, text="in time")


def test_round_limited_to_constituencies(engine, people):
    lead, ngo, state = people
    r = tx(engine, con.create_round, actor=lead, title="States only", constituencies=["Member State"])
    tx(engine, con.post_comment, actor=state, round_id=r, text="ok")
    with pytest.raises(UserError, match="open to: Member State"):
        tx(engine, con.post_comment, actor=ngo, round_id=r, text="not me")
    assert [x.id for x in tx(engine, con.open_rounds_for, ngo)] == []


def test_only_the_author_edits_and_only_while_open(engine, people, round_id):
    lead, ngo, state = people
    c = tx(engine, con.post_comment, actor=ngo, round_id=round_id, text="first")
    tx(engine, con.edit_comment, actor=ngo, comment_id=c, text="second")
    view = tx(engine, con.thread, actor=ngo, round_id=round_id)[0]
    assert view.text == "second" and view.edited
    with pytest.raises(UserError, match="only edit your own"):
        tx(engine, con.edit_comment, actor=state, comment_id=c, text="hijack")
    tx(engine, con.close_round_now, actor=lead, round_id=round_id)
    with pytest.raises(UserError, match="closed"):
        tx(engine, con.edit_comment, actor=ngo, comment_id=c, text="third")
    assert tx(engine, con.thread, actor=ngo, round_id=round_id)[0].text == "second"


def test_reports_hide_a_comment_at_the_threshold_until_a_co_lead_decides(engine, people):
    lead, ngo, state = people
    r = tx(engine, con.create_round, actor=lead, title="R", report_threshold=2)
    c = tx(engine, con.post_comment, actor=ngo, round_id=r, text="rude words")
    assert tx(engine, con.report_comment, actor=state, comment_id=c, reason="abusive") is False
    with pytest.raises(UserError, match="already reported"):
        tx(engine, con.report_comment, actor=state, comment_id=c)
    assert tx(engine, con.report_comment, actor=lead, comment_id=c) is True
    other = tx(engine, create_user, actor=lead, email="o@x.org", name="O", role="stakeholder", password=PW)
    assert tx(engine, con.thread, actor=other, round_id=r) == []            # hidden from stakeholders
    assert tx(engine, con.thread, actor=ngo, round_id=r)[0].hidden           # the author still sees it
    assert tx(engine, con.thread, actor=lead, round_id=r)[0].report_count == 2
    tx(engine, con.moderate, actor=lead, comment_id=c, hide=False, reason="criticism, not abuse")
    assert len(tx(engine, con.thread, actor=other, round_id=r)) == 1
    assert [e.action for e in tx(engine, con.moderation_history, c, actor=ADMIN)] == ["auto-hide", "restore"]


def test_stakeholder_cannot_moderate_respond_or_open_rounds(engine, people, round_id):
    _, ngo, _ = people
    c = tx(engine, con.post_comment, actor=ngo, round_id=round_id, text="x")
    with pytest.raises(PermissionDenied):
        tx(engine, con.moderate, actor=ngo, comment_id=c, hide=True, reason="mine")
    with pytest.raises(PermissionDenied):
        tx(engine, con.respond, actor=ngo, comment_id=c, disposition="accepted", text="self-approved")
    with pytest.raises(PermissionDenied):
        tx(engine, con.create_round, actor=ngo, title="Mine")
    assert tx(engine, con.thread, actor=ngo, round_id=round_id)[0].disposition == ""


def test_moderation_needs_a_reason(engine, people, round_id):
    lead, ngo, _ = people
    c = tx(engine, con.post_comment, actor=ngo, round_id=round_id, text="x")
    with pytest.raises(UserError, match="Give a reason"):
        tx(engine, con.moderate, actor=lead, comment_id=c, hide=True, reason=" ")


def test_co_lead_answers_with_a_disposition(engine, people, round_id):
    lead, ngo, _ = people
    c = tx(engine, con.post_comment, actor=ngo, round_id=round_id, text="x")
    tx(engine, con.respond, actor=lead, comment_id=c, disposition="Partly accepted", text="We add sex.")
    view = tx(engine, con.thread, actor=ngo, round_id=round_id)[0]
    assert (view.disposition, view.response) == ("partly_accepted", "We add sex.")
    with pytest.raises(UserError, match="Unknown disposition"):
        tx(engine, con.respond, actor=lead, comment_id=c, disposition="maybe", text="")


def test_unknown_round_and_comment_are_clear_errors(engine, people):
    with pytest.raises(NotFound, match="no consultation round with id 99"):
        tx(engine, con.post_comment, actor=people[1], round_id=99, text="x")
    with pytest.raises(NotFound, match="no comment 12345"):
        tx(engine, con.report_comment, actor=people[1], comment_id=12345)


def test_plain_language_help_comes_from_metadata(engine, people, round_id):
    [entry] = tx(engine, con.set_items, round_id, actor=ADMIN)
    assert entry["code"] == "10.7.1"
    assert "Tier I" not in entry["help"] or "agreed method" in entry["help"]
    assert entry["help"].startswith("What it measures: Recruitment cost")


def test_an_answered_or_hidden_comment_can_no_longer_be_rewritten_and_edits_keep_the_old_text(engine):
    from sqlmodel import select

    from indicators_lab.core.db import unit_of_work
    from indicators_lab.core.models import CommentRevision

    lead = tx(engine, create_user, actor=ADMIN, email="l@x.org", name="Lead", role="co_lead",
              password="a very long passphrase 1")
    ngo = tx(engine, create_user, actor=lead, email="n@x.org", name="Nadia", role="stakeholder",
             password="a very long passphrase 2", constituency="civil_society")
    rid = tx(engine, con.create_round, actor=lead, title="R")
    first = tx(engine, con.post_comment, actor=ngo, round_id=rid, objective=1, text="Keep 10.7.2")
    tx(engine, con.edit_comment, actor=ngo, comment_id=first, text="Keep 10.7.2, split by sex")
    with unit_of_work(engine) as s:
        assert [r.text for r in s.exec(select(CommentRevision).where(CommentRevision.comment_id == first))] == ["Keep 10.7.2"]
    tx(engine, con.respond, actor=lead, comment_id=first, disposition="accepted", text="Done")
    with pytest.raises(UserError, match="official answer"):
        tx(engine, con.edit_comment, actor=ngo, comment_id=first, text="Drop 10.7.2")
    second = tx(engine, con.post_comment, actor=ngo, round_id=rid, objective=2, text="Fine")
    tx(engine, con.moderate, actor=lead, comment_id=second, hide=True, reason="off topic")
    with pytest.raises(UserError, match="hidden"):
        tx(engine, con.edit_comment, actor=ngo, comment_id=second, text="Something else")

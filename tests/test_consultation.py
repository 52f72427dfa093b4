"""Consultation rules: roles, round windows, constituencies, threads, edits, moderation, responses."""

from datetime import datetime, timedelta, timezone

import pytest

from indicators_lab.sets import candidate_sets as cs
from indicators_lab.consultation import rounds as con
from indicators_lab.mapping import links
from indicators_lab.core.access import Actor, PermissionDenied
from indicators_lab.core.errors import NotFound, UserError
from indicators_lab.core.accounts import create_user

ADMIN = Actor("Admin", "admin")
PW = "a long password"
NOW = datetime.now(timezone.utc)


@pytest.fixture
def people(engine):
    lead = create_user(engine, actor=ADMIN, email="lead@x.org", name="Lead", role="co_lead", password=PW)
    ngo = create_user(engine, actor=lead, email="ngo@x.org", name="Nadia", role="stakeholder", password=PW,
                      organisation="Migrant Rights NGO", constituency="civil_society")
    state = create_user(engine, actor=lead, email="ms@x.org", name="Sam", role="stakeholder", password=PW,
                        organisation="Ministry", constituency="member_state")
    return lead, ngo, state


@pytest.fixture
def round_id(engine, people):
    lead = people[0]
    item = links.item_id_for(engine, "sdg", "10.7.1")
    set_id = cs.create_set(engine, actor=lead, name="Draft", item_ids=[item])
    return con.create_round(engine, actor=lead, title="Round 1", set_id=set_id)


def item(engine, code="10.7.1"):
    return links.item_id_for(engine, "sdg", code)


def test_stakeholder_comments_on_an_indicator_an_objective_and_the_set(engine, people, round_id):
    _, ngo, _ = people
    a = con.post_comment(engine, actor=ngo, round_id=round_id, item_id=item(engine), stance="Modify",
                         ratings={"relevant": 5, "robust": "2"}, text="Add sex disaggregation")
    con.post_comment(engine, actor=ngo, round_id=round_id, objective=8, text="Objective 8 has no indicator")
    con.post_comment(engine, actor=ngo, round_id=round_id, text="Too many indicators overall", stance="drop")
    [c] = con.thread(engine, actor=ngo, round_id=round_id, item_id=item(engine))
    assert (c.id, c.stance, c.ratings, c.constituency, c.organisation) == (
        a, "modify", {"relevant": 5, "robust": 2}, "civil_society", "Migrant Rights NGO")
    assert len(con.thread(engine, actor=ngo, round_id=round_id, objective=8)) == 1
    assert [x.stance for x in con.thread(engine, actor=ngo, round_id=round_id, whole_set=True)] == ["drop"]


def test_replies_inherit_the_target_of_their_parent(engine, people, round_id):
    _, ngo, state = people
    parent = con.post_comment(engine, actor=ngo, round_id=round_id, item_id=item(engine), text="Keep it")
    reply = con.post_comment(engine, actor=state, round_id=round_id, parent_id=parent, text="Agreed")
    views = con.thread(engine, actor=state, round_id=round_id, item_id=item(engine))
    assert [(v.id, v.parent_id) for v in views] == [(parent, None), (reply, parent)]


def test_text_is_stored_as_given_and_never_interpreted(engine, people, round_id):
    _, ngo, _ = people
    evil = "<script>alert(1)</script> **bold** [x](javascript:alert(1))"
    con.post_comment(engine, actor=ngo, round_id=round_id, text=evil)
    assert con.thread(engine, actor=ngo, round_id=round_id, whole_set=True)[0].text == evil


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
        con.post_comment(engine, actor=people[1], round_id=round_id, **kwargs)
    assert con.thread(engine, actor=people[0], round_id=round_id) == []


def test_indicator_outside_the_set_is_refused(engine, people, round_id):
    with pytest.raises(UserError, match="not in the set under consultation"):
        con.post_comment(engine, actor=people[1], round_id=round_id, item_id=item(engine, "1.1.1"), text="x")


def test_closed_or_future_round_refuses_comments(engine, people, round_id):
    lead, ngo, _ = people
    con.close_round_now(engine, actor=lead, round_id=round_id)
    with pytest.raises(UserError, match="is closed"):
        con.post_comment(engine, actor=ngo, round_id=round_id, text="late")
    later = con.create_round(engine, actor=lead, title="Later", opens_at=NOW + timedelta(days=2))
    with pytest.raises(UserError, match="not yet open"):
        con.post_comment(engine, actor=ngo, round_id=later, text="early")


def test_extending_a_round_reopens_it(engine, people, round_id):
    lead, ngo, _ = people
    con.close_round_now(engine, actor=lead, round_id=round_id)
    con.set_round_close(engine, actor=lead, round_id=round_id, closes_at=NOW + timedelta(days=3))
    assert con.get_round(engine, round_id).status == "open"
    con.post_comment(engine, actor=ngo, round_id=round_id, text="in time")


def test_round_limited_to_constituencies(engine, people):
    lead, ngo, state = people
    r = con.create_round(engine, actor=lead, title="States only", constituencies=["Member State"])
    con.post_comment(engine, actor=state, round_id=r, text="ok")
    with pytest.raises(UserError, match="open to: Member State"):
        con.post_comment(engine, actor=ngo, round_id=r, text="not me")
    assert [x.id for x in con.open_rounds_for(engine, ngo)] == []


def test_only_the_author_edits_and_only_while_open(engine, people, round_id):
    lead, ngo, state = people
    c = con.post_comment(engine, actor=ngo, round_id=round_id, text="first")
    con.edit_comment(engine, actor=ngo, comment_id=c, text="second")
    view = con.thread(engine, actor=ngo, round_id=round_id)[0]
    assert view.text == "second" and view.edited
    with pytest.raises(UserError, match="only edit your own"):
        con.edit_comment(engine, actor=state, comment_id=c, text="hijack")
    con.close_round_now(engine, actor=lead, round_id=round_id)
    with pytest.raises(UserError, match="closed"):
        con.edit_comment(engine, actor=ngo, comment_id=c, text="third")
    assert con.thread(engine, actor=ngo, round_id=round_id)[0].text == "second"


def test_reports_hide_a_comment_at_the_threshold_until_a_co_lead_decides(engine, people):
    lead, ngo, state = people
    r = con.create_round(engine, actor=lead, title="R", report_threshold=2)
    c = con.post_comment(engine, actor=ngo, round_id=r, text="rude words")
    assert con.report_comment(engine, actor=state, comment_id=c, reason="abusive") is False
    with pytest.raises(UserError, match="already reported"):
        con.report_comment(engine, actor=state, comment_id=c)
    assert con.report_comment(engine, actor=lead, comment_id=c) is True
    other = create_user(engine, actor=lead, email="o@x.org", name="O", role="stakeholder", password=PW)
    assert con.thread(engine, actor=other, round_id=r) == []            # hidden from stakeholders
    assert con.thread(engine, actor=ngo, round_id=r)[0].hidden           # the author still sees it
    assert con.thread(engine, actor=lead, round_id=r)[0].report_count == 2
    con.moderate(engine, actor=lead, comment_id=c, hide=False, reason="criticism, not abuse")
    assert len(con.thread(engine, actor=other, round_id=r)) == 1
    assert [e.action for e in con.moderation_history(engine, c)] == ["auto-hide", "restore"]


def test_stakeholder_cannot_moderate_respond_or_open_rounds(engine, people, round_id):
    _, ngo, _ = people
    c = con.post_comment(engine, actor=ngo, round_id=round_id, text="x")
    with pytest.raises(PermissionDenied):
        con.moderate(engine, actor=ngo, comment_id=c, hide=True, reason="mine")
    with pytest.raises(PermissionDenied):
        con.respond(engine, actor=ngo, comment_id=c, disposition="accepted", text="self-approved")
    with pytest.raises(PermissionDenied):
        con.create_round(engine, actor=ngo, title="Mine")
    assert con.thread(engine, actor=ngo, round_id=round_id)[0].disposition == ""


def test_moderation_needs_a_reason(engine, people, round_id):
    lead, ngo, _ = people
    c = con.post_comment(engine, actor=ngo, round_id=round_id, text="x")
    with pytest.raises(UserError, match="Give a reason"):
        con.moderate(engine, actor=lead, comment_id=c, hide=True, reason=" ")


def test_co_lead_answers_with_a_disposition(engine, people, round_id):
    lead, ngo, _ = people
    c = con.post_comment(engine, actor=ngo, round_id=round_id, text="x")
    con.respond(engine, actor=lead, comment_id=c, disposition="Partly accepted", text="We add sex.")
    view = con.thread(engine, actor=ngo, round_id=round_id)[0]
    assert (view.disposition, view.response) == ("partly_accepted", "We add sex.")
    with pytest.raises(UserError, match="Unknown disposition"):
        con.respond(engine, actor=lead, comment_id=c, disposition="maybe", text="")


def test_unknown_round_and_comment_are_clear_errors(engine, people):
    with pytest.raises(NotFound, match="no consultation round with id 99"):
        con.post_comment(engine, actor=people[1], round_id=99, text="x")
    with pytest.raises(NotFound, match="no comment 12345"):
        con.report_comment(engine, actor=people[1], comment_id=12345)


def test_plain_language_help_comes_from_metadata(engine, people, round_id):
    [entry] = con.set_items(engine, round_id)
    assert entry["code"] == "10.7.1"
    assert "Tier I" not in entry["help"] or "agreed method" in entry["help"]
    assert entry["help"].startswith("What it measures: Recruitment cost")

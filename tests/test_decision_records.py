"""Decisions are records: ExCom views keep their history, objections are acknowledged at approval,
rounds consult indicators as they were when they opened and close when their version is approved."""

import pytest

from indicators_lab.consultation import rounds as con
from indicators_lab.core.access import Actor
from indicators_lab.core.accounts import create_user
from indicators_lab.core.db import in_transaction as tx
from indicators_lab.core.errors import UserError
from indicators_lab.mapping import links
from indicators_lab.proposal import versions as proposals
from indicators_lab.sets import candidate_sets as cs
from tests.fakes import FakeEncoder

LEAD = Actor("Lead", "co_lead")
ADMIN = Actor("Admin", "admin")


def iid(engine, code, key="sdg"):
    return tx(engine, links.item_id_for, key, code)


@pytest.fixture
def frozen(engine):
    """Set 'Draft' of 10.7.1 and 10.c.1, frozen as version 1; an ExCom member."""
    tx(engine, links.decide, actor=LEAD, item_id=iid(engine, "10.7.1"), objective=6, status="accepted")
    tx(engine, links.decide, actor=LEAD, item_id=iid(engine, "10.c.1"), objective=20, status="accepted")
    set_id = tx(engine, cs.create_set, actor=LEAD, name="Draft", item_ids=[iid(engine, "10.7.1"), iid(engine, "10.c.1")])
    tx(engine, proposals.freeze, FakeEncoder(), actor=LEAD, set_id=set_id, note="First")
    ex = tx(engine, create_user, actor=ADMIN, email="ex@x.org", name="Exa", role="excom")
    return engine, set_id, ex


def test_an_objection_survives_a_later_view_and_is_listed_at_approval(frozen):
    engine, _, ex = frozen
    tx(engine, proposals.record_view, actor=ex, version=1, verdict="object", text="Objective 8 has nothing")
    tx(engine, proposals.record_view, actor=ex, version=1, objective=3, verdict="approve")
    current = tx(engine, proposals.views, 1, actor=LEAD)
    assert set(zip(current["on"], current["view"])) == {("The whole version", "Object"), ("Objective 3", "Approve")}
    [objection] = tx(engine, proposals.outstanding_objections, 1, actor=LEAD)
    assert (objection["member"], objection["on"], objection["text"]) == ("Exa", "The whole version", "Objective 8 has nothing")


def test_every_view_is_kept_in_the_record_and_the_latest_is_current(frozen):
    engine, _, ex = frozen
    tx(engine, proposals.record_view, actor=ex, version=1, verdict="object", text="No")
    tx(engine, proposals.record_view, actor=ex, version=1, verdict="approve_with_comments", text="Fine now")
    history = tx(engine, proposals.view_history, 1, actor=LEAD)
    assert list(history["view"]) == ["Object", "Approve with comments"]
    assert list(tx(engine, proposals.views, 1, actor=LEAD)["view"]) == ["Approve with comments"]
    assert tx(engine, proposals.outstanding_objections, 1, actor=LEAD) == []


def test_approval_over_a_standing_objection_needs_an_acknowledgement_with_a_note(frozen):
    engine, _, ex = frozen
    tx(engine, proposals.record_view, actor=ex, version=1, verdict="object", text="Objective 8 has nothing")
    with pytest.raises(UserError, match="1 objection still stands: acknowledge it"):
        tx(engine, proposals.approve, actor=LEAD, version=1)
    with pytest.raises(UserError, match="write how it was considered"):
        tx(engine, proposals.approve, actor=LEAD, version=1, acknowledge_objections=True)
    assert not tx(engine, proposals.get_version, 1).approved
    tx(engine, proposals.approve, actor=LEAD, version=1, note="ExCom 3 Dec", acknowledge_objections=True,
       acknowledgement="Objective 8 is left for the next review")
    v = tx(engine, proposals.get_version, 1)
    assert v.approved and v.approval_note == "ExCom 3 Dec"
    assert [o["text"] for o in v.approval_objections] == ["Objective 8 has nothing"]
    assert v.objections_acknowledgement == "Objective 8 is left for the next review"


def test_a_rounds_indicators_do_not_change_when_the_set_does(frozen):
    engine, set_id, _ = frozen
    rid = tx(engine, con.create_round, actor=LEAD, title="On the set", set_id=set_id)
    before = [i["code"] for i in tx(engine, con.set_items, rid, actor=LEAD)]
    tx(engine, cs.add_items, actor=LEAD, set_id=set_id, item_ids=[iid(engine, "17.3.2")])
    tx(engine, cs.remove_items, actor=LEAD, set_id=set_id, item_ids=[iid(engine, "10.c.1")])
    assert [i["code"] for i in tx(engine, con.set_items, rid, actor=LEAD)] == before == ["10.7.1", "10.c.1"]
    stakeholder = tx(engine, create_user, actor=LEAD, email="s@x.org", name="S", role="stakeholder")
    tx(engine, con.post_comment, actor=stakeholder, round_id=rid, item_id=iid(engine, "10.c.1"), text="Keep it")
    with pytest.raises(UserError, match="not in the set under consultation"):
        tx(engine, con.post_comment, actor=stakeholder, round_id=rid, item_id=iid(engine, "17.3.2"), text="New?")


def test_a_round_on_a_version_consults_its_frozen_indicators(frozen):
    engine, set_id, _ = frozen
    tx(engine, cs.add_items, actor=LEAD, set_id=set_id, item_ids=[iid(engine, "17.3.2")])
    rid = tx(engine, con.create_round, actor=LEAD, title="On version 1", version=1)
    assert [i["code"] for i in tx(engine, con.set_items, rid, actor=LEAD)] == ["10.7.1", "10.c.1"]
    assert tx(engine, con.get_round, rid).subject == "version 1 (Draft)"


def test_approving_a_version_closes_its_open_rounds_once_confirmed(frozen):
    engine, _, _ = frozen
    rid = tx(engine, con.create_round, actor=LEAD, title="On version 1", version=1)
    with pytest.raises(UserError, match=r"1 consultation round is still open on this proposal \(On version 1\)"):
        tx(engine, proposals.approve, actor=LEAD, version=1)
    assert tx(engine, con.get_round, rid).status == "open"
    closed = tx(engine, proposals.approve, actor=LEAD, version=1, close_rounds=True)
    assert closed == ["On version 1"]
    assert tx(engine, con.get_round, rid).status == "closed"
    with pytest.raises(UserError, match="already approved: there is nothing left to consult on"):
        tx(engine, con.create_round, actor=LEAD, title="Late", version=1)

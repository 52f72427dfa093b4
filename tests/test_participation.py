"""A participant's view of the consultation: their open rounds with progress, and a round's
indicators as cards (objectives served, comment counts), on SQLite and PostgreSQL."""

import pytest

from indicators_lab.consultation import participation
from indicators_lab.consultation import rounds as con
from indicators_lab.core.access import ANONYMOUS, Actor, PermissionDenied
from indicators_lab.core.accounts import create_user
from indicators_lab.core.db import in_transaction as tx
from indicators_lab.mapping import links
from indicators_lab.sets import candidate_sets as cs

ADMIN = Actor("Admin", "admin")
PW = "a long password"
CODES = ["10.7.1", "10.7.2", "10.c.1"]


@pytest.fixture
def world(engine):
    lead = tx(engine, create_user, actor=ADMIN, email="lead@x.org", name="Lead", role="co_lead", password=PW)
    ngo = tx(engine, create_user, actor=lead, email="ngo@x.org", name="Nadia", role="stakeholder", password=PW,
             organisation="NGO", constituency="civil_society")
    other = tx(engine, create_user, actor=lead, email="o@x.org", name="Omar", role="stakeholder", password=PW,
               organisation="Forum", constituency="civil_society")
    state = tx(engine, create_user, actor=lead, email="ms@x.org", name="Sam", role="stakeholder", password=PW,
               constituency="member_state")
    items = {code: tx(engine, links.item_id_for, "sdg", code) for code in CODES}
    tx(engine, links.decide, actor=lead, item_id=items["10.7.2"], objective=23, status="accepted", grade="direct")
    tx(engine, links.decide, actor=lead, item_id=items["10.7.2"], objective=1, status="accepted", grade="partial")
    tx(engine, links.decide, actor=lead, item_id=items["10.c.1"], objective=20, status="rejected")
    set_id = tx(engine, cs.create_set, actor=lead, name="Draft", item_ids=list(items.values()))
    rid = tx(engine, con.create_round, actor=lead, title="For civil society", set_id=set_id,
             constituencies=["civil_society"])
    general = tx(engine, con.create_round, actor=lead, title="General", constituencies=["civil_society"])
    tx(engine, con.create_round, actor=lead, title="For member states", set_id=set_id,
       constituencies=["member_state"])
    return {"lead": lead, "ngo": ngo, "other": other, "state": state, "items": items, "round": rid,
            "general": general}


def test_my_open_rounds_count_indicators_and_those_i_commented_on(engine, world):
    ngo, rid, items = world["ngo"], world["round"], world["items"]
    tx(engine, con.post_comment, actor=ngo, round_id=rid, item_id=items["10.7.1"], text="one")
    first = tx(engine, con.post_comment, actor=ngo, round_id=rid, item_id=items["10.7.1"], text="two")
    tx(engine, con.post_comment, actor=ngo, round_id=rid, parent_id=first, text="a reply to myself")
    tx(engine, con.post_comment, actor=ngo, round_id=rid, item_id=items["10.c.1"], text="three")
    tx(engine, con.post_comment, actor=world["other"], round_id=rid, item_id=items["10.7.2"], text="not mine")
    tx(engine, con.post_comment, actor=ngo, round_id=world["general"], text="on the whole")

    mine = tx(engine, participation.my_open_rounds, actor=ngo)
    by_title = {s.round.title: s for s in mine}
    assert list(by_title) == ["General", "For civil society"]  # newest first; not the member states'
    assert (by_title["For civil society"].indicators, by_title["For civil society"].commented,
            by_title["For civil society"].comments) == (3, 2, 4)
    assert (by_title["General"].indicators, by_title["General"].commented, by_title["General"].comments) == (0, 0, 1)
    assert [s.round.title for s in tx(engine, participation.my_open_rounds, actor=world["state"])] == ["For member states"]


def test_cards_show_objectives_served_and_comment_counts_without_others_hidden_ones(engine, world):
    ngo, other, rid, items = world["ngo"], world["other"], world["round"], world["items"]
    tx(engine, con.post_comment, actor=ngo, round_id=rid, item_id=items["10.7.2"], text="mine")
    tx(engine, con.post_comment, actor=other, round_id=rid, item_id=items["10.7.2"], text="theirs")
    hidden = tx(engine, con.post_comment, actor=other, round_id=rid, item_id=items["10.7.2"], text="spam")
    tx(engine, con.moderate, actor=world["lead"], comment_id=hidden, hide=True, reason="spam")

    cards = {c.code: c for c in tx(engine, participation.indicator_cards, rid, actor=ngo)}
    assert set(cards) == set(CODES)
    assert cards["10.7.2"].objectives == (1, 23)  # accepted links only, in order
    assert cards["10.c.1"].objectives == ()  # a rejected link serves nothing
    assert (cards["10.7.2"].comments, cards["10.7.2"].mine) == (2, 1)  # the hidden one is not counted
    assert (cards["10.7.1"].comments, cards["10.7.1"].mine) == (0, 0)
    assert cards["10.7.2"].help.startswith("What it measures:")
    lead_view = {c.code: c for c in tx(engine, participation.indicator_cards, rid, actor=world["lead"])}
    assert lead_view["10.7.2"].comments == 3  # co-leads see hidden comments, so count them
    own = {c.code: c for c in tx(engine, participation.indicator_cards, rid, actor=other)}
    assert (own["10.7.2"].comments, own["10.7.2"].mine) == (3, 2)  # an author still sees their hidden one


def test_cards_of_a_round_are_refused_outside_its_constituency_and_to_signed_out_visitors(engine, world):
    with pytest.raises(PermissionDenied):
        tx(engine, participation.indicator_cards, world["round"], actor=world["state"])
    with pytest.raises(PermissionDenied):
        tx(engine, participation.indicator_cards, world["round"], actor=ANONYMOUS)
    with pytest.raises(PermissionDenied):
        tx(engine, participation.my_open_rounds, actor=ANONYMOUS)

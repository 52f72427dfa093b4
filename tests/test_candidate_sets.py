"""Candidate sets: create, rename, copy, delete, members, locks, scorecard, what-if, optimise."""

import pytest

from indicators_lab.sets import candidate_sets as cs
from indicators_lab.mapping import links
from indicators_lab.core.access import Actor, PermissionDenied
from indicators_lab.core.errors import NotFound, UserError
from indicators_lab.sets.optimiser import Infeasible
from tests.fakes import FakeEncoder

LEAD = Actor("Lead", "co_lead")


def iid(engine, key, code):
    return links.item_id_for(engine, key, code)


@pytest.fixture
def linked(engine):
    """Accepted links: 10.7.1 -> 6, 10.c.1 -> 20, 17.3.2 -> 20 (partial), 10.7.2 4e -> 6."""
    for key, code, obj, grade in [("sdg", "10.7.1", 6, "direct"), ("sdg", "10.c.1", 20, "direct"),
                                  ("sdg", "17.3.2", 20, "partial"), ("10.7.2", "4e", 6, "direct")]:
        links.decide(engine, actor=LEAD, item_id=iid(engine, key, code), objective=obj, status="accepted", grade=grade)
    return engine


def test_create_rename_copy_delete(engine):
    a = cs.create_set(engine, actor=LEAD, name="  Draft   one ", item_ids=[iid(engine, "sdg", "10.7.1")])
    assert [s.name for s in cs.list_sets(engine)] == ["Draft one"]
    cs.rename_set(engine, actor=LEAD, set_id=a, name="Draft A")
    b = cs.copy_set(engine, actor=LEAD, set_id=a, name="Draft B")
    assert list(cs.members_frame(engine, b)["code"]) == ["10.7.1"]
    with pytest.raises(UserError, match="already exists"):
        cs.create_set(engine, actor=LEAD, name="Draft B")
    cs.delete_set(engine, actor=LEAD, set_id=a)
    assert [s.name for s in cs.list_sets(engine)] == ["Draft B"]
    with pytest.raises(NotFound):
        cs.members_frame(engine, a)


def test_members_and_locks(engine):
    s = cs.create_set(engine, actor=LEAD, name="S")
    x, y = iid(engine, "sdg", "10.7.1"), iid(engine, "sdg", "10.c.1")
    assert cs.add_items(engine, actor=LEAD, set_id=s, item_ids=[x, y, x]) == 2
    cs.set_lock(engine, actor=LEAD, set_id=s, item_id=y, lock="out")
    assert list(cs.members_frame(engine, s)["code"]) == ["10.7.1"]
    assert cs.add_items(engine, actor=LEAD, set_id=s, item_ids=[y]) == 1
    assert cs.remove_items(engine, actor=LEAD, set_id=s, item_ids=[x]) == 1
    assert list(cs.members_frame(engine, s)["code"]) == ["10.c.1"]
    with pytest.raises(NotFound):
        cs.add_items(engine, actor=LEAD, set_id=s, item_ids=[10**9])


def test_excom_member_cannot_edit_a_set(engine):
    s = cs.create_set(engine, actor=LEAD, name="S")
    with pytest.raises(PermissionDenied):
        cs.add_items(engine, actor=Actor("X", "excom"), set_id=s, item_ids=[iid(engine, "sdg", "10.7.1")])
    assert cs.members_frame(engine, s).empty


def test_scorecard_of_a_set_uses_accepted_links(linked):
    s = cs.create_set(linked, actor=LEAD, name="S", item_ids=[iid(linked, "sdg", "10.7.1"), iid(linked, "sdg", "17.3.2")])
    card = cs.score_set(linked, FakeEncoder(), s)
    cov = card.coverage.set_index("objective")
    assert cov.loc[6, "coverage"] == 1.0 and cov.loc[20, "coverage"] == 0.5
    assert card.summary["objectives_covered"] == 2


def test_what_if_shows_every_change_and_saves_nothing(linked):
    x, y = iid(linked, "sdg", "10.7.1"), iid(linked, "sdg", "10.c.1")
    s = cs.create_set(linked, actor=LEAD, name="S", item_ids=[x])
    w = cs.what_if(linked, FakeEncoder(), s, add=[y], remove=[x])
    changes = w.changes.set_index("score")
    assert changes.loc["objectives covered (of 23)", "change"] == 0
    assert set(w.coverage_change["objective"]) == {6, 20}
    assert list(cs.members_frame(linked, s)["code"]) == ["10.7.1"]
    cs.replace_members(linked, actor=LEAD, set_id=s, add=[y], remove=[x])
    assert list(cs.members_frame(linked, s)["code"]) == ["10.c.1"]


def test_optimise_for_a_set_honours_its_locks(linked):
    s = cs.create_set(linked, actor=LEAD, name="S")
    result, _ = cs.optimise_for_set(linked, s)
    assert len(result.chosen) == 2
    cs.set_lock(linked, actor=LEAD, set_id=s, item_id=iid(linked, "sdg", "10.c.1"), lock="out")
    cs.set_lock(linked, actor=LEAD, set_id=s, item_id=iid(linked, "sdg", "17.3.2"), lock="out")
    with pytest.raises(Infeasible, match="objective 20"):
        cs.optimise_for_set(linked, s)


def test_optimise_without_links_says_what_to_do(engine):
    with pytest.raises(UserError, match="accept links on the Mapping page"):
        cs.optimise_for_set(engine, None)

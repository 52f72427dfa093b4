"""Candidate sets: create, rename, copy, delete, members, locks, scorecard, what-if, optimise."""

import pytest

from indicators_lab.sets import candidate_sets as cs
from indicators_lab.mapping import links
from indicators_lab.core.access import Actor, PermissionDenied
from indicators_lab.core.errors import NotFound, UserError
from indicators_lab.sets.optimiser import Infeasible
from tests.fakes import FakeEncoder
from indicators_lab.core.db import in_transaction as tx

LEAD = Actor("Lead", "co_lead")


def iid(engine, key, code):
    return tx(engine, links.item_id_for, key, code)


@pytest.fixture
def linked(engine):
    """Accepted links: 10.7.1 -> 6, 10.c.1 -> 20, 17.3.2 -> 20 (partial), 10.7.2 4e -> 6."""
    for key, code, obj, grade in [("sdg", "10.7.1", 6, "direct"), ("sdg", "10.c.1", 20, "direct"),
                                  ("sdg", "17.3.2", 20, "partial"), ("10.7.2", "4e", 6, "direct")]:
        tx(engine, links.decide, actor=LEAD, item_id=iid(engine, key, code), objective=obj, status="accepted", grade=grade)
    return engine


def test_create_rename_copy_delete(engine):
    a = tx(engine, cs.create_set, actor=LEAD, name="  Draft   one ", item_ids=[iid(engine, "sdg", "10.7.1")])
    assert [s.name for s in tx(engine, cs.list_sets, actor=LEAD)] == ["Draft one"]
    tx(engine, cs.rename_set, actor=LEAD, set_id=a, name="Draft A")
    b = tx(engine, cs.copy_set, actor=LEAD, set_id=a, name="Draft B")
    assert list(tx(engine, cs.members_frame, b)["code"]) == ["10.7.1"]
    with pytest.raises(UserError, match="already exists"):
        tx(engine, cs.create_set, actor=LEAD, name="Draft B")
    tx(engine, cs.delete_set, actor=LEAD, set_id=a)
    assert [s.name for s in tx(engine, cs.list_sets, actor=LEAD)] == ["Draft B"]
    with pytest.raises(NotFound):
        tx(engine, cs.members_frame, a)


def test_members_and_locks(engine):
    s = tx(engine, cs.create_set, actor=LEAD, name="S")
    x, y = iid(engine, "sdg", "10.7.1"), iid(engine, "sdg", "10.c.1")
    assert tx(engine, cs.add_items, actor=LEAD, set_id=s, item_ids=[x, y, x]) == 2
    tx(engine, cs.set_lock, actor=LEAD, set_id=s, item_id=y, lock="out")
    assert list(tx(engine, cs.members_frame, s)["code"]) == ["10.7.1"]
    assert tx(engine, cs.add_items, actor=LEAD, set_id=s, item_ids=[y]) == 1
    assert tx(engine, cs.remove_items, actor=LEAD, set_id=s, item_ids=[x]) == 1
    assert list(tx(engine, cs.members_frame, s)["code"]) == ["10.c.1"]
    with pytest.raises(NotFound):
        tx(engine, cs.add_items, actor=LEAD, set_id=s, item_ids=[10**9])


def test_excom_member_cannot_edit_a_set(engine):
    s = tx(engine, cs.create_set, actor=LEAD, name="S")
    with pytest.raises(PermissionDenied):
        tx(engine, cs.add_items, actor=Actor("X", "excom"), set_id=s, item_ids=[iid(engine, "sdg", "10.7.1")])
    assert tx(engine, cs.members_frame, s).empty


def test_scorecard_of_a_set_uses_accepted_links(linked):
    s = tx(linked, cs.create_set, actor=LEAD, name="S", item_ids=[iid(linked, "sdg", "10.7.1"), iid(linked, "sdg", "17.3.2")])
    card = tx(linked, cs.score_set, FakeEncoder(), s, actor=LEAD)
    cov = card.coverage.set_index("objective")
    assert cov.loc[6, "coverage"] == 1.0 and cov.loc[20, "coverage"] == 0.5
    assert card.summary["objectives_covered"] == 2


def test_what_if_shows_every_change_and_saves_nothing(linked):
    x, y = iid(linked, "sdg", "10.7.1"), iid(linked, "sdg", "10.c.1")
    s = tx(linked, cs.create_set, actor=LEAD, name="S", item_ids=[x])
    w = tx(linked, cs.what_if, FakeEncoder(), s, actor=LEAD, add=[y], remove=[x])
    changes = w.changes.set_index("score")
    assert changes.loc["objectives covered (of 23)", "change"] == 0
    assert set(w.coverage_change["objective"]) == {6, 20}
    assert list(tx(linked, cs.members_frame, s)["code"]) == ["10.7.1"]
    tx(linked, cs.replace_members, actor=LEAD, set_id=s, add=[y], remove=[x])
    assert list(tx(linked, cs.members_frame, s)["code"]) == ["10.c.1"]


def test_optimise_for_a_set_honours_its_locks_and_names_what_is_uncovered(linked):
    s = tx(linked, cs.create_set, actor=LEAD, name="S")
    result, _ = tx(linked, cs.optimise_for_set, s, actor=LEAD, max_size=23)
    assert len(result.chosen) == 2
    assert len(result.objectives) == 23 and result.covered == 2
    assert result.uncovered[1] == "no linked indicator"
    tx(linked, cs.set_lock, actor=LEAD, set_id=s, item_id=iid(linked, "sdg", "10.c.1"), lock="out")
    tx(linked, cs.set_lock, actor=LEAD, set_id=s, item_id=iid(linked, "sdg", "17.3.2"), lock="out")
    result, _ = tx(linked, cs.optimise_for_set, s, actor=LEAD, max_size=23)
    assert result.uncovered[20] == "all 2 linked indicators are locked out"


def test_smallest_set_counts_all_23_objectives_and_names_the_unlinked(linked):
    with pytest.raises(Infeasible, match=r"21 of the 23 objectives cannot be covered as asked: "
                                         r"objectives 1, 2, 3, 4, 5, 7, .*, 23 \(no linked indicator\)") as err:
        tx(linked, cs.optimise_for_set, None, actor=LEAD)
    assert len(err.value.objectives) == 21 and 6 not in err.value.objectives


def test_pareto_curve_stops_at_k_and_counts_23_objectives(linked):
    _, curve = tx(linked, cs.optimise_for_set, None, actor=LEAD, max_size=1, curve=True)
    assert list(curve["size"]) == [1]
    assert set(curve["objectives"]) == {23}


def test_optimise_without_links_says_what_to_do(engine):
    with pytest.raises(UserError, match="accept links on the Mapping page"):
        tx(engine, cs.optimise_for_set, None, actor=LEAD)

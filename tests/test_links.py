"""Curation: decisions, grades, history, undo, bulk accept, objective view."""

import pandas as pd
import pytest

from indicators_lab.mapping import links
from indicators_lab.core.access import Actor
from indicators_lab.core.errors import NotFound, UserError

LEAD = Actor("Ana (IOM)", "co_lead")
OTHER = Actor("Ben (DESA)", "co_lead")


@pytest.fixture
def item(engine):
    return links.item_id_for(engine, "sdg", "10.7.1")


def test_accept_records_grade_action_and_who(engine, item):
    link = links.decide(engine, actor=LEAD, item_id=item, objective=6, status="accepted",
                        grade="partial", action_letter="(c)", rationale="recruitment costs")
    assert (link.status, link.grade, link.action_letter, link.decided_by) == ("accepted", "partial", "c", "Ana (IOM)")
    assert links.count_accepted_links(engine) == 1


def test_history_keeps_before_after_and_why(engine, item):
    links.decide(engine, actor=LEAD, item_id=item, objective=6, status="accepted")
    links.decide(engine, actor=OTHER, item_id=item, objective=6, status="accepted", grade="proxy", rationale="indirect")
    links.decide(engine, actor=OTHER, item_id=item, objective=6, status="rejected", rationale="not about recruitment")
    h = links.history(engine, item)
    assert list(h["change"]) == ["reject", "regrade", "accept"]
    assert list(h["who"]) == ["Ben (DESA)", "Ben (DESA)", "Ana (IOM)"]
    assert h.iloc[0]["before"] == "accepted (proxy)" and h.iloc[0]["after"] == "rejected"
    assert h.iloc[0]["why"] == "not about recruitment"


def test_undo_walks_back_one_change_at_a_time(engine, item):
    first = links.decide(engine, actor=LEAD, item_id=item, objective=6, status="accepted", grade="direct")
    links.decide(engine, actor=LEAD, item_id=item, objective=6, status="rejected")
    back = links.undo(engine, actor=OTHER, link_id=first.id)
    assert (back.status, back.grade) == ("accepted", "direct")
    back = links.undo(engine, actor=OTHER, link_id=first.id)
    assert back.status == "undecided"
    assert links.count_accepted_links(engine) == 0
    with pytest.raises(UserError, match="nothing left to undo"):
        links.undo(engine, actor=OTHER, link_id=first.id)
    h = links.history(engine, item)
    assert list(h["change"])[:2] == ["undo", "undo"] and h["undone"].sum() == 2


@pytest.mark.parametrize("kwargs, message", [
    ({"objective": 24}, "no GCM objective 24"),
    ({"objective": 6, "action_letter": "z"}, r"Objective 6 has no action \(z\)"),
    ({"objective": 6, "grade": "strong"}, "grade must be one of"),
    ({"objective": 6, "status": "maybe"}, "'accepted' or 'rejected'"),
    ({"objective": 6, "rationale": "x" * 5000}, "keep it under"),
])
def test_bad_decisions_are_refused_and_store_nothing(engine, item, kwargs, message):
    args = {"status": "accepted", **kwargs}
    with pytest.raises(UserError, match=message):
        links.decide(engine, actor=LEAD, item_id=item, **args)
    assert links.item_links(engine, item) == []


def test_unknown_item_is_refused(engine):
    with pytest.raises(NotFound):
        links.decide(engine, actor=LEAD, item_id=999_999, objective=1, status="accepted")


def test_bulk_accept_previews_then_accepts_only_undecided_rows_above_the_score(engine, item):
    other = links.item_id_for(engine, "sdg", "10.c.1")
    table = pd.DataFrame([
        {"item_id": item, "objective": 6, "score": 0.9, "decision": "", "reason_ref": "6(c)"},
        {"item_id": item, "objective": 5, "score": 0.2, "decision": "", "reason_ref": "5(a)"},
        {"item_id": other, "objective": 20, "score": 0.8, "decision": "rejected", "reason_ref": "20(a)"},
    ])
    preview = links.bulk_accept_preview(table, 0.5)
    assert list(preview["objective"]) == [6]
    assert links.bulk_accept(engine, actor=LEAD, rows=preview) == 1
    [link] = links.item_links(engine, item)
    assert (link.objective, link.action_letter, link.status) == (6, "c", "accepted")
    assert links.history(engine, item).iloc[0]["change"] == "bulk-accept"


def test_objective_view_lists_items_from_every_framework(engine, item):
    sub = links.item_id_for(engine, "10.7.2", "4e")
    links.decide(engine, actor=LEAD, item_id=item, objective=6, status="accepted")
    links.decide(engine, actor=LEAD, item_id=sub, objective=6, status="accepted", action_letter="c")
    links.decide(engine, actor=LEAD, item_id=links.item_id_for(engine, "sdg", "8.8.1"), objective=6, status="rejected")
    df = links.links_for_objective(engine, 6)
    assert sorted(zip(df["framework"], df["code"])) == [("10.7.2", "4e"), ("sdg", "10.7.1")]
    assert "6(c)" in set(df["action"])

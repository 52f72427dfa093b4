"""Curation: decisions, grades, history, undo, bulk accept, objective view."""

import pandas as pd
import pytest

from indicators_lab.mapping import links
from indicators_lab.core.access import Actor
from indicators_lab.core.errors import NotFound, UserError
from indicators_lab.core.db import in_transaction as tx

LEAD = Actor("Ana (IOM)", "co_lead")
OTHER = Actor("Ben (DESA)", "co_lead")


@pytest.fixture
def item(engine):
    return tx(engine, links.item_id_for, "sdg", "10.7.1")


def test_accept_records_grade_action_and_who(engine, item):
    link = tx(engine, links.decide, actor=LEAD, item_id=item, objective=6, status="accepted",
                        grade="partial", action_letter="(c)", rationale="recruitment costs")
    assert (link.status, link.grade, link.action_letter, link.decided_by) == ("accepted", "partial", "c", "Ana (IOM)")
    assert tx(engine, links.count_accepted_links) == 1


def test_history_keeps_before_after_and_why(engine, item):
    tx(engine, links.decide, actor=LEAD, item_id=item, objective=6, status="accepted")
    tx(engine, links.decide, actor=OTHER, item_id=item, objective=6, status="accepted", grade="proxy", rationale="indirect")
    tx(engine, links.decide, actor=OTHER, item_id=item, objective=6, status="rejected", rationale="not about recruitment")
    h = tx(engine, links.history, item, actor=LEAD)
    assert list(h["change"]) == ["reject", "regrade", "accept"]
    assert list(h["who"]) == ["Ben (DESA)", "Ben (DESA)", "Ana (IOM)"]
    assert h.iloc[0]["before"] == "accepted (proxy)" and h.iloc[0]["after"] == "rejected"
    assert h.iloc[0]["why"] == "not about recruitment"


def test_undo_walks_back_one_change_at_a_time(engine, item):
    first = tx(engine, links.decide, actor=LEAD, item_id=item, objective=6, status="accepted", grade="direct")
    tx(engine, links.decide, actor=LEAD, item_id=item, objective=6, status="rejected")
    back = tx(engine, links.undo, actor=OTHER, link_id=first.id)
    assert (back.status, back.grade) == ("accepted", "direct")
    back = tx(engine, links.undo, actor=OTHER, link_id=first.id)
    assert back.status == "undecided"
    assert tx(engine, links.count_accepted_links) == 0
    with pytest.raises(UserError, match="nothing left to undo"):
        tx(engine, links.undo, actor=OTHER, link_id=first.id)
    h = tx(engine, links.history, item, actor=LEAD)
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
        tx(engine, links.decide, actor=LEAD, item_id=item, **args)
    assert tx(engine, links.item_links, item, actor=LEAD) == []


def test_unknown_item_is_refused(engine):
    with pytest.raises(NotFound):
        tx(engine, links.decide, actor=LEAD, item_id=999_999, objective=1, status="accepted")


def test_bulk_accept_previews_then_accepts_only_undecided_rows_above_the_score(engine, item):
    other = tx(engine, links.item_id_for, "sdg", "10.c.1")
    table = pd.DataFrame([
        {"item_id": item, "objective": 6, "score": 0.9, "model_score": 0.9, "decision": "", "reason_ref": "6(c)"},
        {"item_id": item, "objective": 5, "score": 0.2, "model_score": 0.2, "decision": "", "reason_ref": "5(a)"},
        {"item_id": other, "objective": 20, "score": 0.8, "model_score": 0.8, "decision": "rejected", "reason_ref": "20(a)"},
        # lifted over the threshold only by neighbours' decisions: not taken
        {"item_id": other, "objective": 8, "score": 0.55, "model_score": 0.45, "decision": "", "reason_ref": "8(a)"},
    ])
    preview = links.bulk_accept_preview(table, 0.5)
    assert list(preview["objective"]) == [6]
    assert tx(engine, links.bulk_accept, actor=LEAD, rows=preview).count == 1
    [link] = tx(engine, links.item_links, item, actor=LEAD)
    assert (link.objective, link.action_letter, link.status, link.grade) == (6, "c", "accepted", "partial")
    assert tx(engine, links.history, item, actor=LEAD).iloc[0]["change"] == "bulk-accept"


def test_a_whole_bulk_accept_is_undone_in_one_step(engine, item):
    other = tx(engine, links.item_id_for, "sdg", "10.c.1")
    rows = pd.DataFrame([
        {"item_id": item, "objective": 6, "score": 0.9, "model_score": 0.9, "decision": "", "reason_ref": "6(c)"},
        {"item_id": other, "objective": 20, "score": 0.8, "model_score": 0.8, "decision": "", "reason_ref": "20(a)"},
    ])
    done = tx(engine, links.bulk_accept, actor=LEAD, rows=rows)
    batches = tx(engine, links.bulk_batches, actor=LEAD)
    assert list(batches["batch"]) == [done.batch] and list(batches["standing"]) == [2]
    assert tx(engine, links.undo_batch, actor=LEAD, batch=done.batch) == 2
    assert [lk.status for lk in tx(engine, links.item_links, item, actor=LEAD) + tx(engine, links.item_links, other, actor=LEAD)] == ["undecided"] * 2
    assert list(tx(engine, links.bulk_batches, actor=LEAD)["standing"]) == [0]
    with pytest.raises(UserError, match="Nothing left to undo"):
        tx(engine, links.undo_batch, actor=LEAD, batch=done.batch)


def test_undoing_a_batch_keeps_a_later_one_by_one_decision(engine, item):
    rows = pd.DataFrame([{"item_id": item, "objective": 6, "score": 0.9, "model_score": 0.9, "decision": "",
                          "reason_ref": "6(c)"}])
    done = tx(engine, links.bulk_accept, actor=LEAD, rows=rows)
    tx(engine, links.decide, actor=LEAD, item_id=item, objective=6, status="accepted", grade="direct")
    with pytest.raises(UserError, match="changed since"):
        tx(engine, links.undo_batch, actor=LEAD, batch=done.batch)
    [link] = tx(engine, links.item_links, item, actor=LEAD)
    assert (link.status, link.grade) == ("accepted", "direct")


def test_objective_view_lists_items_from_every_framework(engine, item):
    sub = tx(engine, links.item_id_for, "10.7.2", "4e")
    tx(engine, links.decide, actor=LEAD, item_id=item, objective=6, status="accepted")
    tx(engine, links.decide, actor=LEAD, item_id=sub, objective=6, status="accepted", action_letter="c")
    tx(engine, links.decide, actor=LEAD, item_id=tx(engine, links.item_id_for, "sdg", "8.8.1"), objective=6, status="rejected")
    df = tx(engine, links.links_for_objective, 6, actor=LEAD)
    assert sorted(zip(df["framework"], df["code"])) == [("10.7.2", "4e"), ("sdg", "10.7.1")]
    assert "6(c)" in set(df["action"])

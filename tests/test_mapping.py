"""Suggestions: ranking, combination of signals, reasons, and learning from decisions."""

import numpy as np
import pytest

from indicators_lab.mapping import links
from indicators_lab.core.access import Actor, PermissionDenied
from indicators_lab.core.errors import NotFound, UserError
from indicators_lab.catalogue.importing import apply_import, plan_import
from indicators_lab.mapping.suggestions import Signals, Weights, neighbour_adjustment, suggest
from tests.factories import csv_bytes
from tests.fakes import FakeEncoder
from indicators_lab.core.db import in_transaction as tx

LEAD = Actor("Ana (IOM)", "co_lead")


def add_framework(engine, rows, key="nat"):
    data = csv_bytes([["code", "title"], *rows])
    tx(engine, apply_import, tx(engine, plan_import, data, "f.csv", key=key, name=key, max_bytes=10**6), actor=LEAD)


def ranked(result, code):
    t = result.table
    return list(t[t["item_code"] == code].sort_values("rank")["objective"])


def test_every_item_gets_k_ranked_objectives_with_a_reason(engine):
    result = tx(engine, suggest, FakeEncoder(), "10.7.2", actor=LEAD, top_k=4)
    t = result.table
    assert len(t) == 36 * 4
    assert set(t.groupby("item_code")["rank"].apply(tuple)) == {(1, 2, 3, 4)}
    assert t["objective"].between(1, 23).all()
    assert (t["reason_text"].str.len() > 0).all()


def test_item_worded_like_an_objective_gets_it_first_with_the_matching_action(engine):
    add_framework(engine, [["R1", "Transaction costs of migrant remittances below 3 per cent"]])
    t = tx(engine, suggest, FakeEncoder(), "nat", actor=LEAD, top_k=3).table
    first = t[t["rank"] == 1].iloc[0]
    assert first["objective"] == 20
    assert first["reason_ref"].startswith("20(")


def test_combine_weights_each_signal():
    one = np.ones((1, 2), np.float32)
    sig = Signals(title=one * 0.1, action=one * 0.2, action_arg=one.astype(int), action_mean_top2=one * 0.3,
                  commitment=one * -0.5, commitment_arg=one.astype(int), lexical=one * 0.4,
                  item_vectors=one)
    w = Weights(title=1, action=10, action_mean_top2=100, commitment=1000, lexical=10000)
    # negative commitment similarity is floored at 0
    np.testing.assert_allclose(sig.combine(w), 0.1 + 2 + 30 + 0 + 4000)


def test_neighbour_adjustment_pulls_accepted_and_pushes_rejected():
    items = np.array([[1.0, 0.0], [0.0, 1.0]], np.float32)
    decided = np.array([[1.0, 0.0]], np.float32)  # identical to item 0, orthogonal to item 1
    matrix = np.array([[1.0, -1.0, 0.0]], np.float32)
    adj = neighbour_adjustment(items, decided, matrix, threshold=0.5)
    np.testing.assert_allclose(adj, [[1.0, -1.0, 0.0], [0.0, 0.0, 0.0]])
    masked = neighbour_adjustment(items, decided, matrix, threshold=0.5, self_mask=np.array([[True], [False]]))
    np.testing.assert_allclose(masked[0], [0, 0, 0])


def test_accepting_a_link_raises_that_objective_for_similar_items(engine):
    add_framework(engine, [["A", "Migrant workers in agriculture sector employment"],
                           ["B", "Migrant workers in agriculture sector wages"]])
    enc = FakeEncoder()
    before = tx(engine, suggest, enc, "nat", actor=LEAD, top_k=23).table
    score_b = lambda t: float(t[(t["item_code"] == "B") & (t["objective"] == 18)]["score"].iloc[0])  # noqa: E731
    a_id = tx(engine, links.item_id_for, "nat", "A")
    tx(engine, links.decide, actor=LEAD, item_id=a_id, objective=18, status="accepted")
    after = tx(engine, suggest, enc, "nat", actor=LEAD, top_k=23).table
    assert score_b(after) > score_b(before)
    tx(engine, links.decide, actor=LEAD, item_id=a_id, objective=18, status="rejected")
    rejected = tx(engine, suggest, enc, "nat", actor=LEAD, top_k=23).table
    assert score_b(rejected) < score_b(before)


def test_own_decisions_rank_accepted_first_and_rejected_last(engine):
    add_framework(engine, [["A", "Remittance costs for migrants"]])
    a_id = tx(engine, links.item_id_for, "nat", "A")
    tx(engine, links.decide, actor=LEAD, item_id=a_id, objective=3, status="accepted", grade="proxy")
    tx(engine, links.decide, actor=LEAD, item_id=a_id, objective=20, status="rejected")
    result = tx(engine, suggest, FakeEncoder(), "nat", actor=LEAD, top_k=23)
    order = ranked(result, "A")
    assert order[0] == 3 and order[-1] == 20
    assert result.decided_items == 1 and result.precision_at_1 == 0.0  # the model put 20 first


def test_suggest_refuses_gcm_and_unknown_keys(engine):
    with pytest.raises(UserError, match="suggest for a framework"):
        tx(engine, suggest, FakeEncoder(), "gcm", actor=LEAD)
    with pytest.raises(NotFound, match="Known keys"):
        tx(engine, suggest, FakeEncoder(), "nope", actor=LEAD)
    with pytest.raises(UserError, match="between 1 and 23"):
        tx(engine, suggest, FakeEncoder(), "sdg", actor=LEAD, top_k=0)


def test_warm_suggest_encodes_nothing(engine):
    tx(engine, suggest, FakeEncoder(), "10.7.2", actor=LEAD)
    warm = FakeEncoder()
    tx(engine, suggest, warm, "10.7.2", actor=LEAD)
    assert warm.encoded == 0


def test_stakeholder_cannot_curate(engine):
    item = tx(engine, links.item_id_for, "sdg", "10.7.1")
    with pytest.raises(PermissionDenied, match="Only a co-lead"):
        tx(engine, links.decide, actor=Actor("Sam", "stakeholder"), item_id=item, objective=6, status="accepted")
    assert tx(engine, links.item_links, item, actor=LEAD) == []


def _bulk_rows(table, threshold, *, without):
    rows = links.bulk_accept_preview(table, threshold)
    return set(zip(rows[rows["item_code"] != without]["item_code"], rows[rows["item_code"] != without]["objective"]))


def test_one_manual_link_cannot_push_an_unrelated_item_over_the_bulk_accept_threshold(engine):
    add_framework(engine, [["A", "Migrant workers in agriculture sector employment"],
                           ["B", "Migrant workers in agriculture sector wages"]])
    enc = FakeEncoder()
    before = tx(engine, suggest, enc, "nat", actor=LEAD, top_k=23).table
    a_id = tx(engine, links.item_id_for, "nat", "A")
    # objective 8 (missing migrants) has nothing to do with B's wages
    tx(engine, links.decide, actor=LEAD, item_id=a_id, objective=8, status="accepted", origin="manual")
    after = tx(engine, suggest, enc, "nat", actor=LEAD, top_k=23).table
    b8 = after[(after["item_code"] == "B") & (after["objective"] == 8)].iloc[0]
    assert 0 < b8["boost"] <= Weights().neighbour_cap
    assert b8["score"] == pytest.approx(b8["model_score"] + b8["boost"], abs=1e-3)
    for threshold in np.arange(0.0, 1.0, 0.01):
        assert _bulk_rows(after, threshold, without="A") == _bulk_rows(before, threshold, without="A")


def test_every_boost_names_the_decided_item_behind_it(engine):
    add_framework(engine, [["A", "Migrant workers in agriculture sector employment"],
                           ["B", "Migrant workers in agriculture sector wages"]])
    a_id = tx(engine, links.item_id_for, "nat", "A")
    tx(engine, links.decide, actor=LEAD, item_id=a_id, objective=5, status="accepted")
    t = tx(engine, suggest, FakeEncoder(), "nat", actor=LEAD, top_k=23).table
    boosted = t[t["boost"] != 0]
    assert len(boosted) and (boosted["boost_reason"].str.len() > 0).all()
    b5 = t[(t["item_code"] == "B") & (t["objective"] == 5)].iloc[0]
    assert b5["boost_reason"] == "similar to nat A, which was linked to objective 5"
    assert (t[t["boost"] == 0]["boost_reason"] == "").all()


def test_bulk_accepts_teach_nothing_to_neighbours(engine):
    add_framework(engine, [["A", "Migrant workers in agriculture sector employment"],
                           ["B", "Migrant workers in agriculture sector wages"]])
    enc = FakeEncoder()
    t = tx(engine, suggest, enc, "nat", actor=LEAD, top_k=23).table
    rows = t[(t["item_code"] == "A") & (t["objective"] == 18)]
    tx(engine, links.bulk_accept, actor=LEAD, rows=rows)
    after = tx(engine, suggest, enc, "nat", actor=LEAD, top_k=23)
    assert (after.table[after.table["item_code"] == "B"]["boost"] == 0).all()
    assert after.decided_items == 0 and after.precision_at_1 is None  # bulk accepts are not counted


def test_held_out_estimate_for_a_shipped_framework_needs_no_model(engine):
    from indicators_lab.mapping.evaluation import held_out_quality
    from tests.fakes import SpyModelEncoder

    spy = SpyModelEncoder()
    q = tx(engine, held_out_quality, spy, "10.7.2")
    assert q is not None and q.n == 16 and 0 <= q.top1 <= q.top3 <= 1
    assert spy.texts == []
    assert tx(engine, held_out_quality, spy, "nope-not-labelled") is None


def test_held_out_precision_at_a_threshold_counts_items_at_or_above_it(engine):
    from indicators_lab.mapping.evaluation import held_out
    from tests.fakes import SpyModelEncoder

    h = tx(engine, held_out, SpyModelEncoder(), "10.7.2")
    assert h.right_at_or_above(-1.0) == (round(h.quality.top1 * h.quality.n), h.quality.n)
    assert h.right_at_or_above(max(h.top_scores) + 0.01) == (0, 0)


def _bench(vectors, labels, text):
    from indicators_lab.mapping.evaluation import Bench, Label

    n, k = text.shape
    z = np.zeros((n, k), np.float32)
    sig = Signals(title=z, action=text, action_arg=z.astype(int), action_mean_top2=z, commitment=z,
                  commitment_arg=z.astype(int), lexical=z, item_vectors=np.asarray(vectors, np.float32))
    return Bench([Label("nat", str(i), frozenset(objs)) for i, objs in enumerate(labels)],
                 list(range(1, k + 1)), sig, z, z)


def test_crosswalk_decisions_lift_close_neighbours_but_no_item_learns_from_itself():
    from indicators_lab.mapping.evaluation import boosted_scores

    text = np.array([[0.3, 0.2, 0.1]] * 3, np.float32)
    # item 1 is item 0's twin, item 2 is unrelated; item 0 was decided for objective 3
    bench = _bench([[1, 0], [1, 0], [0, 1]], [{3}, {1}, {1}], text)
    w = Weights(title=0, action=1, action_mean_top2=0, lexical=0, neighbour=0.25, neighbour_threshold=0.75)
    scores = boosted_scores(bench, [0], w)
    np.testing.assert_allclose(scores[0], text[0])  # its own decision is not a neighbour's
    np.testing.assert_allclose(scores[2], text[2])  # unrelated: no boost
    assert scores[1, 2] == pytest.approx(0.1 + w.neighbour_cap)  # the twin: objective 3, capped
    np.testing.assert_allclose(boosted_scores(bench, [0], Weights(neighbour=0.0, **{
        f: getattr(w, f) for f in ("title", "action", "action_mean_top2", "lexical")})), text)

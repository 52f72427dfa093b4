"""The review queue: least certain first, migration-specific first, moving on after a decision."""

import pandas as pd

from indicators_lab.core.access import Actor
from indicators_lab.core.db import in_transaction as tx
from indicators_lab.mapping import links
from indicators_lab.mapping.queue import framework_progress, item_after, next_item, review_queue

LEAD = Actor("Ana (IOM)", "co_lead")


def _table(rows):
    """rows: (item_id, code, title, [scores], decision of the first)."""
    out = []
    for item_id, code, title, scores, decision in rows:
        for rank, s in enumerate(scores, start=1):
            out.append({"framework": "nat", "item_id": item_id, "item_code": code, "item_title": title,
                        "objective": rank, "rank": rank, "score": s,
                        "decision": decision if rank == 1 else ""})
    return pd.DataFrame(out)


TABLE = _table([
    (1, "A", "Road traffic deaths", [0.6, 0.2, 0.1], ""),          # clear: margin 0.4
    (2, "B", "Remittance costs", [0.5, 0.45, 0.1], ""),            # unsure, migration: 0.05
    (3, "C", "Forest area", [0.3, 0.28, 0.1], ""),                 # least sure: 0.02
    (4, "D", "Migrant workers' injuries", [0.7, 0.3, 0.1], "accepted"),  # decided: not queued
])


def test_least_certain_items_come_first_and_decided_items_are_left_out():
    assert list(review_queue(TABLE)["code"]) == ["C", "B", "A"]


def test_migration_specific_first_then_least_certain():
    assert list(review_queue(TABLE, "migration-specific first")["code"]) == ["B", "C", "A"]
    assert list(review_queue(TABLE, "catalogue order")["code"]) == ["A", "B", "C"]


def test_deciding_moves_to_the_next_item_in_the_queue_not_back_to_the_first():
    q = review_queue(TABLE)
    assert next_item(q, None) == 3
    assert item_after(q, 2) == 1       # after B comes A
    after_b = review_queue(TABLE[TABLE["item_id"] != 2])
    assert next_item(after_b, item_after(q, 2)) == 1


def test_progress_counts_one_by_one_and_bulk_decisions_apart(engine):
    a = tx(engine, links.item_id_for, "10.7.2", "4d")
    b = tx(engine, links.item_id_for, "10.7.2", "4e")
    tx(engine, links.decide, actor=LEAD, item_id=a, objective=20, status="accepted")
    tx(engine, links.bulk_accept, actor=LEAD, rows=pd.DataFrame([
        {"item_id": b, "objective": 6, "score": 0.7, "model_score": 0.7, "decision": "", "reason_ref": "6(c)"}]))
    p = tx(engine, framework_progress, actor=LEAD).set_index("framework")
    assert p.loc["10.7.2"].to_dict() == {"items": 36, "decided one by one": 1, "bulk only": 1, "remaining": 34}

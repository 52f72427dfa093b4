"""A user action that dies halfway stores nothing: the caller's one transaction rolls back all of it.

Each test lets the action run until its first write reaches the database, then kills it there.
"""

from __future__ import annotations

from contextlib import contextmanager

import pytest
from sqlalchemy import event, func, select

from indicators_lab.catalogue.importing import apply_import, plan_import
from indicators_lab.consultation import matrix
from indicators_lab.consultation import rounds as con
from indicators_lab.core.access import Actor
from indicators_lab.core.db import in_transaction as tx
from indicators_lab.core.db import unit_of_work
from indicators_lab.core.models import Comment, Framework, FrameworkItem, ProposalVersion
from indicators_lab.mapping import links
from indicators_lab.proposal import versions as proposals
from indicators_lab.sets import candidate_sets as cs
from tests.factories import csv_bytes
from tests.fakes import FakeEncoder

LEAD = Actor("Lead", "co_lead")


class Killed(Exception):
    pass


@contextmanager
def killed_after_first_write(engine):
    """Raise right after the first INSERT/UPDATE/DELETE of the block reaches the database."""
    writes = []

    def after(conn, cursor, statement, *args):
        if statement.lstrip().split(None, 1)[0].upper() in ("INSERT", "UPDATE", "DELETE"):
            writes.append(statement)
            raise Killed(statement[:60])

    event.listen(engine, "after_cursor_execute", after)
    try:
        yield writes
    finally:
        event.remove(engine, "after_cursor_execute", after)


def count(engine, model, *where) -> int:
    with unit_of_work(engine) as s:
        return s.execute(select(func.count()).select_from(model).where(*where)).scalar_one()


def test_a_freeze_killed_after_its_first_write_leaves_no_version(engine):
    item = tx(engine, links.item_id_for, "sdg", "10.7.1")
    tx(engine, links.decide, actor=LEAD, item_id=item, objective=5, status="accepted")
    set_id = tx(engine, cs.create_set, actor=LEAD, name="Draft", item_ids=[item])
    with killed_after_first_write(engine) as writes, pytest.raises(Killed):
        tx(engine, proposals.freeze, FakeEncoder(), actor=LEAD, set_id=set_id, note="first")
    assert writes, "the action never wrote: nothing was tested"
    assert count(engine, ProposalVersion) == 0
    assert tx(engine, proposals.freeze, FakeEncoder(), actor=LEAD, set_id=set_id, note="again") == 1


def test_a_comment_import_killed_after_its_first_write_stores_no_comment(engine):
    rid = tx(engine, con.create_round, actor=LEAD, title="R")
    rows = [["organisation", "constituency", "indicator_code", "objective", "stance", "comment"]]
    rows += [[f"Org {i}", "Civil society", "", str(1 + i % 23), "keep", f"Offline comment {i}"] for i in range(50)]
    with killed_after_first_write(engine) as writes, pytest.raises(Killed):
        tx(engine, matrix.import_comments, actor=LEAD, data=csv_bytes(rows), filename="c.csv", round_id=rid,
           max_bytes=10_000_000)
    assert writes
    assert count(engine, Comment, Comment.round_id == rid) == 0


def test_a_framework_import_killed_after_its_first_write_stores_no_item(engine):
    data = csv_bytes([["code", "title"], *[[f"N{i}", f"National indicator {i}"] for i in range(30)]])

    def plan_and_apply(*, session):
        plan = plan_import(data, "n.csv", session=session, key="national", name="National list", max_bytes=10_000_000)
        return apply_import(plan, session=session, actor=LEAD)

    with killed_after_first_write(engine) as writes, pytest.raises(Killed):
        tx(engine, plan_and_apply)
    assert writes
    assert count(engine, Framework, Framework.key == "national") == 0
    assert count(engine, FrameworkItem, FrameworkItem.code == "N0") == 0

"""Screens load what they need in a few queries, not one per row (counted at the driver)."""

from __future__ import annotations

from contextlib import contextmanager

from sqlalchemy import event
from sqlalchemy.engine import Engine

from tests.apptest import app  # noqa: F401  (a fixture)

from indicators_lab.catalogue.frameworks import items_frame
from indicators_lab.consultation import rounds as con
from indicators_lab.core.access import Actor
from indicators_lab.core.db import in_transaction as tx
from indicators_lab.core.db import reading
from indicators_lab.mapping import links
from indicators_lab.sets import candidate_sets as cs

LEAD = Actor("Lead", "co_lead")


@contextmanager
def counted():
    """Count every SQL statement any engine sends while the block runs."""
    statements: list[str] = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(Engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(Engine, "before_cursor_execute", count)


def _forty_item_round(engine) -> int:
    codes = list(tx(engine, items_frame, "sdg")["code"][:40])
    ids = [tx(engine, links.item_id_for, "sdg", c) for c in codes]
    set_id = tx(engine, cs.create_set, actor=LEAD, name="Forty", item_ids=ids)
    return tx(engine, con.create_round, actor=LEAD, title="R", set_id=set_id)


def test_listing_a_forty_item_round_takes_a_few_statements(engine):
    rid = _forty_item_round(engine)
    with reading(engine) as session, counted() as statements:
        items = con.set_items(rid, session=session, actor=LEAD)
    assert len(items) == 40
    assert all(i["help"].startswith("What it measures") for i in items)
    assert len(statements) <= 10, statements


PAGES_WITH_A_ROUND = {
    "views/consultation.py": "stakeholder",
    "views/rounds.py": "co_lead",
    "views/matrix.py": "co_lead",
}


def test_each_consultation_page_reruns_within_its_statement_budget(app):
    from indicators_lab.core.accounts import create_user
    from tests.apptest import co_lead, open_page

    lead = co_lead(app)
    ngo = tx(app, create_user, actor=lead, email="ngo@example.org", name="Nadia", role="stakeholder",
             password="long enough pw", organisation="NGO", constituency="civil_society")
    rid = _forty_item_round(app)
    item_ids = [i["item_id"] for i in tx(app, con.set_items, rid, actor=lead)]
    for k in range(200):
        tx(app, con.post_comment, actor=ngo, round_id=rid, item_id=item_ids[k % 40], text=f"comment {k}")
    for page, role in PAGES_WITH_A_ROUND.items():
        at = open_page(page, (ngo if role == "stakeholder" else lead).user_id)
        with counted() as statements:
            at.run()
        assert not at.exception, at.exception
        assert len(statements) <= 60, f"{page}: {len(statements)} statements"

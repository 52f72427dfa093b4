"""50 stakeholders posting at the same moment: nothing lost, nobody sees 'database is locked'."""

import threading
from concurrent.futures import ThreadPoolExecutor

from indicators_lab.consultation import rounds as con
from indicators_lab.consultation import matrix
from indicators_lab.core.access import Actor
from indicators_lab.core.accounts import create_user
from indicators_lab.core.db import in_transaction as tx

LEAD = Actor("Lead", "co_lead")
WRITERS = 50


def test_fifty_concurrent_writers_lose_nothing(engine):
    rid = tx(engine, con.create_round, actor=LEAD, title="Deadline day")
    people = [tx(engine, create_user, actor=LEAD, email=f"s{i}@x.org", name=f"S{i}", role="stakeholder",
                          constituency="civil_society") for i in range(WRITERS)]
    start = threading.Barrier(WRITERS)
    errors = []

    def post(actor):
        start.wait()
        try:
            for k in range(3):
                cid = tx(engine, con.post_comment, actor=actor, round_id=rid, objective=1 + k,
                                       text=f"{actor.name} comment {k}")
            tx(engine, con.edit_comment, actor=actor, comment_id=cid, text=f"{actor.name} edited")
        except Exception as exc:  # collected, so the assertion names every failure
            errors.append(repr(exc))

    with ThreadPoolExecutor(max_workers=WRITERS) as pool:
        list(pool.map(post, people))

    assert errors == []
    page, total = tx(engine, matrix.matrix_page, actor=LEAD, filt=matrix.MatrixFilter(round_id=rid), page_size=500)
    assert total == WRITERS * 3
    assert set(page["author"]) == {p.name for p in people}
    assert (page["comment"].str.endswith("edited")).sum() == WRITERS

"""AppTest of the Review page: an ExCom member records a view; a co-lead records approval."""

from indicators_lab.sets import candidate_sets as cs
from indicators_lab.mapping import links
from indicators_lab.proposal import versions as proposals
from indicators_lab.core.accounts import create_user
from tests.apptest import ADMIN, app, co_lead, open_page  # noqa: F401  (app is a fixture)
from tests.fakes import FakeEncoder
from indicators_lab.core.db import in_transaction as tx


def frozen(engine, lead):
    item = tx(engine, links.item_id_for, "sdg", "10.c.1")
    tx(engine, links.decide, actor=lead, item_id=item, objective=20, status="accepted")
    set_id = tx(engine, cs.create_set, actor=lead, name="Draft", item_ids=[item])
    return tx(engine, proposals.freeze, FakeEncoder(), actor=lead, set_id=set_id, note="First")


def test_excom_member_sees_the_picture_and_records_a_view(app):
    lead = co_lead(app)
    n = frozen(app, lead)
    ex = tx(app, create_user, actor=ADMIN, email="ex@x.org", name="Exa", role="excom", password="long enough pw")
    at = open_page("views/review.py", ex.user_id)
    assert {m.label: m.value for m in at.metric}["Objectives covered"] == "1 / 23"
    assert any("Gaps: no indicator for objectives" in w.value for w in at.warning)
    assert not [b for b in at.button if b.label == "Record approval"]
    next(r for r in at.radio if r.label == "Your view").set_value("object")
    at.text_area[0].input("Objective 8 has nothing")
    next(b for b in at.button if b.label == "Record my view").click().run()
    assert not at.exception, at.exception
    assert tx(app, proposals.views, n, actor=ADMIN).iloc[0]["view"] == "Object"


def test_co_lead_records_approval_which_locks_the_version(app):
    lead = co_lead(app)
    n = frozen(app, lead)
    at = open_page("views/review.py", lead.user_id)
    next(b for b in at.button if b.label == "Record approval").click().run()
    assert not at.exception, at.exception
    assert tx(app, proposals.get_version, n).approved
    assert any("locked" in s.value for s in at.success)

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
    assert any("Gaps: no indicator for objectives" in w.value.replace("\\", "") for w in at.warning)
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
    assert any("locked" in s.value.replace("\\", "") for s in at.success)


def test_an_objection_survives_a_later_view_and_must_be_acknowledged_at_approval(app):
    lead = co_lead(app)
    n = frozen(app, lead)
    ex = tx(app, create_user, actor=ADMIN, email="ex@x.org", name="Exa", role="excom", password="long enough pw")
    at = open_page("views/review.py", ex.user_id)
    next(r for r in at.radio if r.label == "Your view").set_value("object")
    at.text_area[0].input("Objective 8 has nothing")
    next(b for b in at.button if b.label == "Record my view").click().run()
    assert any("Your view on the whole version of version 1 was recorded: Object." in s.value.replace("\\", "") for s in at.success)
    # The next view starts on the whole version again; the member chooses objective 3 and approves.
    assert next(s for s in at.selectbox if s.label == "On").value is None
    next(s for s in at.selectbox if s.label == "On").select(3)
    next(r for r in at.radio if r.label == "Your view").set_value("approve")
    next(b for b in at.button if b.label == "Record my view").click().run()
    assert not at.exception, at.exception
    assert len(tx(app, proposals.view_history, n, actor=ADMIN)) == 2
    assert len(tx(app, proposals.outstanding_objections, n, actor=ADMIN)) == 1

    at = open_page("views/review.py", lead.user_id)
    assert any("1 objection still stands on version 1" in w.value.replace("\\", "") for w in at.warning)
    next(b for b in at.button if b.label == "Record approval").click().run()
    assert any("acknowledge it before approving" in e.value for e in at.error)
    assert not tx(app, proposals.get_version, n).approved
    next(c for c in at.checkbox if c.label.startswith("I acknowledge this objection")).check()
    next(t for t in at.text_area if t.label.startswith("How the objection was considered")).input("Left for v2")
    next(b for b in at.button if b.label == "Record approval").click().run()
    assert not at.exception, at.exception
    v = tx(app, proposals.get_version, n)
    assert v.approved and v.objections_acknowledgement == "Left for v2"


def test_approval_closes_the_open_rounds_on_the_version_once_confirmed(app):
    from indicators_lab.consultation import rounds as con

    lead = co_lead(app)
    n = frozen(app, lead)
    rid = tx(app, con.create_round, actor=lead, title="Spring round", version=n)
    at = open_page("views/review.py", lead.user_id)
    assert any("1 consultation round is still open" in w.value.replace("\\", "") for w in at.warning)
    next(b for b in at.button if b.label == "Record approval").click().run()
    assert any("confirm that approving closes it" in e.value for e in at.error)
    next(c for c in at.checkbox if c.label.startswith("Close it now")).check()
    next(b for b in at.button if b.label == "Record approval").click().run()
    assert not at.exception, at.exception
    assert any("Closed 1 consultation round: Spring round." in s.value.replace("\\", "") for s in at.success)
    assert tx(app, con.get_round, rid).status == "closed"


def test_a_refused_view_keeps_what_the_member_chose(app):
    """A mistake (an objection without a text) must not reset the form to "Approve the whole
    version": the next submit would record the opposite of what the member meant."""
    lead = co_lead(app)
    n = frozen(app, lead)
    ex = tx(app, create_user, actor=ADMIN, email="ex@x.org", name="Exa", role="excom", password="long enough pw")
    at = open_page("views/review.py", ex.user_id)
    next(s for s in at.selectbox if s.label == "On").select(8)
    next(r for r in at.radio if r.label == "Your view").set_value("object")
    next(b for b in at.button if b.label == "Record my view").click().run()
    assert any("Say why" in e.value for e in at.error)
    assert next(s for s in at.selectbox if s.label == "On").value == 8
    assert next(r for r in at.radio if r.label == "Your view").value == "object"
    at.text_area[0].input("Objective 8 has nothing")
    next(b for b in at.button if b.label == "Record my view").click().run()
    assert not at.exception, at.exception
    row = tx(app, proposals.views, n, actor=ADMIN).iloc[0]
    assert (row["on"], row["view"]) == ("Objective 8", "Object")
    # After success the form starts afresh.
    assert next(s for s in at.selectbox if s.label == "On").value is None
    assert at.text_area[0].value == ""


def test_review_page_shows_an_objecting_members_name_as_plain_text(app):  # noqa: F811
    """The Review page's approval form renders an ExCom member's name as Markdown (links, emphasis) in the list of objections."""
    from indicators_lab.mapping import links
    from indicators_lab.sets import candidate_sets as cs
    from tests.apptest import open_page

    lead = tx(app, create_user, actor=ADMIN, email="lead@x.org", name="Lead", role="co_lead",
              password="a long password")
    member = tx(app, create_user, actor=ADMIN, email="ex@x.org", name="[Evil](https://evil.example) **Ex**",
                role="excom", password="a long password")
    item = tx(app, links.item_id_for, "sdg", "10.7.1")
    tx(app, links.decide, actor=lead, item_id=item, objective=6, status="accepted")
    set_id = tx(app, cs.create_set, actor=lead, name="Draft", item_ids=[item])
    tx(app, proposals.freeze, FakeEncoder(), actor=lead, set_id=set_id, note="v1")
    _record_objection(app, member)
    at = open_page("views/review.py", lead.user_id)
    assert not at.exception, at.exception
    shown = [m.value for m in at.markdown if "on " in m.value and "Ex" in m.value]
    assert shown and not any("[Evil](https://evil.example)" in s or "**Ex**" in s for s in shown), shown


def _record_objection(engine, member):
    tx(engine, proposals.record_view, actor=member, version=1, verdict="object", text="I object")

"""AppTest of the stakeholder's path: the invitation lands in the round, the home page lists a
participant's open rounds, and the indicator in the address is the one opened."""

from streamlit.testing.v1 import AppTest

from indicators_lab.consultation import rounds as con
from indicators_lab.consultation.invitations import invite
from indicators_lab.core.accounts import create_user
from indicators_lab.core.db import in_transaction as tx
from indicators_lab.mapping import links
from indicators_lab.sets import candidate_sets as cs
from indicators_lab.ui.widgets import plain
from tests.apptest import app, co_lead, open_page  # noqa: F401  (app is a fixture)
from tests.paths import PROJECT_ROOT

PW = "a long enough password 42"


def a_round(engine, lead, title="Round for civil society", codes=("10.7.1", "10.7.2")):
    items = [tx(engine, links.item_id_for, "sdg", c) for c in codes]
    set_id = tx(engine, cs.create_set, actor=lead, name=f"Set of {title}", item_ids=items)
    return tx(engine, con.create_round, actor=lead, title=title, set_id=set_id, constituencies=["civil_society"])


def set_password(token: str) -> AppTest:
    at = AppTest.from_file(str(PROJECT_ROOT / "app.py"), default_timeout=120)
    at.run()
    at.switch_page("views/set_password.py")
    at.query_params["token"] = token
    at.run()
    at.text_input[0].input(PW)
    at.text_input[1].input(PW)
    next(b for b in at.button if b.label == "Set password").click().run()
    assert not at.exception, at.exception
    return at


def test_invitation_with_one_open_round_lands_in_that_round(app):
    lead = co_lead(app)
    rid = a_round(app, lead)
    inv = tx(app, invite, actor=lead, email="ngo@example.org", name="Nadia", constituency="civil_society")
    at = set_password(inv.token)
    assert at.query_params["round"] == [str(rid)] or at.query_params["round"] == str(rid)
    assert [t.value for t in at.title] == [plain("Round for civil society")]
    assert any(plain("Welcome, Nadia") in s.value for s in at.success)


def test_invitation_with_two_open_rounds_lands_on_the_home_page_listing_them(app):
    lead = co_lead(app)
    a_round(app, lead, "First round")
    a_round(app, lead, "Second round", codes=("10.7.3",))
    inv = tx(app, invite, actor=lead, email="ngo@example.org", name="Nadia", constituency="civil_society")
    at = set_password(inv.token)
    assert [s.value for s in at.subheader][:1] == ["Your open consultations"]
    shown = [m.value for m in at.markdown]
    assert f"**{plain('Second round')}**" in shown and f"**{plain('First round')}**" in shown
    assert "1 indicator · you have commented on 0 of them" in [c.value for c in at.caption]


def test_the_indicator_in_the_address_is_the_one_opened(app):
    lead = co_lead(app)
    rid = a_round(app, lead)
    ngo = tx(app, create_user, actor=lead, email="ngo@example.org", name="Nadia", role="stakeholder",
             password="long enough pw", constituency="civil_society")
    at = AppTest.from_file(str(PROJECT_ROOT / "app.py"), default_timeout=120)
    at.session_state["ilab.auth.user_id"] = ngo.user_id
    at.run()
    at.switch_page("views/consultation.py")
    at.query_params["round"] = str(rid)
    at.query_params["indicator"] = "10.7.2"
    at.run()
    assert not at.exception, at.exception
    # One "Read and comment" button: on the card that is not open (10.7.1); 10.7.2 holds the form.
    opener = [b for b in at.button if b.label == "Read and comment"]
    assert [b.key for b in opener] == [f"ilab.c.open.{tx(app, links.item_id_for, 'sdg', '10.7.1')}"]
    opener[0].click().run()
    assert at.query_params["indicator"] in ("10.7.1", ["10.7.1"])
    assert [b.key for b in at.button if b.label == "Read and comment"] == [
        f"ilab.c.open.{tx(app, links.item_id_for, 'sdg', '10.7.2')}"]

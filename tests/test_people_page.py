"""AppTest of the People page: disabling asks for confirmation; the last admin cannot lock the platform."""

from indicators_lab.core.accounts import create_user, list_users
from indicators_lab.core.db import in_transaction as tx
from tests.apptest import ADMIN, app, open_page  # noqa: F401  (app is a fixture)

PW = "Correct horse 42 battery"


def _accounts(engine):
    return {u["email"]: u for u in tx(engine, list_users, actor=ADMIN)}


def test_the_last_admin_cannot_disable_themself_from_the_page(app):
    admin = tx(app, create_user, actor=None, email="a@example.org", name="Ada", role="admin", password=PW)
    at = open_page("views/people.py", admin.user_id)
    who = next(s for s in at.selectbox if s.label == "Account")
    assert who.value is None  # nobody is chosen (and so nobody disabled) by default
    who.select(admin.user_id).run()
    assert next(b for b in at.button if b.label == "Disable").disabled  # confirmation first
    next(c for c in at.checkbox if c.label.startswith("Yes, disable Ada")).check().run()
    next(b for b in at.button if b.label == "Disable").click().run()
    assert not at.exception, at.exception
    assert any("You are the last active admin" in e.value for e in at.error)
    assert _accounts(app)["a@example.org"]["active"]
    at.selectbox(key=f"ilab.people.role.{admin.user_id}").select("co_lead").run()
    next(b for b in at.button if b.label == "Change role").click().run()
    assert any("You are the last active admin" in e.value for e in at.error)
    assert _accounts(app)["a@example.org"]["role"] == "admin"


def test_an_admin_disables_another_account_after_confirming(app):
    admin = tx(app, create_user, actor=None, email="a@example.org", name="Ada", role="admin", password=PW)
    lead = tx(app, create_user, actor=admin, email="l@example.org", name="Lee", role="co_lead", password=PW)
    at = open_page("views/people.py", admin.user_id)
    next(s for s in at.selectbox if s.label == "Account").select(lead.user_id).run()
    next(c for c in at.checkbox if c.label.startswith("Yes, disable Lee")).check().run()
    next(b for b in at.button if b.label == "Disable").click().run()
    assert not at.exception, at.exception
    assert not _accounts(app)["l@example.org"]["active"]
    assert any("Lee can no longer sign in" in s.value for s in at.success)


def test_the_invitation_form_keeps_a_mistake_and_is_cleared_after_success(app):
    admin = tx(app, create_user, actor=None, email="a@example.org", name="Ada", role="admin", password=PW)
    at = open_page("views/people.py", admin.user_id)
    name = next(t for t in at.text_input if t.label == "Name")
    name.input("Noor Newcomer")
    next(t for t in at.text_input if t.label == "Organisation").input("Diaspora Forum")
    next(t for t in at.text_input if t.label == "Email").input("noor-at-example.org")
    next(b for b in at.button if b.label == "Invite").click().run()
    assert any("is not a valid email address" in e.value for e in at.error)
    assert next(t for t in at.text_input if t.label == "Name").value == "Noor Newcomer"  # nothing to retype
    assert next(t for t in at.text_input if t.label == "Organisation").value == "Diaspora Forum"
    next(t for t in at.text_input if t.label == "Email").input("noor@example.org")
    next(b for b in at.button if b.label == "Invite").click().run()
    assert not at.exception, at.exception
    assert "noor@example.org" in _accounts(app)
    assert [t.value for t in at.text_input if t.label in ("Name", "Email", "Organisation")] == ["", "", ""]

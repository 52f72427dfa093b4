"""Accounts: the first admin, who may create whom, sign-in, disabled accounts."""

import pytest

from indicators_lab.core.access import Actor, PermissionDenied, require_role
from indicators_lab.core.errors import UserError
from indicators_lab.core.accounts import create_user, current_actor, set_active
from tests.factories import sign_in
from indicators_lab.core.db import in_transaction as tx

PW = "a long password"


@pytest.fixture
def admin(empty_engine):
    return tx(empty_engine, create_user, actor=None, email="Admin@Example.org", name="Admin", role="admin", password=PW)


def test_first_admin_needs_no_sign_in_but_the_second_does(empty_engine, admin):
    assert admin.role == "admin"
    with pytest.raises(UserError, match="Only the first admin"):
        tx(empty_engine, create_user, actor=None, email="b@example.org", name="B", role="admin", password=PW)


def test_sign_in_is_case_insensitive_on_email_and_checks_the_password(empty_engine, admin):
    assert sign_in(empty_engine, " admin@example.org ", PW).user_id == admin.user_id
    with pytest.raises(UserError, match="email or password is not right"):
        sign_in(empty_engine, "admin@example.org", "wrong password")
    with pytest.raises(UserError, match="email or password is not right"):
        sign_in(empty_engine, "nobody@example.org", PW)


def test_password_is_stored_as_an_argon2_hash(empty_engine, admin):
    from sqlmodel import Session, select

    from indicators_lab.core.models import User

    with Session(empty_engine) as s:
        stored = s.exec(select(User.password_hash)).one()
    assert stored.startswith("$argon2") and PW not in stored


def test_co_lead_may_create_stakeholders_only(empty_engine, admin):
    lead = tx(empty_engine, create_user, actor=admin, email="lead@example.org", name="Lead", role="co_lead", password=PW)
    tx(empty_engine, create_user, actor=lead, email="s@example.org", name="S", role="stakeholder", password=PW)
    with pytest.raises(PermissionDenied):
        tx(empty_engine, create_user, actor=lead, email="x@example.org", name="X", role="excom", password=PW)


@pytest.mark.parametrize("kwargs, message", [
    ({"email": "not-an-email"}, "not a valid email"),
    ({"email": "  "}, "Give the person's email address"),
    ({"password": "short"}, "at least 12 characters"),
    ({"password": "password1234"}, "too easy to guess. This is a very common password"),
    ({"password": "qwertyuiopasdf"}, "too easy to guess"),
    ({"email": "newcomer@example.org", "password": "Newcomer-2026-ok"}, "must not contain your email address"),
    ({"name": "Josephine Baker", "password": "josephine baker 1906"}, "must not contain your name"),
    ({"role": "king"}, "Unknown role 'king'; roles are .*co-lead, ExCom member"),
    ({"email": "admin@example.org"}, "already exists"),
])
def test_bad_account_details_are_refused(empty_engine, admin, kwargs, message):
    args = {"email": "new@example.org", "name": "New", "role": "co_lead", "password": PW, **kwargs}
    with pytest.raises(UserError, match=message):
        tx(empty_engine, create_user, actor=admin, **args)


def test_disabled_account_cannot_sign_in_or_act(empty_engine, admin):
    lead = tx(empty_engine, create_user, actor=admin, email="lead@example.org", name="Lead", role="co_lead", password=PW)
    tx(empty_engine, set_active, actor=admin, user_id=lead.user_id, active=False)
    with pytest.raises(UserError, match="disabled"):
        sign_in(empty_engine, "lead@example.org", PW)
    with pytest.raises(UserError, match="disabled"):
        tx(empty_engine, current_actor, lead.user_id)


def test_require_role_names_the_needed_role():
    with pytest.raises(PermissionDenied, match="Only a co-lead or ExCom member can do this; you are signed in as stakeholder"):
        require_role(Actor("S", "stakeholder"), "co_lead", "excom")
    assert require_role(Actor("A", "admin"), "co_lead").role == "admin"
    with pytest.raises(PermissionDenied, match="Sign in first"):
        require_role(None, "co_lead")


def test_invitation_link_sets_the_password_once(empty_engine, admin):
    from indicators_lab.consultation.invitations import accept_invite, invite

    inv = tx(empty_engine, invite, actor=admin, email="ngo@example.org", name="Nadia", organisation="NGO",
                 constituency="Civil society")
    assert inv.link("http://h:8501/").startswith("http://h:8501/set_password?token=")
    with pytest.raises(UserError, match="email or password"):
        sign_in(empty_engine, "ngo@example.org", PW)
    with pytest.raises(UserError, match="not valid"):
        tx(empty_engine, accept_invite, token="forged", password=PW)
    actor = tx(empty_engine, accept_invite, token=inv.token, password=PW)
    assert actor.role == "stakeholder"
    assert sign_in(empty_engine, "ngo@example.org", PW).user_id == actor.user_id
    with pytest.raises(UserError, match="already been used"):
        tx(empty_engine, accept_invite, token=inv.token, password="another long one")


def test_bulk_invite_is_all_or_nothing(empty_engine, admin):
    from indicators_lab.consultation.invitations import invite_many
    from indicators_lab.core.accounts import list_users
    from tests.factories import csv_bytes

    good = csv_bytes([["name", "email", "organisation", "constituency"],
                      ["A", "a@x.org", "Org A", "Academia"], ["B", "b@x.org", "Org B", "trade union"]])
    assert [i.email for i in tx(empty_engine, invite_many, actor=admin, data=good, filename="p.csv", max_bytes=10**6)] == ["a@x.org", "b@x.org"]
    bad = csv_bytes([["name", "email", "organisation", "constituency"],
                     ["C", "c@x.org", "Org C", "Academia"], ["D", "d@x.org", "Org D", "Pirates"]])
    with pytest.raises(UserError, match="Row 3: Unknown constituency 'Pirates'"):
        tx(empty_engine, invite_many, actor=admin, data=bad, filename="p.csv", max_bytes=10**6)
    assert [u["email"] for u in tx(empty_engine, list_users, actor=admin)] == ["admin@example.org", "a@x.org", "b@x.org"]


def test_the_last_active_admin_can_neither_disable_nor_demote_themself(empty_engine, admin):
    from indicators_lab.core.accounts import set_active, set_role

    with pytest.raises(UserError, match="You are the last active admin"):
        tx(empty_engine, set_active, actor=admin, user_id=admin.user_id, active=False)
    with pytest.raises(UserError, match="You are the last active admin"):
        tx(empty_engine, set_role, actor=admin, user_id=admin.user_id, role="co_lead")
    second = tx(empty_engine, create_user, actor=admin, email="b@example.org", name="B", role="admin", password=PW)
    tx(empty_engine, set_role, actor=admin, user_id=admin.user_id, role="co_lead")
    with pytest.raises(UserError, match="You are the last active admin"):
        tx(empty_engine, set_active, actor=second, user_id=second.user_id, active=False)


def test_the_command_line_restores_access_when_no_admin_is_active(empty_engine, admin):
    from indicators_lab.core.access import COMMAND_LINE
    from indicators_lab.core.accounts import enable_by_email, set_active

    other = tx(empty_engine, create_user, actor=admin, email="c@example.org", name="C", role="co_lead", password=PW)
    tx(empty_engine, set_active, actor=admin, user_id=other.user_id, active=False)
    assert tx(empty_engine, enable_by_email, actor=COMMAND_LINE, email=" C@example.org") is True
    assert tx(empty_engine, enable_by_email, actor=COMMAND_LINE, email="c@example.org") is False
    # Every admin disabled behind the app's back (e.g. by hand in the database): a new one can be made.
    from sqlmodel import Session

    from indicators_lab.core.models import User

    with Session(empty_engine) as s:
        s.get(User, admin.user_id).active = False
        s.commit()
    new = tx(empty_engine, create_user, actor=None, email="rescue@example.org", name="R", role="admin", password=PW)
    assert new.role == "admin"

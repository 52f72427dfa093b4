"""Accounts: create, sign in (argon2 hashes), disable. Roles are checked in auth.require_role."""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlmodel import Session, select

from indicators_lab.core.access import ROLES, Actor, require, require_role
from indicators_lab.core.errors import NotFound, UserError
from indicators_lab.core.models import Invite, User, utcnow

MIN_PASSWORD = 10
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_hasher = PasswordHasher()
# Verified against when the email is unknown, so both cases take the same time.
_DUMMY_HASH = _hasher.hash("not-a-real-password")


def _actor(user: User) -> Actor:
    return Actor(name=user.name, role=user.role, user_id=user.id)


def _validate(email: str, name: str, role: str, password: str | None) -> str:
    email = (email or "").strip().lower()
    if not EMAIL_RE.match(email):
        raise UserError(f"'{email}' is not a valid email address.")
    if not (name or "").strip():
        raise UserError("A name is required.")
    if role not in ROLES:
        raise UserError(f"Unknown role '{role}'; roles are {', '.join(ROLES)}.")
    if password is not None and len(password) < MIN_PASSWORD:
        raise UserError(f"The password must have at least {MIN_PASSWORD} characters.")
    return email


def create_user(
    *, session: Session, actor: Actor | None, email: str, name: str, role: str,
    password: str | None = None, organisation: str = "", constituency: str = "",
) -> Actor:
    """Create an account. Only an admin creates co-leads, ExCom members and admins; a co-lead
    may create stakeholders. ``actor=None`` is allowed only for the very first admin."""
    email = _validate(email, name, role, password)
    if actor is None:
        if role != "admin" or session.exec(select(User).where(User.role == "admin")).first():
            raise UserError("Only the first admin can be created without signing in.")
    elif role == "stakeholder":
        require_role(actor, "co_lead")
    else:
        require_role(actor, "admin")
    if session.exec(select(User).where(User.email == email)).first():
        raise UserError(f"An account for {email} already exists.")
    user = User(
        email=email, name=name.strip(), role=role, organisation=organisation.strip(),
        constituency=constituency.strip(),
        password_hash=_hasher.hash(password) if password else None,
    )
    session.add(user)
    session.flush()
    return _actor(user)


def authenticate(email: str, password: str, *, session: Session) -> Actor:
    """The account's actor if the email and password match an active account."""
    email = (email or "").strip().lower()
    user = session.exec(select(User).where(User.email == email)).first()
    try:
        _hasher.verify(user.password_hash if user and user.password_hash else _DUMMY_HASH, password or "")
    except (VerificationError, InvalidHashError):
        raise UserError("The email or password is not right.") from None
    if user is None or not user.password_hash:
        raise UserError("The email or password is not right.")
    if not user.active:
        raise UserError("This account is disabled. Ask a co-lead or admin.")
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    user.last_sign_in_at = utcnow()
    session.add(user)
    return _actor(user)


def current_actor(user_id: int, *, session: Session) -> Actor:
    """Re-read a signed-in user (role changes and disabling take effect at once)."""
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("This account no longer exists.")
    if not user.active:
        raise UserError("This account is disabled. Ask a co-lead or admin.")
    return _actor(user)


def set_active(*, session: Session, actor: Actor, user_id: int, active: bool) -> None:
    require_role(actor, "admin")
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(f"There is no account with id {user_id}.")
    user.active = active
    session.add(user)


def list_users(*, session: Session, actor: Actor) -> list[dict]:
    """Every account (co-leads and admins)."""
    require(actor, "people.read")
    return [{"id": u.id, "name": u.name, "email": u.email, "role": u.role, "organisation": u.organisation,
             "constituency": u.constituency, "active": u.active, "has_password": bool(u.password_hash),
             "last_sign_in_at": u.last_sign_in_at}
            for u in session.exec(select(User).order_by(User.id))]

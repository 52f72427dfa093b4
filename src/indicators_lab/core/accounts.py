"""Accounts: create, sign in (argon2 hashes, throttled), sign out, change password, disable.
Roles are checked in access.require_role."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from indicators_lab.core import throttle
from indicators_lab.core.access import ROLES, Actor, require_role
from indicators_lab.core.db import session_scope
from indicators_lab.core.errors import NotFound, UserError
from indicators_lab.core.models import User, utcnow
from indicators_lab.core.passwords import MIN_PASSWORD, check_password

__all__ = ["MIN_PASSWORD", "SignInAttempt", "attempt_sign_in", "authenticate", "change_password",
           "create_user", "current_actor", "list_users", "set_active", "sign_out"]
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_hasher = PasswordHasher()
# Verified against when the email is unknown, so both cases take the same time.
_DUMMY_HASH = _hasher.hash("not-a-real-password")


def _actor(user: User) -> Actor:
    return Actor(name=user.name, role=user.role, user_id=user.id, session_epoch=user.session_epoch)


def _validate(email: str, name: str, role: str, password: str | None) -> str:
    email = (email or "").strip().lower()
    if not EMAIL_RE.match(email):
        raise UserError(f"'{email}' is not a valid email address.")
    if not (name or "").strip():
        raise UserError("A name is required.")
    if role not in ROLES:
        raise UserError(f"Unknown role '{role}'; roles are {', '.join(ROLES)}.")
    if password is not None:
        check_password(password, email=email, name=name)
    return email


def create_user(
    engine: Engine, *, actor: Actor | None, email: str, name: str, role: str,
    password: str | None = None, organisation: str = "", constituency: str = "",
) -> Actor:
    """Create an account. Only an admin creates co-leads, ExCom members and admins; a co-lead
    may create stakeholders. ``actor=None`` is allowed only for the very first admin."""
    email = _validate(email, name, role, password)
    with session_scope(engine) as s:
        if actor is None:
            if role != "admin" or s.exec(select(User).where(User.role == "admin")).first():
                raise UserError("Only the first admin can be created without signing in.")
        elif role == "stakeholder":
            require_role(actor, "co_lead")
        else:
            require_role(actor, "admin")
        if s.exec(select(User).where(User.email == email)).first():
            raise UserError(f"An account for {email} already exists.")
        user = User(
            email=email, name=name.strip(), role=role, organisation=organisation.strip(),
            constituency=constituency.strip(),
            password_hash=_hasher.hash(password) if password else None,
        )
        s.add(user)
        s.flush()
        return _actor(user)


WRONG = "The email or password is not right."


@dataclass(frozen=True)
class SignInAttempt:
    """The outcome of one sign-in: the actor, or the message to show (never both)."""

    actor: Actor | None = None
    error: str | None = None


def attempt_sign_in(*, session: Session, email: str, password: str, source: str | None = None,
                    now: datetime | None = None) -> SignInAttempt:
    """Check a sign-in and record its failure or success in ``session``; never raises for a
    wrong password, so the caller commits the failure count (a raise would roll it back).

    Refused without looking at the password while the account or the source address is locked.
    """
    now = now or utcnow()
    email = (email or "").strip().lower()
    keys = [throttle.account_key(email)] + ([throttle.source_key(source)] if source else [])
    until = throttle.locked_until(session, keys, now)
    if until is not None:
        return SignInAttempt(error=throttle.wait_message(until - now))
    user = session.exec(select(User).where(User.email == email)).first()
    try:
        _hasher.verify(user.password_hash if user and user.password_hash else _DUMMY_HASH, password or "")
        if user is None or not user.password_hash:
            raise VerificationError()
    except (VerificationError, InvalidHashError):
        throttle.record_failure(session, keys, now)
        return SignInAttempt(error=WRONG)
    if not user.active:
        return SignInAttempt(error="This account is disabled. Ask a co-lead or admin.")
    throttle.clear(session, keys[:1])  # not the source: one good account must not reset a guesser
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    user.last_sign_in_at = now
    session.add(user)
    return SignInAttempt(actor=_actor(user))


def authenticate(engine: Engine, email: str, password: str, *, source: str | None = None,
                 now: datetime | None = None) -> Actor:
    """The account's actor if the email and password match an active account and sign-in is not
    locked for the account or ``source`` (the visitor's address); else UserError."""
    with session_scope(engine) as s:
        attempt = attempt_sign_in(session=s, email=email, password=password, source=source, now=now)
    if attempt.error:
        raise UserError(attempt.error)
    return attempt.actor


def current_actor(engine: Engine, user_id: int, session_epoch: int | None = None) -> Actor:
    """Re-read a signed-in user (role changes and disabling take effect at once). With
    ``session_epoch``, a sign-in from before the last sign-out or password change is refused."""
    with session_scope(engine) as s:
        user = s.get(User, user_id)
        if user is None:
            raise NotFound("This account no longer exists.")
        if not user.active:
            raise UserError("This account is disabled. Ask a co-lead or admin.")
        if session_epoch is not None and session_epoch != user.session_epoch:
            raise UserError("You were signed out (on this or another device, or the password changed). Sign in again.")
        return _actor(user)


def _end_sessions(s: Session, user_id: int) -> None:
    # One UPDATE adds one, so two processes signing out at once both count.
    s.execute(update(User).where(User.id == user_id).values(session_epoch=User.session_epoch + 1))


def sign_out(engine: Engine, *, user_id: int) -> None:
    """End every sign-in of this account, on every device (their tokens stop working)."""
    with session_scope(engine) as s:
        _end_sessions(s, user_id)


def change_password(engine: Engine, *, actor: Actor, current_password: str, new_password: str,
                    now: datetime | None = None) -> Actor:
    """Change the signed-in person's own password; every other sign-in of theirs ends. Returns the
    actor with the new session epoch (so this browser stays signed in)."""
    if actor is None or actor.user_id is None:
        raise UserError("Sign in first to change your password.")
    with session_scope(engine) as s:
        user = s.get(User, actor.user_id)
        if user is None or not user.active:
            raise UserError("This account is disabled. Ask a co-lead or admin.")
        email = user.email
    check_password(new_password, email=email, name=user.name)
    # The current password is checked like a sign-in (same throttle), in its own transaction so a
    # failure is counted even though this call then raises.
    try:
        authenticate(engine, email, current_password, now=now)
    except UserError as exc:
        raise UserError("Your current password is not right." if str(exc) == WRONG else str(exc)) from None
    with session_scope(engine) as s:
        user = s.get(User, actor.user_id)
        user.password_hash = _hasher.hash(new_password)
        s.add(user)
        s.flush()
        _end_sessions(s, user.id)
        s.refresh(user)
        return _actor(user)


def set_active(engine: Engine, *, actor: Actor, user_id: int, active: bool) -> None:
    require_role(actor, "admin")
    with session_scope(engine) as s:
        user = s.get(User, user_id)
        if user is None:
            raise NotFound(f"There is no account with id {user_id}.")
        user.active = active
        s.add(user)
        if not active:
            s.flush()
            _end_sessions(s, user.id)


def list_users(engine: Engine, *, actor: Actor) -> list[dict]:
    require_role(actor, "co_lead")
    with session_scope(engine) as s:
        return [{"id": u.id, "name": u.name, "email": u.email, "role": u.role, "organisation": u.organisation,
                 "constituency": u.constituency, "active": u.active, "has_password": bool(u.password_hash),
                 "last_sign_in_at": u.last_sign_in_at}
                for u in s.exec(select(User).order_by(User.id))]

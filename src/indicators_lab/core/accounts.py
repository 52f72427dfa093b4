"""Accounts: create, sign in (argon2 hashes, throttled), sign out, change password, disable.
Roles are checked in access.require_role."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from datetime import datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import update
from sqlmodel import Session, select

from indicators_lab.core import throttle
from indicators_lab.core.access import ROLE_LABELS, ROLES, Actor, require, require_role
from indicators_lab.core.errors import NotFound, UserError
from indicators_lab.core.models import User, utcnow
from indicators_lab.core.passwords import MIN_PASSWORD, check_password

__all__ = ["MIN_PASSWORD", "SignInAttempt", "attempt_sign_in", "change_password", "create_user",
           "current_actor", "end_sessions", "list_users", "set_active", "sign_out"]
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_hasher = PasswordHasher()


@functools.cache
def _dummy_hash() -> str:
    """Verified against when the email is unknown, so both cases take the same time. Made on
    first sign-in, not at import: one argon2 hash costs ~0.5 s, on every page's start-up path."""
    return _hasher.hash("not-a-real-password")


def _actor(user: User) -> Actor:
    return Actor(name=user.name, role=user.role, user_id=user.id, session_epoch=user.session_epoch)


def _validate(email: str, name: str, role: str, password: str | None) -> str:
    email = (email or "").strip().lower()
    if not email:
        raise UserError("Give the person's email address.")
    if not EMAIL_RE.match(email):
        raise UserError(f"'{email}' is not a valid email address.")
    if not (name or "").strip():
        raise UserError("A name is required.")
    if role not in ROLES:
        raise UserError(f"Unknown role '{role}'; roles are {', '.join(ROLE_LABELS[r] for r in ROLES)}.")
    if password is not None:
        check_password(password, email=email, name=name)
    return email


def create_user(
    *, session: Session, actor: Actor | None, email: str, name: str, role: str,
    password: str | None = None, organisation: str = "", constituency: str = "",
) -> Actor:
    """Create an account. Only an admin creates co-leads, ExCom members and admins; a co-lead
    may create stakeholders. ``actor=None`` (the command line) may create an admin only while no
    admin account is active: the first one, or a way back in when every admin is disabled."""
    email = _validate(email, name, role, password)
    if actor is None:
        if role != "admin" or _active_admins(session):
            raise UserError("Only the first admin can be created without signing in: an active admin "
                            "exists. Sign in as them, or re-enable an account with `users enable --email`.")
    elif role == "stakeholder":
        require_role(actor, "co_lead")
    else:
        require_role(actor, "admin")
    if session.exec(select(User).where(User.email == email)).first():
        hint = f" Re-enable it with `users enable --email {email}`." if actor is None else ""
        raise UserError(f"An account for {email} already exists.{hint}")
    user = User(
        email=email, name=name.strip(), role=role, organisation=organisation.strip(),
        constituency=constituency.strip(),
        password_hash=_hasher.hash(password) if password else None,
    )
    session.add(user)
    session.flush()
    return _actor(user)


WRONG = "The email or password is not right."


@dataclass(frozen=True)
class SignInAttempt:
    """The outcome of a sign-in (or a password check): the actor, or the message to show."""

    actor: Actor | None = None
    error: str | None = None

    def actor_or_raise(self) -> Actor:
        """The actor; else UserError with the message. Call it after the unit of work committed."""
        if self.error or self.actor is None:
            raise UserError(self.error or WRONG)
        return self.actor


def _check(session: Session, email: str, password: str, source: str | None, now: datetime
           ) -> tuple[User | None, str | None]:
    """The account if ``password`` is its password and sign-in is not locked; else the message.
    A wrong password is counted in ``session`` (per account and per source address)."""
    keys = [throttle.account_key(email)] + ([throttle.source_key(source)] if source else [])
    until = throttle.locked_until(session, keys, now)
    if until is not None:  # refused without hashing: a lock also stops an argon2 flood
        return None, throttle.wait_message(until - now)
    user = session.exec(select(User).where(User.email == email)).first()
    try:
        _hasher.verify(user.password_hash if user and user.password_hash else _dummy_hash(), password or "")
        if user is None or not user.password_hash:
            raise VerificationError()
    except (VerificationError, InvalidHashError):
        throttle.record_failure(session, keys, now)
        return None, WRONG
    if not user.active:
        return None, "This account is disabled. Ask a co-lead or admin."
    throttle.clear(session, keys[:1])  # not the source: one good account must not reset a guesser
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    return user, None


def attempt_sign_in(email: str, password: str, *, session: Session, source: str | None = None,
                    now: datetime | None = None) -> SignInAttempt:
    """Check a sign-in; refused while the account or ``source`` (the visitor's address) is locked.

    Never raises for a refusal: the failure count is written in ``session`` and must be committed,
    so the caller commits, then calls ``actor_or_raise()``.
    """
    now = now or utcnow()
    user, error = _check(session, (email or "").strip().lower(), password, source, now)
    if error:
        return SignInAttempt(error=error)
    user.last_sign_in_at = now
    session.add(user)
    return SignInAttempt(actor=_actor(user))


def current_actor(user_id: int, session_epoch: int | None = None, *, session: Session) -> Actor:
    """Re-read a signed-in user (role changes and disabling take effect at once). With
    ``session_epoch``, a sign-in from before the last sign-out or password change is refused."""
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("This account no longer exists.")
    if not user.active:
        raise UserError("This account is disabled. Ask a co-lead or admin.")
    if session_epoch is not None and session_epoch != user.session_epoch:
        raise UserError("You were signed out (on this or another device, or your password changed). Sign in again.")
    return _actor(user)


def end_sessions(user: User, *, session: Session) -> None:
    """End every sign-in of ``user`` on every device: their tokens carry the old epoch."""
    # One UPDATE adds one, so two processes signing out at once both count.
    session.execute(update(User).where(User.id == user.id).values(session_epoch=User.session_epoch + 1))
    session.refresh(user)


def sign_out(*, session: Session, user_id: int) -> None:
    """Sign this account out everywhere (every device's cookie stops working)."""
    user = session.get(User, user_id)
    if user is not None:
        end_sessions(user, session=session)


def change_password(*, session: Session, actor: Actor, current_password: str, new_password: str,
                    now: datetime | None = None) -> SignInAttempt:
    """Change the signed-in person's own password; their other sign-ins end. The attempt's actor
    has the new session epoch (this browser stays signed in). A wrong current password counts as
    a failed sign-in, so, as with attempt_sign_in, commit first, then ``actor_or_raise()``."""
    user = session.get(User, actor.user_id) if actor is not None and actor.user_id is not None else None
    if user is None:
        raise UserError("Sign in first to change your password.")
    check_password(new_password, email=user.email, name=user.name)
    checked, error = _check(session, user.email, current_password, None, now or utcnow())
    if error:
        return SignInAttempt(error="Your current password is not right." if error == WRONG else error)
    checked.password_hash = _hasher.hash(new_password)
    session.add(checked)
    session.flush()
    end_sessions(checked, session=session)
    return SignInAttempt(actor=_actor(checked))


def _active_admins(session: Session) -> list[int]:
    return list(session.exec(select(User.id).where(User.role == "admin", User.active == True)))  # noqa: E712


def _keep_an_admin(session: Session, actor: Actor, user: User, what: str) -> None:
    """Refuse a change that would leave no active admin (nobody could manage accounts)."""
    if user.role == "admin" and user.active and _active_admins(session) == [user.id]:
        who = "You are" if user.id == actor.user_id else f"{user.name} is"
        raise UserError(f"{who} the last active admin: make another admin first, so that someone can "
                        f"still manage accounts, then {what}.")


def set_active(*, session: Session, actor: Actor, user_id: int, active: bool) -> None:
    """Enable or disable an account; the last active admin cannot be disabled."""
    require_role(actor, "admin")
    # Row lock on PostgreSQL: two admins disabling each other at once cannot both succeed.
    user = session.exec(select(User).where(User.id == user_id).with_for_update()).first()
    if user is None:
        raise NotFound(f"There is no account with id {user_id}.")
    if not active:
        session.exec(select(User.id).where(User.role == "admin").with_for_update()).all()
        _keep_an_admin(session, actor, user, "disable this account")
    user.active = active
    session.add(user)
    if not active:
        session.flush()
        end_sessions(user, session=session)


def set_role(*, session: Session, actor: Actor, user_id: int, role: str) -> None:
    """Give an account another role; the last active admin cannot be demoted."""
    require_role(actor, "admin")
    if role not in ROLES:
        raise UserError(f"Unknown role '{role}'; roles are {', '.join(ROLE_LABELS[r] for r in ROLES)}.")
    user = session.exec(select(User).where(User.id == user_id).with_for_update()).first()
    if user is None:
        raise NotFound(f"There is no account with id {user_id}.")
    if role != "admin":
        session.exec(select(User.id).where(User.role == "admin").with_for_update()).all()
        _keep_an_admin(session, actor, user, "change this role")
    user.role = role
    session.add(user)


def enable_by_email(*, session: Session, actor: Actor, email: str) -> bool:
    """Re-enable the account of ``email`` (the command line's way back in); False if it was active."""
    require_role(actor, "admin")
    email = (email or "").strip().lower()
    user = session.exec(select(User).where(User.email == email)).first()
    if user is None:
        raise NotFound(f"There is no account for {email}.")
    if user.active:
        return False
    user.active = True
    session.add(user)
    return True


def list_users(*, session: Session, actor: Actor) -> list[dict]:
    """Every account (co-leads and admins)."""
    require(actor, "people.read")
    return [{"id": u.id, "name": u.name, "email": u.email, "role": u.role, "organisation": u.organisation,
             "constituency": u.constituency, "active": u.active, "has_password": bool(u.password_hash),
             "last_sign_in_at": u.last_sign_in_at}
            for u in session.exec(select(User).order_by(User.id))]

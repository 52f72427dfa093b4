"""Invitations: an account without a password and a one-time link to set it (alone or from a file)."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from sqlalchemy import update
from sqlmodel import Session, select

from indicators_lab.catalogue.importing import normalise_header, read_table
from indicators_lab.core.access import Actor, require_role
from indicators_lab.core.accounts import _actor, _hasher, _validate, end_sessions
from indicators_lab.core.errors import UserError
from indicators_lab.core.i18n import _
from indicators_lab.core.models import Invite, User, utcnow
from indicators_lab.core.passwords import check_password
from indicators_lab.core.vocabulary import CONSTITUENCIES, normalise_choice


INVITE_DAYS = 14


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class Invitation:
    email: str
    name: str
    token: str

    def link(self, base_url: str) -> str:
        return f"{base_url.rstrip('/')}/set_password?token={self.token}"


def _invite(s, actor: Actor, *, email: str, name: str, role: str, organisation: str, constituency: str) -> Invitation:
    email = _validate(email, name, role, None)
    if role == "stakeholder":
        require_role(actor, "co_lead")
    else:
        require_role(actor, "admin")
    constituency = normalise_choice(constituency, CONSTITUENCIES, "constituency") if constituency else ""
    if s.exec(select(User).where(User.email == email)).first():
        raise UserError(f"An account for {email} already exists.")
    user = User(email=email, name=name.strip(), role=role, organisation=(organisation or "").strip()[:300],
                constituency=constituency)
    s.add(user)
    s.flush()
    token = secrets.token_urlsafe(32)
    s.add(Invite(user_id=user.id, token_hash=_token_hash(token), expires_at=utcnow() + timedelta(days=INVITE_DAYS)))
    return Invitation(email, user.name, token)


def invite(*, session: Session, actor: Actor, email: str, name: str, role: str = "stakeholder",
           organisation: str = "", constituency: str = "") -> Invitation:
    """Create an account without a password and a one-time link (valid 14 days) to set it."""
    return _invite(session, actor, email=email, name=name, role=role, organisation=organisation,
                   constituency=constituency)


def invite_many(*, session: Session, actor: Actor, data: bytes, filename: str, max_bytes: int) -> list[Invitation]:
    """Invite stakeholders from a CSV/XLSX (name, email, organisation, constituency): all or nothing."""
    require_role(actor, "co_lead")
    headers, rows = read_table(data, filename, max_bytes=max_bytes)
    cols = {normalise_header(h): i for i, h in enumerate(headers)}
    missing = [c for c in ("name", "email", "organisation", "constituency") if c not in cols]
    if missing:
        raise UserError("The file needs the columns name, email, organisation, constituency; missing: "
                        + ", ".join(missing) + ".")
    out = []
    seen = set()
    for n, row in enumerate(rows, start=2):
        email = row[cols["email"]].strip().lower()
        if email in seen:
            raise UserError(f"Row {n}: {email} appears twice in the file.")
        seen.add(email)
        try:
            out.append(_invite(session, actor, email=email, name=row[cols["name"]], role="stakeholder",
                               organisation=row[cols["organisation"]],
                               constituency=row[cols["constituency"]]))
        except UserError as exc:
            raise UserError(f"Row {n}: {exc}") from None
    return out


def accept_invite(*, session: Session, token: str, password: str) -> Actor:
    """Set the password of an invited account with its one-time token; signs them in."""
    inv = session.exec(select(Invite).where(Invite.token_hash == _token_hash(token or ""))).first()
    if inv is None:
        raise UserError(_("This link is not valid. Ask the co-leads for a new invitation."))
    if inv.used_at is not None:
        raise UserError(_("This link has already been used. Sign in with your email and password."))
    expires = inv.expires_at if inv.expires_at.tzinfo else inv.expires_at.replace(tzinfo=timezone.utc)
    if expires < datetime.now(timezone.utc):
        raise UserError(_("This link has expired. Ask the co-leads for a new invitation."))
    user = session.get(User, inv.user_id)
    if not user.active:
        raise UserError(_("This account is disabled."))
    check_password(password, email=user.email, name=user.name)
    # Used once, decided by the database: of two tabs submitting the same link, one wins.
    claimed = session.execute(
        update(Invite).where(Invite.id == inv.id, Invite.used_at.is_(None)).values(used_at=utcnow())
    ).rowcount
    if claimed != 1:
        raise UserError(_("This link has already been used. Sign in with your email and password."))
    user.password_hash = _hasher.hash(password)
    session.add(user)
    session.flush()
    end_sessions(user, session=session)
    return _actor(user)


def reissue(*, session: Session, actor: Actor, email: str) -> Invitation:
    """A new one-time link for someone who has not set a password yet (the earlier link expired or
    was lost); every earlier link of theirs stops working."""
    email = (email or "").strip().lower()
    user = session.exec(select(User).where(User.email == email).with_for_update()).first()
    if user is None:
        raise UserError(f"There is no account for {email or 'that email'}. Invite them first.")
    require_role(actor, "co_lead" if user.role == "stakeholder" else "admin")
    if user.password_hash:
        raise UserError(f"{email} has already set a password: they sign in with it (or an admin resets it).")
    if not user.active:
        raise UserError(f"The account of {email} is disabled; enable it first.")
    session.execute(update(Invite).where(Invite.user_id == user.id, Invite.used_at.is_(None)).values(used_at=utcnow()))
    token = secrets.token_urlsafe(32)
    session.add(Invite(user_id=user.id, token_hash=_token_hash(token), expires_at=utcnow() + timedelta(days=INVITE_DAYS)))
    return Invitation(email, user.name, token)


def base_url_warning(base_url: str) -> str | None:
    """Why invitation links built on ``base_url`` would not work for people elsewhere, if they would not."""
    from urllib.parse import urlparse

    host = (urlparse(base_url).hostname or "").lower()
    if host in ("localhost", "127.0.0.1", "::1", "0.0.0.0") or host.endswith(".localhost"):
        return (f"Invitation links point to {base_url}, which only works on this computer. Set "
                "INDICATORS_LAB_BASE_URL to the address people use (https://…).")
    if base_url.lower().startswith("http://"):
        return (f"Invitation links point to {base_url} without https: passwords would travel unencrypted. "
                "Set INDICATORS_LAB_BASE_URL to an https address.")
    return None

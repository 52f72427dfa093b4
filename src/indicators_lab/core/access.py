"""Who is acting, and what their role allows. Service functions check roles themselves."""

from __future__ import annotations

from dataclasses import dataclass

from indicators_lab.core.errors import UserError

ROLES = ("admin", "co_lead", "excom", "stakeholder")
ROLE_LABELS = {
    "admin": "admin",
    "co_lead": "co-lead",
    "excom": "ExCom member",
    "stakeholder": "stakeholder",
}


class PermissionDenied(UserError):
    """The acting user's role does not allow this action."""


@dataclass(frozen=True)
class Actor:
    """The person acting: their display name and role."""

    name: str
    role: str = "co_lead"
    user_id: int | None = None
    # The account's session epoch when this actor was read; a sign-in token carries it.
    session_epoch: int | None = None


# The command line runs with the machine owner's rights (whoever can run it can open the database).
COMMAND_LINE = Actor(name="command line", role="admin")


def require_role(actor: Actor | None, *roles: str) -> Actor:
    """Return ``actor`` if it holds one of ``roles`` (admin always does); else PermissionDenied."""
    if actor is None or not actor.name.strip():
        raise PermissionDenied("Sign in first: this action records who made it.")
    if actor.role == "admin" or actor.role in roles:
        return actor
    allowed = " or ".join(ROLE_LABELS.get(r, r) for r in roles)
    raise PermissionDenied(
        f"Only a {allowed} can do this; you are signed in as {ROLE_LABELS.get(actor.role, actor.role)}."
    )

"""Who is acting, and what each role may see and do: ONE table, read by the services (``require``),
the navigation (app.py), the page guards and the tests. The README renders the same table
(``access_table_markdown``); a test fails if the two disagree.
"""

from __future__ import annotations

from dataclasses import dataclass

from indicators_lab.core.errors import UserError
from indicators_lab.core.i18n import N_, _

SIGNED_OUT = "signed_out"
ROLES = ("admin", "co_lead", "excom", "stakeholder")  # roles an account can hold
VIEWERS = (SIGNED_OUT, "stakeholder", "excom", "co_lead", "admin")  # every kind of visitor, least first
ROLE_LABELS = {
    SIGNED_OUT: N_("signed-out visitor"),
    "admin": N_("admin"),
    "co_lead": N_("co-lead"),
    "excom": N_("ExCom member"),
    "stakeholder": N_("stakeholder"),
}

_ALL = VIEWERS
_SIGNED_IN = ("stakeholder", "excom", "co_lead", "admin")
_STAFF = ("excom", "co_lead", "admin")
_LEADS = ("co_lead", "admin")

# permission -> (roles that hold it, what it covers). Admins are listed explicitly: nothing is implied.
PERMISSIONS: dict[str, tuple[tuple[str, ...], str]] = {
    "home.read": (_ALL, N_("the home page and its live counts")),
    "catalogue.read": (_ALL, N_("frameworks, items, GCM objectives, actions, principles")),
    "links.read": (_ALL, N_("accepted links of an objective: item, grade, action")),
    "links.rationale.read": (_LEADS, N_("the rationale of a link and who decided it")),
    "account.set_password": (_ALL, N_("set a password from a one-time invitation link")),
    "framework.import": (_LEADS, N_("import or update a framework or a data extract from a file; who imported each")),
    "mapping.read": (_LEADS, N_("suggestions (encodes with the model), decisions, their history")),
    "mapping.decide": (_LEADS, N_("accept, reject, add, bulk-accept, undo links")),
    "sets.read": (_LEADS, N_("candidate sets, scorecards and what-if (encodes with the model)")),
    "sets.edit": (_LEADS, N_("create, rename, copy, delete sets; add, remove, lock items")),
    "optimise.run": (_LEADS, N_("run the optimiser")),
    "consultation.take_part": (_SIGNED_IN, N_("open rounds open to one's constituency: read and post comments")),
    "rounds.read": (_STAFF, N_("every round, whichever constituencies it is open to")),
    "rounds.manage": (_LEADS, N_("open, extend, close rounds; offline template; import comments")),
    "rounds.template.download": (_SIGNED_IN, N_("the offline comment template of a round one may comment in now, "
                                             "in one's language (co-leads: any round)")),
    "comments.authors.read": (_STAFF, N_("comment authors' names (others see the organisation or 'a participant')")),
    "comments.hidden.read": (_LEADS, N_("hidden comments and moderation reasons")),
    "comments.answer": (_LEADS, N_("answer and moderate comments")),
    "matrix.read": (_STAFF, N_("the comment-response matrix, participation counts, matrix CSV/XLSX")),
    "themes.run": (_LEADS, N_("group comments by meaning (encodes with the model)")),
    "people.read": (_LEADS, N_("the list of accounts")),
    "people.invite": (_LEADS, N_("invite stakeholders; the one-time links")),
    "people.manage_staff": (("admin",), N_("add co-leads, ExCom members, admins; disable accounts")),
    "versions.read": (_STAFF, N_("every version (drafts too), change notes, diffs")),
    "versions.freeze": (_LEADS, N_("freeze a set as a version, link comments to changes, record approval")),
    "excom_views.read": (_STAFF, N_("the review screen and ExCom members' views")),
    "excom_views.record": (("excom", "admin"), N_("record one's view on a version")),
    "annex.download": (_SIGNED_IN, N_("the public annex (approved versions; ExCom and co-leads: any version) "
                                   "without hidden comments, authors' names or rationale")),
    "annex.full.download": (_LEADS, N_("the full annex: every comment with its author, hidden ones too, and rationale")),
}

# page -> (title, section, permission needed to open it, listed in the menu)
PAGE_ACCESS: dict[str, tuple[str, str, str, bool]] = {
    "views/home.py": (N_("Home"), N_("Indicators Lab"), "home.read", True),
    "views/catalogue.py": (N_("Catalogue"), N_("Catalogue"), "catalogue.read", True),
    "views/objectives.py": (N_("GCM objectives"), N_("Catalogue"), "catalogue.read", True),
    "views/import_framework.py": (N_("Import a framework"), N_("Catalogue"), "framework.import", True),
    "views/data_availability.py": (N_("Data availability"), N_("Catalogue"), "catalogue.read", True),
    "views/mapping.py": (N_("Mapping"), N_("Work"), "mapping.read", True),
    "views/candidate_sets.py": (N_("Candidate sets"), N_("Work"), "sets.read", True),
    "views/optimise.py": (N_("Optimise"), N_("Work"), "optimise.run", True),
    "views/consultation.py": (N_("Consultation"), N_("Consult and review"), "consultation.take_part", True),
    "views/rounds.py": (N_("Rounds"), N_("Consult and review"), "rounds.manage", True),
    "views/matrix.py": (N_("Comment-response matrix"), N_("Consult and review"), "matrix.read", True),
    "views/people.py": (N_("People"), N_("Consult and review"), "people.read", True),
    "views/versions.py": (N_("Versions and annex"), N_("Consult and review"), "annex.download", True),
    "views/strategy.py": (N_("Disaggregation strategy"), N_("Consult and review"), "versions.read", True),
    "views/review.py": (N_("Review (ExCom)"), N_("Consult and review"), "excom_views.read", True),
    # Reached from the invitation link only; never in the menu.
    "views/set_password.py": (N_("Set your password"), N_("Consult and review"), "account.set_password", False),
}

# export -> (page that offers it, permission)
EXPORT_ACCESS: dict[str, tuple[str, str]] = {
    "public annex (XLSX, DOCX, CSV, JSON)": ("views/versions.py", "annex.download"),
    "full annex (XLSX, DOCX, CSV, JSON)": ("views/versions.py", "annex.full.download"),
    "comment-response matrix (XLSX, CSV)": ("views/matrix.py", "matrix.read"),
    "offline comment template (XLSX)": ("views/rounds.py", "rounds.manage"),
    "offline comment template of one's round (XLSX)": ("views/consultation.py", "rounds.template.download"),
    "invitation links (CSV)": ("views/people.py", "people.invite"),
    "disaggregation strategy (CSV)": ("views/strategy.py", "versions.read"),
}

# What a page says to someone who may not open it, by who they are.
_ASK = {
    SIGNED_OUT: N_("Sign in (sidebar) for {what}."),
    "stakeholder": N_("Ask a co-lead for {what}: your stakeholder account does not include it."),
    "excom": N_("Ask a co-lead for {what}: your ExCom account does not include it."),
    "co_lead": N_("Ask an admin for {what}: your co-lead account does not include it."),
    "admin": N_("{what} is not available."),
}


class PermissionDenied(UserError):
    """The acting user's role does not allow this action."""


@dataclass(frozen=True)
class Actor:
    """The person acting: their display name and role (no default: every caller says who)."""

    name: str
    role: str
    user_id: int | None = None
    # The account's session epoch when this actor was read; a sign-in token carries it.
    session_epoch: int | None = None
    # The interface language stored with the account ("" = the browser's).
    language: str = ""


# A visitor who has not signed in: pages pass this to services, which then show only public data.
ANONYMOUS = Actor(name="", role=SIGNED_OUT)
# The command line runs with the machine owner's rights (whoever can run it can open the database).
COMMAND_LINE = Actor(name="command line", role="admin")


def roles_with(permission: str) -> tuple[str, ...]:
    """The roles holding ``permission`` (KeyError for a name not in the table: a typo fails loudly)."""
    return PERMISSIONS[permission][0]


def can(actor: Actor | None, permission: str) -> bool:
    """True if ``actor`` (None = signed out) holds ``permission``."""
    role = SIGNED_OUT if actor is None else actor.role
    return role in roles_with(permission)


def require(actor: Actor | None, permission: str) -> Actor:
    """Return ``actor`` if it holds ``permission``; else PermissionDenied in the user's words."""
    if can(actor, permission):
        return actor if actor is not None else ANONYMOUS
    raise PermissionDenied(denial(actor, permission))


def denial(actor: Actor | None, permission: str) -> str:
    """What to tell ``actor``, who lacks ``permission``: sign in, or whom to ask."""
    role = SIGNED_OUT if actor is None else actor.role
    what = PERMISSIONS[permission][1]
    return _(_ASK.get(role, _ASK["stakeholder"])).format(what=_(what))


def page_permission(path: str) -> str:
    return PAGE_ACCESS[path][2]


def pages_for(role: str) -> list[str]:
    """The pages listed in the menu for ``role``, in menu order."""
    return [p for p, (_, _, perm, listed) in PAGE_ACCESS.items() if listed and role in roles_with(perm)]


def require_role(actor: Actor | None, *roles: str) -> Actor:
    """Return ``actor`` if it holds one of ``roles`` (admin always does); else PermissionDenied."""
    if actor is None or not actor.name.strip() or actor.role == SIGNED_OUT:
        raise PermissionDenied(_("Sign in first: this action records who made it."))
    if actor.role == "admin" or actor.role in roles:
        return actor
    allowed = _(" or ").join(_(ROLE_LABELS.get(r, r)) for r in roles)
    raise PermissionDenied(_("Only a {allowed} can do this; you are signed in as {role}.").format(
        allowed=allowed, role=_(ROLE_LABELS.get(actor.role, actor.role))))


def access_table_markdown() -> str:
    """The access table as Markdown (the README's "Who sees what" section is exactly this)."""
    head = "| permission | what it covers | " + " | ".join(ROLE_LABELS[r] for r in VIEWERS) + " |"
    rule = "|---|---|" + "---|" * len(VIEWERS)
    rows = [f"| `{name}` | {what} | " + " | ".join("✓" if r in roles else "" for r in VIEWERS) + " |"
            for name, (roles, what) in PERMISSIONS.items()]
    pages = ["", "| page | needs | in the menu |", "|---|---|---|"]
    pages += [f"| {title} (`{path}`) | `{perm}` | {'yes' if listed else 'no (link only)'} |"
              for path, (title, _, perm, listed) in PAGE_ACCESS.items()]
    exports = ["", "| download | page | needs |", "|---|---|---|"]
    exports += [f"| {name} | `{page}` | `{perm}` |" for name, (page, perm) in EXPORT_ACCESS.items()]
    return "\n".join([head, rule, *rows, *pages, *exports])

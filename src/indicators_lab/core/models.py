"""SQLModel tables and the small read schemas the pages receive."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from sqlalchemy import JSON, Column, ForeignKey, Index, Integer, LargeBinary, Text, UniqueConstraint
from sqlmodel import Field, SQLModel


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class Framework(SQLModel, table=True):
    """An indicator framework: shipped (sdg, 10.7.2, mgi, gcm) or imported."""

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(index=True, unique=True, max_length=64)
    name: str = Field(max_length=300)
    description: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    version: str = Field(default="", max_length=64)
    # Version of the shipped catalogue last loaded (empty for imported frameworks); kept apart
    # from ``version`` so that an import into a shipped key is not undone at the next start.
    shipped_version: str = Field(default="", max_length=64)
    is_partial: bool = False
    shipped: bool = False
    source: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    licence: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    gaps: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    meta: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class FrameworkItem(SQLModel, table=True):
    """One indicator, question, domain or sub-category of a framework."""

    __tablename__ = "framework_item"
    __table_args__ = (UniqueConstraint("framework_id", "code", name="uq_item_framework_code"),)

    id: int | None = Field(default=None, primary_key=True)
    framework_id: int = Field(foreign_key="framework.id", index=True)
    code: str = Field(max_length=64)
    title: str = Field(sa_column=Column(Text, nullable=False))
    description: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    parent_code: str | None = Field(default=None, max_length=64)
    level: str = Field(default="indicator", max_length=40)
    position: int = 0
    former_title: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    attributes: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    # False when a later catalogue version or import no longer lists the item; it is kept
    # (with everything attached to it) rather than deleted.
    in_current_version: bool = True
    origin: str = Field(default="shipped", max_length=300)
    updated_at: datetime = Field(default_factory=utcnow)


class Objective(SQLModel, table=True):
    """One of the 23 GCM objectives."""

    id: int | None = Field(default=None, primary_key=True)
    number: int = Field(index=True, unique=True)
    title: str = Field(sa_column=Column(Text, nullable=False))
    commitment: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    commitment_paragraph: int | None = None
    commitment_source: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    text_note: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    text_incomplete: bool = False


class Action(SQLModel, table=True):
    """A lettered action under a GCM objective, e.g. 6(c)."""

    __table_args__ = (UniqueConstraint("objective_id", "letter", name="uq_action_objective_letter"),)

    id: int | None = Field(default=None, primary_key=True)
    objective_id: int = Field(foreign_key="objective.id", index=True)
    letter: str = Field(max_length=4)
    text: str = Field(sa_column=Column(Text, nullable=False))
    status: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    text_incomplete: bool = False


class Principle(SQLModel, table=True):
    """A GCM guiding principle (A/RES/73/195 para. 15)."""

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(index=True, unique=True, max_length=4)
    name: str = Field(max_length=200)
    text: str = Field(sa_column=Column(Text, nullable=False))
    status: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))


class Embedding(SQLModel, table=True):
    """A cached sentence embedding, keyed by model name and SHA-256 of the text."""

    model: str = Field(primary_key=True, max_length=200)
    text_hash: str = Field(primary_key=True, max_length=64)
    dim: int
    vector: bytes = Field(sa_column=Column(LargeBinary, nullable=False))


class Link(SQLModel, table=True):
    """A co-lead's decision on one item-objective pair: accepted (with a grade) or rejected.

    Only decisions are stored; suggestions are computed. Every change is an ``LinkEvent``.
    """

    __table_args__ = (UniqueConstraint("item_id", "objective_number", name="uq_link_item_objective"),)

    id: int | None = Field(default=None, primary_key=True)
    item_id: int = Field(foreign_key="framework_item.id", index=True)
    objective_number: int = Field(index=True)
    action_letter: str | None = Field(default=None, max_length=4)
    status: str = Field(default="undecided", max_length=20, index=True)
    grade: str | None = Field(default=None, max_length=20)
    rationale: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    origin: str = Field(default="suggestion", max_length=20)
    score: float | None = None
    decided_by: str = Field(default="", max_length=200)
    decided_at: datetime = Field(default_factory=utcnow)


class LinkEvent(SQLModel, table=True):
    """One change of a link: who, when, what it was before and after, and why."""

    __tablename__ = "link_event"

    id: int | None = Field(default=None, primary_key=True)
    link_id: int = Field(foreign_key="link.id", index=True)
    item_id: int = Field(index=True)
    objective_number: int
    kind: str = Field(max_length=20)
    actor: str = Field(max_length=200)
    at: datetime = Field(default_factory=utcnow)
    before: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    after: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    reason: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    undone: bool = False
    # Every link of one bulk accept shares a batch id, so the whole batch is undone in one step.
    batch: str | None = Field(default=None, max_length=40, index=True)


class User(SQLModel, table=True):
    """An account. Passwords are stored only as argon2 hashes."""

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(index=True, unique=True, max_length=320)
    name: str = Field(max_length=200)
    organisation: str = Field(default="", max_length=300)
    constituency: str = Field(default="", max_length=60)
    role: str = Field(max_length=20)
    password_hash: str | None = Field(default=None, max_length=300)
    active: bool = True
    created_at: datetime = Field(default_factory=utcnow)
    last_sign_in_at: datetime | None = None
    # Part of every sign-in token; signing out, a password change or disabling adds one, so every
    # token issued before (on any device) stops working.
    session_epoch: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    # Interface language chosen by the person ("en", "fr", "es"); "" = follow the browser's.
    language: str = Field(default="", max_length=8, sa_column_kwargs={"server_default": ""})


class SignInFailure(SQLModel, table=True):
    """Recent failed sign-ins for one key ("account:<email>" or "source:<address>"), shared by
    every app process through the database; a success clears the account's row."""

    __tablename__ = "sign_in_failure"

    key: str = Field(primary_key=True, max_length=400)
    failures: int = 0
    last_failed_at: datetime = Field(default_factory=utcnow)


class CandidateSet(SQLModel, table=True):
    """A named draft of the limited set. Deleting only hides it (rounds and versions may refer to it)."""

    __tablename__ = "candidate_set"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200, index=True)
    description: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    created_by: str = Field(default="", max_length=200)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    deleted: bool = False


class SetMember(SQLModel, table=True):
    """An item in a candidate set, or locked out of it (``lock`` = 'out': kept out by the optimiser)."""

    __tablename__ = "set_member"
    __table_args__ = (UniqueConstraint("set_id", "item_id", name="uq_set_member"),)

    id: int | None = Field(default=None, primary_key=True)
    set_id: int = Field(foreign_key="candidate_set.id", index=True)
    item_id: int = Field(foreign_key="framework_item.id", index=True)
    lock: str = Field(default="", max_length=4)  # "", "in" or "out"
    added_by: str = Field(default="", max_length=200)
    added_at: datetime = Field(default_factory=utcnow)


class Round(SQLModel, table=True):
    """A consultation round on a frozen proposal version, or on a candidate set as it was when the
    round opened (its indicators are kept as ``RoundItem`` rows)."""

    id: int | None = Field(default=None, primary_key=True)
    title: str = Field(max_length=300)
    purpose: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    set_id: int | None = Field(default=None, foreign_key="candidate_set.id")
    # The frozen version consulted on, if any; approving it closes the round.
    # The foreign key is named as migration 0006 names it, so that a database created from the
    # models (core.db.init_db) is the one the migrations build.
    version_id: int | None = Field(default=None, sa_column=Column(
        Integer, ForeignKey("proposal_version.id", name="fk_round_version_id"), index=True, nullable=True))
    opens_at: datetime
    closes_at: datetime
    constituencies: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    report_threshold: int = 3
    created_by: str = Field(default="", max_length=200)
    created_at: datetime = Field(default_factory=utcnow)


class RoundItem(SQLModel, table=True):
    """An indicator under consultation in a round, as it was when the round opened: later edits
    of the set or the catalogue do not change what participants see."""

    __tablename__ = "round_item"
    __table_args__ = (UniqueConstraint("round_id", "item_id", name="uq_round_item"),)

    id: int | None = Field(default=None, primary_key=True)
    round_id: int = Field(foreign_key="round.id", index=True)
    item_id: int = Field(foreign_key="framework_item.id")
    framework: str = Field(max_length=64)
    code: str = Field(max_length=64)
    title: str = Field(sa_column=Column(Text, nullable=False))
    help: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    position: int = 0


class Comment(SQLModel, table=True):
    """A stakeholder's comment (or a reply, with ``parent_id``). Never deleted: hidden instead."""

    __table_args__ = (
        Index("ix_comment_round_created", "round_id", "id"),
        Index("ix_comment_round_constituency", "round_id", "constituency"),
    )

    id: int | None = Field(default=None, primary_key=True)
    round_id: int = Field(foreign_key="round.id", index=True)
    parent_id: int | None = Field(default=None, foreign_key="comment.id", index=True)
    author_id: int | None = Field(default=None, foreign_key="user.id", index=True)
    author_name: str = Field(default="", max_length=200)
    organisation: str = Field(default="", max_length=300)
    constituency: str = Field(default="", max_length=40)
    item_id: int | None = Field(default=None, foreign_key="framework_item.id", index=True)
    objective: int | None = Field(default=None, index=True)
    # What the comment is about beyond item_id/objective: "" (an indicator, an objective's
    # coverage or the set as a whole, as item_id and objective say) or "strategy" (the version's
    # disaggregation strategy for ``objective``: its gaps and proposed actions).
    target_kind: str = Field(default="", max_length=20)
    stance: str = Field(default="", max_length=10)
    ratings: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    text: str = Field(sa_column=Column(Text, nullable=False))
    text_key: str = Field(default="", max_length=64, index=True)  # hash of the normalised text
    # Detected language of the text (consultation.languages: "fr", "es", … or "und").
    language: str = Field(default="", max_length=8, index=True, sa_column_kwargs={"server_default": ""})
    source: str = Field(default="online", max_length=300)
    created_at: datetime = Field(default_factory=utcnow)
    edited_at: datetime | None = None
    hidden: bool = Field(default=False, index=True)
    hidden_reason: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    report_count: int = 0


class CommentRevision(SQLModel, table=True):
    """An earlier text of an edited comment (with its stance and ratings), kept when it changed."""

    __tablename__ = "comment_revision"

    id: int | None = Field(default=None, primary_key=True)
    comment_id: int = Field(foreign_key="comment.id", index=True)
    text: str = Field(sa_column=Column(Text, nullable=False))
    stance: str = Field(default="", max_length=10)
    ratings: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    at: datetime = Field(default_factory=utcnow)


class CommentReport(SQLModel, table=True):
    __tablename__ = "comment_report"
    __table_args__ = (UniqueConstraint("comment_id", "reporter", name="uq_report_once"),)

    id: int | None = Field(default=None, primary_key=True)
    comment_id: int = Field(foreign_key="comment.id", index=True)
    reporter: str = Field(max_length=200)
    reason: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    at: datetime = Field(default_factory=utcnow)


class ModerationEvent(SQLModel, table=True):
    __tablename__ = "moderation_event"

    id: int | None = Field(default=None, primary_key=True)
    comment_id: int = Field(foreign_key="comment.id", index=True)
    action: str = Field(max_length=20)  # hide, restore, auto-hide
    reason: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    actor: str = Field(max_length=200)
    at: datetime = Field(default_factory=utcnow)


class Response(SQLModel, table=True):
    """The co-leads' current official answer to a comment (its history: ``ResponseRevision``)."""

    id: int | None = Field(default=None, primary_key=True)
    comment_id: int = Field(foreign_key="comment.id", unique=True, index=True)
    disposition: str = Field(max_length=20, index=True)
    text: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    responder: str = Field(max_length=200)
    at: datetime = Field(default_factory=utcnow)


class ResponseRevision(SQLModel, table=True):
    """Every answer ever given to a comment, in order: a new answer never erases an earlier one."""

    __tablename__ = "response_revision"

    id: int | None = Field(default=None, primary_key=True)
    comment_id: int = Field(foreign_key="comment.id", index=True)
    disposition: str = Field(max_length=20)
    text: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    responder: str = Field(max_length=200)
    at: datetime = Field(default_factory=utcnow)


class Invite(SQLModel, table=True):
    """A one-time link that lets an invited person set their password."""

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    token_hash: str = Field(max_length=64, unique=True)
    expires_at: datetime
    used_at: datetime | None = None


class ProposalVersion(SQLModel, table=True):
    """A frozen candidate set: items, links, grades, rationale and scores as they were. The
    snapshot never changes; only the approval fields are set, once."""

    __tablename__ = "proposal_version"

    id: int | None = Field(default=None, primary_key=True)
    number: int = Field(index=True, unique=True)
    set_id: int = Field(foreign_key="candidate_set.id")
    set_name: str = Field(max_length=200)
    note: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    snapshot: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_by: str = Field(max_length=200)
    created_at: datetime = Field(default_factory=utcnow)
    approved_by: str | None = Field(default=None, max_length=200)
    approved_at: datetime | None = None
    approval_note: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    # Objections still standing when the version was approved (member, objective, text, at), and
    # the co-lead's acknowledgement of them: the record shows the approval was made knowingly.
    approval_objections: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON, nullable=False, default=list))
    objections_acknowledgement: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))


class ExcomView(SQLModel, table=True):
    """An ExCom member's current view on a version, for one objective or the whole version
    (objective 0). Every view recorded is also kept, in order, as an ``ExcomViewEvent``."""

    __tablename__ = "excom_view"
    __table_args__ = (UniqueConstraint("version_id", "objective", "user_id", name="uq_excom_view"),)

    id: int | None = Field(default=None, primary_key=True)
    version_id: int = Field(foreign_key="proposal_version.id", index=True)
    objective: int = 0
    user_id: int | None = Field(default=None, foreign_key="user.id")
    member: str = Field(max_length=200)
    verdict: str = Field(max_length=30)
    text: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    at: datetime = Field(default_factory=utcnow)


class ExcomViewEvent(SQLModel, table=True):
    """Every view an ExCom member ever recorded, in order (``ExcomView`` holds the current one)."""

    __tablename__ = "excom_view_event"

    id: int | None = Field(default=None, primary_key=True)
    version_id: int = Field(foreign_key="proposal_version.id", index=True)
    objective: int = 0
    user_id: int | None = Field(default=None, foreign_key="user.id")
    member: str = Field(max_length=200)
    verdict: str = Field(max_length=30)
    text: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    at: datetime = Field(default_factory=utcnow)


class ChangeReason(SQLModel, table=True):
    """A co-lead's link between a change in a version and a comment whose response led to it."""

    __tablename__ = "change_reason"
    __table_args__ = (UniqueConstraint("version_id", "item_code", "comment_id", name="uq_change_reason"),)

    id: int | None = Field(default=None, primary_key=True)
    version_id: int = Field(foreign_key="proposal_version.id", index=True)
    item_code: str = Field(max_length=140)  # "framework:code"
    comment_id: int = Field(foreign_key="comment.id")
    linked_by: str = Field(max_length=200)
    at: datetime = Field(default_factory=utcnow)


class DataImport(SQLModel, table=True):
    """One imported data extract (SDG Global Database export or open-sdg file): which file,
    when, by whom, and the rows it reported as problems. Kept after newer imports."""

    __tablename__ = "data_import"

    id: int | None = Field(default=None, primary_key=True)
    filename: str = Field(max_length=300)
    layout: str = Field(max_length=40)
    imported_by: str = Field(max_length=200)
    imported_at: datetime = Field(default_factory=utcnow)
    rows_read: int = 0
    rows_used: int = 0
    rows_skipped: int = 0
    problems: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    notes: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    # One import per checked plan: a confirm repeated (double click, two tabs) stores nothing more.
    plan_token: str | None = Field(default=None, index=True, unique=True, max_length=64)


class DataFigure(SQLModel, table=True):
    """What one import shows for one indicator; the newest import covering it is the current one."""

    __tablename__ = "data_figure"
    __table_args__ = (UniqueConstraint("import_id", "item_id", name="uq_data_figure_import_item"),)

    id: int | None = Field(default=None, primary_key=True)
    import_id: int = Field(foreign_key="data_import.id", index=True)
    item_id: int = Field(foreign_key="framework_item.id", index=True)
    code: str = Field(max_length=64)
    rows: int = 0
    areas_any: int = 0
    areas_since_2015: int = 0
    areas_two_years: int = 0
    median_latest_year: float | None = None
    first_year: int | None = None
    last_year: int | None = None
    dimensions: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    series: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))


class StrategyAction(SQLModel, table=True):
    """The co-leads' proposed action on one disaggregation gap of a proposal version: an indicator
    of an objective that cannot yet be split by migratory status (who, by when: free text)."""

    __tablename__ = "strategy_action"
    __table_args__ = (
        UniqueConstraint("version_id", "objective", "item_key", name="uq_strategy_action"),
    )

    id: int | None = Field(default=None, primary_key=True)
    version_id: int = Field(foreign_key="proposal_version.id", index=True)
    objective: int
    item_key: str = Field(max_length=140)  # "framework:code", or "" for the objective as a whole
    action: str = Field(sa_column=Column(Text, nullable=False))
    who: str = Field(default="", max_length=300)
    by_when: str = Field(default="", max_length=100)
    updated_by: str = Field(max_length=200)
    updated_at: datetime = Field(default_factory=utcnow)

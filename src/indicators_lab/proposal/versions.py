"""Proposal versions: freeze a candidate set, compare versions, ExCom views, final approval.

A version's snapshot is written once and never changed: later edits of the set, its links or
the catalogue leave it as it was.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import pandas as pd
from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from indicators_lab.sets import candidate_sets as cs
from indicators_lab.core.i18n import N_
from indicators_lab.core.access import Actor, PermissionDenied, can, require, require_role
from indicators_lab.core.db import upsert
from indicators_lab.mapping.embeddings import Encoder
from indicators_lab.core.errors import NotFound, UserError
from indicators_lab.core.models import (
    CandidateSet, ChangeReason, Comment, ExcomView, ExcomViewEvent, Link, ProposalVersion, Response, utcnow,
)
from indicators_lab.sets.scoring import DEFAULT_GRADE_WEIGHTS

VERDICTS = {"approve": N_("Approve"), "approve_with_comments": N_("Approve with comments"), "object": N_("Object")}
SCHEMA_VERSION = "1.0"
FREEZE_RETRIES = 50


def _key(framework: str, code: str) -> str:
    return f"{framework}:{code}"


def freeze(encoder: Encoder, *, session: Session, actor: Actor, set_id: int, note: str,
           grade_weights: dict[str, float] = DEFAULT_GRADE_WEIGHTS) -> int:
    """Freeze a candidate set as the next numbered version; returns the version number."""
    require_role(actor, "co_lead")
    note = (note or "").strip()
    if not note:
        raise UserError("Write a change note: it tells readers what this version changes and why.")
    members = cs.members_frame(set_id, session=session)
    if members.empty:
        raise UserError("The set is empty: add indicators before freezing it.")
    card = cs.score_items(encoder, members, grade_weights, session=session, actor=actor)
    ids = [int(i) for i in members["item_key"]]
    set_name = session.get(CandidateSet, set_id).name
    links = session.exec(select(Link).where(Link.item_id.in_(ids), Link.status == "accepted")
                   .order_by(Link.objective_number)).all()
    by_item: dict[int, list[dict]] = {}
    for lk in links:
        by_item.setdefault(lk.item_id, []).append({
            "objective": lk.objective_number, "grade": lk.grade, "action": lk.action_letter or "",
            "rationale": lk.rationale, "decided_by": lk.decided_by})
    items = [{
        "key": _key(r.framework, r.code), "framework": r.framework, "code": r.code, "title": r.title,
        "tier": r.tier, "custodian": r.custodian, "links": by_item.get(int(r.item_key), []),
    } for r in members.itertuples()]
    snapshot = {
        "schema": SCHEMA_VERSION,
        "grade_weights": dict(grade_weights),
        "items": items,
        "summary": card.summary,
        "coverage": card.coverage.to_dict("records"),
        "overlaps": card.overlaps.to_dict("records"),
        "readiness": {"tiers": card.readiness["tiers"], "custodians": card.readiness["custodians"],
                      "names_migrants": card.readiness["names_migrants_codes"]},
        "principles": card.principles,
    }
    # The next number is the database's to give: two co-leads freezing at once get n and n+1
    # (the loser of the unique-number race retries in a savepoint), never a duplicate or a gap.
    for _ in range(FREEZE_RETRIES):
        number = (session.exec(select(func.max(ProposalVersion.number))).one() or 0) + 1
        try:
            with session.begin_nested():
                session.add(ProposalVersion(number=number, set_id=set_id, set_name=set_name, note=note,
                                            snapshot=snapshot, created_by=actor.name))
            return number
        except IntegrityError:
            continue
    raise UserError("Several versions are being frozen at this moment; try again in a few seconds.")


@dataclass(frozen=True)
class VersionInfo:
    number: int
    set_id: int
    set_name: str
    note: str
    created_by: str
    created_at: datetime
    items: int
    approved_by: str | None
    approved_at: datetime | None
    snapshot: dict
    approval_note: str = ""
    approval_objections: tuple = ()
    objections_acknowledgement: str = ""

    @property
    def approved(self) -> bool:
        return self.approved_at is not None


def _info(v: ProposalVersion) -> VersionInfo:
    return VersionInfo(v.number, v.set_id, v.set_name, v.note, v.created_by, v.created_at,
                       len(v.snapshot.get("items", [])), v.approved_by, v.approved_at, v.snapshot,
                       v.approval_note or "", tuple(v.approval_objections or ()), v.objections_acknowledgement or "")


def list_versions(*, session: Session, actor: Actor) -> list[VersionInfo]:
    """The versions ``actor`` may see: every one (ExCom, co-leads, admins), else approved ones only."""
    if can(actor, "versions.read"):
        return [_info(v) for v in session.exec(select(ProposalVersion).order_by(ProposalVersion.number))]
    require(actor, "annex.download")
    return [_info(v) for v in session.exec(select(ProposalVersion).where(ProposalVersion.approved_at != None)  # noqa: E711
                                           .order_by(ProposalVersion.number))]


def visible_version(number: int, *, session: Session, actor: Actor) -> VersionInfo:
    """Version ``number`` if ``actor`` may see it (drafts: ExCom, co-leads, admins only)."""
    if not can(actor, "versions.read"):
        require(actor, "annex.download")
    v = get_version(number, session=session)
    if not v.approved and not can(actor, "versions.read"):
        raise PermissionDenied(f"Version {number} is a draft: only approved versions are published.")
    return v


def get_version(number: int, *, session: Session) -> VersionInfo:
    v = session.exec(select(ProposalVersion).where(ProposalVersion.number == number)).first()
    if v is None:
        numbers = ", ".join(str(n) for n in session.exec(select(ProposalVersion.number).order_by(ProposalVersion.number)))
        raise NotFound(f"There is no version {number}." + (f" Versions: {numbers}." if numbers else " No version has been frozen yet."))
    return _info(v)


def lock_version(number: int, *, session: Session) -> ProposalVersion | None:
    """The version row, locked until the transaction ends (SELECT ... FOR UPDATE; SQLite already
    holds the write lock) and read afresh: whoever changes a version's strategy, rounds or
    approval takes it first, so a check of 'not approved' stays true until the write commits."""
    return session.exec(select(ProposalVersion).where(ProposalVersion.number == number)
                        .with_for_update().execution_options(populate_existing=True)).first()


def _version_id(s, number: int) -> int:
    v = s.exec(select(ProposalVersion).where(ProposalVersion.number == number)).first()
    if v is None:
        raise NotFound(f"There is no version {number}.")
    return v.id


# --------------------------------------------------------------------------- diff


def version_links(v: VersionInfo) -> pd.DataFrame:
    rows = [{"key": it["key"], "code": it["code"], "title": it["title"], "framework": it["framework"],
             "tier": it["tier"], "custodian": it["custodian"], "objective": lk["objective"], "grade": lk["grade"],
             "action": lk["action"], "rationale": lk["rationale"]}
            for it in v.snapshot["items"] for lk in (it["links"] or [{"objective": None, "grade": "", "action": "", "rationale": ""}])]
    return pd.DataFrame(rows, columns=["key", "code", "title", "framework", "tier", "custodian", "objective",
                                       "grade", "action", "rationale"])


@dataclass
class Diff:
    added: list[str]
    removed: list[str]
    regraded: pd.DataFrame      # key, objective, grade_before, grade_after
    coverage: pd.DataFrame      # objective, before, after, change
    reasons: pd.DataFrame       # key, comment_id, comment, disposition, response


def diff(a: int, b: int, *, session: Session, actor: Actor) -> Diff:
    """What changed from version ``a`` to version ``b``, and the comments that led to it (hidden
    comments only for those who may read them)."""
    require(actor, "versions.read")
    va, vb = get_version(a, session=session), get_version(b, session=session)
    ka = {it["key"] for it in va.snapshot["items"]}
    kb = {it["key"] for it in vb.snapshot["items"]}
    la, lb = version_links(va), version_links(vb)
    both = la.dropna(subset=["objective"]).merge(lb.dropna(subset=["objective"]), on=["key", "objective"],
                                                suffixes=("_before", "_after"), how="outer")
    both = both[both["key"].isin(ka & kb)]
    regraded = both[both["grade_before"].fillna("") != both["grade_after"].fillna("")][
        ["key", "objective", "grade_before", "grade_after"]].fillna("").reset_index(drop=True)
    ca = pd.DataFrame(va.snapshot["coverage"])[["objective", "coverage"]]
    cb = pd.DataFrame(vb.snapshot["coverage"])[["objective", "coverage"]]
    cov = ca.merge(cb, on="objective", suffixes=("_before", "_after")).rename(
        columns={"coverage_before": "before", "coverage_after": "after"})
    cov["change"] = (cov["after"] - cov["before"]).round(4)
    vid = _version_id(session, b)
    rows = session.exec(select(ChangeReason, Comment, Response)
                  .join(Comment, Comment.id == ChangeReason.comment_id)
                  .join(Response, Response.comment_id == Comment.id, isouter=True)
                  .where(ChangeReason.version_id == vid)).all()
    reasons = pd.DataFrame([{"key": cr.item_code, "comment_id": c.id, "comment": c.text,
                             "organisation": c.organisation,
                             "disposition": r.disposition if r else "", "response": r.text if r else ""}
                            for cr, c, r in rows if not c.hidden or can(actor, "comments.hidden.read")],
                           columns=["key", "comment_id", "comment", "organisation", "disposition", "response"])
    return Diff(sorted(kb - ka), sorted(ka - kb), regraded, cov, reasons)


def link_reason(*, session: Session, actor: Actor, version: int, item_key: str, comment_id: int) -> None:
    """Record that a comment (and its response) led to a change of an item in a version."""
    require_role(actor, "co_lead")
    v = get_version(version, session=session)
    if item_key not in {it["key"] for it in v.snapshot["items"]} and version > 1:
        prev = get_version(version - 1, session=session)
        if item_key not in {it["key"] for it in prev.snapshot["items"]}:
            raise UserError(f"'{item_key}' is in neither version {version} nor version {version - 1}.")
    if session.get(Comment, comment_id) is None:
        raise NotFound(f"There is no comment {comment_id}.")
    exists = session.exec(select(ChangeReason).where(ChangeReason.version_id == _version_id(session, version),
                                               ChangeReason.item_code == item_key,
                                               ChangeReason.comment_id == comment_id)).first()
    if exists is None:
        session.add(ChangeReason(version_id=_version_id(session, version), item_code=item_key, comment_id=comment_id,
                           linked_by=actor.name))


# --------------------------------------------------------------------------- review and approval


def _scope(objective: int) -> str:
    return "The whole version" if not objective else f"Objective {objective}"


def record_view(*, session: Session, actor: Actor, version: int, verdict: str, text: str = "",
                objective: int | None = None) -> None:
    """An ExCom member's view on the whole version (objective None) or on one objective. It
    becomes their current view on that scope; every view stays in the record."""
    require_role(actor, "excom")
    if verdict not in VERDICTS:
        raise UserError(f"A view is one of: {', '.join(VERDICTS.values())}.")
    text = (text or "").strip()
    if verdict != "approve" and not text:
        raise UserError("Say why: a view with comments or an objection needs a text.")
    if objective is not None and not 1 <= objective <= 23:
        raise UserError("Objectives are numbered 1 to 23.")
    v = session.exec(select(ProposalVersion).where(ProposalVersion.number == version)).first()
    if v is None:
        raise NotFound(f"There is no version {version}.")
    if v.approved_at is not None:
        raise UserError(f"Version {version} is already approved and locked.")
    row = {"version_id": v.id, "objective": objective or 0, "user_id": actor.user_id,
           "member": actor.name, "verdict": verdict, "text": text, "at": utcnow()}
    # One current view per member, version and scope, decided by the database; the record below
    # keeps every view, so a later view never erases an earlier one.
    upsert(session, ExcomView, row, ["version_id", "objective", "user_id"], ["member", "verdict", "text", "at"])
    session.add(ExcomViewEvent(**row))


VIEW_COLUMNS = ["member", "on", "view", "text", "at"]


def _view_rows(rows) -> pd.DataFrame:
    return pd.DataFrame([{"member": r.member, "on": _scope(r.objective), "view": VERDICTS[r.verdict],
                          "text": r.text, "at": r.at} for r in rows], columns=VIEW_COLUMNS)


def views(version: int, *, session: Session, actor: Actor) -> pd.DataFrame:
    """Each member's current view on each scope of a version (whole version first): ExCom,
    co-leads and admins."""
    require(actor, "excom_views.read")
    vid = _version_id(session, version)
    rows = session.exec(select(ExcomView).where(ExcomView.version_id == vid)
                        .order_by(ExcomView.member, ExcomView.objective, ExcomView.id)).all()
    return _view_rows(rows)


def view_history(version: int, *, session: Session, actor: Actor) -> pd.DataFrame:
    """Every view recorded on a version, oldest first (who, on what, which view, text, when)."""
    require(actor, "excom_views.read")
    vid = _version_id(session, version)
    rows = session.exec(select(ExcomViewEvent).where(ExcomViewEvent.version_id == vid)
                        .order_by(ExcomViewEvent.id)).all()
    return _view_rows(rows)


def outstanding_objections(version: int, *, session: Session, actor: Actor) -> list[dict]:
    """Objections that are still a member's current view on a version."""
    require(actor, "excom_views.read")
    vid = _version_id(session, version)
    rows = session.exec(select(ExcomView).where(ExcomView.version_id == vid, ExcomView.verdict == "object")
                        .order_by(ExcomView.objective, ExcomView.member)).all()
    return [{"member": r.member, "objective": r.objective, "on": _scope(r.objective), "text": r.text,
             "at": r.at.isoformat()} for r in rows]


def approve(*, session: Session, actor: Actor, version: int, note: str = "",
            acknowledge_objections: bool = False, acknowledgement: str = "",
            close_rounds: bool = False) -> list[str]:
    """Record the ExCom's final approval of the latest version: who, when, which. Locks it.

    Objections still standing must be acknowledged explicitly, with a note; both are stored with
    the approval. Consultation rounds still open on it are closed, once confirmed with
    ``close_rounds``; returns the titles of the rounds closed."""
    from indicators_lab.consultation import rounds as con

    require_role(actor, "co_lead")
    v = lock_version(version, session=session)
    if v is None:
        raise NotFound(f"There is no version {version}.")
    latest = session.exec(select(func.max(ProposalVersion.number))).one()
    if version != latest:
        raise UserError(f"Only the latest version ({latest}) can be approved; version {version} is older.")
    if v.approved_at is not None:
        raise UserError(f"Version {version} was already approved by {v.approved_by}.")
    objections = outstanding_objections(version, session=session, actor=actor)
    acknowledgement = (acknowledgement or "").strip()
    if objections:
        n = len(objections)
        standing = f"{n} objection{'s' if n != 1 else ''} still stand{'s' if n == 1 else ''}"
        if not acknowledge_objections:
            raise UserError(f"{standing}: acknowledge {'it' if n == 1 else 'them'} before approving.")
        if not acknowledgement:
            raise UserError(f"{standing}: write how {'it was' if n == 1 else 'they were'} considered.")
    still_open = con.open_rounds_on(v.set_id, session=session)
    if still_open and not close_rounds:
        n = len(still_open)
        raise UserError(f"{n} consultation round{'s are' if n != 1 else ' is'} still open on this proposal ("
                        + ", ".join(r.title for r in still_open) + "): confirm that approving closes "
                        + ("them." if n != 1 else "it."))
    v.approved_by, v.approved_at, v.approval_note = actor.name, utcnow(), (note or "").strip()
    v.approval_objections = objections
    v.objections_acknowledgement = acknowledgement if objections else ""
    session.add(v)
    return con.close_rounds(still_open, session=session)


def snapshot_heatmap(v: VersionInfo) -> pd.DataFrame:
    """Objectives × indicators grid of a version, from its snapshot (grade weights as frozen)."""
    from indicators_lab.sets.scoring import heatmap

    items = pd.DataFrame([{"item_key": it["key"], "code": it["code"]} for it in v.snapshot["items"]])
    links = version_links(v).dropna(subset=["objective"]).rename(columns={"key": "item_key"})
    links["objective"] = links["objective"].astype(int)
    return heatmap(links, items, v.snapshot["grade_weights"])

"""Co-leads' decisions on item-objective links, with a full history and undo.

Every change writes a ``LinkEvent`` with the state before and after, who and why. Undo restores
the state before the latest change that is not undone yet, and is itself recorded.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import case, func
from sqlmodel import Session, select

from indicators_lab.core.access import Actor, can, require, require_role
from indicators_lab.core.db import insert_ignore
from indicators_lab.core.errors import NotFound, UserError
from indicators_lab.core.models import Action, Framework, FrameworkItem, Link, LinkEvent, Objective, utcnow

GRADES = ("direct", "partial", "proxy")
STATUSES = ("accepted", "rejected")
MAX_RATIONALE = 2000


@dataclass(frozen=True)
class LinkView:
    id: int
    item_id: int
    objective: int
    status: str
    grade: str | None
    action_letter: str | None
    rationale: str
    decided_by: str


def _snapshot(link: Link) -> dict:
    return {
        "status": link.status,
        "grade": link.grade,
        "action_letter": link.action_letter,
        "rationale": link.rationale,
        "origin": link.origin,
        "score": link.score,
    }


def _view(link: Link) -> LinkView:
    return LinkView(link.id, link.item_id, link.objective_number, link.status, link.grade,
                    link.action_letter, link.rationale, link.decided_by)


def _check_target(s: Session, item_id: int, objective: int, action_letter: str | None) -> None:
    if s.get(FrameworkItem, item_id) is None:
        raise NotFound(f"There is no framework item with id {item_id}.")
    obj = s.exec(select(Objective).where(Objective.number == objective)).first()
    if obj is None:
        raise NotFound(f"There is no GCM objective {objective}; objectives are numbered 1 to 23.")
    if action_letter:
        letters = list(s.exec(select(Action.letter).where(Action.objective_id == obj.id).order_by(Action.letter)))
        if action_letter not in letters:
            raise NotFound(
                f"Objective {objective} has no action ({action_letter}); its actions are "
                + ", ".join(f"({x})" for x in letters) + "."
            )


def decide(
    *,
    session: Session, actor: Actor,
    item_id: int,
    objective: int,
    status: str,
    grade: str | None = None,
    rationale: str = "",
    action_letter: str | None = None,
    origin: str = "suggestion",
    score: float | None = None,
) -> LinkView:
    """Accept (with a grade, default 'direct') or reject the link of an item to an objective."""
    require_role(actor, "co_lead")
    link = _decide(session, actor=actor, item_id=item_id, objective=objective, status=status,
                   grade=grade, rationale=rationale, action_letter=action_letter,
                   origin=origin, score=score, kind=None)
    return _view(link)


def _decide(s: Session, *, actor: Actor, item_id: int, objective: int, status: str,
            grade: str | None, rationale: str, action_letter: str | None, origin: str,
            score: float | None, kind: str | None, batch: str | None = None) -> Link:
    if status not in STATUSES:
        raise UserError(f"A decision is 'accepted' or 'rejected', not '{status}'.")
    if status == "accepted":
        grade = grade or "direct"
        if grade not in GRADES:
            raise UserError(f"The grade must be one of {', '.join(GRADES)}; '{grade}' is not.")
    else:
        grade = None
    rationale = (rationale or "").strip()
    if len(rationale) > MAX_RATIONALE:
        raise UserError(f"The rationale is {len(rationale)} characters; keep it under {MAX_RATIONALE}.")
    action_letter = (action_letter or "").strip().strip("()").lower() or None
    _check_target(s, item_id, objective, action_letter)
    # The row exists before anyone decides on it (ON CONFLICT: two co-leads at once make one),
    # and is locked while this decision is made, so each decision sees the one before it.
    insert_ignore(s, Link, [{"item_id": item_id, "objective_number": objective, "status": "undecided",
                             "rationale": "", "origin": origin, "decided_by": "", "decided_at": utcnow()}],
                  ["item_id", "objective_number"])
    link = s.exec(
        select(Link).where(Link.item_id == item_id, Link.objective_number == objective)
        .with_for_update().execution_options(populate_existing=True)
    ).one()
    before = _snapshot(link) if link.status != "undecided" else None
    link.status, link.grade = status, grade
    link.rationale = rationale or link.rationale
    link.action_letter = action_letter or link.action_letter
    link.origin, link.score = origin, score if score is not None else link.score
    link.decided_by, link.decided_at = actor.name, utcnow()
    s.add(link)
    s.flush()
    if kind is None:
        if before and before["status"] == status:
            kind = "regrade" if before["grade"] != grade else "edit"
        else:
            kind = "add" if origin == "manual" else ("accept" if status == "accepted" else "reject")
    s.add(LinkEvent(link_id=link.id, item_id=item_id, objective_number=objective, kind=kind,
                    actor=actor.name, before=before, after=_snapshot(link), reason=rationale,
                    batch=batch))
    return link


def undo(*, session: Session, actor: Actor, link_id: int) -> LinkView:
    """Restore the link as it was before its latest change that is not undone yet."""
    require_role(actor, "co_lead")
    link = session.get(Link, link_id)
    if link is None:
        raise NotFound(f"There is no link with id {link_id}.")
    event = session.exec(
        select(LinkEvent)
        .where(LinkEvent.link_id == link_id, LinkEvent.undone == False, LinkEvent.kind != "undo")  # noqa: E712
        .order_by(LinkEvent.id.desc())
    ).first()
    if event is None:
        raise UserError("There is nothing left to undo for this link.")
    current = _snapshot(link)
    restore = event.before or {"status": "undecided", "grade": None, "action_letter": None,
                               "rationale": "", "origin": link.origin, "score": link.score}
    for k, v in restore.items():
        setattr(link, k, v)
    link.decided_by, link.decided_at = actor.name, utcnow()
    event.undone = True
    session.add_all([link, event])
    session.add(LinkEvent(link_id=link.id, item_id=link.item_id, objective_number=link.objective_number,
                    kind="undo", actor=actor.name, before=current, after=_snapshot(link),
                    reason=f"undo of the {event.kind} by {event.actor}"))
    session.flush()
    return _view(link)


def history(item_id: int, *, session: Session, actor: Actor) -> pd.DataFrame:
    """Every decision on an item's links, newest first: when, who, what, before, after, why."""
    require(actor, "mapping.read")
    events = session.exec(select(LinkEvent).where(LinkEvent.item_id == item_id).order_by(LinkEvent.id.desc())).all()
    rows = [
        {
            "when": e.at, "who": e.actor, "objective": e.objective_number, "change": e.kind,
            "before": _describe(e.before), "after": _describe(e.after), "why": e.reason,
            "undone": e.undone, "link_id": e.link_id,
        }
        for e in events
    ]
    return pd.DataFrame(rows, columns=["when", "who", "objective", "change", "before", "after",
                                       "why", "undone", "link_id"])


def _describe(state: dict | None) -> str:
    if not state or state.get("status") in (None, "undecided"):
        return "undecided"
    text = state["status"]
    if state.get("grade"):
        text += f" ({state['grade']})"
    if state.get("action_letter"):
        text += f", action ({state['action_letter']})"
    return text


def item_links(item_id: int, *, session: Session, actor: Actor) -> list[LinkView]:
    """Every decision (any status) on an item's links."""
    require(actor, "mapping.read")
    links = session.exec(select(Link).where(Link.item_id == item_id).order_by(Link.objective_number)).all()
    return [_view(x) for x in links]


def _with_items():
    """Links with their item and the item's framework key: (Link, FrameworkItem, key) rows."""
    return (select(Link, FrameworkItem, Framework.key)
            .join(FrameworkItem, FrameworkItem.id == Link.item_id)
            .join(Framework, Framework.id == FrameworkItem.framework_id))


def decisions_frame(*, session: Session) -> pd.DataFrame:
    """Every accepted or rejected link, with the matching text of its item (for learning)."""
    from indicators_lab.catalogue.frameworks import item_text

    rows = session.exec(
        _with_items()
        .where(Link.status.in_(STATUSES))
    ).all()
    records = [
        {
            "item_id": link.item_id, "objective": link.objective_number, "status": link.status,
            "grade": link.grade, "origin": link.origin, "framework": key, "code": item.code,
            "text": item_text({"title": item.title, "description": item.description,
                               "attributes": item.attributes}),
        }
        for link, item, key in rows
    ]
    return pd.DataFrame(records, columns=["item_id", "objective", "status", "grade", "origin",
                                          "framework", "code", "text"])


def links_for_objective(number: int, *, session: Session, actor: Actor) -> pd.DataFrame:
    """Every item accepted for an objective, from all frameworks. The rationale and who decided
    only for those who may read them (``links.rationale.read``)."""
    require(actor, "links.read")
    rows = session.exec(
        _with_items()
        .where(Link.objective_number == number, Link.status == "accepted")
        .order_by(Framework.key, FrameworkItem.position)
    ).all()
    records = [
        {"framework": key, "code": item.code, "title": item.title, "grade": link.grade,
         "action": f"{number}({link.action_letter})" if link.action_letter else "",
         "rationale": link.rationale, "decided_by": link.decided_by}
        for link, item, key in rows
    ]
    columns = ["framework", "code", "title", "grade", "action", "rationale", "decided_by"]
    frame = pd.DataFrame(records, columns=columns)
    if not can(actor, "links.rationale.read"):
        frame = frame.drop(columns=["rationale", "decided_by"])
    return frame


def accepted_links_frame(*, session: Session) -> pd.DataFrame:
    """All accepted links: framework, item_code, objective, grade, action, tier (for scoring)."""
    rows = session.exec(
        _with_items()
        .where(Link.status == "accepted")
    ).all()
    records = [
        {"framework": key, "item_id": item.id, "item_code": item.code,
         "objective": link.objective_number, "grade": link.grade,
         "action": link.action_letter or "", "tier": (item.attributes or {}).get("tier", "")}
        for link, item, key in rows
    ]
    return pd.DataFrame(records, columns=["framework", "item_id", "item_code", "objective",
                                          "grade", "action", "tier"])


def count_accepted_links(*, session: Session) -> int:
    return session.exec(select(func.count(Link.id)).where(Link.status == "accepted")).one()


def bulk_accept_preview(suggestions: pd.DataFrame, min_score: float) -> pd.DataFrame:
    """The suggestions a bulk accept at ``min_score`` would accept: undecided rows whose text-only
    ``model_score`` is at or above it. The boost from decided neighbours is left out on purpose:
    a decision on one item must never carry others into a bulk accept."""
    rows = suggestions[(suggestions["model_score"] >= min_score) & (suggestions["decision"] == "")]
    return rows.reset_index(drop=True)


@dataclass(frozen=True)
class BulkResult:
    count: int
    batch: str


def bulk_accept(*, session: Session, actor: Actor, rows: pd.DataFrame, grade: str = "partial",
                rationale: str = "") -> BulkResult:
    """Accept every row of a bulk preview in one transaction, as one batch (undo_batch undoes it).
    The grade defaults to 'partial': a score alone does not show that an item measures an
    objective directly."""
    require_role(actor, "co_lead")
    why = rationale or "Accepted with other strong suggestions (similarity at or above the chosen score)"
    batch = uuid.uuid4().hex
    score_col = "model_score" if "model_score" in rows.columns else "score"
    for r in rows.itertuples():
        action = r.reason_ref.split("(")[1].rstrip(")") if "(" in r.reason_ref else None
        _decide(session, actor=actor, item_id=int(r.item_id), objective=int(r.objective),
                status="accepted", grade=grade, rationale=why, action_letter=action,
                origin="bulk", score=float(getattr(r, score_col)), kind="bulk-accept", batch=batch)
    return BulkResult(len(rows), batch)


def undo_batch(*, session: Session, actor: Actor, batch: str) -> int:
    """Undo every link of one bulk accept that has not changed since; return how many.
    A link a co-lead changed after the batch keeps that later decision."""
    require_role(actor, "co_lead")
    events = session.exec(select(LinkEvent).where(LinkEvent.batch == batch)).all()
    if not events:
        raise NotFound("There is no such bulk accept.")
    done = 0
    for e in events:
        if e.undone:
            continue
        latest = session.exec(
            select(LinkEvent)
            .where(LinkEvent.link_id == e.link_id, LinkEvent.undone == False, LinkEvent.kind != "undo")  # noqa: E712
            .order_by(LinkEvent.id.desc())
        ).first()
        if latest is not None and latest.id == e.id:
            undo(session=session, actor=actor, link_id=e.link_id)
            done += 1
    if not done:
        raise UserError("Nothing left to undo in this bulk accept: its links were undone or changed since.")
    return done


def bulk_batches(*, session: Session, actor: Actor, limit: int = 5) -> pd.DataFrame:
    """The latest bulk accepts: batch, when, who, links made, links still standing."""
    require(actor, "mapping.read")
    rows = session.exec(
        select(LinkEvent.batch, func.min(LinkEvent.at), func.min(LinkEvent.actor), func.count(LinkEvent.id),
               func.sum(case((LinkEvent.undone == False, 1), else_=0)))  # noqa: E712
        .where(LinkEvent.batch.is_not(None))
        .group_by(LinkEvent.batch)
        .order_by(func.min(LinkEvent.id).desc())
        .limit(limit)
    ).all()
    return pd.DataFrame(rows, columns=["batch", "when", "who", "links", "standing"])


def item_id_for(key: str, code: str, *, session: Session) -> int:
    """The id of an item given its framework key and code (or a repeat code)."""
    from indicators_lab.catalogue.frameworks import get_item

    return int(get_item(key, code, session=session)["id"])

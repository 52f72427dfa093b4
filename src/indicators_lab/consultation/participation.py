"""A participant's view of the consultation: their open rounds with how far they have got, and a
round's indicators as cards (what each measures, the objectives it serves, how many comments).

Reads only; every function checks the actor's access through ``rounds`` (their constituency).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import Session, select

from indicators_lab.consultation import rounds as con
from indicators_lab.core.access import Actor, can
from indicators_lab.core.models import Comment, Link, RoundItem


@dataclass(frozen=True)
class RoundSummary:
    """An open round and how far this person has got in it."""

    round: con.RoundView
    indicators: int  # indicators under consultation
    commented: int  # of them, how many this person has commented on
    comments: int  # this person's comments in the round (replies too)


@dataclass(frozen=True)
class IndicatorCard:
    """One indicator of a round, as a participant reads it."""

    item_id: int
    code: str
    title: str
    framework: str
    help: str
    objectives: tuple[int, ...]  # GCM objectives it is linked to (accepted links)
    comments: int  # comments on it this person can see (replies too)
    mine: int  # of them, this person's own


def my_open_rounds(*, session: Session, actor: Actor) -> list[RoundSummary]:
    """The rounds open now that ``actor`` may take part in, newest first, with counts (three
    queries, whatever the number of rounds)."""
    rounds = con.open_rounds_for(actor, session=session)
    ids = [r.id for r in rounds]
    if not ids:
        return []
    sizes = dict(session.exec(select(RoundItem.round_id, func.count()).where(RoundItem.round_id.in_(ids))
                              .group_by(RoundItem.round_id)).all())
    mine: dict[int, tuple[int, int]] = {}
    if actor.user_id is not None:
        rows = session.exec(
            select(Comment.round_id, func.count(func.distinct(Comment.item_id)), func.count())
            .where(Comment.round_id.in_(ids), Comment.author_id == actor.user_id)
            .group_by(Comment.round_id)).all()
        mine = {rid: (items, total) for rid, items, total in rows}
    return [RoundSummary(r, int(sizes.get(r.id, 0)), *mine.get(r.id, (0, 0))) for r in rounds]


def indicator_cards(round_id: int, *, session: Session, actor: Actor) -> list[IndicatorCard]:
    """The round's indicators in order, each with its objectives and comment counts (three queries)."""
    items = con.set_items(round_id, session=session, actor=actor)  # checks the actor may take part
    ids = [i["item_id"] for i in items]
    objectives: dict[int, list[int]] = {}
    counts: dict[int, tuple[int, int]] = {}
    if ids:
        for item_id, number in session.exec(
                select(Link.item_id, Link.objective_number)
                .where(Link.item_id.in_(ids), Link.status == "accepted")
                .order_by(Link.objective_number)).all():
            objectives.setdefault(item_id, []).append(number)
        q = select(Comment.item_id, Comment.author_id, func.count()).where(
            Comment.round_id == round_id, Comment.item_id.in_(ids))
        if not can(actor, "comments.hidden.read"):
            # Hidden comments count only for their author, who still sees them.
            q = q.where((Comment.hidden == False) | (Comment.author_id == actor.user_id))  # noqa: E712
        for item_id, author_id, n in session.exec(q.group_by(Comment.item_id, Comment.author_id)).all():
            total, own = counts.get(item_id, (0, 0))
            counts[item_id] = (total + n, own + (n if actor.user_id is not None and author_id == actor.user_id else 0))
    return [IndicatorCard(i["item_id"], i["code"], i["title"], i["framework"], i["help"],
                          tuple(objectives.get(i["item_id"], ())), *counts.get(i["item_id"], (0, 0)))
            for i in items]

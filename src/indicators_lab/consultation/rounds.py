"""Consultation rounds, stakeholder comments and replies, moderation and official responses.

Every function takes the acting user and checks their role itself. Comments are never deleted:
moderation hides and restores them, and every decision is kept.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from indicators_lab.consultation.languages import detect as detect_language
from indicators_lab.core.i18n import _, format_date
from indicators_lab.core.access import Actor, PermissionDenied, can, require, require_role
from indicators_lab.core.db import upsert
from indicators_lab.core.errors import NotFound, UserError
from indicators_lab.core.vocabulary import CONSTITUENCIES, DISPOSITIONS, RATINGS, STANCES, normalise_choice  # noqa: F401
from indicators_lab.core.models import (
    CandidateSet, Comment, CommentReport, Framework, FrameworkItem, ModerationEvent, ProposalVersion, Response,
    CommentRevision, ResponseRevision, Round, RoundItem, SetMember, User, utcnow,
)

MAX_COMMENT = 10_000
STRATEGY = "strategy"  # Comment.target_kind of a comment on a version's disaggregation strategy
STAKEHOLDER_ROLES = ("stakeholder", "co_lead", "excom")


def _aware(dt: datetime) -> datetime:
    return dt if dt.tzinfo else dt.replace(tzinfo=timezone.utc)


def text_key(text: str) -> str:
    """Hash of the text with case, accents, punctuation and spacing removed (finds campaigns)."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return hashlib.sha256(" ".join(re.findall(r"[a-z0-9]+", folded)).encode()).hexdigest()


# --------------------------------------------------------------------------- rounds


@dataclass(frozen=True)
class RoundView:
    id: int
    title: str
    purpose: str
    set_id: int | None
    set_name: str
    opens_at: datetime
    closes_at: datetime
    constituencies: tuple[str, ...]
    report_threshold: int
    version: int | None = None  # number of the frozen version consulted on, if any

    @property
    def subject(self) -> str:
        """What the round consults on, in words."""
        if self.version is not None:
            return (_("version {n} ({name})").format(n=self.version, name=self.set_name) if self.set_name
                    else _("version {n}").format(n=self.version))
        return (_("set '{name}' as it was when the round opened").format(name=self.set_name) if self.set_name
                else _("no indicators (general)"))

    def is_open(self, now: datetime | None = None) -> bool:
        now = now or datetime.now(timezone.utc)
        return _aware(self.opens_at) <= now < _aware(self.closes_at)

    @property
    def status(self) -> str:
        now = datetime.now(timezone.utc)
        if now < _aware(self.opens_at):
            return "not yet open"
        return "open" if now < _aware(self.closes_at) else "closed"


def _round_view(s: Session, r: Round) -> RoundView:
    name, number = "", None
    if r.version_id:
        v = s.get(ProposalVersion, r.version_id)
        name, number = (v.set_name, v.number) if v else ("", None)
    elif r.set_id:
        cs = s.get(CandidateSet, r.set_id)
        name = cs.name if cs else ""
    return RoundView(r.id, r.title, r.purpose, r.set_id, name, _aware(r.opens_at), _aware(r.closes_at),
                     tuple(r.constituencies or ()), r.report_threshold, number)


def _freeze_items(s: Session, r: Round, version: ProposalVersion | None) -> None:
    """Keep the round's indicators as they are now: a version's frozen items, or the set's members."""
    if version is not None:
        frozen = version.snapshot.get("items", [])
        keys = {(it["framework"], it["code"]) for it in frozen}
        rows = s.exec(select(FrameworkItem, Framework.key).join(Framework, Framework.id == FrameworkItem.framework_id)
                      .where(FrameworkItem.code.in_([c for _, c in keys]))).all()
        by_key = {(key, item.code): item for item, key in rows}
        for n, it in enumerate(frozen):
            item = by_key.get((it["framework"], it["code"]))
            if item is not None:
                s.add(RoundItem(round_id=r.id, item_id=item.id, framework=it["framework"], code=it["code"],
                                title=it["title"], help=plain_help({"title": it["title"], "attributes": item.attributes}),
                                position=n))
        return
    rows = s.exec(select(FrameworkItem, Framework.key).join(SetMember, SetMember.item_id == FrameworkItem.id)
                  .join(Framework, Framework.id == FrameworkItem.framework_id)
                  .where(SetMember.set_id == r.set_id, SetMember.lock != "out")
                  .order_by(Framework.key, FrameworkItem.position)).all()
    for n, (item, key) in enumerate(rows):
        s.add(RoundItem(round_id=r.id, item_id=item.id, framework=key, code=item.code, title=item.title,
                        help=plain_help({"title": item.title, "attributes": item.attributes}), position=n))


def create_round(
    *, session: Session, actor: Actor, title: str, purpose: str = "", set_id: int | None = None,
    opens_at: datetime | None = None, closes_at: datetime | None = None,
    constituencies: list[str] | None = None, report_threshold: int = 3, version: int | None = None,
) -> int:
    """Open a round (default: now, for 30 days, every constituency) on a frozen version, or on a
    set as it is now (its indicators are kept as they are); return its id."""
    require_role(actor, "co_lead")
    title = " ".join((title or "").split())
    if not title:
        raise UserError("Give the round a title.")
    if len(title) > 300:
        raise UserError("Keep the title under 300 characters.")
    opens_at = _aware(opens_at or utcnow())
    closes_at = _aware(closes_at or opens_at + timedelta(days=30))
    if closes_at <= opens_at:
        raise UserError("The round must close after it opens.")
    keys = [normalise_choice(c, CONSTITUENCIES, "constituency") for c in constituencies or []]
    if report_threshold < 1:
        raise UserError("The number of reports that hides a comment must be at least 1.")
    v = None
    if version is not None:
        # locked: an approval committing meanwhile would leave a round open on an approved version
        v = session.exec(select(ProposalVersion).where(ProposalVersion.number == version)
                         .with_for_update().execution_options(populate_existing=True)).first()
        if v is None:
            raise NotFound(f"There is no version {version}.")
        if v.approved_at is not None:
            raise UserError(f"Version {version} is already approved: there is nothing left to consult on.")
        if set_id is not None and set_id != v.set_id:
            raise UserError(f"Version {version} was frozen from another set; choose the version or the set.")
        set_id = v.set_id
    elif set_id is not None:
        cs = session.get(CandidateSet, set_id)
        if cs is None or cs.deleted:
            raise NotFound(f"There is no candidate set with id {set_id}.")
    r = Round(title=title, purpose=(purpose or "").strip(), set_id=set_id, version_id=v.id if v else None,
              opens_at=opens_at, closes_at=closes_at, constituencies=keys, report_threshold=report_threshold,
              created_by=actor.name)
    session.add(r)
    session.flush()
    if v is not None or set_id is not None:
        _freeze_items(session, r, v)
    return r.id


def open_rounds_on(set_id: int, *, session: Session) -> list[Round]:
    """Rounds open now on a set's indicators: on any version frozen from it, or on the set itself."""
    now = utcnow()
    rows = session.exec(select(Round).where(Round.set_id == set_id).order_by(Round.id)).all()
    return [r for r in rows if _aware(r.opens_at) <= now < _aware(r.closes_at)]


def close_rounds(rounds: list[Round], *, session: Session) -> list[str]:
    """Close these rounds now; returns their titles (the caller has checked the actor's role)."""
    now = utcnow()
    for r in rounds:
        r.closes_at = now
        session.add(r)
    return [r.title for r in rounds]


def get_round(round_id: int, *, session: Session) -> RoundView:
    r = session.get(Round, round_id)
    if r is None:
        raise NotFound(_("There is no consultation round with id {id}.").format(id=round_id))
    return _round_view(session, r)


def _all_rounds(session: Session) -> list[RoundView]:
    return [_round_view(session, r) for r in session.exec(select(Round).order_by(Round.id.desc()))]


def list_rounds(*, session: Session, actor: Actor) -> list[RoundView]:
    """Every round, newest first (ExCom, co-leads, admins: whatever constituencies it is open to)."""
    require(actor, "rounds.read")
    return _all_rounds(session)


def _constituency(session: Session, actor: Actor) -> str:
    user = session.get(User, actor.user_id) if actor.user_id else None
    return user.constituency if user else ""


def _open_to(session: Session, actor: Actor, r: Round | RoundView) -> bool:
    return not r.constituencies or can(actor, "rounds.read") or _constituency(session, actor) in r.constituencies


def _require_round(session: Session, actor: Actor, round_id: int) -> Round:
    """The round, if ``actor`` may take part in it (its constituencies) and it has opened (those
    who may read every round, also before); else NotFound/PermissionDenied."""
    require(actor, "consultation.take_part")
    r = session.get(Round, round_id)
    if r is None:
        raise NotFound(_("There is no consultation round with id {id}.").format(id=round_id))
    if not _open_to(session, actor, r):
        allowed = ", ".join(_(CONSTITUENCIES.get(c, c)) for c in r.constituencies)
        raise PermissionDenied(_("This round is open to: {allowed}.").format(allowed=allowed))
    if not can(actor, "rounds.read") and utcnow() < _aware(r.opens_at):
        raise PermissionDenied(_("The round '{title}' opens on {date}.").format(
            title=r.title, date=format_date(_aware(r.opens_at), "dd MMMM y")))  # "01 December 2026"
    return r


def require_taking_part(round_id: int, *, session: Session, actor: Actor) -> RoundView:
    """The round, if ``actor`` may comment in it now: it is open, and open to their constituency
    (co-leads, who run the rounds, take part in any); else PermissionDenied in their words. Reading
    every round (ExCom) is not taking part in it."""
    r = _require_round(session, actor, round_id)
    view = _round_view(session, r)
    if not view.is_open():
        raise PermissionDenied(_("The round '{title}' is {status}: comments are not accepted now.").format(
            title=r.title, status=_(view.status)))
    if r.constituencies and not can(actor, "rounds.manage") and _constituency(session, actor) not in r.constituencies:
        allowed = ", ".join(_(CONSTITUENCIES.get(c, c)) for c in r.constituencies)
        raise PermissionDenied(_("This round is open to: {allowed}.").format(allowed=allowed))
    return view


def participant(actor: Actor, *, session: Session) -> tuple[str, str]:
    """The acting person's own organisation and constituency key ("" for an actor without an account)."""
    user = session.get(User, actor.user_id) if actor.user_id else None
    return (user.organisation, user.constituency) if user else ("", "")


def readable_round_ids(actor: Actor, *, session: Session) -> set[int]:
    """The rounds whose comments ``actor`` may read (``_require_round``'s rule, in one query)."""
    now = utcnow()
    if can(actor, "rounds.read"):
        return set(session.exec(select(Round.id)).all())
    if not can(actor, "consultation.take_part"):
        return set()
    mine = _constituency(session, actor)
    return {r.id for r in session.exec(select(Round))
            if (not r.constituencies or mine in r.constituencies) and _aware(r.opens_at) <= now}


def approved_annex_of(session: Session, r: Round, *, lock: bool = False) -> int | None:
    """The number of an approved version whose annex holds round ``r``'s comments (the rounds on
    that version, and the rounds on its set that had opened when it was frozen: the rule of
    proposal.annex.annex_rounds), else None. Such a round is final: it does not reopen and its
    answers do not change, so an approved annex stays as ExCom approved it. ``lock`` takes the
    set's version rows first, in the order ``approve`` takes them, so that an approval and an
    extension of the same round queue instead of both committing (PostgreSQL)."""
    if r.set_id is None and r.version_id is None:
        return None
    query = select(ProposalVersion).where(
        (ProposalVersion.id == r.version_id) if r.set_id is None else
        ((ProposalVersion.set_id == r.set_id) | (ProposalVersion.id == r.version_id))).order_by(ProposalVersion.id)
    for v in session.exec(query.with_for_update() if lock else query).all():
        holds = v.id == r.version_id or (r.version_id is None and _aware(r.opens_at) <= _aware(v.created_at))
        if holds and v.approved_at is not None:
            return v.number
    return None


def set_round_close(*, session: Session, actor: Actor, round_id: int, closes_at: datetime) -> None:
    """Extend a round, or close it early (``closes_at`` = now). A round whose comments are in an
    approved version's annex closes but never reopens."""
    require_role(actor, "co_lead")
    r = session.get(Round, round_id)
    if r is None:
        raise NotFound(_("There is no consultation round with id {id}.").format(id=round_id))
    if _aware(closes_at) <= _aware(r.opens_at):
        raise UserError(_("The round must close after it opens."))
    if _aware(closes_at) > utcnow() and (number := approved_annex_of(session, r, lock=True)) is not None:
        raise UserError(_("Version {number} is approved and its annex holds this round's comments: "
                          "the round cannot reopen.").format(number=number))
    session.refresh(r, with_for_update=True)  # after the versions: the order approve locks in
    r.closes_at = _aware(closes_at)
    session.add(r)


def close_round_now(*, session: Session, actor: Actor, round_id: int) -> None:
    set_round_close(actor=actor, round_id=round_id, closes_at=utcnow(), session=session)


# --------------------------------------------------------------------------- comments


def _clean_text(text: str) -> str:
    text = (text or "").replace("\x00", "").strip()
    if not text:
        raise UserError(_("The comment is empty."))
    if len(text) > MAX_COMMENT:
        raise UserError(_("The comment has {n} characters; the limit is {limit}.").format(n=len(text), limit=MAX_COMMENT))
    return text


def _clean_ratings(ratings: dict | None) -> dict:
    out = {}
    for k, v in (ratings or {}).items():
        if v in (None, ""):
            continue
        if k not in RATINGS:
            raise UserError(_("Unknown rating '{name}'; ratings are {names}.").format(name=k, names=", ".join(RATINGS)))
        try:
            n = int(v)
        except (TypeError, ValueError):
            raise UserError(_("The rating '{name}' must be a whole number from 1 to 5.").format(name=k)) from None
        if not 1 <= n <= 5:
            raise UserError(_("The rating '{name}' must be from 1 to 5.").format(name=k))
        out[k] = n
    return out


def _check_target(s: Session, r: Round, item_id: int | None, objective: int | None, strategy: bool = False) -> None:
    if objective is not None and not 1 <= int(objective) <= 23:
        raise UserError(_("There is no GCM objective {number}; objectives are 1 to 23.").format(number=objective))
    if strategy:
        if r.version_id is None:
            raise UserError(_("This round is on a candidate set, not on a frozen version: it has no disaggregation "
                              "strategy to comment on. Comment on an indicator, an objective or the set instead."))
        if objective is None:
            raise UserError(_("Choose the objective whose strategy you are commenting on."))
        if item_id is not None:
            raise UserError(_("A comment on the strategy is about an objective's strategy, not one indicator."))
    if item_id is not None:
        if s.get(FrameworkItem, item_id) is None:
            raise NotFound(_("There is no indicator with id {id}.").format(id=item_id))
        if r.set_id is not None or r.version_id is not None:
            member = s.exec(select(RoundItem).where(RoundItem.round_id == r.id, RoundItem.item_id == item_id)).first()
            if member is None:
                raise UserError(_("That indicator is not in the set under consultation; comment on the set "
                                  "as a whole, or propose it as a new indicator."))


def post_comment(
    *, session: Session, actor: Actor, round_id: int, text: str, item_id: int | None = None,
    objective: int | None = None, stance: str = "", ratings: dict | None = None,
    parent_id: int | None = None, strategy: bool = False,
) -> int:
    """A stakeholder's comment (or reply) in an open round; returns its id. ``strategy``: on the
    disaggregation strategy for ``objective`` of the version the round consults on."""
    require_role(actor, *STAKEHOLDER_ROLES)
    text = _clean_text(text)
    stance = normalise_choice(stance, STANCES, "stance") if stance else ""
    ratings = _clean_ratings(ratings)
    r = session.get(Round, round_id)
    if r is None:
        raise NotFound(_("There is no consultation round with id {id}.").format(id=round_id))
    view = _round_view(session, r)
    if not view.is_open():
        raise UserError(_("The round '{title}' is {status}: comments are not accepted now.").format(
            title=r.title, status=_(view.status)))  # "open", "closed", "not yet open": translated on the Rounds page
    user = session.get(User, actor.user_id) if actor.user_id else None
    constituency = user.constituency if user else ""
    # Reading every round (ExCom) is not taking part in it: only co-leads, who run the rounds, post
    # outside their constituency (the access table: consultation.take_part, rounds.manage).
    if r.constituencies and not can(actor, "rounds.manage") and constituency not in r.constituencies:
        allowed = ", ".join(_(CONSTITUENCIES[c]) for c in r.constituencies)
        raise UserError(_("This round is open to: {allowed}.").format(allowed=allowed))
    if parent_id is not None:
        parent = session.get(Comment, parent_id)
        if parent is None or parent.round_id != round_id or (parent.hidden and not can(actor, "comments.hidden.read")):
            raise NotFound(_("There is no comment {number} to reply to in this round.").format(number=parent_id))
        item_id, objective, stance = parent.item_id, parent.objective, ""
        strategy = parent.target_kind == STRATEGY
    _check_target(session, r, item_id, objective, strategy)
    c = Comment(round_id=round_id, parent_id=parent_id, author_id=actor.user_id, author_name=actor.name,
                organisation=user.organisation if user else "", constituency=constituency,
                item_id=item_id, objective=int(objective) if objective is not None else None,
                target_kind=STRATEGY if strategy else "",
                stance=stance, ratings=ratings, text=text, text_key=text_key(text),
                language=detect_language(text))
    session.add(c)
    session.flush()
    return c.id


def edit_comment(*, session: Session, actor: Actor, comment_id: int, text: str, stance: str | None = None,
                 ratings: dict | None = None) -> None:
    """The author edits their own comment while its round is open, and until it is answered or
    hidden: an official response always answers the words it was given. Every earlier text is
    kept as a revision."""
    require_role(actor, *STAKEHOLDER_ROLES)
    text = _clean_text(text)
    # Locked while edited, as ``respond`` locks it while answering: an edit and an answer at the
    # same moment are done one after the other, and the rule below sees the other's result.
    c = session.exec(select(Comment).where(Comment.id == comment_id).with_for_update()
                     .execution_options(populate_existing=True)).first()
    if c is None:
        raise NotFound(_("There is no comment {number}.").format(number=comment_id))
    if c.author_id is None or c.author_id != actor.user_id:
        raise UserError(_("You can only edit your own comments."))
    if not _round_view(session, session.get(Round, c.round_id)).is_open():
        raise UserError(_("The round is closed: comments can no longer be edited."))
    if c.hidden:
        raise UserError(_("This comment is hidden by the co-leads, so it can no longer be edited. Post a new comment instead."))
    if session.exec(select(Response.id).where(Response.comment_id == comment_id)).first() is not None:
        raise UserError(_("This comment has an official answer, so it can no longer be edited. Reply to it instead."))
    session.add(CommentRevision(comment_id=c.id, text=c.text, stance=c.stance, ratings=c.ratings,
                                at=c.edited_at or c.created_at))
    c.text, c.text_key, c.edited_at = text, text_key(text), utcnow()
    c.language = detect_language(text)
    if stance is not None:
        c.stance = normalise_choice(stance, STANCES, "stance") if stance else ""
    if ratings is not None:
        c.ratings = _clean_ratings(ratings)
    session.add(c)


# --------------------------------------------------------------------------- moderation


def report_comment(*, session: Session, actor: Actor, comment_id: int, reason: str = "") -> bool:
    """Anyone signed in may report a comment once; at the round's threshold it is hidden until
    a co-lead decides. Returns True if the comment is now hidden."""
    require_role(actor, *STAKEHOLDER_ROLES)
    reporter = f"user:{actor.user_id}" if actor.user_id else actor.name
    try:
        c = session.get(Comment, comment_id)
        if c is None or (c.hidden and not can(actor, "comments.hidden.read") and c.author_id != actor.user_id):
            raise NotFound(_("There is no comment {number}.").format(number=comment_id))
        _require_round(session, actor, c.round_id)
        session.add(CommentReport(comment_id=comment_id, reporter=reporter, reason=(reason or "").strip()[:2000]))
        session.flush()
        c.report_count = session.exec(select(func.count(CommentReport.id))
                                .where(CommentReport.comment_id == comment_id)).one()
        threshold = session.get(Round, c.round_id).report_threshold
        if not c.hidden and c.report_count >= threshold:
            c.hidden, c.hidden_reason = True, f"hidden after {c.report_count} reports, awaiting a co-lead"
            session.add(ModerationEvent(comment_id=c.id, action="auto-hide", reason=c.hidden_reason, actor="system"))
        session.add(c)
        return c.hidden
    except IntegrityError:
        raise UserError(_("You have already reported this comment.")) from None


def moderate(*, session: Session, actor: Actor, comment_id: int, hide: bool, reason: str) -> None:
    """A co-lead hides or restores a comment, with a reason. Nothing is deleted."""
    require_role(actor, "co_lead")
    reason = (reason or "").strip()
    if not reason:
        raise UserError("Give a reason: it is kept with the decision.")
    c = session.get(Comment, comment_id)
    if c is None:
        raise NotFound(_("There is no comment {number}.").format(number=comment_id))
    c.hidden, c.hidden_reason = hide, reason if hide else ""
    session.add(c)
    session.add(ModerationEvent(comment_id=comment_id, action="hide" if hide else "restore", reason=reason,
                          actor=actor.name))


def moderation_history(comment_id: int, *, session: Session, actor: Actor) -> list[ModerationEvent]:
    """Every hide and restore of a comment, with its reason (co-leads and admins)."""
    require(actor, "comments.hidden.read")
    return list(session.exec(select(ModerationEvent).where(ModerationEvent.comment_id == comment_id)
                       .order_by(ModerationEvent.id)))


# --------------------------------------------------------------------------- responses


def respond(*, session: Session, actor: Actor, comment_id: int, disposition: str, text: str) -> None:
    """The co-leads' answer: a disposition and a response. It becomes the current answer; earlier
    answers are kept as revisions."""
    require_role(actor, "co_lead")
    disposition = normalise_choice(disposition, DISPOSITIONS, "disposition")
    text = (text or "").strip()
    if len(text) > MAX_COMMENT:
        raise UserError(f"The response is too long (limit {MAX_COMMENT} characters).")
    round_id = session.exec(select(Comment.round_id).where(Comment.id == comment_id)).first()
    if round_id is None:
        raise NotFound(_("There is no comment {number}.").format(number=comment_id))
    if (number := approved_annex_of(session, session.get(Round, round_id), lock=True)) is not None:
        raise UserError(_("Version {number} is approved: the answers in its annex are final.").format(number=number))
    session.exec(select(Comment.id).where(Comment.id == comment_id).with_for_update()).first()
    now = utcnow()
    row = {"comment_id": comment_id, "disposition": disposition, "text": text, "responder": actor.name, "at": now}
    # One current answer per comment, decided by the database: two co-leads answering at once
    # both succeed, the later one is current, and both stay in the history.
    upsert(session, Response, row, ["comment_id"], ["disposition", "text", "responder", "at"])
    session.add(ResponseRevision(**row))


# --------------------------------------------------------------------------- reading


@dataclass(frozen=True)
class CommentView:
    id: int
    parent_id: int | None
    author_name: str
    organisation: str
    constituency: str
    item_code: str
    item_title: str
    objective: int | None
    stance: str
    ratings: dict
    text: str
    created_at: datetime
    edited: bool
    hidden: bool
    hidden_reason: str
    report_count: int
    mine: bool
    disposition: str
    response: str
    target_kind: str = ""

    @property
    def about(self) -> str:
        """What the comment is about, in words."""
        return describe_target(self.target_kind, self.item_code, self.objective)


def describe_target(target_kind: str, item_code: str | None, objective: int | None) -> str:
    """What a comment is about, in words: an indicator, an objective, the strategy for an
    objective, or the set as a whole."""
    if target_kind == STRATEGY:
        return f"strategy for objective {objective}"
    if item_code:
        return f"indicator {item_code}"
    if objective is not None:
        return f"objective {objective}"
    return "the set as a whole"


def thread(*, session: Session, actor: Actor, round_id: int, item_id: int | None = None,
           objective: int | None = None, whole_set: bool = False, strategy: bool = False) -> list[CommentView]:
    """Comments of a round on one indicator, objective, the strategy for an objective
    (``strategy`` with ``objective``) or the set as a whole (with replies), in order, for someone
    who may take part in the round. Hidden comments and moderation reasons only
    for co-leads and admins (an author still sees their own hidden comment, without the reason);
    authors' names only for ExCom, co-leads and admins: others see the organisation, or
    "a participant"."""
    _require_round(session, actor, round_id)
    q = (select(Comment, FrameworkItem, Response)
         .join(FrameworkItem, FrameworkItem.id == Comment.item_id, isouter=True)
         .join(Response, Response.comment_id == Comment.id, isouter=True)
         .where(Comment.round_id == round_id))
    if item_id is not None:
        q = q.where(Comment.item_id == item_id)
    elif objective is not None:
        q = q.where(Comment.objective == objective, Comment.item_id == None,  # noqa: E711
                    Comment.target_kind == (STRATEGY if strategy else ""))
    elif strategy:
        q = q.where(Comment.target_kind == STRATEGY)
    elif whole_set:
        q = q.where(Comment.item_id == None, Comment.objective == None, Comment.target_kind == "")  # noqa: E711
    rows = session.exec(q.order_by(Comment.id)).all()
    can_see_hidden = can(actor, "comments.hidden.read")
    can_see_names = can(actor, "comments.authors.read")
    out = []
    for c, item, resp in rows:
        mine = actor.user_id is not None and c.author_id == actor.user_id
        if c.hidden and not (can_see_hidden or mine):
            continue
        author, organisation = c.author_name, c.organisation
        if not (can_see_names or mine):
            author, organisation = c.organisation or "a participant", ""
        out.append(CommentView(
            c.id, c.parent_id, author, organisation, c.constituency, item.code if item else "",
            item.title if item else "", c.objective, c.stance, dict(c.ratings or {}), c.text, _aware(c.created_at),
            c.edited_at is not None, c.hidden, c.hidden_reason if can_see_hidden else "",
            c.report_count if can_see_hidden else 0, mine,
            resp.disposition if resp else "", resp.text if resp else "", c.target_kind,
        ))
    return out


def open_rounds_for(actor: Actor, *, session: Session) -> list[RoundView]:
    """Rounds open now that this person may take part in (their constituency)."""
    require(actor, "consultation.take_part")
    return [r for r in _all_rounds(session) if r.is_open() and _open_to(session, actor, r)]


def set_items(round_id: int, *, session: Session, actor: Actor) -> list[dict]:
    """The indicators under consultation in a round, with a plain-language explanation each
    (one query for all of them, whatever the size of the set)."""
    _require_round(session, actor, round_id)
    # The indicators as they were when the round opened (later set or catalogue edits do not
    # reach participants); the item is joined only for rounds migrated without a stored help.
    rows = session.exec(
        select(RoundItem, FrameworkItem.attributes)
        .join(FrameworkItem, FrameworkItem.id == RoundItem.item_id)
        .where(RoundItem.round_id == round_id)
        .order_by(RoundItem.framework, RoundItem.position)
    ).all()
    return [{"item_id": ri.item_id, "code": ri.code, "title": ri.title, "framework": ri.framework,
             "help": ri.help or plain_help({"title": ri.title, "attributes": attrs}),
             # The item's titles in other languages (catalogue.translations), for readers of those.
             "attributes": {"translations": (attrs or {}).get("translations") or {}}}
            for ri, attrs in rows]


TIER_HELP = {
    "Tier I": "there is an agreed method and most countries already produce the data regularly",
    "Tier II": "there is an agreed method, but many countries do not yet produce the data regularly",
}


def plain_help(item: dict) -> str:
    """A short explanation in plain words, built only from the item's own metadata."""
    a = item.get("attributes") or {}
    parts = [f"What it measures: {item['title']}."]
    if a.get("target_title"):
        parts.append(f"It belongs to SDG target {a.get('target')}: {a['target_title']}.")
    if a.get("domain_name"):
        parts.append(f"It is part of the 10.7.2 policy domain '{a['domain_name']}'.")
    if a.get("tier") in TIER_HELP:
        parts.append(f"Data: {a['tier']} — {TIER_HELP[a['tier']]}.")
    if a.get("custodian"):
        parts.append(f"Responsible agency (custodian): {a['custodian']}.")
    return " ".join(parts)

"""Candidate sets: named drafts of the limited set, their members and locks, and the glue that
turns database rows into the inputs of scoring.py and optimise.py."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import numpy as np
import pandas as pd
from sqlalchemy import func
from sqlmodel import Session, select

from indicators_lab.core.access import Actor, require, require_role
from indicators_lab.core.db import insert_ignore
from indicators_lab.mapping.embeddings import Encoder, embed_texts
from indicators_lab.core.errors import NotFound, UserError
from indicators_lab.mapping.links import accepted_links_frame
from indicators_lab.core.models import (
    Action, CandidateSet, Framework, FrameworkItem, Objective, SetMember, utcnow,
)
from indicators_lab.sets.scoring import DEFAULT_GRADE_WEIGHTS, Scorecard, compare, scorecard

LOCKS = ("", "in", "out")


@dataclass(frozen=True)
class SetInfo:
    id: int
    name: str
    description: str
    items: int
    created_by: str
    updated_at: datetime


# --------------------------------------------------------------------------- sets


def _get_set(s: Session, set_id: int) -> CandidateSet:
    cs = s.get(CandidateSet, set_id)
    if cs is None or cs.deleted:
        raise NotFound(f"There is no candidate set with id {set_id}.")
    return cs


def _check_name(s: Session, name: str, exclude: int | None = None) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise UserError("Give the set a name.")
    if len(name) > 200:
        raise UserError("Keep the name under 200 characters.")
    clash = s.exec(select(CandidateSet).where(CandidateSet.name == name, CandidateSet.deleted == False)).first()  # noqa: E712
    if clash is not None and clash.id != exclude:
        raise UserError(f"A set named '{name}' already exists.")
    return name


def list_sets(*, session: Session, actor: Actor) -> list[SetInfo]:
    """The candidate sets (not deleted), most recently changed first."""
    require(actor, "sets.read")
    counts = dict(session.exec(select(SetMember.set_id, func.count(SetMember.id))
                         .where(SetMember.lock != "out").group_by(SetMember.set_id)).all())
    sets = session.exec(select(CandidateSet).where(CandidateSet.deleted == False)  # noqa: E712
                  .order_by(CandidateSet.updated_at.desc())).all()
    return [SetInfo(c.id, c.name, c.description, counts.get(c.id, 0), c.created_by, c.updated_at) for c in sets]


def create_set(*, session: Session, actor: Actor, name: str, description: str = "",
               item_ids: list[int] | None = None) -> int:
    """A new set (optionally with items); returns its id."""
    require_role(actor, "co_lead")
    cs = CandidateSet(name=_check_name(session, name), description=description.strip(), created_by=actor.name)
    session.add(cs)
    session.flush()
    for item_id in dict.fromkeys(item_ids or []):
        _check_item(session, item_id)
        session.add(SetMember(set_id=cs.id, item_id=item_id, added_by=actor.name))
    return cs.id


def rename_set(*, session: Session, actor: Actor, set_id: int, name: str) -> None:
    require_role(actor, "co_lead")
    cs = _get_set(session, set_id)
    cs.name, cs.updated_at = _check_name(session, name, exclude=set_id), utcnow()
    session.add(cs)


def copy_set(*, session: Session, actor: Actor, set_id: int, name: str) -> int:
    """A copy with the same members and locks."""
    require_role(actor, "co_lead")
    src = _get_set(session, set_id)
    cs = CandidateSet(name=_check_name(session, name), description=src.description, created_by=actor.name)
    session.add(cs)
    session.flush()
    for m in session.exec(select(SetMember).where(SetMember.set_id == set_id)):
        session.add(SetMember(set_id=cs.id, item_id=m.item_id, lock=m.lock, added_by=actor.name))
    return cs.id


def delete_set(*, session: Session, actor: Actor, set_id: int) -> None:
    """Hide a set from lists (its rows stay for rounds and versions that refer to it)."""
    require_role(actor, "co_lead")
    cs = _get_set(session, set_id)
    cs.deleted, cs.updated_at = True, utcnow()
    session.add(cs)


# --------------------------------------------------------------------------- members


def _check_item(s: Session, item_id: int) -> FrameworkItem:
    item = s.get(FrameworkItem, item_id)
    if item is None:
        raise NotFound(f"There is no framework item with id {item_id}.")
    return item


def _touch(s: Session, set_id: int) -> None:
    cs = _get_set(s, set_id)
    cs.updated_at = utcnow()
    s.add(cs)


def add_items(*, session: Session, actor: Actor, set_id: int, item_ids: list[int]) -> int:
    """Add items (those already in are left as they are; locked-out ones are let back in)."""
    require_role(actor, "co_lead")
    added = 0
    _touch(session, set_id)
    existing = {m.item_id: m for m in session.exec(select(SetMember).where(SetMember.set_id == set_id))}
    new = []
    for item_id in dict.fromkeys(item_ids):
        _check_item(session, item_id)
        m = existing.get(item_id)
        if m is None:
            new.append({"set_id": set_id, "item_id": item_id, "lock": "", "added_by": actor.name, "added_at": utcnow()})
        elif m.lock == "out":
            m.lock = ""
            session.add(m)
            added += 1
    # Two co-leads adding the same indicator at once: the database keeps one row.
    return added + insert_ignore(session, SetMember, new, ["set_id", "item_id"])


def remove_items(*, session: Session, actor: Actor, set_id: int, item_ids: list[int]) -> int:
    require_role(actor, "co_lead")
    _touch(session, set_id)
    rows = session.exec(select(SetMember).where(SetMember.set_id == set_id, SetMember.item_id.in_(item_ids))).all()
    for m in rows:
        session.delete(m)
    return len(rows)


def set_lock(*, session: Session, actor: Actor, set_id: int, item_id: int, lock: str) -> None:
    """Lock an item in (the optimiser must keep it), out (it must leave it out), or unlock."""
    require_role(actor, "co_lead")
    if lock not in LOCKS:
        raise UserError("A lock is 'in', 'out' or none.")
    _touch(session, set_id)
    _check_item(session, item_id)
    m = session.exec(select(SetMember).where(SetMember.set_id == set_id, SetMember.item_id == item_id)).first()
    if m is None:
        m = SetMember(set_id=set_id, item_id=item_id, added_by=actor.name)
    m.lock = lock
    session.add(m)


def replace_members(*, session: Session, actor: Actor, set_id: int, add: list[int], remove: list[int]) -> None:
    """Apply a what-if change (adds and removals) in one transaction."""
    require_role(actor, "co_lead")
    _touch(session, set_id)
    for m in session.exec(select(SetMember).where(SetMember.set_id == set_id, SetMember.item_id.in_(remove))):
        session.delete(m)
    existing = set(session.exec(select(SetMember.item_id).where(SetMember.set_id == set_id)))
    for item_id in dict.fromkeys(add):
        _check_item(session, item_id)
        if item_id not in existing:
            session.add(SetMember(set_id=set_id, item_id=item_id, added_by=actor.name))


def members_frame(set_id: int, *, session: Session, include_locked_out: bool = False) -> pd.DataFrame:
    """The items of a set with what scoring needs: item_key (= item id), code, title, framework,
    tier, custodian, gender_specific, lock."""
    _get_set(session, set_id)
    q = (select(SetMember, FrameworkItem, Framework.key)
         .join(FrameworkItem, FrameworkItem.id == SetMember.item_id)
         .join(Framework, Framework.id == FrameworkItem.framework_id)
         .where(SetMember.set_id == set_id).order_by(Framework.key, FrameworkItem.position))
    if not include_locked_out:
        q = q.where(SetMember.lock != "out")
    rows = session.exec(q).all()
    return items_table([(item, key, m.lock) for m, item, key in rows])


def items_table(rows: list[tuple[FrameworkItem, str, str]]) -> pd.DataFrame:
    records = []
    for item, key, lock in rows:
        a = item.attributes or {}
        records.append({
            "item_key": item.id, "code": item.code, "title": item.title, "framework": key,
            "tier": a.get("tier", ""), "custodian": a.get("custodian", ""),
            "gender_specific": bool(a.get("gender_specific_iaeg") or a.get("gender_specific_unw")),
            "lock": lock,
            "text": _text(item),
        })
    return pd.DataFrame(records, columns=["item_key", "code", "title", "framework", "tier", "custodian",
                                          "gender_specific", "lock", "text"])


def _text(item: FrameworkItem) -> str:
    from indicators_lab.catalogue.frameworks import item_text

    return item_text({"title": item.title, "description": item.description, "attributes": item.attributes})


def items_by_ids(item_ids: list[int], *, session: Session) -> pd.DataFrame:
    rows = session.exec(select(FrameworkItem, Framework.key).join(Framework, Framework.id == FrameworkItem.framework_id)
                  .where(FrameworkItem.id.in_(list(item_ids)))).all()
    order = {i: n for n, i in enumerate(item_ids)}
    return items_table(sorted([(item, key, "") for item, key in rows], key=lambda r: order[r[0].id]))


def linked_candidates(*, session: Session) -> pd.DataFrame:
    """Every item with at least one accepted link: the pool to add from and to optimise over."""
    ids = list(dict.fromkeys(accepted_links_frame(session=session)["item_id"]))
    return items_by_ids(ids, session=session)


def items_linked_to(objective: int, *, session: Session) -> list[int]:
    """Ids of the items accepted for an objective."""
    lk = accepted_links_frame(session=session)
    return [int(i) for i in dict.fromkeys(lk.loc[lk["objective"] == objective, "item_id"])]


# --------------------------------------------------------------------------- scoring glue


def objective_numbers(*, session: Session) -> tuple[int, ...]:
    """The GCM objectives a set is judged on (all 23 once the catalogue is loaded)."""
    numbers = tuple(int(n) for n in session.exec(select(Objective.number).order_by(Objective.number)))
    return numbers or tuple(range(1, 24))


def n_actions(*, session: Session) -> dict[int, int]:
    rows = session.exec(select(Objective.number, func.count(Action.id))
                  .join(Action, Action.objective_id == Objective.id).group_by(Objective.number)).all()
    return {int(n): int(c) for n, c in rows}


def links_for_scoring(*, session: Session) -> pd.DataFrame:
    lk = accepted_links_frame(session=session)
    return lk.rename(columns={"item_id": "item_key"})[["item_key", "objective", "grade", "action"]]


def similarity(encoder: Encoder, items: pd.DataFrame, *, session: Session) -> np.ndarray:
    if items.empty:
        return np.zeros((0, 0), dtype=np.float32)
    v = embed_texts(encoder, list(items["text"]), session=session)
    return v @ v.T


def score_items(encoder: Encoder, items: pd.DataFrame,
                grade_weights: dict[str, float] = DEFAULT_GRADE_WEIGHTS, *, session: Session,
                actor: Actor) -> Scorecard:
    """The scorecard of a list of items (encodes their texts: co-leads only)."""
    require(actor, "sets.read")
    return scorecard(items, links_for_scoring(session=session), similarity(encoder, items, session=session),
                     n_actions(session=session), grade_weights)


def score_set(encoder: Encoder, set_id: int,
              grade_weights: dict[str, float] = DEFAULT_GRADE_WEIGHTS, *, session: Session,
              actor: Actor) -> Scorecard:
    """The scorecard of a saved set."""
    require(actor, "sets.read")
    return score_items(encoder, members_frame(set_id, session=session), grade_weights, session=session, actor=actor)


@dataclass
class WhatIf:
    before: Scorecard
    after: Scorecard
    changes: pd.DataFrame
    coverage_change: pd.DataFrame


def what_if(encoder: Encoder, set_id: int, *, session: Session, actor: Actor, add: list[int], remove: list[int],
            grade_weights: dict[str, float] = DEFAULT_GRADE_WEIGHTS) -> WhatIf:
    """Every score before and after adding / removing items, without saving anything."""
    require(actor, "sets.read")
    members = members_frame(set_id, session=session)
    kept = members[~members["item_key"].isin(remove)]
    extra = items_by_ids([i for i in add if i not in set(kept["item_key"])], session=session)
    after_items = pd.concat([kept, extra], ignore_index=True) if len(extra) else kept.reset_index(drop=True)
    before = score_items(encoder, members, grade_weights, session=session, actor=actor)
    after = score_items(encoder, after_items, grade_weights, session=session, actor=actor)
    cov = before.coverage[["objective", "coverage"]].merge(
        after.coverage[["objective", "coverage"]], on="objective", suffixes=("_before", "_after"))
    cov["change"] = cov["coverage_after"] - cov["coverage_before"]
    return WhatIf(before, after, compare(before.summary, after.summary), cov[cov["change"] != 0])


# --------------------------------------------------------------------------- optimiser glue


def database_links(grade_weights: dict[str, float] = DEFAULT_GRADE_WEIGHTS, *, session: Session) -> pd.DataFrame:
    """Accepted links as optimiser input: key 'framework:code', objective, weight, tier, framework."""
    lk = accepted_links_frame(session=session)
    if lk.empty:
        raise UserError("There are no accepted links yet: accept links on the Mapping page first.")
    return pd.DataFrame({
        "key": lk["framework"] + ":" + lk["item_code"], "objective": lk["objective"],
        "weight": lk["grade"].map(grade_weights).fillna(0.0), "tier": lk["tier"], "framework": lk["framework"],
        "item_id": lk["item_id"],
    })


def optimise_for_set(set_id: int | None, *, session: Session, actor: Actor, min_cover: int = 1, max_size: int | None = None,
                     max_per_framework: int | None = None, solver: str = "cbc",
                     grade_weights: dict[str, float] = DEFAULT_GRADE_WEIGHTS, curve: bool = False,
                     min_data_coverage: float = 0.0, data_tiebreak: bool = True, ready_share: float = 0.5):
    """Optimise over every item with accepted links, honouring the set's locks. Returns the
    optimiser Result (keys are item ids) and, if ``curve``, the Pareto table with the answer's own
    point in it, and per point its readiness: the mean data coverage, how many chosen indicators
    have data for at least ``ready_share`` of the Member States (``data_ready``) and how many can
    be split by migratory status (``migratory_split``)."""
    from indicators_lab.catalogue.data import readiness_frame
    from indicators_lab.sets.optimiser import Request, optimise, pareto
    from indicators_lab.sets.readiness import readiness_of_points

    require(actor, "optimise.run")
    lk = database_links(grade_weights, session=session)
    links = lk.assign(key=lk["item_id"])[["key", "objective", "weight"]]
    items = lk.assign(key=lk["item_id"]).drop_duplicates("key")[["key", "tier", "framework"]]
    ready = readiness_frame(list(items["key"]), session=session)
    coverage = dict(zip(ready["item_id"], ready["data_share"]))
    items = items.assign(data_coverage=[float(coverage.get(int(k), 0.0)) for k in items["key"]])
    lock_in, lock_out = set(), set()
    if set_id is not None:
        members = members_frame(set_id, include_locked_out=True, session=session)
        lock_in = set(members.loc[members["lock"] == "in", "item_key"]) & set(items["key"])
        lock_out = set(members.loc[members["lock"] == "out", "item_key"]) & set(items["key"])
    req = Request(min_cover=min_cover, max_size=max_size, lock_in=lock_in, lock_out=lock_out,
                  max_per_framework=max_per_framework, solver=solver, objectives=objective_numbers(session=session),
                  min_data_coverage=min_data_coverage, data_tiebreak=data_tiebreak)
    result = optimise(links, items, req)
    table = pareto(links, items, req) if curve else None
    if table is not None:
        if not (table["size"] == len(result.chosen)).any():
            answer = {"size": len(result.chosen), "covered_weight": round(result.covered_weight, 4),
                      "objectives_covered": result.covered, "objectives": len(result.objectives),
                      "chosen": list(result.chosen)}
            table = pd.concat([table, pd.DataFrame([answer])], ignore_index=True).sort_values("size", ignore_index=True)
        table = table.assign(mean_data_coverage=[
            round(sum(coverage.get(int(k), 0.0) for k in ch) / len(ch), 4) if len(ch) else 0.0
            for ch in table["chosen"]])
        points = readiness_of_points(list(table["chosen"]), ready, min_share=ready_share)
        table = table.assign(data_ready=list(points["data_ready"]), migratory_split=list(points["migratory_split"]))
    return result, table


def set_readiness(item_ids: list[int], *, session: Session, min_share: float = 0.5):
    """Data readiness of these items: (per item, per objective) DataFrames."""
    from indicators_lab.catalogue.data import readiness_frame
    from indicators_lab.sets.readiness import readiness_by_objective

    ready = readiness_frame(item_ids, session=session)
    lk = links_for_scoring(session=session)
    lk = lk[lk["item_key"].isin([int(i) for i in item_ids])]
    return ready, readiness_by_objective(lk, ready, min_share=min_share)

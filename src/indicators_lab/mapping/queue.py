"""The review queue: which item a co-lead should decide next, and how far each framework is.

Least certain first: the item whose two best suggestions are closest in score, since that is the
decision the suggestions can least make alone (and the one that teaches neighbours most). Or, by
choice, migration-specific items first (their wording names migrants, remittances, trafficking...),
each group least certain first.
"""

from __future__ import annotations

import re

import pandas as pd
from sqlalchemy import func
from sqlmodel import Session, select

from indicators_lab.core.access import Actor, require
from indicators_lab.core.models import Framework, FrameworkItem, Link

ORDERS = ("least certain first", "migration-specific first", "catalogue order")
MIGRATION_WORDS = re.compile(
    r"migra|remittance|refugee|traffick|smuggl|displace|asylum|diaspora|non-national|foreign-born"
    r"|recruitment cost|citizens residing abroad|visa",
    re.IGNORECASE,
)
# Every item of these frameworks is about migration by definition.
MIGRATION_FRAMEWORKS = {"10.7.2", "mgi"}


def is_migration_specific(framework: str, text: str) -> bool:
    return framework in MIGRATION_FRAMEWORKS or bool(MIGRATION_WORDS.search(text or ""))


def review_queue(table: pd.DataFrame, order: str = ORDERS[0]) -> pd.DataFrame:
    """Undecided items of a suggestions table, in the order to decide them: item_id, code, title,
    margin (best score minus second best), migration (bool)."""
    if order not in ORDERS:
        raise ValueError(f"order must be one of {ORDERS}")
    # Plain Python over the columns: a pandas group per item costs a visible share of each rerun.
    groups: dict[int, list] = {}
    for item_id, code, title, fw, score, decision in zip(
        table["item_id"], table["item_code"], table["item_title"], table["framework"],
        table["score"], table["decision"],
    ):
        g = groups.setdefault(int(item_id), [code, title, fw, [], False])
        g[3].append(float(score))
        g[4] = g[4] or decision != ""
    rows = []
    for position, (item_id, (code, title, fw, scores, decided)) in enumerate(groups.items()):
        if decided:
            continue
        top = sorted(scores, reverse=True)
        margin = top[0] - top[1] if len(top) > 1 else top[0]
        rows.append({"item_id": item_id, "code": code, "title": title, "margin": margin,
                     "migration": is_migration_specific(fw, title), "position": position})
    q = pd.DataFrame(rows, columns=["item_id", "code", "title", "margin", "migration", "position"])
    if order == "least certain first":
        q = q.sort_values(["margin", "position"], kind="stable")
    elif order == "migration-specific first":
        q = q.sort_values(["migration", "margin", "position"], ascending=[False, True, True], kind="stable")
    return q.drop(columns="position").reset_index(drop=True)


def next_item(queue: pd.DataFrame, current: int | None) -> int | None:
    """The item to show: ``current`` while it is still undecided, else the queue's first."""
    if queue.empty:
        return None
    ids = list(queue["item_id"])
    return current if current in ids else ids[0]


def item_after(queue: pd.DataFrame, current: int) -> int | None:
    """The item after ``current`` in the queue (wrapping), to move to once it is decided."""
    ids = list(queue["item_id"])
    if current not in ids:
        return ids[0] if ids else None
    rest = ids[ids.index(current) + 1 :] + ids[: ids.index(current)]
    return rest[0] if rest else None


def framework_progress(*, session: Session, actor: Actor) -> pd.DataFrame:
    """Per framework: items, decided one by one, decided only by bulk accept, remaining."""
    require(actor, "mapping.read")
    totals = dict(session.exec(
        select(Framework.key, func.count(FrameworkItem.id))
        .join(FrameworkItem, FrameworkItem.framework_id == Framework.id)
        .group_by(Framework.key)
    ).all())
    decided = session.exec(
        select(Framework.key, Link.item_id, Link.origin)
        .join(FrameworkItem, FrameworkItem.id == Link.item_id)
        .join(Framework, Framework.id == FrameworkItem.framework_id)
        .where(Link.status.in_(("accepted", "rejected")))
    ).all()
    by_hand: dict[str, set[int]] = {}
    any_: dict[str, set[int]] = {}
    for key, item_id, origin in decided:
        any_.setdefault(key, set()).add(item_id)
        if origin != "bulk":
            by_hand.setdefault(key, set()).add(item_id)
    rows = []
    for key, n in sorted(totals.items()):
        hand, all_ = len(by_hand.get(key, ())), len(any_.get(key, ()))
        rows.append({"framework": key, "items": n, "decided one by one": hand,
                     "bulk only": all_ - hand, "remaining": n - all_})
    return pd.DataFrame(rows, columns=["framework", "items", "decided one by one", "bulk only", "remaining"])

"""Sign-in throttling: after repeated failures, per account and per source address, a growing lock.

The counts live in the database (table ``sign_in_failure``), so every app process on the same
database sees the same locks. The schedule itself is a pure function (``lock_for``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from sqlalchemy import case, delete
from sqlmodel import Session, select

from indicators_lab.core.i18n import ngettext
from indicators_lab.core.models import SignInFailure


@dataclass(frozen=True)
class Schedule:
    """``free`` failures in a row cost nothing (typos); each one after locks for ``first`` doubled
    per further failure, up to ``longest``. A count untouched for ``forget_after`` starts again."""

    free: int
    first: timedelta
    longest: timedelta
    forget_after: timedelta = timedelta(hours=24)


# One account: a person mistyping gets 5 tries, then 1, 2, 4, 8, 15, 15… minutes.
ACCOUNT = Schedule(free=5, first=timedelta(minutes=1), longest=timedelta(minutes=15))
# One source address: an office behind one address has many people, so more tries before a lock.
SOURCE = Schedule(free=30, first=timedelta(minutes=1), longest=timedelta(minutes=15))


def lock_for(failures: int, schedule: Schedule) -> timedelta:
    """How long sign-in stays locked after ``failures`` failures in a row (zero: not locked)."""
    if failures < schedule.free:
        return timedelta(0)
    doubling = min(failures - schedule.free, 20)  # 2**20 minutes is far past any cap
    return min(schedule.first * (2**doubling), schedule.longest)


def wait_message(remaining: timedelta) -> str:
    """"Too many attempts. Try again in 4 minutes." (rounded up; seconds under a minute)."""
    seconds = max(1, math.ceil(remaining.total_seconds()))
    if seconds < 60:
        return ngettext("Too many attempts. Try again in {n} second.",
                        "Too many attempts. Try again in {n} seconds.", seconds).format(n=seconds)
    minutes = math.ceil(seconds / 60)
    return ngettext("Too many attempts. Try again in {n} minute.",
                    "Too many attempts. Try again in {n} minutes.", minutes).format(n=minutes)


def account_key(email: str) -> str:
    return "account:" + (email or "").strip().lower()[:380]


def source_key(address: str) -> str:
    return "source:" + address.strip()[:380]


def _aware(at: datetime) -> datetime:
    return at if at.tzinfo else at.replace(tzinfo=timezone.utc)


def _schedule(key: str) -> Schedule:
    return SOURCE if key.startswith("source:") else ACCOUNT


def _insert(session: Session):
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    elif dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert
    else:  # pragma: no cover - the app supports SQLite and PostgreSQL
        raise RuntimeError(f"sign-in throttling needs SQLite or PostgreSQL, not {dialect}")
    return insert(SignInFailure.__table__)


def locked_until(session: Session, keys: list[str], now: datetime) -> datetime | None:
    """The latest time until which any of ``keys`` is locked, or None if none is locked now.

    The keys' rows are locked until the caller's transaction ends (made first if missing, taken
    in key order): concurrent attempts on one account wait for each other, so a burst of parallel
    guesses cannot all pass this check before the first failure is counted. (SQLite's write
    transactions are serial anyway.)
    """
    keys = sorted(set(keys))
    session.execute(_insert(session).values([{"key": k, "failures": 0, "last_failed_at": now} for k in keys])
                    .on_conflict_do_nothing(index_elements=["key"]))
    rows = session.exec(select(SignInFailure).where(SignInFailure.key.in_(keys))
                        .order_by(SignInFailure.key).with_for_update()).all()
    until = None
    for row in rows:
        last = _aware(row.last_failed_at)
        if now - last > _schedule(row.key).forget_after:
            continue
        end = last + lock_for(row.failures, _schedule(row.key))
        if end > now and (until is None or end > until):
            until = end
    return until


def record_failure(session: Session, keys: list[str], now: datetime) -> None:
    """Count one more failure for each key (a stale count starts again at one).

    The row is inserted or bumped with one ``INSERT … ON CONFLICT`` so two processes failing at
    the same moment both count, without a check-then-insert race.
    """
    table = SignInFailure.__table__
    for key in sorted(set(keys)):
        stale_before = now - _schedule(key).forget_after
        stmt = _insert(session).values(key=key, failures=1, last_failed_at=now)
        stmt = stmt.on_conflict_do_update(
            index_elements=[table.c.key],
            set_={
                "failures": case((table.c.last_failed_at < stale_before, 1), else_=table.c.failures + 1),
                "last_failed_at": now,
            },
        )
        session.execute(stmt)


def clear(session: Session, keys: list[str]) -> None:
    """Forget the failures of ``keys`` (after a successful sign-in)."""
    session.execute(delete(SignInFailure).where(SignInFailure.key.in_(keys)))

"""Engine and session helpers. No globals: callers build an engine from a URL."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

import functools
import logging
import os
import re

from sqlalchemy import event
from sqlalchemy.engine import Engine, make_url
from sqlmodel import Session, create_engine

SQLITE_BUSY_TIMEOUT_MS = 30_000
READ_ONLY = "indicators_lab_read_only"
READ_ONLY_UNIT = "indicators_lab_read_only_unit"  # session.info key: opened by ``reading``
WROTE = "indicators_lab_wrote"  # session.info key: this unit of work changed the database
log = logging.getLogger(__name__)
T = TypeVar("T")


def make_engine(url: str) -> Engine:
    """Create an engine; SQLite files get WAL mode, a busy timeout and foreign keys."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            path = Path(parsed.database)
            path.parent.mkdir(parents=True, exist_ok=True)
            # Owner-only: it holds password hashes and the consultation (SQLite gives its -wal and
            # -shm files the database file's permissions).
            os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
            path.chmod(0o600)
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000},
            pool_size=20, max_overflow=60,
        )

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record):  # pragma: no cover - trivial
            # Let SQLAlchemy, not the sqlite3 module, decide when transactions begin (below).
            dbapi_conn.isolation_level = None
            cur = dbapi_conn.cursor()
            if parsed.database and parsed.database != ":memory:":
                cur.execute("PRAGMA journal_mode=WAL")
            cur.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.close()

        @event.listens_for(engine, "begin")
        def _begin_immediate(conn):  # pragma: no cover - trivial
            # A deferred transaction that reads, then writes, fails at once with "database is
            # locked" when another writer got in between, whatever the busy timeout. Taking the
            # write lock at BEGIN makes writers queue (up to the busy timeout) instead. A
            # screen's read-only unit (``reading``) takes no lock: WAL readers never block.
            if conn.get_execution_options().get(READ_ONLY):
                conn.exec_driver_sql("BEGIN")
            else:
                conn.exec_driver_sql("BEGIN IMMEDIATE")

        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=20, max_overflow=60)


MIGRATIONS = Path(__file__).resolve().parents[1] / "migrations"
BASELINE = "0001"


def alembic_config(connection):
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["connection"] = connection
    return cfg


def init_db(engine: Engine, revision: str = "head") -> None:
    """Create or upgrade the schema with the Alembic migrations (to ``revision``).

    A new, empty database is created at head straight from the models and stamped, and one
    already at head is left alone, both without importing Alembic: replaying every migration
    (SQLite copying each altered table) and Alembic's own import took most of a fresh install's
    first page. tests/test_migrations.py proves that the models build the schema the migrations
    build. A database made before migrations existed (tables, no alembic_version) is stamped at
    the baseline first, then upgraded: nothing in it is dropped.
    """
    from sqlalchemy import inspect, text

    head = head_revision()
    if revision == "head" and head is not None:
        with engine.begin() as conn:
            tables = set(inspect(conn).get_table_names())
            if not tables:
                _create_at_head(conn, head)
                return
            if ("alembic_version" in tables
                    and conn.execute(text("SELECT version_num FROM alembic_version")).scalars().all() == [head]):
                return
    upgrade_with_migrations(engine, revision)


def upgrade_with_migrations(engine: Engine, revision: str = "head") -> None:
    """Run the Alembic migrations up to ``revision`` (stamping a pre-migration database at the
    baseline first), even on an empty database."""
    from alembic import command
    from sqlalchemy import inspect

    with engine.begin() as conn:
        tables = set(inspect(conn).get_table_names())
        cfg = alembic_config(conn)
        if tables and "alembic_version" not in tables and "framework" in tables:
            command.stamp(cfg, BASELINE)
        command.upgrade(cfg, revision)


_REVISION = re.compile(r"""^(down_revision|revision)\s*(?::[^=]*)?=\s*(?:["']([^"']+)["']|None)\s*$""", re.M)


@functools.lru_cache(maxsize=1)
def head_revision() -> str | None:
    """The newest migration's revision, read from the migration files without importing Alembic;
    None unless they form one chain with one head (then Alembic decides)."""
    revisions, parents = set(), set()
    for path in (MIGRATIONS / "versions").glob("*.py"):
        found = dict((key, value) for key, value in _REVISION.findall(path.read_text(encoding="utf-8")))
        if "revision" not in found or not found["revision"]:
            return None
        revisions.add(found["revision"])
        if found.get("down_revision"):
            parents.add(found["down_revision"])
    heads = revisions - parents
    return heads.pop() if len(heads) == 1 and parents <= revisions else None


def _create_at_head(conn, head: str) -> None:
    """Every table as the models declare it, and Alembic's version table saying ``head``."""
    from sqlalchemy import Column, MetaData, PrimaryKeyConstraint, String, Table, insert
    from sqlmodel import SQLModel

    from indicators_lab.core import models  # noqa: F401  (registers the tables)

    SQLModel.metadata.create_all(conn)
    # The table exactly as Alembic makes it (alembic.runtime.migration.MigrationContext).
    version = Table("alembic_version", MetaData(), Column("version_num", String(32), nullable=False),
                    PrimaryKeyConstraint("version_num", name="alembic_version_pkc"))
    version.create(conn)
    conn.execute(insert(version).values(version_num=head))


@contextmanager
def unit_of_work(engine: Engine) -> Iterator[Session]:
    """One user action, one transaction: commit at the end, roll back on any error.

    Services never open one; the caller (a view handler, a CLI command, a test) does, once per
    action. Never open one inside another: on SQLite every write transaction takes the write
    lock at BEGIN, so a nested one waits for its parent and fails after the busy timeout.
    """
    with Session(engine, expire_on_commit=False) as session:
        _track_writes(session)
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            session.info.pop(WROTE, None)
            raise


def _track_writes(session: Session) -> None:
    """Mark the session once it writes (ORM flushes and INSERT/UPDATE/DELETE statements alike)."""

    @event.listens_for(session, "after_flush")
    def _flushed(s, _context):  # pragma: no cover - trivial
        s.info[WROTE] = True

    @event.listens_for(session, "do_orm_execute")
    def _executed(state):  # pragma: no cover - trivial
        if state.is_insert or state.is_update or state.is_delete:
            state.session.info[WROTE] = True


_LOGGED_ARGS = ("_id", "_ids", "version", "objective", "status", "grade", "verdict", "disposition", "key",
                "fmt", "lock", "hide", "active", "role", "email", "name", "title")


def log_action(service: Callable, kwargs: dict) -> None:
    """Log who did what, at INFO, for an action that changed the database (never passwords,
    tokens, texts or file contents: only ids, choices and names)."""
    actor = kwargs.get("actor")
    who = f"{actor.name} ({actor.role}, user {actor.user_id})" if actor is not None else "someone signed out"
    shown = {k: v for k, v in kwargs.items()
             if k.endswith(_LOGGED_ARGS) and isinstance(v, (int, str, bool, list)) and len(repr(v)) < 120}
    what = ", ".join(f"{k}={v!r}" for k, v in shown.items())
    log.info("%s: %s.%s(%s)", who, service.__module__.rsplit(".", 1)[-1], service.__name__, what)


@contextmanager
def reading(engine: Engine) -> Iterator[Session]:
    """A read-only unit for one screen: one snapshot of the data, never committed.

    On SQLite it takes no write lock (so a write action during the screen does not wait for
    it); on PostgreSQL the transaction is READ ONLY, so an accidental write fails loudly.
    """
    options = {READ_ONLY: True}
    if engine.dialect.name == "postgresql":
        options["postgresql_readonly"] = True
    with Session(engine.execution_options(**options), expire_on_commit=False) as session:
        session.info[READ_ONLY_UNIT] = True
        try:
            yield session
            if session.new or session.dirty or session.deleted:
                raise RuntimeError("A read-only unit of work was asked to write; open unit_of_work instead.")
        finally:
            session.rollback()


def in_transaction(engine: Engine, service: Callable[..., T], *args, **kwargs) -> T:
    """Call one service in its own unit of work (batch jobs and tests: one call, one action)."""
    with unit_of_work(engine) as session:
        result = service(*args, session=session, **kwargs)
    if session.info.get(WROTE):
        log_action(service, kwargs)
    return result


def _insert(session: Session, model):
    """An INSERT for ``model`` in the session's dialect (both have ON CONFLICT)."""
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert(model)


def insert_ignore(session: Session, model, rows: list[dict], conflict: list[str]) -> int:
    """Insert ``rows``, skipping those that already exist by the unique key ``conflict``.

    The database decides, so two workers inserting the same row both succeed and one row is
    stored (no check-then-insert). Returns how many rows were new.
    """
    if not rows:
        return 0
    stmt = (_insert(session, model).values(rows).on_conflict_do_nothing(index_elements=conflict)
            .returning(model.__table__.c[conflict[0]]))
    return len(session.execute(stmt).all())  # RETURNING counts what was inserted, on every driver


def upsert(session: Session, model, row: dict, conflict: list[str], update: list[str]) -> None:
    """Insert ``row`` or, if its unique key ``conflict`` exists, update the ``update`` columns."""
    stmt = _insert(session, model).values(row)
    stmt = stmt.on_conflict_do_update(index_elements=conflict, set_={c: stmt.excluded[c] for c in update})
    session.execute(stmt)

"""Shared fixtures.

``engine`` runs each persistence test on SQLite and, when INDICATORS_LAB_TEST_POSTGRES_URL is set
(CI sets it), on PostgreSQL too. ``settings_env`` points the app and CLI at a throwaway data dir.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from sqlmodel import SQLModel

from indicators_lab.catalogue.frameworks import load_shipped_catalogues
from indicators_lab.core.config import Settings, shipped_path
from indicators_lab.core.db import init_db, make_engine
from indicators_lab.core.db import in_transaction as tx


def _worker_database(url: str | None) -> str | None:
    """Under pytest-xdist (scripts/test runs one worker per core), each worker gets a PostgreSQL
    database of its own, made on first use beside the configured one: tests drop and create
    tables, which two workers must not do in one database. The environment is updated too, for
    the tests that start the app on it (tests/e2e/test_two_processes.py)."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not url or not worker:
        return url
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    base = make_url(url)
    name = f"{base.database}_{worker}"
    if base.database.endswith(f"_{worker}"):  # this module imported again (as tests.conftest): done
        return url
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            if conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}).first() is None:
                conn.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        admin.dispose()
    mine = base.set(database=name).render_as_string(hide_password=False)
    os.environ["INDICATORS_LAB_TEST_POSTGRES_URL"] = mine
    return mine


POSTGRES_URL = _worker_database(os.environ.get("INDICATORS_LAB_TEST_POSTGRES_URL"))
FRAMEWORKS_DIR = shipped_path("frameworks")
DB_PARAMS = ["sqlite"] + (["postgresql"] if POSTGRES_URL else [])


def _fresh_engine(kind: str, tmp_path: Path):
    if kind == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path / 'test.db'}")
    else:
        engine = make_engine(POSTGRES_URL)
        from sqlalchemy import text

        from indicators_lab.core import models  # noqa: F401

        SQLModel.metadata.drop_all(engine)
        with engine.begin() as conn:
            conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
    init_db(engine)
    return engine


@pytest.fixture(params=DB_PARAMS)
def empty_engine(request, tmp_path):
    """A database with the tables and no rows, on each configured backend."""
    engine = _fresh_engine(request.param, tmp_path)
    yield engine
    engine.dispose()


@pytest.fixture
def engine(empty_engine):
    """A database with the shipped catalogues loaded."""
    tx(empty_engine, load_shipped_catalogues, FRAMEWORKS_DIR)
    return empty_engine


@pytest.fixture
def settings_env(tmp_path, monkeypatch) -> Settings:
    """Point INDICATORS_LAB_* at a throwaway SQLite file for the app and the CLI."""
    data_dir = tmp_path / "var"
    monkeypatch.setenv("INDICATORS_LAB_DATA_DIR", str(data_dir))
    monkeypatch.delenv("INDICATORS_LAB_DATABASE_URL", raising=False)
    return Settings()

"""Open the configured database, ready to use: tables created, shipped catalogues loaded."""

from __future__ import annotations

from sqlalchemy.engine import Engine

from indicators_lab.catalogue.frameworks import load_shipped_catalogues
from indicators_lab.core.config import Settings, get_settings
from indicators_lab.core.db import init_db, make_engine, unit_of_work


def open_database(settings: Settings | None = None) -> Engine:
    """Engine for ``settings`` (default: the environment), with tables and shipped data."""
    settings = settings or get_settings()
    engine = make_engine(settings.resolved_database_url)
    init_db(engine)
    if settings.load_shipped:
        with unit_of_work(engine) as session:
            load_shipped_catalogues(settings.resolved_frameworks_dir, session=session)
    return engine

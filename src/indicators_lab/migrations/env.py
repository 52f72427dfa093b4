"""Alembic environment: the engine is passed in by indicators_lab.core.db.init_db (config.attributes)."""

from alembic import context
from sqlmodel import SQLModel

from indicators_lab.core import models  # noqa: F401  (registers the tables)

target_metadata = SQLModel.metadata
connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=target_metadata,
    render_as_batch=connection.dialect.name == "sqlite",  # SQLite alters tables by copying them
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()

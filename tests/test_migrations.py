"""Schema upgrades: a database made by an older version opens after upgrade with nothing lost."""

from sqlalchemy import inspect, text
from sqlmodel import SQLModel

from indicators_lab.mapping import links
from indicators_lab.core.access import Actor
from indicators_lab.catalogue.frameworks import load_shipped_catalogues
from indicators_lab.core.db import init_db
from indicators_lab.core.accounts import create_user
from tests.factories import sign_in
from tests.conftest import FRAMEWORKS_DIR
from indicators_lab.core.db import in_transaction as tx

PW = "a long password"


def _head() -> str:
    from alembic.script import ScriptDirectory

    from indicators_lab.core.db import alembic_config

    return ScriptDirectory.from_config(alembic_config(None)).get_current_head()


def _columns(engine, table):
    return {c["name"] for c in inspect(engine).get_columns(table)}


def test_baseline_database_upgrades_to_head_keeping_every_row(empty_engine):
    engine = empty_engine
    with engine.begin() as conn:  # back to the schema of the first release (revision 0001)
        conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
    SQLModel.metadata.drop_all(engine)
    init_db(engine, revision="0001")
    assert not {"last_sign_in_at", "session_epoch"} & _columns(engine, "user")
    with engine.begin() as conn:  # what that release stored: an account, a decision
        conn.execute(text('INSERT INTO "user" (email, name, organisation, constituency, role, active, created_at) '
                          "VALUES ('old@x.org', 'Old', '', '', 'admin', true, CURRENT_TIMESTAMP)"))
    tx(engine, load_shipped_catalogues, FRAMEWORKS_DIR)
    item = tx(engine, links.item_id_for, "sdg", "10.7.1")
    # Written in SQL, as that release wrote it: today's models have columns it did not have.
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO link (item_id, objective_number, status, grade, rationale, origin, score, "
                          "decided_by, decided_at) VALUES (:i, 6, 'accepted', 'direct', 'kept', 'suggestion', "
                          "NULL, 'Old', CURRENT_TIMESTAMP)"), {"i": item})
        conn.execute(text("INSERT INTO link_event (link_id, item_id, objective_number, kind, actor, at, before, "
                          "after, reason, undone) SELECT id, item_id, 6, 'accept', 'Old', CURRENT_TIMESTAMP, NULL, "
                          "'{\"status\": \"accepted\"}', 'kept', false FROM link WHERE item_id = :i"), {"i": item})

    init_db(engine)  # the new release starts

    assert {"last_sign_in_at", "session_epoch"} <= _columns(engine, "user")
    with engine.connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == _head()
        assert conn.execute(text('SELECT email FROM "user"')).scalars().all() == ["old@x.org"]
    [link] = tx(engine, links.item_links, item, actor=Actor("Old", "co_lead"))
    assert (link.status, link.rationale) == ("accepted", "kept")
    assert tx(engine, links.history, item, actor=Actor("Old", "co_lead")).iloc[0]["change"] == "accept"


def _drop_foreign_key_column(conn, table, column):
    """SQLite cannot drop a column used in a foreign key: rebuild the table without it."""
    import re

    conn.execute(text(f"DROP INDEX IF EXISTS ix_{table}_{column}"))
    sql = conn.execute(text("SELECT sql FROM sqlite_master WHERE name = :t"), {"t": table}).scalar()
    lines = [ln for ln in sql.splitlines() if column not in ln]
    old_sql = re.sub(r",\s*\)\s*$", "\n)", "\n".join(lines).replace(f"TABLE {table}", f"TABLE {table}_old", 1))
    cols = ", ".join(c["name"] for c in inspect(conn).get_columns(table) if c["name"] != column)
    conn.execute(text("PRAGMA foreign_keys=OFF"))
    conn.execute(text(old_sql))
    conn.execute(text(f"INSERT INTO {table}_old ({cols}) SELECT {cols} FROM {table}"))
    conn.execute(text(f"DROP TABLE {table}"))
    conn.execute(text(f"ALTER TABLE {table}_old RENAME TO {table}"))
    conn.execute(text("PRAGMA foreign_keys=ON"))


def test_database_from_before_migrations_is_stamped_then_upgraded(tmp_path):
    from indicators_lab.core.db import make_engine

    engine = make_engine(f"sqlite:///{tmp_path / 'pre.db'}")
    from indicators_lab.core import models  # noqa: F401

    SQLModel.metadata.create_all(engine)  # how the first builds made their tables
    with engine.begin() as conn:
        conn.execute(text("ALTER TABLE user DROP COLUMN last_sign_in_at"))
        conn.execute(text("DROP TABLE response_revision"))  # tables added after the first builds
        conn.execute(text("DROP TABLE comment_revision"))
        conn.execute(text("ALTER TABLE user DROP COLUMN session_epoch"))
        conn.execute(text("DROP TABLE sign_in_failure"))
        conn.execute(text("DROP TABLE excom_view_event"))
        conn.execute(text("ALTER TABLE proposal_version DROP COLUMN approval_objections"))
        conn.execute(text("ALTER TABLE proposal_version DROP COLUMN objections_acknowledgement"))
        conn.execute(text("DROP TABLE round_item"))
        _drop_foreign_key_column(conn, "round", "version_id")
        conn.execute(text("DROP INDEX ix_link_event_batch"))
        conn.execute(text("ALTER TABLE link_event DROP COLUMN batch"))
        conn.execute(text("DROP TABLE strategy_action"))
        conn.execute(text("DROP TABLE data_figure"))
        conn.execute(text("DROP TABLE data_import"))
        conn.execute(text("ALTER TABLE comment DROP COLUMN target_kind"))
        conn.execute(text("ALTER TABLE user DROP COLUMN language"))
        conn.execute(text("DROP INDEX ix_comment_language"))
        conn.execute(text("ALTER TABLE comment DROP COLUMN language"))
    tx(engine, load_shipped_catalogues, FRAMEWORKS_DIR)
    init_db(engine)
    assert "last_sign_in_at" in _columns(engine, "user")
    admin = tx(engine, create_user, actor=None, email="a@x.org", name="A", role="admin", password=PW)
    assert sign_in(engine, "a@x.org", PW).user_id == admin.user_id
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM framework_item")).scalar() == 287


def _drop_everything(engine) -> None:
    SQLModel.metadata.drop_all(engine)
    with engine.begin() as conn:
        conn.execute(text("DROP TABLE IF EXISTS alembic_version"))


def _schema(engine) -> dict:
    """Every table's columns, indexes, unique constraints and foreign keys (with their names)."""
    insp = inspect(engine)
    return {table: {
        "columns": sorted((c["name"], str(c["type"]), c["nullable"]) for c in insp.get_columns(table)),
        "indexes": sorted((i["name"], tuple(i["column_names"]), bool(i["unique"])) for i in insp.get_indexes(table)),
        "unique": sorted((u["name"] or "", tuple(u["column_names"])) for u in insp.get_unique_constraints(table)),
        "foreign": sorted((f["name"] or "", tuple(f["constrained_columns"]), f["referred_table"])
                          for f in insp.get_foreign_keys(table)),
        "primary": insp.get_pk_constraint(table)["constrained_columns"],
    } for table in sorted(insp.get_table_names())}


def test_models_and_migrations_agree(empty_engine):
    """A model change without a migration fails here: autogenerate would have work to do."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from indicators_lab.core.db import upgrade_with_migrations

    # init_db creates a new database from the models: here the migrations themselves build it.
    _drop_everything(empty_engine)
    upgrade_with_migrations(empty_engine)
    with empty_engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True})
        assert compare_metadata(ctx, SQLModel.metadata) == []



def test_a_new_database_is_the_one_the_migrations_build_and_is_stamped_at_head(empty_engine):
    from indicators_lab.core.db import head_revision, upgrade_with_migrations

    assert head_revision() == _head()  # read from the files without Alembic, as Alembic reads it
    _drop_everything(empty_engine)
    upgrade_with_migrations(empty_engine)
    migrated = _schema(empty_engine)
    _drop_everything(empty_engine)
    init_db(empty_engine)  # a new database: made from the models, not by replaying the migrations
    assert _schema(empty_engine) == migrated
    with empty_engine.connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == _head()


def test_upgrade_downgrade_upgrade_round_trip(empty_engine):
    """Every migration can be undone and redone, on each backend (SQLite and PostgreSQL)."""
    from alembic import command

    from indicators_lab.core.db import alembic_config

    with empty_engine.begin() as conn:
        command.downgrade(alembic_config(conn), "base")
    assert "framework" not in inspect(empty_engine).get_table_names()
    init_db(empty_engine)
    with empty_engine.connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == _head()
    assert "response_revision" in inspect(empty_engine).get_table_names()

"""Every setting is documented, read from INDICATORS_LAB_*, and the default DB is SQLite WAL."""

from sqlalchemy import text

from indicators_lab.startup import open_database
from indicators_lab.core.config import Settings


def test_every_setting_has_a_description():
    undocumented = [n for n, f in Settings.model_fields.items() if not (f.description or "").strip()]
    assert undocumented == []


def test_settings_come_from_prefixed_environment_variables(monkeypatch):
    monkeypatch.setenv("INDICATORS_LAB_DATABASE_URL", "postgresql+psycopg://u:p@h/db")
    monkeypatch.setenv("INDICATORS_LAB_MAX_UPLOAD_MB", "2")
    s = Settings()
    assert s.resolved_database_url == "postgresql+psycopg://u:p@h/db"
    assert s.max_upload_bytes == 2 * 1024 * 1024


def test_default_database_is_a_wal_sqlite_file_in_a_created_data_dir(settings_env):
    assert not settings_env.data_dir.exists()
    engine = open_database(settings_env)
    assert (settings_env.data_dir / "indicators_lab.db").is_file()
    with engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"

"""Settings, read from environment variables with the prefix ``INDICATORS_LAB_``.

Every setting is documented here (its ``description``); tests/test_config.py fails if one is not.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict



def shipped_path(*parts: str) -> Path:
    """A file or folder shipped inside the package (``indicators_lab/data/…``), wherever it is installed."""
    from importlib.resources import files

    return Path(str(files("indicators_lab").joinpath("data", *parts)))



class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="INDICATORS_LAB_", extra="ignore")

    data_dir: Path = Field(
        default=Path("var"),
        description="Folder for the default SQLite file and caches; created if missing.",
    )
    database_url: str | None = Field(
        default=None,
        description=(
            "SQLAlchemy URL of the database, e.g. postgresql+psycopg://user:pw@host/db. "
            "Default: a SQLite file (WAL mode) in data_dir."
        ),
    )
    frameworks_dir: Path | None = Field(
        default=None,
        description="Folder of the shipped catalogues, loaded at first start. Default: the ones inside the package.",
    )
    max_upload_mb: float = Field(
        default=10.0,
        description="Largest framework or comment file accepted for import, in megabytes.",
    )
    max_extract_mb: float = Field(
        default=200.0,
        description="Largest data extract (SDG Global Database or open-sdg CSV/XLSX) accepted for import, in megabytes; uploads in the app are also capped by Streamlit's server.maxUploadSize.",
    )
    data_ready_share: float = Field(
        default=0.5, ge=0.0, le=1.0,
        description="Share of the 193 UN Member States with data (since 2015) from which an indicator counts as having data 'for at least half of countries' in the scorecard's data-readiness view (shown there and on the Optimise page).",
    )
    data_tiebreak: bool = Field(
        default=True,
        description="When the optimiser finds sets of equal size and link weight, prefer the one whose indicators have data for more countries (before preferring Tier I).",
    )
    base_url: str = Field(
        default="http://localhost:8501",
        description="Address where people reach the app; used in invitation links.",
    )
    secret_key: SecretStr | None = Field(
        default=None,
        description=(
            "Key that signs the sign-in cookies (keep it secret; changing it signs everyone out). "
            "Default: a random key made once and kept in data_dir/secret_key (owner-only), which "
            "the app processes of one machine share. Set it when the app runs on several hosts."
        ),
    )
    sign_in_days: float = Field(
        default=7.0,
        description="How long a sign-in lasts in the browser (also across reloads and bookmarks), in days.",
    )
    load_shipped: bool = Field(
        default=True,
        description="Load (or update) the shipped catalogues when the app or CLI opens the database.",
    )
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"] = Field(
        default="INFO",
        description="Level of the app's and CLI's log messages (written to stderr): DEBUG, INFO, WARNING, ERROR or CRITICAL.",
    )

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper_log_level(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'indicators_lab.db').as_posix()}"

    @property
    def resolved_frameworks_dir(self) -> Path:
        return self.frameworks_dir or shipped_path("frameworks")

    @property
    def max_upload_bytes(self) -> int:
        return int(self.max_upload_mb * 1024 * 1024)

    @property
    def max_extract_bytes(self) -> int:
        return int(self.max_extract_mb * 1024 * 1024)


def get_settings() -> Settings:
    """Read the settings afresh from the environment (no module-level singleton)."""
    return Settings()

"""Process-wide cached resources, built from Settings."""

from __future__ import annotations

import streamlit as st
from sqlalchemy.engine import Engine

from indicators_lab.startup import open_database
from indicators_lab.core.config import get_settings
from indicators_lab.mapping.embeddings import MiniLMEncoder


@st.cache_resource(show_spinner="Opening the database and loading the shipped catalogues…")
def _engine_for(url: str) -> Engine:
    return open_database(get_settings())


def get_engine() -> Engine:
    """The engine of the configured database (one per database URL and process)."""
    return _engine_for(get_settings().resolved_database_url)


@st.cache_resource
def get_encoder() -> MiniLMEncoder:
    """The sentence encoder, shared by every session; the model loads on first encode only."""
    return MiniLMEncoder()


@st.cache_resource
def _secret_key_for(data_dir: str, configured_digest: str) -> str:
    from indicators_lab.core.tokens import resolve_secret_key

    return resolve_secret_key(get_settings())


def get_secret_key() -> str:
    """The key that signs sign-in cookies (configured, or made once in the data dir)."""
    import hashlib

    settings = get_settings()
    configured = settings.secret_key.get_secret_value() if settings.secret_key else ""
    return _secret_key_for(str(settings.data_dir), hashlib.sha256(configured.encode()).hexdigest())

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

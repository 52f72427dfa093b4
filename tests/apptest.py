"""Helpers for AppTest page tests: a fresh database with the fake encoder, signed-in users."""

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from indicators_lab.core.access import Actor
from indicators_lab.startup import open_database
from tests.paths import PROJECT_ROOT
from indicators_lab.core.accounts import create_user
from tests.fakes import FakeEncoder
from indicators_lab.core.db import in_transaction as tx

ADMIN = Actor("Admin", "admin")


@pytest.fixture
def app(settings_env, monkeypatch):
    """The app's database (fresh, shipped catalogues loaded); pages use the fake encoder."""
    import indicators_lab.mapping.embeddings as embeddings  # ui.resources imports it when first used

    monkeypatch.setattr(embeddings, "MiniLMEncoder", FakeEncoder)
    st.cache_resource.clear()
    engine = open_database(settings_env)
    yield engine
    st.cache_resource.clear()


def open_page(path, user_id=None):
    """Run app.py as a browser would, signed in as ``user_id`` if given, then switch to ``path``."""
    at = AppTest.from_file(str(PROJECT_ROOT / "app.py"), default_timeout=120)
    if user_id is not None:
        at.session_state["ilab.auth.user_id"] = user_id
    at.run()
    at.switch_page(path).run()
    assert not at.exception, at.exception
    return at


def co_lead(engine, email="lead@example.org"):
    return tx(engine, create_user, actor=ADMIN, email=email, name="Lead One", role="co_lead", password="long enough pw")


def choose(at, label, value):
    box = next(s for s in at.selectbox if s.label == label)
    box.select(value).run()
    assert not at.exception, at.exception

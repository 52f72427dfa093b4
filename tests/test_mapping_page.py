"""The Mapping page: a co-lead accepts and rejects suggestions; others can only read."""

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from indicators_lab import links
from indicators_lab.auth import Actor
from indicators_lab.bootstrap import open_database
from indicators_lab.config import PROJECT_ROOT
from indicators_lab.users import create_user
from tests.fakes import FakeEncoder

ADMIN = Actor("Admin", "admin")


@pytest.fixture
def app(settings_env, monkeypatch):
    """The app on a fresh database with the fake encoder, and a way to sign in."""
    import indicators_lab.ui.resources as resources

    monkeypatch.setattr(resources, "MiniLMEncoder", FakeEncoder)
    st.cache_resource.clear()
    engine = open_database(settings_env)
    yield engine
    st.cache_resource.clear()


def open_mapping(user_id=None):
    at = AppTest.from_file(str(PROJECT_ROOT / "app.py"), default_timeout=120)
    if user_id is not None:
        at.session_state["ilab.auth.user_id"] = user_id
    at.run()
    at.switch_page("views/mapping.py").run()
    assert not at.exception, at.exception
    return at


def co_lead(engine, email="lead@example.org"):
    return create_user(engine, actor=ADMIN, email=email, name="Lead One", role="co_lead", password="long enough pw")


def choose(at, label, value):
    box = next(s for s in at.selectbox if s.label == label)
    box.select(value).run()
    assert not at.exception, at.exception


def test_co_lead_accepts_then_rejects_a_suggestion(app):
    lead = co_lead(app)
    at = open_mapping(lead.user_id)
    choose(at, "Framework", "10.7.2")
    item_id = links.item_id_for(app, "10.7.2", "1")
    accept = next(b for b in at.button if b.label == "Accept")
    accept.click().run()
    assert not at.exception
    [link] = [lk for lk in links.item_links(app, item_id) if lk.status != "undecided"]
    assert link.status == "accepted" and link.decided_by == "Lead One"
    assert any("Accepted 1 →" in s.value for s in at.success)

    reject = [b for b in at.button if b.label == "Reject"][0]
    reject.click().run()
    states = {lk.objective: lk.status for lk in links.item_links(app, item_id)}
    assert states[link.objective] == "rejected"
    assert list(links.history(app, item_id)["change"]) == ["reject", "accept"]


def test_reader_sees_suggestions_without_decision_buttons(app):
    at = open_mapping()
    assert any("Sign in" in i.value for i in at.info)
    assert not [b for b in at.button if b.label in ("Accept", "Reject")]
    assert any(m.label == "Items" for m in at.metric)

"""Process-wide cached resources, built from Settings."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TypeVar

import streamlit as st
from sqlalchemy.engine import Engine
from sqlmodel import Session

from indicators_lab.core.db import WROTE, log_action, reading, unit_of_work

from indicators_lab.startup import open_database
from indicators_lab.core.config import get_settings
# Not imported here: mapping.embeddings brings numpy, which no page but Mapping's needs (home's
# first render must not wait for it); the two helpers below import it when first used.


@st.cache_resource(show_spinner="Opening the database and loading the shipped catalogues…")
def _engine_for(url: str) -> Engine:
    # Keyed by the URL it opens: another configured database gets an engine of its own.
    settings = get_settings()
    return open_database(settings.model_copy(update={"database_url": url}))


def get_engine() -> Engine:
    """The engine of the configured database (one per database URL and process)."""
    return _engine_for(get_settings().resolved_database_url)


def upload_limit_mb() -> int:
    """The upload limit the domain enforces, in whole MB, for st.file_uploader to show and apply."""
    import math

    return max(1, math.ceil(get_settings().max_upload_mb))


@st.cache_resource
def get_encoder():
    """The sentence encoder (a MiniLMEncoder), shared by every session; the model loads on first
    encode only."""
    from indicators_lab.mapping.embeddings import MiniLMEncoder

    return MiniLMEncoder()


# The read-only unit of the screen being drawn: app.py opens it around one script run (each run
# has its own thread and context), views read through it. Never stored in session_state.
_SCREEN: ContextVar[Session | None] = ContextVar("indicators_lab_screen", default=None)
T = TypeVar("T")


@contextmanager
def screen(engine: Engine) -> Iterator[Session]:
    """Open the read-only unit that every read of one screen shares (app.py, once per run)."""
    with reading(engine) as session:
        token = _SCREEN.set(session)
        try:
            yield session
        finally:
            _SCREEN.reset(token)


def page_session() -> Session:
    """The screen's read-only session (opened by app.py around the page)."""
    session = _SCREEN.get()
    if session is None:
        raise RuntimeError("No screen session: pages run through app.py, which opens one.")
    return session


def act(service: Callable[..., T], *args, **kwargs) -> T:
    """Run one user action as one transaction: commit when it returns, roll back if it raises."""
    with unit_of_work(get_engine()) as session:
        result = service(*args, session=session, **kwargs)
    if session.info.get(WROTE):
        log_action(service, kwargs)
    return result


def deferred(service: Callable[..., T], *args, **kwargs) -> Callable[[], T]:
    """``service`` as a download button's deferred data: run only when the button is clicked, on
    Streamlit's own thread, so in a read-only unit of its own and in the language of this run. The
    ``actor`` is read again then (a tap is no rerun): an account disabled or signed out since the
    page was drawn gets nothing."""
    from indicators_lab.core.accounts import current_actor
    from indicators_lab.core.i18n import current_locale, use_locale

    engine, language = get_engine(), current_locale()

    def run() -> T:
        with use_locale(language), reading(engine) as session:
            actor = kwargs.get("actor")
            if actor is not None and actor.user_id is not None:
                kwargs["actor"] = current_actor(actor.user_id, actor.session_epoch, session=session)
            return service(*args, session=session, **kwargs)

    return run


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


def read_or_act(service: Callable[..., T], *args, **kwargs) -> T:
    """A read through the screen's session (no lock, no transaction of its own); only when it
    must first encode and store new texts does it run as an action (``act``)."""
    from indicators_lab.mapping.embeddings import EncodingNeeded

    try:
        return service(*args, session=page_session(), **kwargs)
    except EncodingNeeded:
        return act(service, *args, **kwargs)

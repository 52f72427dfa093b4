"""The interface language of one script run: the person's choice (this session's selector, else
the one stored with the account), else the browser's language, else English; and the selector
shown in the sidebar of every page."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import streamlit as st

from indicators_lab.core import i18n
from indicators_lab.core.access import Actor
from indicators_lab.core.accounts import set_language
from indicators_lab.core.errors import UserError
from indicators_lab.core.i18n import LANGUAGES, _
from indicators_lab.ui import state
from indicators_lab.ui.resources import act


def browser_language() -> str | None:
    """The browser's language (st.context.locale, else the Accept-Language header); None if unknown."""
    try:
        locale = st.context.locale
        header = st.context.headers.get("Accept-Language")
    except Exception:  # no client context (a bare script run)
        return None
    found = [c for c in (locale, header) if isinstance(c, str) and c]  # AppTest's context is a mock
    return i18n.negotiate(*found) if found else None


def chosen_language(actor: Actor) -> str:
    """This run's language code (see the module docstring for the order)."""
    return i18n.negotiate(state.get(state.LANGUAGE), actor.language, browser_language())


@contextmanager
def page_language(actor: Actor) -> Iterator[str]:
    """Draw the language selector in the sidebar and run the block (the page) in the chosen language."""
    code = chosen_language(actor)
    token = i18n.set_locale(code)
    try:
        language_selector(actor, code)
        yield code
    finally:
        i18n.reset_locale(token)


def _store(actor: Actor) -> None:
    picked = state.get(state.LANGUAGE)
    if actor.user_id is None or picked not in LANGUAGES:
        return
    try:
        act(set_language, actor=actor, language=picked)
    except UserError:  # the choice still holds for this session
        pass


def language_selector(actor: Actor, code: str) -> None:
    """A small selector (English / Français / Español); a signed-in person's choice is stored."""
    codes = list(LANGUAGES)
    key = state.widget_key(state.LANGUAGE)
    # Once this session has a value, it is the widget's own: passing an index too would warn.
    start = {} if key in st.session_state else {"index": codes.index(code)}
    with st.sidebar:
        st.selectbox(_("Language"), codes, format_func=LANGUAGES.__getitem__, key=key, on_change=_store,
                     args=(actor,), **start)

"""Sidebar sign-in and the signed-in actor (kept as a user id, re-read on every run)."""

from __future__ import annotations

import streamlit as st

from indicators_lab.core.access import ANONYMOUS, ROLE_LABELS, Actor, can, denial, page_permission
from indicators_lab.core.errors import UserError
from indicators_lab.ui import state
from indicators_lab.ui.resources import act, page_session
from indicators_lab.ui.widgets import plain
from indicators_lab.core.accounts import authenticate, current_actor


def signed_in_actor() -> Actor | None:
    """The signed-in user, or None. A disabled or deleted account is signed out at once."""
    user_id = state.get(state.USER_ID)
    if user_id is None:
        return None
    try:
        return current_actor(user_id, session=page_session())
    except UserError as exc:
        state.pop(state.USER_ID)
        state.put(state.SIGN_IN_NOTICE, str(exc))
        return None


def sidebar_sign_in() -> Actor | None:
    actor = signed_in_actor()
    with st.sidebar:
        if actor is not None:
            st.caption(f"Signed in as {plain(actor.name)} ({ROLE_LABELS.get(actor.role, actor.role)})")
            if st.button("Sign out", key=state.widget_key("signout")):
                state.pop(state.USER_ID)
                st.rerun()
            return actor
        notice = state.pop(state.SIGN_IN_NOTICE)
        if notice:
            st.warning(notice)
        with st.form(state.widget_key("signin"), clear_on_submit=False):
            st.markdown("**Sign in**")
            email = st.text_input("Email", key=state.widget_key("signin.email"))
            password = st.text_input("Password", type="password", key=state.widget_key("signin.password"))
            if st.form_submit_button("Sign in"):
                try:
                    actor = act(authenticate, email, password)
                    state.put(state.USER_ID, actor.user_id)
                    st.rerun()
                except UserError as exc:
                    st.error(str(exc))
    return None


def page_guard(path: str) -> Actor:
    """The visitor (ANONYMOUS if signed out) if they may open page ``path`` (core.access.PAGE_ACCESS);
    otherwise say what to do (sign in, or whom to ask) and stop the page: nothing else is drawn."""
    actor = signed_in_actor() or ANONYMOUS
    permission = page_permission(path)
    if not can(actor, permission):
        icon = ":material/login:" if actor.role == ANONYMOUS.role else ":material/lock:"
        st.info(denial(actor, permission), icon=icon)
        st.stop()
    return actor

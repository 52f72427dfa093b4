"""Sign-in: the form, the signed-in actor (kept as a user id and session epoch, re-read on every
run), and the browser cookie that keeps a sign-in across reloads and bookmarks.

The cookie holds a signed, expiring token (core/tokens.py). It is read once, when a browser tab
opens a session; afterwards session_state holds the user id. Streamlit cannot set cookies from the
server, so a zero-height frame writes ``document.cookie`` of the app's page.
"""

from __future__ import annotations

import json
import secrets

import streamlit as st

from indicators_lab.core import tokens
from indicators_lab.core.access import ANONYMOUS, ROLE_LABELS, Actor, can, denial, page_permission
from indicators_lab.core.accounts import attempt_sign_in, current_actor, sign_out
from indicators_lab.core.config import get_settings
from indicators_lab.core.errors import UserError
from indicators_lab.ui import state
from indicators_lab.ui.resources import act, get_secret_key, page_session
from indicators_lab.ui.touch import DRAFT_PREFIX
from indicators_lab.ui.widgets import plain


def _browser_token() -> str | None:
    """The sign-in cookie the browser sent when this session opened (None in AppTest)."""
    try:
        value = st.context.cookies.get(tokens.COOKIE_NAME)
    except Exception:  # no client context (a bare script run)
        return None
    return value if isinstance(value, str) else None  # AppTest's client is a mock


def _source_address() -> str | None:
    """The visitor's address, for throttling by source (None when unknown, e.g. in AppTest)."""
    try:
        address = st.context.ip_address
    except Exception:
        return None
    return address if isinstance(address, str) and address else None


def _max_age_seconds() -> int:
    return int(get_settings().sign_in_days * 86400)


def remember(actor: Actor) -> None:
    """Sign ``actor`` in for this session and, at the next cookie flush, in the browser."""
    state.put(state.USER_ID, actor.user_id)
    state.put(state.SESSION_EPOCH, actor.session_epoch)
    token = tokens.issue(get_secret_key(), user_id=actor.user_id, epoch=actor.session_epoch or 0)
    state.put(state.COOKIE_PENDING, token)


def forget() -> None:
    """Sign out of this session and clear the browser's cookie at the next flush."""
    state.pop(state.USER_ID)
    state.pop(state.SESSION_EPOCH)
    state.put(state.COOKIE_PENDING, "")


def flush_cookie() -> None:
    """Write (or clear) the sign-in cookie in the browser if this session changed it."""
    token = state.pop(state.COOKIE_PENDING)
    if token is None:
        return
    max_age = _max_age_seconds() if token else 0
    # json.dumps makes each value a safe JS string literal; the token is URL-safe base64 anyway.
    # Signing out (or an ended sign-in) also drops the comment drafts this browser kept (ui/touch.py):
    # the next person at a shared computer finds none.
    forget_drafts = "" if token else f"""
      const store = window.parent.localStorage;
      Object.keys(store).filter(k => k.startsWith({json.dumps(DRAFT_PREFIX)})).forEach(k => store.removeItem(k));"""
    script = f"""<script>
      const secure = window.parent.location.protocol === "https:" ? "; Secure" : "";
      window.parent.document.cookie = {json.dumps(tokens.COOKIE_NAME)} + "=" + {json.dumps(token)}
        + "; Path=/; Max-Age={max_age}; SameSite=Strict" + secure;{forget_drafts}
    </script><!-- {secrets.token_hex(4)} -->"""  # the nonce makes each write a new frame
    if hasattr(st, "iframe"):  # Streamlit ≥ 1.5x: an HTML string runs same-origin, like components.html
        st.iframe(script, height="content")
    else:  # pragma: no cover - older Streamlit
        import streamlit.components.v1 as components

        components.html(script, height=0)


def signed_in_actor() -> Actor | None:
    """The signed-in user, or None. A disabled account, or a sign-in ended by signing out or a
    password change (on any device), is signed out at once."""
    user_id = state.get(state.USER_ID)
    epoch = state.get(state.SESSION_EPOCH)
    if user_id is None and not state.get(state.COOKIE_READ):
        state.put(state.COOKIE_READ, True)  # the cookie is what the tab sent when it opened: read once
        sent = _browser_token()
        found = tokens.read(get_secret_key(), sent, max_age_seconds=_max_age_seconds())
        if found is not None:
            user_id, epoch = found
        elif sent:
            state.put(state.COOKIE_PENDING, "")  # expired or forged: clear it
    if user_id is None:
        return None
    try:
        actor = current_actor(user_id, epoch, session=page_session())
    except UserError as exc:
        forget()
        state.put(state.SIGN_IN_NOTICE, str(exc))
        return None
    state.put(state.USER_ID, actor.user_id)
    state.put(state.SESSION_EPOCH, actor.session_epoch)
    return actor


def sign_in_form(*, key: str, title: bool = True) -> None:
    """Email, password and a button; on success the page reruns signed in."""
    notice = state.pop(state.SIGN_IN_NOTICE)
    if notice:
        st.warning(notice)
    # enter_to_submit=False: no "Press Enter to submit form" hint drawn over the password field.
    with st.form(state.widget_key(f"signin.{key}"), clear_on_submit=False, enter_to_submit=False):
        if title:
            st.markdown("**Sign in**")
        email = st.text_input("Email", key=state.widget_key(f"signin.{key}.email"), autocomplete="username")
        password = st.text_input("Password", type="password", key=state.widget_key(f"signin.{key}.password"),
                                 autocomplete="current-password")
        if st.form_submit_button("Sign in", type="primary"):
            try:
                # The attempt commits (a failure is counted) before a refusal is raised.
                remember(act(attempt_sign_in, email, password, source=_source_address()).actor_or_raise())
            except UserError as exc:
                st.error(str(exc))  # our own words only: the refusals name no user text
            else:
                st.rerun()


def sidebar_sign_in(*, show_form: bool = True) -> Actor | None:
    """Who is signed in (with a sign-out button), else the sign-in form unless the page shows it."""
    actor = signed_in_actor()
    with st.sidebar:
        if actor is not None:
            st.caption(f"Signed in as **{plain(actor.name)}** ({ROLE_LABELS.get(actor.role, actor.role)})")
            if st.button("Sign out", key=state.widget_key("signout")):
                act(sign_out, user_id=actor.user_id)
                forget()
                st.rerun()
        elif show_form:
            sign_in_form(key="sidebar")
        flush_cookie()
    return actor


def page_guard(path: str, *, sign_in_here: str | None = None, title: str | None = None) -> Actor:
    """The visitor (ANONYMOUS if signed out) if they may open page ``path`` (core.access.PAGE_ACCESS);
    otherwise say what to do (sign in, or whom to ask) and stop the page: nothing else is drawn.
    ``sign_in_here``: what a signed-out visitor is told above the sign-in form drawn on the page
    itself; once signed in, they get the page with its address (e.g. a round and an indicator).
    ``title``: the page's title when it is refused (a page whose title depends on what it shows
    draws its own otherwise)."""
    actor = signed_in_actor() or ANONYMOUS
    permission = page_permission(path)
    if not can(actor, permission):
        signed_out = actor.role == ANONYMOUS.role
        if title:
            st.title(title, anchor=False)
        icon = ":material/login:" if signed_out else ":material/lock:"
        here = signed_out and sign_in_here
        st.info(sign_in_here if here else denial(actor, permission), icon=icon)
        if here:
            sign_in_form(key="here", title=False)
        st.stop()
    return actor

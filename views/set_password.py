"""Set your password from a one-time invitation link, or change it when signed in."""

import streamlit as st

from indicators_lab.consultation.invitations import accept_invite
from indicators_lab.core.accounts import change_password
from indicators_lab.core.errors import UserError
from indicators_lab.core.passwords import MIN_PASSWORD
from indicators_lab.ui import session
from indicators_lab.ui.resources import act
from indicators_lab.ui.widgets import plain

RULE = f"at least {MIN_PASSWORD} characters, hard to guess, not your name or email"

st.title("Your password")
session.page_guard("views/set_password.py")
token = st.query_params.get("token", "")
if not token:
    actor = session.signed_in_actor()
    if actor is None:
        st.info("Open the link from your invitation to set your password.")
        st.stop()
    st.caption("Changing your password signs you out on every other device.")
    with st.form("ilab.changepw", enter_to_submit=False):
        current = st.text_input("Current password", type="password", autocomplete="current-password")
        pw = st.text_input(f"New password ({RULE})", type="password", autocomplete="new-password")
        again = st.text_input("The same new password again", type="password", autocomplete="new-password")
        if st.form_submit_button("Change password", type="primary"):
            if pw != again:
                st.error("The two new passwords are not the same.")
            else:
                try:
                    # Committed first: a wrong current password is counted like a failed sign-in.
                    attempt = act(change_password, actor=actor, current_password=current, new_password=pw)
                    session.remember(attempt.actor_or_raise())
                    session.flush_cookie()
                    st.success("Your password is changed.")
                except UserError as exc:
                    st.error(plain(exc))
    st.stop()
with st.form("ilab.setpw", enter_to_submit=False):
    pw = st.text_input(f"New password ({RULE})", type="password", autocomplete="new-password")
    again = st.text_input("The same password again", type="password", autocomplete="new-password")
    if st.form_submit_button("Set password", type="primary"):
        if pw != again:
            st.error("The two passwords are not the same.")
        else:
            try:
                actor = act(accept_invite, token=token, password=pw)
                session.remember(actor)
                session.flush_cookie()
                st.query_params.clear()
                st.success(f"Welcome, {plain(actor.name)}. You are signed in.")
                st.page_link("views/consultation.py", label="Go to the open consultations", icon=":material/forum:")
            except UserError as exc:
                st.error(plain(exc))

"""Set your password from a one-time invitation link, or change it when signed in."""

import streamlit as st

from indicators_lab.consultation.invitations import accept_invite
from indicators_lab.core.accounts import change_password
from indicators_lab.core.errors import UserError
from indicators_lab.core.passwords import MIN_PASSWORD
from indicators_lab.consultation.participation import my_open_rounds
from indicators_lab.ui import session, state
from indicators_lab.ui.resources import act, page_session
from indicators_lab.ui.widgets import plain

RULE = f"at least {MIN_PASSWORD} characters, hard to guess, not your name or email"

st.title("Your password", anchor=False)
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
                session.remember(actor)  # the cookie is written on the next page's run
                state.keep_only_for(actor.user_id)  # now, so the welcome below survives the switch
                welcome = f"Welcome, {actor.name}. You are signed in."
                open_now = my_open_rounds(session=page_session(), actor=actor)
                if len(open_now) == 1:  # straight into the round, with no extra tap
                    state.put(state.CONSULT_FLASH, welcome)
                    st.switch_page("views/consultation.py", query_params={"round": str(open_now[0].round.id)})
                state.put(state.HOME_FLASH, welcome)
                st.switch_page("views/home.py")  # their open rounds, to choose from
            except UserError as exc:
                st.error(plain(exc))

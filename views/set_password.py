"""Set your password from a one-time invitation link."""

import streamlit as st

from indicators_lab.core.errors import UserError
from indicators_lab.ui import state
from indicators_lab.ui.resources import act
from indicators_lab.consultation.invitations import accept_invite
from indicators_lab.core.accounts import MIN_PASSWORD
from indicators_lab.ui.session import page_guard
from indicators_lab.ui.widgets import plain

st.title("Set your password")
page_guard("views/set_password.py")
token = st.query_params.get("token", "")
if not token:
    st.info("Open the link from your invitation to set your password.")
    st.stop()
with st.form("ilab.setpw"):
    pw = st.text_input(f"New password (at least {MIN_PASSWORD} characters)", type="password")
    again = st.text_input("The same password again", type="password")
    if st.form_submit_button("Set password", type="primary"):
        if pw != again:
            st.error("The two passwords are not the same.")
        else:
            try:
                actor = act(accept_invite, token=token, password=pw)
                state.put(state.USER_ID, actor.user_id)
                st.query_params.clear()
                st.success(f"Welcome, {plain(actor.name)}. You are signed in.")
                st.page_link("views/consultation.py", label="Go to the open consultations", icon=":material/forum:")
            except UserError as exc:
                st.error(plain(exc))

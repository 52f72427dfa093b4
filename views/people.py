"""People: invite stakeholders (one by one or from a file); admins add co-leads and ExCom members."""

import pandas as pd
import streamlit as st

from indicators_lab.core.config import get_settings
from indicators_lab.consultation.rounds import CONSTITUENCIES
from indicators_lab.core.errors import UserError
from indicators_lab.ui import state
from indicators_lab.ui.resources import act, page_session
from indicators_lab.core.access import can
from indicators_lab.ui.session import page_guard
from indicators_lab.ui.widgets import plain
from indicators_lab.consultation.invitations import base_url_warning, invite, invite_many, reissue
from indicators_lab.core.accounts import list_users, set_active
from indicators_lab.core.exports import csv_bytes

db = page_session()
settings = get_settings()
st.title("People")
actor = page_guard("views/people.py")

invites = state.get(state.PEOPLE_INVITES)
if invites:
    st.success("Send each person their one-time link (valid 14 days). It is shown only now.")
    links = pd.DataFrame(invites)
    st.dataframe(links, hide_index=True, width="stretch")
    st.download_button("Download the links (CSV)", csv_bytes(links), "invitation_links.csv", "text/csv")
    if st.button("Done"):
        state.pop(state.PEOPLE_INVITES)
        st.rerun()

warning = base_url_warning(settings.base_url)
if warning:
    st.warning(warning, icon=":material/link_off:")

roles = ["stakeholder"] + (["co_lead", "excom", "admin"] if can(actor, "people.manage_staff") else [])
with st.expander("Invite one person", expanded=True):
    with st.form("ilab.people.invite"):
        c1, c2 = st.columns(2)
        name = c1.text_input("Name")
        email = c2.text_input("Email")
        organisation = c1.text_input("Organisation")
        constituency = c2.selectbox("Constituency", list(CONSTITUENCIES), format_func=CONSTITUENCIES.get)
        role = st.selectbox("Role", roles)
        if st.form_submit_button("Invite", type="primary"):
            try:
                inv = act(invite, actor=actor, email=email, name=name, role=role, organisation=organisation,
                             constituency=constituency)
                state.put(state.PEOPLE_INVITES, [{"name": inv.name, "email": inv.email, "link": inv.link(settings.base_url)}])
                st.rerun()
            except UserError as exc:
                st.error(plain(exc))

with st.expander("A new link for someone whose link expired"):
    with st.form("ilab.people.reissue", clear_on_submit=True):
        again = st.text_input("Their email")
        if st.form_submit_button("Make a new link"):
            try:
                inv = act(reissue, actor=actor, email=again)
                state.put(state.PEOPLE_INVITES, [{"name": inv.name, "email": inv.email, "link": inv.link(settings.base_url)}])
                st.rerun()
            except UserError as exc:
                st.error(plain(exc))

with st.expander("Invite many stakeholders from a file"):
    st.caption("CSV or XLSX with the columns name, email, organisation, constituency. A bad row refuses the whole file.")
    f = st.file_uploader("File", type=["csv", "xlsx"], key="ilab.people.file")
    if f is not None and st.button("Invite everyone in the file"):
        try:
            done = act(invite_many, actor=actor, data=f.getvalue(), filename=f.name, max_bytes=settings.max_upload_bytes)
            state.put(state.PEOPLE_INVITES, [{"name": i.name, "email": i.email, "link": i.link(settings.base_url)} for i in done])
            st.rerun()
        except UserError as exc:
            st.error(f"Nobody was invited. {plain(exc)}")

people = pd.DataFrame(list_users(actor=actor, session=db))
st.subheader(f"Accounts ({len(people)})")
st.dataframe(people.drop(columns=["id"]), hide_index=True, width="stretch")
if can(actor, "people.manage_staff") and len(people):
    who = st.selectbox("Account", list(people["id"]), format_func=lambda i: people.set_index("id").loc[i, "email"])
    active = bool(people.set_index("id").loc[who, "active"])
    if st.button("Disable" if active else "Enable"):
        act(set_active, actor=actor, user_id=int(who), active=not active)
        st.rerun()

"""People: invite stakeholders (one by one or from a file); admins add co-leads and ExCom members."""

import pandas as pd
import streamlit as st

from indicators_lab.core.config import get_settings
from indicators_lab.consultation.rounds import CONSTITUENCIES
from indicators_lab.core.errors import UserError
from indicators_lab.ui import state
from indicators_lab.ui.resources import act, page_session, upload_limit_mb
from indicators_lab.core.access import ROLE_LABELS, can
from indicators_lab.ui.session import page_guard
from indicators_lab.ui.widgets import local_time, plain
from indicators_lab.consultation.invitations import base_url_warning, invite, invite_many, reissue
from indicators_lab.core.accounts import list_users, set_active, set_role
from indicators_lab.core.exports import csv_bytes


def role_name(role: str) -> str:
    label = ROLE_LABELS.get(role, role)
    return label[:1].upper() + label[1:]


db = page_session()
settings = get_settings()
st.title("People")
actor = page_guard("views/people.py")
state.show_flash(state.PEOPLE_FLASH)

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
    # Cleared after an invitation, kept after a mistake (not clear_on_submit, which clears both).
    with st.form(state.form_key("people.invite")):
        c1, c2 = st.columns(2)
        name = c1.text_input("Name")
        email = c2.text_input("Email")
        organisation = c1.text_input("Organisation")
        constituency = c2.selectbox("Constituency", list(CONSTITUENCIES), format_func=CONSTITUENCIES.get)
        role = st.selectbox("Role", roles, format_func=role_name)
        if st.form_submit_button("Invite", type="primary"):
            try:
                inv = act(invite, actor=actor, email=email, name=name, role=role, organisation=organisation,
                             constituency=constituency)
                state.put(state.PEOPLE_INVITES, [{"name": inv.name, "email": inv.email, "link": inv.link(settings.base_url)}])
                state.clear_form("people.invite")
                st.rerun()
            except UserError as exc:
                st.error(plain(exc))

with st.expander("A new link for someone whose link expired"):
    with st.form(state.form_key("people.reissue")):
        again = st.text_input("Their email")
        if st.form_submit_button("Make a new link"):
            try:
                inv = act(reissue, actor=actor, email=again)
                state.put(state.PEOPLE_INVITES, [{"name": inv.name, "email": inv.email, "link": inv.link(settings.base_url)}])
                state.clear_form("people.reissue")
                st.rerun()
            except UserError as exc:
                st.error(plain(exc))

with st.expander("Invite many stakeholders from a file"):
    st.caption("CSV or XLSX with the columns name, email, organisation, constituency. A bad row refuses the whole file.")
    f = st.file_uploader("File", type=["csv", "xlsx"], key="ilab.people.file", max_upload_size=upload_limit_mb())
    if f is not None and st.button("Invite everyone in the file"):
        try:
            done = act(invite_many, actor=actor, data=f.getvalue(), filename=f.name, max_bytes=settings.max_upload_bytes)
            state.put(state.PEOPLE_INVITES, [{"name": i.name, "email": i.email, "link": i.link(settings.base_url)} for i in done])
            st.rerun()
        except UserError as exc:
            st.error(f"Nobody was invited. {plain(exc)}")

people = pd.DataFrame(list_users(actor=actor, session=db))
st.subheader(f"Accounts ({len(people)})")
if len(people):
    shown = people.drop(columns=["id"]).assign(
        role=people["role"].map(role_name),
        constituency=people["constituency"].map(lambda c: CONSTITUENCIES.get(c, c)),
        active=people["active"].map({True: "Active", False: "Disabled"}),
        has_password=people["has_password"].map({True: "Yes", False: "Not yet"}),
        last_sign_in_at=people["last_sign_in_at"].map(lambda t: local_time(t) if pd.notna(t) and t else "Never"))
    st.dataframe(shown, hide_index=True, width="stretch", column_config={
        "name": "Name", "email": "Email", "role": "Role", "organisation": "Organisation",
        "constituency": "Constituency", "active": "Status", "has_password": "Password set",
        "last_sign_in_at": "Last signed in"})
if can(actor, "people.manage_staff") and len(people):
    st.markdown("**Change an account**")
    by_id = people.set_index("id")
    # No default: nobody disables or demotes an account (their own included) by not choosing one.
    who = st.selectbox("Account", list(people["id"]), index=None, placeholder="Choose an account",
                       format_func=lambda i: f"{by_id.loc[i, 'name']} ({by_id.loc[i, 'email']})",
                       key="ilab.people.who")
    if who is not None:
        row = by_id.loc[who]
        c1, c2 = st.columns(2)
        with c1:
            if bool(row["active"]):
                sure = st.checkbox(f"Yes, disable {plain(row['name'])}: they can no longer sign in",
                                   key=f"ilab.people.sure.{who}")
                if st.button("Disable", key=f"ilab.people.disable.{who}", disabled=not sure):
                    try:
                        act(set_active, actor=actor, user_id=int(who), active=False)
                        state.flash_and_rerun(state.PEOPLE_FLASH, f"{row['name']} can no longer sign in.")
                    except UserError as exc:
                        st.error(plain(exc))
            elif st.button("Enable", key=f"ilab.people.enable.{who}"):
                act(set_active, actor=actor, user_id=int(who), active=True)
                state.flash_and_rerun(state.PEOPLE_FLASH, f"{row['name']} can sign in again.")
        with c2:
            new_role = st.selectbox("Role", list(ROLE_LABELS), index=list(ROLE_LABELS).index(row["role"]),
                                    format_func=role_name, key=f"ilab.people.role.{who}")
            if st.button("Change role", key=f"ilab.people.roleb.{who}", disabled=new_role == row["role"]):
                try:
                    act(set_role, actor=actor, user_id=int(who), role=new_role)
                    state.flash_and_rerun(state.PEOPLE_FLASH,
                                          f"{row['name']} is now {ROLE_LABELS[new_role]}.")
                except UserError as exc:
                    st.error(plain(exc))

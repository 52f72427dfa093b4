"""People: invite stakeholders (one by one or from a file); admins add co-leads and ExCom members."""

import pandas as pd
import streamlit as st

from indicators_lab.core.config import get_settings
from indicators_lab.consultation.rounds import CONSTITUENCIES
from indicators_lab.core.errors import UserError
from indicators_lab.core.i18n import _
from indicators_lab.ui import state
from indicators_lab.ui.resources import act, page_session, upload_limit_mb
from indicators_lab.core.access import ROLE_LABELS, can
from indicators_lab.ui.session import page_guard
from indicators_lab.ui.widgets import local_time, plain
from indicators_lab.consultation.invitations import base_url_warning, invite, invite_many, reissue
from indicators_lab.core.accounts import list_users, set_active, set_role
from indicators_lab.core.exports import csv_bytes


def role_name(role: str) -> str:
    label = _(ROLE_LABELS.get(role, role))
    return label[:1].upper() + label[1:]


db = page_session()
settings = get_settings()
# Choice labels made in this run's language (a format_func may also be called outside the run).
constituency_names = {k: _(v) for k, v in CONSTITUENCIES.items()}
role_names = {r: role_name(r) for r in ROLE_LABELS}
st.title(_("People"))
actor = page_guard("views/people.py")
state.show_flash(state.PEOPLE_FLASH)

invites = state.get(state.PEOPLE_INVITES)
if invites:
    st.success(_("Send each person their one-time link (valid 14 days). It is shown only now."))
    links = pd.DataFrame(invites)
    st.dataframe(links, hide_index=True, width="stretch",
                 column_config={"name": _("Name"), "email": _("Email"), "link": _("Link")})
    st.download_button(_("Download the links (CSV)"), csv_bytes(links), "invitation_links.csv", "text/csv")
    if st.button(_("Done")):
        state.pop(state.PEOPLE_INVITES)
        st.rerun()

warning = base_url_warning(settings.base_url)
if warning:
    st.warning(warning, icon=":material/link_off:")

roles = ["stakeholder"] + (["co_lead", "excom", "admin"] if can(actor, "people.manage_staff") else [])
with st.expander(_("Invite one person"), expanded=True):
    # Cleared after an invitation, kept after a mistake (not clear_on_submit, which clears both).
    with st.form(state.form_key("people.invite")):
        c1, c2 = st.columns(2)
        name = c1.text_input(_("Name"))
        email = c2.text_input(_("Email"))
        organisation = c1.text_input(_("Organisation"))
        constituency = c2.selectbox(_("Constituency"), list(CONSTITUENCIES), format_func=constituency_names.__getitem__)
        role = st.selectbox(_("Role"), roles, format_func=role_names.__getitem__)
        if st.form_submit_button(_("Invite"), type="primary"):
            try:
                inv = act(invite, actor=actor, email=email, name=name, role=role, organisation=organisation,
                             constituency=constituency)
                state.put(state.PEOPLE_INVITES, [{"name": inv.name, "email": inv.email, "link": inv.link(settings.base_url)}])
                state.clear_form("people.invite")
                st.rerun()
            except UserError as exc:
                st.error(plain(exc))

with st.expander(_("A new link for someone whose link expired")):
    with st.form(state.form_key("people.reissue")):
        again = st.text_input(_("Their email"))
        if st.form_submit_button(_("Make a new link")):
            try:
                inv = act(reissue, actor=actor, email=again)
                state.put(state.PEOPLE_INVITES, [{"name": inv.name, "email": inv.email, "link": inv.link(settings.base_url)}])
                state.clear_form("people.reissue")
                st.rerun()
            except UserError as exc:
                st.error(plain(exc))

with st.expander(_("Invite many stakeholders from a file")):
    st.caption(_("CSV or XLSX with the columns name, email, organisation, constituency. A bad row refuses the whole file."))
    f = st.file_uploader(_("File"), type=["csv", "xlsx"], key="ilab.people.file", max_upload_size=upload_limit_mb())
    if f is not None and st.button(_("Invite everyone in the file")):
        try:
            done = act(invite_many, actor=actor, data=f.getvalue(), filename=f.name, max_bytes=settings.max_upload_bytes)
            state.put(state.PEOPLE_INVITES, [{"name": i.name, "email": i.email, "link": i.link(settings.base_url)} for i in done])
            st.rerun()
        except UserError as exc:
            st.error(_("Nobody was invited.") + " " + plain(exc))

people = pd.DataFrame(list_users(actor=actor, session=db))
st.subheader(_("Accounts ({n})").format(n=len(people)))
if len(people):
    shown = people.drop(columns=["id"]).assign(
        role=people["role"].map(role_name),
        constituency=people["constituency"].map(lambda c: constituency_names.get(c, c)),
        active=people["active"].map({True: _("Active"), False: _("Disabled")}),
        has_password=people["has_password"].map({True: _("Yes"), False: _("Not yet")}),
        last_sign_in_at=people["last_sign_in_at"].map(lambda t: local_time(t) if pd.notna(t) and t else _("Never")))
    st.dataframe(shown, hide_index=True, width="stretch", column_config={
        "name": _("Name"), "email": _("Email"), "role": _("Role"), "organisation": _("Organisation"),
        "constituency": _("Constituency"), "active": _("Status"), "has_password": _("Password set"),
        "last_sign_in_at": _("Last signed in")})
if can(actor, "people.manage_staff") and len(people):
    st.markdown("**" + _("Change an account") + "**")
    by_id = people.set_index("id")
    # No default: nobody disables or demotes an account (their own included) by not choosing one.
    account_labels = {i: f"{by_id.loc[i, 'name']} ({by_id.loc[i, 'email']})" for i in people["id"]}
    who = st.selectbox(_("Account"), list(people["id"]), index=None, placeholder=_("Choose an account"),
                       format_func=account_labels.__getitem__,
                       key="ilab.people.who")
    if who is not None:
        row = by_id.loc[who]
        c1, c2 = st.columns(2)
        with c1:
            if bool(row["active"]):
                sure = st.checkbox(_("Yes, disable {name}: they can no longer sign in").format(name=plain(row['name'])),
                                   key=f"ilab.people.sure.{who}")
                if st.button(_("Disable"), key=f"ilab.people.disable.{who}", disabled=not sure):
                    try:
                        act(set_active, actor=actor, user_id=int(who), active=False)
                        state.flash_and_rerun(state.PEOPLE_FLASH, _("{name} can no longer sign in.").format(name=row['name']))
                    except UserError as exc:
                        st.error(plain(exc))
            elif st.button(_("Enable"), key=f"ilab.people.enable.{who}"):
                act(set_active, actor=actor, user_id=int(who), active=True)
                state.flash_and_rerun(state.PEOPLE_FLASH, _("{name} can sign in again.").format(name=row['name']))
        with c2:
            new_role = st.selectbox(_("Role"), list(ROLE_LABELS), index=list(ROLE_LABELS).index(row["role"]),
                                    format_func=role_names.__getitem__, key=f"ilab.people.role.{who}")
            if st.button(_("Change role"), key=f"ilab.people.roleb.{who}", disabled=new_role == row["role"]):
                try:
                    act(set_role, actor=actor, user_id=int(who), role=new_role)
                    state.flash_and_rerun(state.PEOPLE_FLASH,
                                          _("{name} is now {role}.").format(name=row['name'], role=_(ROLE_LABELS[new_role])))
                except UserError as exc:
                    st.error(plain(exc))

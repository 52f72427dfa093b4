"""Home: what the platform is for and, for a visitor, the sign-in form; then the workflow and live counts."""

import streamlit as st

from indicators_lab.catalogue.frameworks import counts
from indicators_lab.ui.resources import page_session
from indicators_lab.ui.session import sign_in_form, signed_in_actor

st.title("Indicators Lab")
if signed_in_actor() is None:
    # Seen without scrolling on a laptop or a phone: what this is, then the form.
    st.markdown(
        "The UN Network on Migration's workspace for proposing and consulting on a limited set of "
        "indicators to review progress on the Global Compact for Migration, for the Secretary-General's "
        "report. Sign in with the email and password of your invitation."
    )
    form_column, _ = st.columns([1, 1])  # half the width on a laptop; the full width on a phone
    with form_column:
        sign_in_form(key="home", title=False)
    st.divider()
st.markdown(
    "Member States asked the Secretary-General for **a limited set of indicators** to review "
    "progress on the 23 objectives of the Global Compact for Migration (IMRF Progress "
    "Declaration, para. 70). Indicators Lab supports the UN Network on Migration through "
    "four steps:"
)
st.markdown(
    "1. **Map**: link existing indicators (SDG, IOM's MGI, SDG 10.7.2, any imported "
    "framework) to the GCM objectives and actions.\n"
    "2. **Score**: check how well a candidate set covers the objectives and where it overlaps.\n"
    "3. **Consult**: collect and answer stakeholders' comments on the draft set.\n"
    "4. **Review and export**: ExCom approval; annex for the Secretary-General's report."
)

c = counts(session=page_session())
cols = st.columns(5)
cols[0].metric("Frameworks", c.frameworks)
cols[1].metric("Indicators and items", c.items)
cols[2].metric("GCM objectives", c.objectives)
cols[3].metric("GCM actions", c.actions)
cols[4].metric("Accepted links", c.links)

st.subheader("Start here")
st.page_link("views/catalogue.py", label="Browse the catalogue of frameworks and indicators", icon=":material/menu_book:")
st.page_link("views/objectives.py", label="Read the GCM objectives, actions and guiding principles", icon=":material/flag:")
st.page_link("views/mapping.py", label="Map indicators to the GCM objectives (co-leads)", icon=":material/hub:")
st.page_link("views/candidate_sets.py", label="Build and score candidate sets", icon=":material/checklist:")
st.page_link("views/optimise.py", label="Find the smallest good set", icon=":material/tune:")
st.page_link("views/import_framework.py", label="Import another framework (CSV or XLSX)", icon=":material/upload_file:")

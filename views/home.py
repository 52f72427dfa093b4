"""Home: what the platform is for and, for a visitor, how to join and the sign-in form; for a
participant, their open consultations; then the workflow and live counts."""

import streamlit as st

from indicators_lab.catalogue.frameworks import counts
from indicators_lab.consultation.participation import my_open_rounds
from indicators_lab.core.access import ANONYMOUS, can, page_permission
from indicators_lab.ui import state
from indicators_lab.ui.resources import page_session
from indicators_lab.ui.session import page_guard, sign_in_form
from indicators_lab.ui.widgets import local_time, plain


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


st.title("Indicators Lab", anchor=False)
actor = page_guard("views/home.py")
state.show_flash(state.HOME_FLASH)
if actor.role == ANONYMOUS.role:
    # Seen without scrolling on a laptop or a phone: what this is, how to join, then the form.
    # Rounds are not listed: signed-out visitors may not read them (core.access).
    st.markdown(
        "The UN Network on Migration's workspace for proposing and consulting on a limited set of "
        "indicators to review progress on the Global Compact for Migration, for the Secretary-General's "
        "report."
    )
    st.markdown(
        "**Consultations are by invitation.** The Network's co-leads email each organisation a link "
        "to set a password; it opens the consultation of your constituency. Already have a password? "
        "Sign in here."
    )
    form_column, _ = st.columns([1, 1])  # half the width on a laptop; the full width on a phone
    with form_column:
        sign_in_form(key="home", title=False)
    st.divider()
elif can(actor, "consultation.take_part"):
    # A participant's first question: what is open for me, until when, and how far have I got.
    mine = my_open_rounds(session=page_session(), actor=actor)
    st.subheader("Your open consultations", anchor=False)
    if not mine:
        st.caption("No consultation is open for you right now: you will get an email when one opens.")
    for summary in mine:
        box = st.container(border=True, key=f"ilab-round-{summary.round.id}")
        box.markdown(f"**{plain(summary.round.title)}**")
        box.caption(f"Open until {local_time(summary.round.closes_at)}")
        box.caption(f"{_count(summary.indicators, 'indicator', 'indicators')} · you have commented on "
                    f"{summary.commented} of them" if summary.indicators else
                    f"On the objectives and the set as a whole · you have posted {_count(summary.comments, 'comment', 'comments')}")
        box.page_link("views/consultation.py", label="Read and comment", icon=":material/forum:",
                      query_params={"round": str(summary.round.id)})
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

st.subheader("Start here", anchor=False)
for path, label, icon in [
    ("views/catalogue.py", "Browse the catalogue of frameworks and indicators", ":material/menu_book:"),
    ("views/objectives.py", "Read the GCM objectives, actions and guiding principles", ":material/flag:"),
    ("views/mapping.py", "Map indicators to the GCM objectives (co-leads)", ":material/hub:"),
    ("views/candidate_sets.py", "Build and score candidate sets", ":material/checklist:"),
    ("views/optimise.py", "Find the smallest good set", ":material/tune:"),
    ("views/import_framework.py", "Import another framework (CSV or XLSX)", ":material/upload_file:"),
    ("views/consultation.py", "Take part in an open consultation", ":material/forum:"),
    ("views/versions.py", "Read the approved proposal and download its annex", ":material/history:"),
]:
    if can(actor, page_permission(path)):  # only the pages this visitor may open
        st.page_link(path, label=label, icon=icon)

"""Indicators Lab: Streamlit entry point. Routing and sign-in; each view lives in views/."""

import streamlit as st

from indicators_lab.core.logging import configure_logging
from indicators_lab.ui.resources import get_engine, screen
from indicators_lab.ui.session import sidebar_sign_in

configure_logging()
st.set_page_config(page_title="Indicators Lab", page_icon="🧭", layout="wide")

HOME = st.Page("views/home.py", title="Home", icon=":material/home:", default=True)
PAGES = {
    "Indicators Lab": [
        HOME,
    ],
    "Catalogue": [
        st.Page("views/catalogue.py", title="Catalogue", icon=":material/menu_book:"),
        st.Page("views/objectives.py", title="GCM objectives", icon=":material/flag:"),
        st.Page("views/import_framework.py", title="Import a framework", icon=":material/upload_file:"),
        st.Page("views/data_availability.py", title="Data availability", icon=":material/query_stats:"),
    ],
    "Work": [
        st.Page("views/mapping.py", title="Mapping", icon=":material/hub:"),
        st.Page("views/candidate_sets.py", title="Candidate sets", icon=":material/checklist:"),
        st.Page("views/optimise.py", title="Optimise", icon=":material/tune:"),
    ],
    "Consult and review": [
        st.Page("views/consultation.py", title="Consultation", icon=":material/forum:"),
        st.Page("views/rounds.py", title="Rounds", icon=":material/event:"),
        st.Page("views/matrix.py", title="Comment-response matrix", icon=":material/table_chart:"),
        st.Page("views/people.py", title="People", icon=":material/group:"),
        st.Page("views/versions.py", title="Versions and annex", icon=":material/history:"),
        st.Page("views/strategy.py", title="Disaggregation strategy", icon=":material/diversity_3:"),
        st.Page("views/review.py", title="Review (ExCom)", icon=":material/how_to_vote:"),
        st.Page("views/set_password.py", title="Your password", icon=":material/key:", url_path="set_password"),
    ],
}

with screen(get_engine()):
    # Every read of this run shares one read-only unit; each action opens its own transaction.
    page = st.navigation(PAGES, expanded=True)
    # The home page shows the sign-in form in its main area (seen at once, on a phone too).
    sidebar_sign_in(show_form=page.url_path != HOME.url_path)
    page.run()

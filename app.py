"""Indicators Lab: Streamlit entry point. Routing only; each view lives in pages/."""

import streamlit as st

st.set_page_config(page_title="Indicators Lab", page_icon="🧭", layout="wide")

PAGES = {
    "Indicators Lab": [
        st.Page("pages/home.py", title="Home", icon=":material/home:", default=True),
    ],
    "Catalogue": [
        st.Page("pages/catalogue.py", title="Catalogue", icon=":material/menu_book:"),
        st.Page("pages/objectives.py", title="GCM objectives", icon=":material/flag:"),
        st.Page("pages/import_framework.py", title="Import a framework", icon=":material/upload_file:"),
    ],
}

st.navigation(PAGES).run()

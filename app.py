"""Indicators Lab: Streamlit entry point. Routing and sign-in; each view lives in views/.

The menu lists only the pages the visitor's role may use (core.access.PAGE_ACCESS); the others
stay routable but hidden, so a bookmarked URL opens and says what to do instead of failing.
"""

import streamlit as st

from indicators_lab.core.access import ANONYMOUS, PAGE_ACCESS, pages_for
from indicators_lab.core.logging import configure_logging
from indicators_lab.core.i18n import _
from indicators_lab.ui import state
from indicators_lab.ui.language import page_language
from indicators_lab.ui.resources import get_engine, screen
from indicators_lab.ui.session import sidebar_sign_in, signed_in_actor
from indicators_lab.ui.touch import touch_friendly

configure_logging()
# A Material icon, not an emoji: an emoji makes Streamlit load its emoji catalogue (~0.3 s of
# every first render).
st.set_page_config(page_title="Indicators Lab", page_icon=":material/explore:", layout="wide")

ICONS = {
    "views/home.py": ":material/home:",
    "views/catalogue.py": ":material/menu_book:",
    "views/objectives.py": ":material/flag:",
    "views/import_framework.py": ":material/upload_file:",
    "views/data_availability.py": ":material/query_stats:",
    "views/mapping.py": ":material/hub:",
    "views/candidate_sets.py": ":material/checklist:",
    "views/optimise.py": ":material/tune:",
    "views/consultation.py": ":material/forum:",
    "views/rounds.py": ":material/event:",
    "views/matrix.py": ":material/table_chart:",
    "views/people.py": ":material/group:",
    "views/versions.py": ":material/history:",
    "views/strategy.py": ":material/diversity_3:",
    "views/review.py": ":material/how_to_vote:",
    "views/set_password.py": ":material/key:",
}

SIGN_IN_HERE = ("", "consultation")  # url paths of the pages with their own sign-in form


def navigation_pages(role: str) -> dict[str, list[st.Page]]:
    """Every page of the access table, grouped by section; in the menu only where ``role`` may use
    it. Hidden pages go under the header-less "" group, so no section header is left empty."""
    menu = set(pages_for(role))
    pages: dict[str, list[st.Page]] = {"": []}
    for path, (title, section, _permission, _listed) in PAGE_ACCESS.items():
        visible = path in menu
        pages.setdefault(_(section) if visible else "", []).append(st.Page(
            path, title=_(title), icon=ICONS[path], default=path == "views/home.py",
            url_path="set_password" if path == "views/set_password.py" else None,
            visibility="visible" if visible else "hidden"))
    return {section: group for section, group in pages.items() if group}


with screen(get_engine()):
    # Every read of this run shares one read-only unit; each action opens its own transaction.
    actor = signed_in_actor() or ANONYMOUS
    state.keep_only_for(actor.user_id)
    with page_language(actor):  # the person's language (else the browser's) for this whole run
        page = st.navigation(navigation_pages(actor.role), expanded=True)
        touch_friendly()
        # The home and consultation pages show the sign-in form in their main area (seen at once, on
        # a phone too, where the sidebar is folded away).
        sidebar_sign_in(show_form=page.url_path not in SIGN_IN_HERE)
        page.run()

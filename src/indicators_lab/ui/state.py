"""Typed, namespaced session_state keys: every key a page keeps is declared here."""

from __future__ import annotations

from typing import Any

import streamlit as st

PREFIX = "ilab."

CATALOGUE_FRAMEWORK = "catalogue.framework"
CATALOGUE_QUERY = "catalogue.query"
OBJECTIVE_NUMBER = "objectives.number"
IMPORT_PLAN = "import.plan"
IMPORT_DONE = "import.done"
USER_ID = "auth.user_id"
SIGN_IN_NOTICE = "auth.notice"
SESSION_EPOCH = "auth.session_epoch"
COOKIE_READ = "auth.cookie_read"  # the browser's sign-in cookie was looked at (once per tab)
COOKIE_PENDING = "auth.cookie_pending"  # a token to write to the browser ("" clears it)
DATA_OWNER = "auth.data_owner"  # the user id whose results (exports, invitation links) session_state holds
MAPPING_FRAMEWORK = "mapping.framework"
MAPPING_FLASH = "mapping.flash"
MAPPING_CURRENT = "mapping.current"  # item id under review
MAPPING_PICK = "mapping.pick"  # the browse-table selection last acted on
MAPPING_ORDER = "mapping.order"
MAPPING_ADVANCE = "mapping.advance"
SET_ID = "sets.id"
SETS_FLASH = "sets.flash"
SETS_PART = "sets.part"  # scorecard, indicators or what-if
GRADE_WEIGHTS = "sets.grade_weights"
OPTIMISE_RESULT = "optimise.result"
OPTIMISE_FLASH = "optimise.flash"
OPTIMISE_POINT = "optimise.point"  # size of the curve point looked at (and saved)
PEOPLE_INVITES = "people.invites"
PEOPLE_FLASH = "people.flash"
ROUNDS_FLASH = "rounds.flash"
HOME_FLASH = "home.flash"
CONSULT_FLASH = "consult.flash"
CONSULT_PART = "consult.part"  # indicators, objectives or the set as a whole
CONSULT_POSTED = "consult.posted"  # id of the comment just posted (shown with its confirmation)
CONSULT_FORM = "consult.form"  # a number that changes after each post: a fresh, empty comment form
CONSULT_OPENED = "consult.opened"  # item id of the card just opened (scrolled to the top of the screen)
CONSULT_OBJECTIVE = "consult.objective"  # the objective the indicator cards are filtered by
MATRIX_PAGE = "matrix.page"
MATRIX_FLASH = "matrix.flash"
VERSIONS_FLASH = "versions.flash"
REVIEW_FLASH = "review.flash"
DATA_PLAN = "data.plan"  # an ExtractSummary (plain data) awaiting confirmation
DATA_FLASH = "data.flash"
STRATEGY_FLASH = "strategy.flash"


def get(key: str, default: Any = None) -> Any:
    return st.session_state.get(PREFIX + key, default)


def put(key: str, value: Any) -> None:
    st.session_state[PREFIX + key] = value


def pop(key: str) -> Any:
    return st.session_state.pop(PREFIX + key, None)


def widget_key(key: str) -> str:
    """The session_state key to pass as a widget's ``key=``."""
    return PREFIX + key


def keep_only_for(user_id: int | None) -> None:
    """Forget every page's results (prepared exports, invitation links, optimiser results) when the
    person using this browser session changes (sign-in, sign-out, disabled account), so the next
    person never sees what the last one prepared. Widget keys go too, except the sign-in form's."""
    if get(DATA_OWNER, "nobody") == user_id:
        return
    keep = {PREFIX + k for k in (USER_ID, SIGN_IN_NOTICE, SESSION_EPOCH, COOKIE_READ, COOKIE_PENDING)}
    for k in [k for k in st.session_state if str(k).startswith(PREFIX) and k not in keep
              and not str(k).startswith(PREFIX + "signin")]:
        del st.session_state[k]
    put(DATA_OWNER, user_id)


def grade_weights() -> dict[str, float]:
    """The grade weights chosen in this session (direct 1, partial 0.5, proxy 0.25 by default)."""
    from indicators_lab.sets.scoring import DEFAULT_GRADE_WEIGHTS

    return dict(get(GRADE_WEIGHTS) or DEFAULT_GRADE_WEIGHTS)


def show_flash(key: str) -> None:
    """Show (once) the message a page left before its last rerun, e.g. "Saved."."""
    from indicators_lab.ui.widgets import plain

    message = pop(key)
    if message:
        st.success(plain(message), icon=":material/check_circle:")  # messages carry names users typed


def form_key(name: str) -> str:
    """A form's key that changes once ``clear_form(name)`` is called: unlike ``clear_on_submit``,
    what the person typed stays after a mistake and is cleared only after success."""
    return f"{PREFIX}form.{name}.{get('form_gen.' + name, 0)}"


def clear_form(name: str) -> None:
    """Start the form ``name`` afresh on the next run (call it after the action succeeded)."""
    put("form_gen." + name, get("form_gen." + name, 0) + 1)


def flash_and_rerun(key: str, message: str) -> None:
    """Remember a message for the next run, then rerun the page so it shows fresh data."""
    put(key, message)
    st.rerun()

"""Each person's interface language: stored with the account, switchable from any page."""

import pytest
from sqlmodel import select

from indicators_lab.core.accounts import current_actor, set_language
from indicators_lab.core.db import in_transaction as tx
from indicators_lab.core.errors import UserError
from indicators_lab.core.models import User
from tests.apptest import ADMIN, app, co_lead, open_page  # noqa: F401  (app is a fixture)
from indicators_lab.core.accounts import create_user

LABEL = {"en": "Language", "fr": "Langue", "es": "Idioma"}


def _language_box(at):
    return next(s for s in at.selectbox if s.label in LABEL.values())


def test_language_is_stored_with_the_account_and_read_back(engine):
    actor = tx(engine, create_user, actor=ADMIN, email="s@example.org", name="Sam", role="stakeholder",
               password="long enough pw")
    assert actor.language == ""  # follows the browser until chosen
    tx(engine, set_language, actor=actor, language="fr")
    assert tx(engine, current_actor, actor.user_id).language == "fr"


def test_an_unknown_language_or_a_signed_out_visitor_is_refused_in_words(engine):
    actor = tx(engine, create_user, actor=ADMIN, email="s@example.org", name="Sam", role="stakeholder",
               password="long enough pw")
    with pytest.raises(UserError, match="Unknown language"):
        tx(engine, set_language, actor=actor, language="xx")
    from indicators_lab.core.access import ANONYMOUS
    with pytest.raises(UserError, match="Sign in first"):
        tx(engine, set_language, actor=ANONYMOUS, language="fr")


def test_a_visitor_switches_the_menu_and_sign_in_form_to_french_from_any_page(app):
    at = open_page("views/catalogue.py")
    box = _language_box(at)
    assert box.value == "en"
    box.select("fr").run()
    assert not at.exception, at.exception
    assert _language_box(at).label == "Langue"
    labels = [b.label for b in at.sidebar.button] + [b.label for b in at.get("form_submit_button")]
    assert "Se connecter" in labels


def test_a_signed_in_persons_choice_is_kept_for_their_next_visit(app):
    lead = co_lead(app)
    at = open_page("views/catalogue.py", user_id=lead.user_id)
    _language_box(at).select("es").run()
    assert not at.exception, at.exception
    with app.connect() as conn:
        assert conn.execute(select(User.language).where(User.id == lead.user_id)).scalar_one() == "es"
    again = open_page("views/catalogue.py", user_id=lead.user_id)  # a new browser session
    assert _language_box(again).value == "es"
    assert any("Cerrar sesión" == b.label for b in again.sidebar.button)

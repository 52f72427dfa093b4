"""Issue 19's 'done means', the stakeholder's part: a stakeholder whose browser is French signs in,
reads the round (French titles), comments in French and sees their comment, on pages that show
no English interface text."""

from sqlmodel import select
from streamlit.testing.v1 import AppTest

from indicators_lab.catalogue.translations import translation
from indicators_lab.consultation import rounds as con
from indicators_lab.core.accounts import create_user
from indicators_lab.core.db import in_transaction as tx
from indicators_lab.core.models import Comment, FrameworkItem
from indicators_lab.mapping import links
from indicators_lab.sets import candidate_sets as cs
from indicators_lab.ui.state import widget_key
from indicators_lab.ui.widgets import plain
from tests.apptest import app, co_lead  # noqa: F401  (app is a fixture)
from tests.paths import PROJECT_ROOT
from tests.test_untranslated import page_texts, untranslated_on

PASSWORD = "long enough pw"
COMMENT = "Cet indicateur devrait être ventilé par statut migratoire et par sexe dans chaque pays."


def _french_title(engine, item_id: int) -> str:
    with engine.connect() as conn:
        attributes = conn.execute(FrameworkItem.__table__.select()
                                  .where(FrameworkItem.__table__.c.id == item_id)).mappings().one()["attributes"]
    return translation(attributes, "title", "fr")


def _signed_out_french_browser(path: str) -> AppTest:
    at = AppTest.from_file(str(PROJECT_ROOT / "app.py"), default_timeout=120)
    at.context = {"locale": "fr-FR"}  # what a browser set to French sends with every rerun
    at.run()
    at.switch_page(path).run()
    assert not at.exception, at.exception
    return at


def _sign_in(at: AppTest, email: str, password: str) -> None:
    at.text_input(key=widget_key("signin.here.email")).input(email)
    at.text_input(key=widget_key("signin.here.password")).input(password)
    next(b for b in at.get("form_submit_button") if b.label == "Se connecter").click().run()
    assert not at.exception, at.exception


def test_a_french_stakeholder_signs_in_reads_the_round_in_french_and_comments(app):
    lead = co_lead(app)
    ngo = tx(app, create_user, actor=lead, email="ngo@example.org", name="Nadia", role="stakeholder",
             password=PASSWORD, organisation="ONG", constituency="civil_society")
    item_id = tx(app, links.item_id_for, "sdg", "10.7.2")
    french = _french_title(app, item_id)
    assert french, "the shipped SDG catalogue has a French title for 10.7.2"
    set_id = tx(app, cs.create_set, actor=lead, name="Projet", item_ids=[item_id])
    rid = tx(app, con.create_round, actor=lead, title="Premier cycle", set_id=set_id)

    # Signed out, the round's link asks for the invitation's email and password, in French.
    at = _signed_out_french_browser("views/consultation.py")
    assert any(i.value.startswith("Connectez-vous pour lire cette consultation") for i in at.info)
    assert not untranslated_on(page_texts(at), "fr")

    _sign_in(at, "ngo@example.org", "not the password")  # a mistake is told in French
    assert [e.value for e in at.error] == ["L’adresse e-mail ou le mot de passe n’est pas correct."]
    _sign_in(at, "ngo@example.org", PASSWORD)
    assert not at.error

    # The round: the indicator's card with its French title (the sources' translation).
    assert any(m.value.startswith(f"**{plain('10.7.2')}** {plain(french)}") for m in at.markdown)
    assert not any("[EN]" in m.value for m in at.markdown)
    assert [d.label for d in at.download_button] == ["Télécharger le modèle pour commenter hors ligne (XLSX)"]
    assert not untranslated_on(page_texts(at), "fr")

    # The button as the browser sends it: its French label (AppTest formats a raw option outside the
    # page's run, that is in English).
    at.button_group(key=f"ilab.c.stance.i{item_id}.0").set_value("Conserver")  # sent with the form
    next(t for t in at.text_area if t.label == "Votre commentaire").input(COMMENT)
    next(b for b in at.get("form_submit_button") if b.label == "Publier le commentaire").click().run()
    assert not at.exception, at.exception

    [c] = tx(app, con.thread, actor=ngo, round_id=rid, item_id=item_id)
    assert c.text == COMMENT and c.stance == "keep"
    with app.connect() as conn:  # detected from its text and stored (the matrix filters by it)
        assert conn.execute(select(Comment.language).where(Comment.id == c.id)).scalar_one() == "fr"
    assert COMMENT in [t.value for t in at.text]  # their comment, shown as plain text
    assert plain("Votre commentaire a été publié.") in [s.value for s in at.success]
    assert any("Conserver" in cap.value for cap in at.caption)  # the stance, in French
    assert not untranslated_on(page_texts(at), "fr")


def test_a_french_stakeholder_is_told_why_an_empty_comment_is_refused_in_french(app):
    lead = co_lead(app)
    tx(app, create_user, actor=lead, email="ngo@example.org", name="Nadia", role="stakeholder",
       password=PASSWORD, constituency="civil_society")
    item_id = tx(app, links.item_id_for, "sdg", "10.7.2")
    tx(app, con.create_round, actor=lead, title="Premier cycle",
       set_id=tx(app, cs.create_set, actor=lead, name="Projet", item_ids=[item_id]))
    at = _signed_out_french_browser("views/consultation.py")
    _sign_in(at, "ngo@example.org", PASSWORD)
    next(b for b in at.get("form_submit_button") if b.label == "Publier le commentaire").click().run()
    assert [e.value for e in at.error] == [plain("Le commentaire est vide.")]


def test_the_command_line_keeps_service_messages_in_english(app):
    # Outside a Streamlit run the locale is English (core.i18n's default): the CLI prints English.
    import pytest

    from indicators_lab.core.errors import UserError

    lead = co_lead(app)
    ngo = tx(app, create_user, actor=lead, email="ngo@example.org", name="Nadia", role="stakeholder",
             password=PASSWORD, constituency="civil_society")
    rid = tx(app, con.create_round, actor=lead, title="Round")
    with pytest.raises(UserError, match="^The comment is empty.$"):
        tx(app, con.post_comment, actor=ngo, round_id=rid, text="  ")


def test_a_french_stakeholder_whose_account_is_disabled_is_told_so_in_french(app):
    # The account is re-read before the run's language is known: the refusal is still French.
    from indicators_lab.core.accounts import set_active
    from tests.apptest import ADMIN

    lead = co_lead(app)
    ngo = tx(app, create_user, actor=lead, email="ngo@example.org", name="Nadia", role="stakeholder",
             password=PASSWORD, constituency="civil_society")
    at = _signed_out_french_browser("views/home.py")
    at.text_input(key=widget_key("signin.home.email")).input("ngo@example.org")
    at.text_input(key=widget_key("signin.home.password")).input(PASSWORD)
    next(b for b in at.get("form_submit_button") if b.label == "Se connecter").click().run()
    assert any(s.value == "Vos consultations ouvertes" for s in at.subheader)
    tx(app, set_active, actor=ADMIN, user_id=ngo.user_id, active=False)
    at.run()
    assert not at.exception, at.exception
    assert [w.value for w in at.warning] == ["Ce compte est désactivé. Adressez-vous à un co-responsable ou à un "
                                             "administrateur."]
    assert not untranslated_on(page_texts(at), "fr")

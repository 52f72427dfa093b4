"""Issue 19's stakeholder part in a real browser set to French (on a phone, 390×844 with touch):
from the invitation link to a posted comment, every step in French, the indicators under their
French titles; on each screen no clipped text and no tap target under 44 px (French is longer);
then the round's offline template, downloaded and opened: its sheets and headings are French.

Named to run after the other browser tests (the round it seeds links indicators, which would change
what the mapping and optimiser pages show first), like test_zy_phone_path.py.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import openpyxl
import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import wait_idle
from tests.e2e.phone_seed import seed
from tests.e2e.test_zy_phone_path import check_screen  # longer French words: still no clipped text, 44 px targets

pytestmark = pytest.mark.browser
PASSWORD = "un mot de passe assez long 42"
COMMENT = "À garder, en comptant à part les femmes recrutées par des agences privées."


def test_a_french_phone_goes_from_the_invitation_to_a_posted_comment_in_french(app_server, app_data_dir, browser):
    from sqlmodel import Session

    from indicators_lab.catalogue.translations import translation
    from indicators_lab.core.config import Settings
    from indicators_lab.core.db import in_transaction as tx
    from indicators_lab.core.models import FrameworkItem
    from indicators_lab.mapping import links
    from indicators_lab.startup import open_database

    seeded = seed(app_data_dir, app_server, suffix="-fr", constituency="local_authority")
    engine = open_database(Settings(data_dir=app_data_dir))
    item_id = tx(engine, links.item_id_for, "sdg", seeded.first_code)
    with Session(engine) as session:
        attributes = session.get(FrameworkItem, item_id).attributes
    engine.dispose()
    french = translation(attributes, "title", "fr")
    assert french

    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True,
                                  locale="fr-FR")
    page = context.new_page()
    page.set_default_timeout(60_000)
    main = page.get_by_test_id("stMain")
    try:
        page.goto(seeded.invitation_link)
        wait_idle(page)
        expect(main.get_by_role("heading", name="Votre mot de passe")).to_be_visible()
        # The touch stylesheet (ui/touch.py) arrives with the sidebar, a moment after the form.
        expect(main.get_by_role("button", name="Définir le mot de passe")).to_have_css("min-height", "44px")
        check_screen(page)
        main.get_by_label(re.compile("^Nouveau mot de passe")).fill(PASSWORD)
        main.get_by_label("Le même mot de passe, encore une fois").fill(PASSWORD)
        main.get_by_role("button", name="Définir le mot de passe").tap()
        expect(page).to_have_url(re.compile(rf"/consultation\?round={seeded.round_id}$"))
        expect(main.get_by_text("Bienvenue, Nadia NGO. Vous êtes connecté.")).to_be_visible()
        wait_idle(page)

        first = page.locator("[class*='st-key-ilab-card-']").first
        expect(first.get_by_text(french, exact=False)).to_be_visible()  # the sources' French title
        expect(main.get_by_role("button", name="Lire et commenter").first).to_be_visible()
        check_screen(page)
        first.get_by_role("radio", name="Conserver").tap()
        first.get_by_label("Votre commentaire").fill(COMMENT)
        first.get_by_role("button", name="Publier le commentaire").tap()
        expect(main.get_by_test_id("stAlertContentSuccess").filter(
            has_text="Votre commentaire a été publié.")).to_be_in_viewport()
        expect(first.get_by_text(COMMENT, exact=True)).to_be_visible()
        expect(first.get_by_text("· Conserver", exact=False).last).to_be_visible()
        expect(main.get_by_text("Post comment", exact=True)).to_have_count(0)  # no English left on the way
        check_screen(page)

        # The round's offline template, at the foot of the page, in French (built when tapped).
        download = main.get_by_role("button", name="Télécharger le modèle pour commenter hors ligne (XLSX)")
        download.scroll_into_view_if_needed()
        with page.expect_download() as got:
            download.tap()
        book = openpyxl.load_workbook(io.BytesIO(Path(got.value.path()).read_bytes()))
        assert got.value.suggested_filename == f"round_{seeded.round_id}_template.xlsx"
        assert book.sheetnames == ["Commentaires", "Indicateurs", "Groupes", "Positions", "À propos"]
        assert [c.value for c in book["Commentaires"][1]] == [
            "Organisation", "Groupe", "Code de l’indicateur", "Objectif", "Position", "Commentaire"]
        assert [c.value for c in book["Indicateurs"][1]] == ["Code de l’indicateur", "Cadre", "Titre"]
        assert french in [c.value for c in book["Indicateurs"]["C"]]
        assert COMMENT not in [v for ws in book.worksheets for row in ws.iter_rows(values_only=True) for v in row]
    finally:
        context.close()

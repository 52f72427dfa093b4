"""A visitor whose browser is in French reads the catalogue in French, finds indicators by French
words, and switches to Spanish from the sidebar."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


@pytest.fixture
def french_page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="fr-FR")
    pg = context.new_page()
    pg.set_default_timeout(60_000)
    yield pg
    context.close()


def test_a_french_browser_gets_the_catalogue_in_french_and_can_switch_to_spanish(app_server, french_page):
    page = french_page
    page.goto(app_server + "/catalogue")
    search = page.get_by_role("textbox", name="Rechercher par code ou par mots")
    expect(search).to_be_visible()
    expect(page.get_by_text("231 éléments sur 231")).to_be_visible()
    search.fill("travailleurs migrants")
    search.press("Enter")
    expect(page.get_by_text("éléments sur 231")).to_be_visible()
    expect(page.get_by_text("231 éléments sur 231")).to_have_count(0)

    sidebar = page.get_by_test_id("stSidebar")
    sidebar.get_by_test_id("stSelectbox").filter(has_text="Langue").click()
    page.get_by_role("option", name="Español").click()
    expect(page.get_by_role("textbox", name="Buscar por código o palabras")).to_be_visible()
    expect(sidebar.get_by_role("link", name="Catálogo")).to_be_visible()

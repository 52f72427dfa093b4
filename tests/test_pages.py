"""Every page renders without exception, and the catalogue and import pages work."""

import pytest
from streamlit.testing.v1 import AppTest

from tests.paths import PROJECT_ROOT
from tests.factories import csv_bytes

PAGES = ["app.py"] + sorted(f"views/{p.name}" for p in (PROJECT_ROOT / "views").glob("*.py"))


def open_page(path):
    """Run the app as a browser would: through the router, then switch to the page."""
    at = AppTest.from_file(str(PROJECT_ROOT / "app.py"), default_timeout=60)
    at.run()
    if path != "app.py":
        at.switch_page(path).run()
    return at


@pytest.mark.parametrize("path", PAGES)
def test_page_renders_without_exception(settings_env, path):
    at = open_page(path)
    assert not at.exception, at.exception
    assert at.title, "every page has a title"


def test_home_shows_live_counts(settings_env):
    at = open_page("views/home.py")
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["GCM objectives"] == "23"
    assert metrics["Indicators and items"] == "287"


def test_catalogue_search_narrows_the_table(settings_env):
    at = open_page("views/catalogue.py")
    assert at.selectbox[0].value == "sdg"
    at.text_input[0].input("remittance costs").run()
    assert not at.exception
    assert "1 of 231 items" in [c.value for c in at.caption]


def test_catalogue_search_finds_word_forms_and_says_where_it_matched(settings_env):
    at = open_page("views/catalogue.py")
    at.text_input[0].input("Remittances").run()
    assert not at.exception
    table = at.dataframe[0].value.set_index("code")
    assert "10.c.1" in table.index and table.loc["10.c.1", "matched"].startswith("title")
    at.text_input[0].input("13.1.1").run()
    assert at.dataframe[0].value.set_index("code").loc["1.5.1", "matched"] == "repeat code"


def test_catalogue_marks_mgi_as_partial(settings_env):
    at = open_page("views/catalogue.py")
    at.selectbox[0].select("mgi").run()
    assert any("Partial framework" in w.value for w in at.warning)


def test_objective_page_shows_actions_and_incomplete_note(settings_env):
    at = open_page("views/objectives.py")
    at.selectbox[0].select(20).run()
    assert any("Part of this objective's text is missing" in w.value for w in at.warning)
    assert not any("stored page excerpt" in c.value for c in at.caption)  # no notes for maintainers
    texts = [t.value for t in at.text]
    assert any(t.startswith("Develop a roadmap to reduce the transaction costs") for t in texts)

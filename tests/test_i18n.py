"""Interface languages: the catalogues ship as .po files, the locale is per context, and dates,
numbers and plurals follow it."""

from datetime import date
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from indicators_lab.core import i18n
from indicators_lab.core.i18n import _, ngettext, use_locale

PACKAGE = Path(i18n.__file__).resolve().parents[1]


@pytest.mark.parametrize("header, expected", [
    ("fr-CH, fr;q=0.9, en;q=0.8", "fr"),
    ("de-DE,de;q=0.9,es;q=0.8,en;q=0.7", "es"),
    ("en;q=0.5, fr;q=0.9", "fr"),
    ("de, it", "en"),
    ("es_419", "es"),
    ("", "en"),
    (None, "en"),
])
def test_browser_language_is_the_first_supported_one_by_weight(header, expected):
    assert i18n.negotiate(header) == expected


def test_a_stored_choice_comes_before_the_browser_language():
    assert i18n.negotiate("", "es", "fr-FR,fr") == "es"
    assert i18n.negotiate(None, "", "fr-FR,fr") == "fr"


def test_texts_follow_the_language_of_the_context_and_fall_back_to_english():
    assert _("Sign in") == "Sign in"
    with use_locale("fr"):
        assert _("Sign in") == "Se connecter"
        with use_locale("es-MX"):
            assert _("Sign in") == "Iniciar sesión"
        assert _("Sign in") == "Se connecter"
        assert _("A text nobody translated") == "A text nobody translated"
    assert i18n.current_locale() == "en"


def test_plurals_follow_each_language_rules():
    # French counts 0 and 1 as singular; English and Spanish only 1.
    with use_locale("fr"):
        assert i18n.translations("fr").plural(0) == 0
    assert ngettext("{n} comment", "{n} comments", 0) == "{n} comments"
    with use_locale("es"):
        assert i18n.translations("es").plural(0) == 1


def test_dates_and_numbers_are_written_per_locale():
    day = date(2026, 3, 5)
    with use_locale("fr"):
        assert i18n.format_date(day, "long") == "5 mars 2026"
        assert i18n.format_number(1234.5) == "1\u202f234,5"
        assert i18n.format_percent(0.25) == "25\u00a0%"
    with use_locale("es"):
        assert i18n.format_date(day, "long") == "5 de marzo de 2026"
    assert i18n.format_date(day, "long") == "March 5, 2026"
    assert i18n.format_number(1234.5) == "1,234.5"


@pytest.mark.parametrize("code", ["fr", "es"])
def test_every_translation_we_wrote_is_marked_for_review(code):
    path = PACKAGE / "data" / "locales" / code / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=code)
    written = [m for m in catalog if m.id and m.string and (m.string if isinstance(m.string, str) else any(m.string))]
    assert written, "the catalogue has translations"
    unmarked = [m.id for m in written if i18n.REVIEW_NOTE not in m.user_comments and not m.fuzzy]
    assert not unmarked, unmarked


def test_no_compiled_catalogue_is_kept_in_the_tree():
    assert not list((PACKAGE / "data" / "locales").rglob("*.mo"))

"""Interface language: gettext catalogues read from the shipped .po files, the current locale per
request, and locale-aware dates, numbers and plurals (Babel).

The locale is a ContextVar: ``app.py`` sets it around one script run (each run has its own
context), the CLI and the tests with ``use_locale``. Services and pages call ``_`` at the moment
they build a text, never at import time; module-level texts are marked with ``N_`` and translated
where they are shown. Catalogues are ``data/locales/<lang>/LC_MESSAGES/messages.po`` (package
data), compiled in memory on first use, so no generated ``.mo`` file is committed or shipped.
"""

from __future__ import annotations

import gettext as _gettext
import io
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar, Token
from datetime import date, datetime
from functools import lru_cache
from importlib import resources

DEFAULT = "en"
# code -> the language's name in itself (what the selector shows)
LANGUAGES: dict[str, str] = {"en": "English", "fr": "Français", "es": "Español"}
DOMAIN = "messages"
REVIEW_NOTE = "machine/unchecked: needs review"

_LOCALE: ContextVar[str] = ContextVar("indicators_lab_locale", default=DEFAULT)


def supported(code: str | None) -> str | None:
    """``code`` ("fr", "fr-CA", "es_419") as one of LANGUAGES, or None."""
    if not code:
        return None
    base = str(code).strip().replace("_", "-").split("-")[0].lower()
    return base if base in LANGUAGES else None


def negotiate(*candidates: str | None) -> str:
    """The first supported language among ``candidates`` (each a code or an Accept-Language
    header such as "fr-CH, fr;q=0.9, en;q=0.8"), else English."""
    for candidate in candidates:
        for code in _accept_language(candidate):
            found = supported(code)
            if found:
                return found
    return DEFAULT


def _accept_language(header: str | None) -> list[str]:
    if not header:
        return []
    weighted = []
    for position, part in enumerate(str(header).split(",")):
        code, _, params = part.strip().partition(";")
        q = 1.0
        if params.strip().startswith("q="):
            try:
                q = float(params.strip()[2:])
            except ValueError:
                q = 0.0
        if code and code != "*":
            weighted.append((-q, position, code))
    return [code for _q, _p, code in sorted(weighted)]


def current_locale() -> str:
    return _LOCALE.get()


def set_locale(code: str | None) -> Token:
    """Make ``code`` (or English) the language of this context; reset with ``reset_locale``."""
    return _LOCALE.set(supported(code) or DEFAULT)


def reset_locale(token: Token) -> None:
    _LOCALE.reset(token)


@contextmanager
def use_locale(code: str | None) -> Iterator[str]:
    """Run a block in language ``code`` (CLI, tests, an export in a chosen language)."""
    token = set_locale(code)
    try:
        yield current_locale()
    finally:
        reset_locale(token)


def catalogue_path(code: str):
    """The shipped .po file of language ``code`` (an importlib.resources Traversable)."""
    return resources.files("indicators_lab").joinpath("data", "locales", code, "LC_MESSAGES", f"{DOMAIN}.po")


@lru_cache(maxsize=None)
def translations(code: str) -> _gettext.NullTranslations:
    """The gettext translations of ``code``, compiled in memory from its .po file (once per process)."""
    if code == DEFAULT:
        return _gettext.NullTranslations()
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    path = catalogue_path(code)
    if not path.is_file():
        return _gettext.NullTranslations()
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=code, domain=DOMAIN)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)  # fuzzy entries are left out, as msgfmt does
    buffer.seek(0)
    return _gettext.GNUTranslations(buffer)


def _(message: str) -> str:
    """``message`` in the current language (itself where the catalogue has no translation)."""
    return translations(current_locale()).gettext(message)


gettext = _


def ngettext(singular: str, plural: str, n: int) -> str:
    """The singular or plural form for ``n`` in the current language (``%(n)s`` / ``{n}`` are the
    caller's to fill)."""
    return translations(current_locale()).ngettext(singular, plural, n)


def N_(message: str) -> str:
    """Mark a module-level text for extraction; translate it with ``_`` where it is shown."""
    return message


def is_translated(message: str, code: str | None = None) -> bool:
    """True if ``message`` has a (non-fuzzy) translation in ``code`` (the current language)."""
    code = supported(code) or current_locale()
    return code == DEFAULT or translations(code).gettext(message) != message


def format_date(value: date | datetime, form: str = "medium") -> str:
    from babel.dates import format_date as _format_date

    return _format_date(value, format=form, locale=current_locale())


def format_datetime(value: datetime, form: str = "medium", tzinfo=None) -> str:
    from babel.dates import format_datetime as _format_datetime

    return _format_datetime(value, format=form, tzinfo=tzinfo, locale=current_locale())


def format_number(value: float | int) -> str:
    from babel.numbers import format_decimal

    return format_decimal(value, locale=current_locale())


def format_percent(value: float, form: str | None = None) -> str:
    from babel.numbers import format_percent as _format_percent

    return _format_percent(value, format=form, locale=current_locale())

"""Item titles in French and Spanish: where they come from (the shipped SDG translations, or an
imported file's ``title_fr`` / ``title_es`` columns), how a table is shown in a person's language
(English kept, and marked, where there is no translation), and per-language search words.

An item's translations live in its attributes: ``{"translations": {"fr": {"title": …,
"target_title": …, "goal_title": …}, "es": {…}}}``. Nothing is machine-translated.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

LANGUAGES = ("fr", "es")  # languages items may carry besides English
FIELDS = ("title", "target_title", "goal_title")
_STEMMER_NAMES = {"fr": "french", "es": "spanish"}


def translation(attributes: dict[str, Any] | None, field: str, language: str) -> str | None:
    """The ``language`` text of ``field`` (title, target_title, goal_title), or None."""
    if language not in LANGUAGES:
        return None
    value = ((attributes or {}).get("translations") or {}).get(language, {}).get(field)
    return value if isinstance(value, str) and value.strip() else None


def localise(df: "pd.DataFrame", language: str) -> "pd.DataFrame":
    """The items table with ``title`` (and target/goal titles) in ``language`` where translated;
    adds ``title_en`` (the English title) and ``title_language`` ("fr", "es", or "en" where the
    English text is shown for want of a translation)."""
    out = df.copy()
    out["title_en"] = out["title"] if "title" in out else ""
    if language not in LANGUAGES or "attributes" not in out:
        out["title_language"] = "en"
        return out
    attrs = out["attributes"].map(lambda a: a if isinstance(a, dict) else {})
    titles = attrs.map(lambda a: translation(a, "title", language))
    out["title_language"] = titles.map(lambda t: language if isinstance(t, str) and t else "en")
    out["title"] = titles.where(titles.notna(), out["title"])
    for field, column in (("target_title", "target_title"), ("goal_title", "goal_title")):
        if column in out:
            values = attrs.map(lambda a, f=field: translation(a, f, language))
            out[column] = values.where(values.notna(), out[column])
    return out


def fold(text: str) -> str:
    """Lower case without accents ('Migración' -> 'migracion')."""
    return unicodedata.normalize("NFKD", str(text or "")).encode("ascii", "ignore").decode().lower()


@lru_cache(maxsize=None)
def _stemmer(language: str):
    import snowballstemmer

    return snowballstemmer.stemmer(_STEMMER_NAMES[language])


@lru_cache(maxsize=100_000)
def stem(word: str, language: str) -> str:
    """``word`` (folded) stemmed by the Snowball stemmer of ``language`` ("fr" or "es")."""
    return fold(_stemmer(language).stemWord(word))


def stems(word: str, language: str) -> set[str]:
    """The stems of one word with and without its accents (the stemmers know accented endings such
    as "-ción", and a query may be typed without them), both folded."""
    return {stem(word, language), stem(fold(word), language)}


@lru_cache(maxsize=20_000)
def words(text: str, language: str) -> frozenset[str]:
    """The stemmed words of a French or Spanish ``text``, accents folded ("migrantes" -> "migrant");
    cached: the same titles are searched on every rerun."""
    raw = re.findall(r"[^\W_]+", unicodedata.normalize("NFC", str(text or "")).lower())
    return frozenset(s for w in raw for s in stems(w, language))

"""The language each comment is written in, detected offline when it is posted, edited or
imported: py3langid's bundled model (a naive Bayes over byte n-grams, 97 languages, inside the
package: nothing is downloaded), limited to the languages stakeholders are likely to write in.
A text too short or too mixed to tell is ``und`` (not determined), never a guess."""

from __future__ import annotations

from functools import lru_cache

from indicators_lab.core.i18n import N_

UNDETERMINED = "und"
# code -> name, in the order lists show them: the six UN languages, then Portuguese.
COMMENT_LANGUAGES: dict[str, str] = {
    "en": N_("English"), "fr": N_("French"), "es": N_("Spanish"), "ar": N_("Arabic"), "zh": N_("Chinese"),
    "ru": N_("Russian"), "pt": N_("Portuguese"), UNDETERMINED: N_("not determined"),
}
MIN_CONFIDENCE = 0.5  # below this (normalised) probability the language is not determined
MIN_LETTERS = 3


@lru_cache(maxsize=1)
def _identifier():
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    identifier.set_languages([c for c in COMMENT_LANGUAGES if c != UNDETERMINED])
    return identifier


def detect(text: str) -> str:
    """The language code of ``text`` (one of COMMENT_LANGUAGES), ``und`` when it cannot be told."""
    text = str(text or "")
    if sum(ch.isalpha() for ch in text) < MIN_LETTERS:
        return UNDETERMINED
    code, probability = _identifier().classify(text)
    return code if probability >= MIN_CONFIDENCE and code in COMMENT_LANGUAGES else UNDETERMINED


def language_name(code: str | None) -> str:
    """The English name of a comment language code (translate it with ``_`` where shown)."""
    return COMMENT_LANGUAGES.get(code or UNDETERMINED, code or COMMENT_LANGUAGES[UNDETERMINED])

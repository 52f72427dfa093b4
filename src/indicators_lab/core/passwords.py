"""Password policy: long enough, hard to guess (zxcvbn score 3 or more), not the person's name or email."""

from __future__ import annotations

from indicators_lab.core.errors import UserError
from indicators_lab.core.i18n import DEFAULT, N_, _, current_locale, is_translated

MIN_PASSWORD = 12
MAX_PASSWORD = 256
MIN_SCORE = 3  # zxcvbn: 3 = "safely unguessable", about 10**8 guesses or more
# zxcvbn's matching grows fast with length; beyond this many characters strength is not in doubt.
_SCORED_PREFIX = 100
# zxcvbn's advice is a finite set of English sentences (zxcvbn/feedback.py); marked here so that the
# catalogue holds them, and translated where shown. tests/test_generated_texts_i18n.py checks the list
# against the installed zxcvbn, so a new sentence in an upgrade fails a test, not a reader.
ZXCVBN_FEEDBACK = (
    N_("Add another word or two. Uncommon words are better."),
    N_("Capitalization doesn't help very much."),
    N_("Reversed words aren't much harder to guess."),
    N_("Predictable substitutions like '@' instead of 'a' don't help very much."),
    N_("Use a few words, avoid common phrases."),
    N_("No need for symbols, digits, or uppercase letters."),
    N_("Straight rows of keys are easy to guess."),
    N_("Short keyboard patterns are easy to guess."),
    N_("This is a top-10 common password."),
    N_("This is similar to a commonly used password."),
    N_("A word by itself is easy to guess."),
    N_("All-uppercase is almost as easy to guess as all-lowercase."),
    N_("Use a longer keyboard pattern with more turns."),
    N_('Repeats like "aaa" are easy to guess.'),
    N_('Repeats like "abcabcabc" are only slightly harder to guess than "abc".'),
    N_("This is a top-100 common password."),
    N_("This is a very common password."),
    N_("Names and surnames by themselves are easy to guess."),
    N_("Common names and surnames are easy to guess."),
    N_("Avoid repeated words and characters."),
    N_('Sequences like "abc" or "6543" are easy to guess.'),
    N_("Avoid sequences."),
    N_("Recent years are easy to guess."),
    N_("Dates are often easy to guess."),
    N_("Avoid recent years."),
    N_("Avoid years that are associated with you."),
    N_("Avoid dates and years that are associated with you."),
)


def check_password(password: str | None, *, email: str = "", name: str = "") -> None:
    """Raise UserError, in plain words with zxcvbn's advice, if ``password`` is too weak."""
    from zxcvbn import zxcvbn

    password = password or ""
    if len(password) < MIN_PASSWORD:
        raise UserError(_("The password must have at least {n} characters.").format(n=MIN_PASSWORD))
    if len(password) > MAX_PASSWORD:
        raise UserError(_("The password must have at most {n} characters.").format(n=MAX_PASSWORD))
    lowered = password.lower()
    local = (email or "").strip().lower().split("@")[0]
    full_name = " ".join((name or "").lower().split())
    # Parts count from four letters, so a name or address "ann" does not forbid "planning".
    parts = [(local, N_("The password must not contain your email address.")),
             (full_name, N_("The password must not contain your name."))]
    parts += [(word, N_("The password must not contain your name.")) for word in full_name.split()]
    for part, refusal in parts:
        if len(part) >= 4 and (part in lowered or part.replace(" ", "") in lowered.replace(" ", "")):
            raise UserError(_(refusal))
    hints = [w for w in [local, *full_name.split(), *(email or "").lower().replace("@", " ").replace(".", " ").split()] if w]
    result = zxcvbn(password[:_SCORED_PREFIX], user_inputs=hints)
    if result["score"] < MIN_SCORE:
        said = [a.strip() for a in [result["feedback"].get("warning") or "", *result["feedback"].get("suggestions", [])]
                if a and a.strip()]
        advice = " ".join(_(a) for a in said)
        if current_locale() != DEFAULT and not all(is_translated(a) for a in said):
            advice = ""  # a sentence of zxcvbn the catalogue does not know: the general advice, translated
        raise UserError(_("This password is too easy to guess.") + " "
                        + (advice or _("Add another word or two. Uncommon words are better.")))

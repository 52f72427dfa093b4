"""Password policy: long enough, hard to guess (zxcvbn score 3 or more), not the person's name or email."""

from __future__ import annotations

from indicators_lab.core.errors import UserError
from indicators_lab.core.i18n import DEFAULT, N_, _, current_locale

MIN_PASSWORD = 12
MAX_PASSWORD = 256
MIN_SCORE = 3  # zxcvbn: 3 = "safely unguessable", about 10**8 guesses or more
# zxcvbn's matching grows fast with length; beyond this many characters strength is not in doubt.
_SCORED_PREFIX = 100


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
        advice = [result["feedback"].get("warning") or "", *result["feedback"].get("suggestions", [])]
        advice = " ".join(a.strip() for a in advice if a and a.strip())
        if current_locale() != DEFAULT:
            advice = ""  # zxcvbn's advice is in English only: the general advice, translated, instead
        raise UserError(_("This password is too easy to guess.") + " "
                        + (advice or _("Add another word or two. Uncommon words are better.")))

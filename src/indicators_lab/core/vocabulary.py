"""The fixed choices people pick from: constituencies, stances, ratings, dispositions."""

from __future__ import annotations

from indicators_lab.core.errors import UserError
from indicators_lab.core.i18n import LANGUAGES, N_, _, translations

CONSTITUENCIES = {
    "member_state": N_("Member State"),
    "un_entity": N_("UN entity"),
    "civil_society": N_("Civil society"),
    "migrant_diaspora": N_("Migrant or diaspora organisation"),
    "academia": N_("Academia"),
    "private_sector": N_("Private sector"),
    "trade_union": N_("Trade union"),
    "local_authority": N_("Local authority"),
    "nhri": N_("National human rights institution"),
    "other": N_("Other"),
}
STANCES = {"keep": N_("Keep"), "modify": N_("Modify"), "drop": N_("Drop"), "add": N_("Add a new indicator")}
RATINGS = ("relevant", "accepted", "credible", "easy_to_collect", "robust")
# What each rating asks, in a sentence (the RACER criteria of indicator selection).
RATING_HELP = {
    "relevant": N_("Relevant: it measures something that matters for the objectives it serves."),
    "accepted": N_("Accepted: governments, the UN system and civil society already recognise and use it."),
    "credible": N_("Credible: its figures come from a sound method and a source people trust."),
    "easy_to_collect": N_("Easy to collect: countries can produce the data without much extra cost or effort."),
    "robust": N_("Robust: it gives comparable results across countries and over time."),
}
# The ratings' short names, as a comment shows them ("relevant 4/5").
RATING_NAMES = {"relevant": N_("relevant"), "accepted": N_("accepted"), "credible": N_("credible"),
                "easy_to_collect": N_("easy to collect"), "robust": N_("robust")}
DISPOSITIONS = {
    "accepted": N_("Accepted"), "partly_accepted": N_("Partly accepted"), "not_accepted": N_("Not accepted"),
    "noted": N_("Noted"), "out_of_scope": N_("Out of scope"),
}


def normalise_choice(value: str, choices: dict[str, str], what: str) -> str:
    """Accept a key or a label in any case ('Civil society', 'civil_society', 'CIVIL SOCIETY')."""
    raw = " ".join(str(value or "").replace("_", " ").replace("-", " ").split()).lower()
    for key, label in choices.items():
        # The label in any interface language: an offline template may come back in French or Spanish.
        if raw in (key.replace("_", " "), *(translations(code).gettext(label).lower() for code in LANGUAGES)):
            return key
    if what == "stance" and raw in ("add new", "add new indicator", "new"):
        return "add"
    raise UserError(_("Unknown {what} '{value}'. Use one of: {choices}.").format(
        what=_(CHOICE_NAMES.get(what, what)), value=value, choices=", ".join(_(v) for v in choices.values())))


# What normalise_choice calls each list it reads, in the reader's language.
CHOICE_NAMES = {"constituency": N_("constituency"), "stance": N_("stance"), "disposition": N_("disposition")}


def plural(n: int, word: str, many: str | None = None) -> str:
    """'1 comment', '2 comments' (``many`` for irregular plurals)."""
    return f"{n} {word if n == 1 else (many or word + 's')}"

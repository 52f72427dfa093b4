"""The fixed choices people pick from: constituencies, stances, ratings, dispositions."""

from __future__ import annotations

from indicators_lab.core.errors import UserError

CONSTITUENCIES = {
    "member_state": "Member State",
    "un_entity": "UN entity",
    "civil_society": "Civil society",
    "migrant_diaspora": "Migrant or diaspora organisation",
    "academia": "Academia",
    "private_sector": "Private sector",
    "trade_union": "Trade union",
    "local_authority": "Local authority",
    "nhri": "National human rights institution",
    "other": "Other",
}
STANCES = {"keep": "Keep", "modify": "Modify", "drop": "Drop", "add": "Add a new indicator"}
RATINGS = ("relevant", "accepted", "credible", "easy_to_collect", "robust")
# What each rating asks, in a sentence (the RACER criteria of indicator selection).
RATING_HELP = {
    "relevant": "Relevant: it measures something that matters for the objectives it serves.",
    "accepted": "Accepted: governments, the UN system and civil society already recognise and use it.",
    "credible": "Credible: its figures come from a sound method and a source people trust.",
    "easy_to_collect": "Easy to collect: countries can produce the data without much extra cost or effort.",
    "robust": "Robust: it gives comparable results across countries and over time.",
}
DISPOSITIONS = {
    "accepted": "Accepted", "partly_accepted": "Partly accepted", "not_accepted": "Not accepted",
    "noted": "Noted", "out_of_scope": "Out of scope",
}


def normalise_choice(value: str, choices: dict[str, str], what: str) -> str:
    """Accept a key or a label in any case ('Civil society', 'civil_society', 'CIVIL SOCIETY')."""
    raw = " ".join(str(value or "").replace("_", " ").replace("-", " ").split()).lower()
    for key, label in choices.items():
        if raw in (key.replace("_", " "), label.lower()):
            return key
    if what == "stance" and raw in ("add new", "add new indicator", "new"):
        return "add"
    raise UserError(f"Unknown {what} '{value}'. Use one of: {', '.join(choices.values())}.")


def plural(n: int, word: str, many: str | None = None) -> str:
    """'1 comment', '2 comments' (``many`` for irregular plurals)."""
    return f"{n} {word if n == 1 else (many or word + 's')}"

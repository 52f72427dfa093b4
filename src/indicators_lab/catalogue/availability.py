"""Data availability of an indicator as its official metadata states it.

The shipped text (the COVERAGE field of the UN SDG global metadata, in ``attributes
["metadata_coverage"]``) is never rewritten. What is read from it here is deliberately narrow and
always carries the sentence it came from, so a co-lead can check it: a stated number of countries,
and whether migratory/migrant status, citizenship, country of birth or nationality is named as
available, planned (or recommended) or not available. Where the text says nothing, the answer is
``NOT_STATED``. Only the English text is read; French and Spanish are shown as they are.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from indicators_lab.core.i18n import N_, _

NOT_STATED = N_("not stated")
AVAILABLE = N_("available")
PLANNED = N_("planned or recommended")
NOT_AVAILABLE = N_("not available")
NAMED = N_("named, status not stated")

# Terms that mean a split by migration: migratory/migrant/migration/immigrant status, migration
# background, citizenship, nationality, country/place of birth.
_MIGRATION_TERMS = re.compile(
    r"\b(?:(?:migratory|migrant|migration|immigrant|immigration)\s+status"
    r"|migration\s+background|citizenship|nationality|(?:country|place)\s+of\s+birth)\b",
    re.IGNORECASE,
)
_NOT_AVAILABLE = re.compile(
    r"\b(?:not\s+(?:\w+\s+){0,2}available|unavailable|not\s+(?:\w+\s+)?(?:possible|feasible)"
    r"|cannot\s+be\s+disaggregated|no\s+data|not\s+(?:\w+\s+)?(?:disaggregated|collected|reported))\b",
    re.IGNORECASE,
)
_PLANNED = re.compile(
    r"\b(?:should|recommended|recommend\w*|will\s+be|planned|plans?\s+to|future|would\s+(?:also\s+)?be"
    r"|is\s+being\s+developed|under\s+development|encouraged|ideally)\b",
    re.IGNORECASE,
)
_AVAILABLE = re.compile(
    r"\b(?:available|published|disaggregated\s+by|can\s+be\s+disaggregated|are\s+disaggregated"
    r"|is\s+disaggregated|possible|provided|reported\s+by|broken\s+down)\b",
    re.IGNORECASE,
)
# A count of countries: digits (with thousands commas and an optional "+"), a few words at most,
# then a word for countries.
_COUNT = re.compile(
    r"(?<![\d.,])(\d{1,3}(?:,\d{3})*|\d+)(\+)?\s+(?:[A-Za-z-]+\s+){0,3}?"
    r"(countries|economies|member\s+states|governments|territories|nations)\b",
    re.IGNORECASE,
)
_QUALIFIER = re.compile(
    r"\b(more than|over|about|around|at least|nearly|almost|approximately|some|up to|fewer than|less than)\s+$",
    re.IGNORECASE,
)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"“‘(])")


def sentences(text: str) -> list[str]:
    """The sentences of a plain-text paragraph (split after . ! ? before a capital)."""
    text = " ".join((text or "").split())
    return [s for s in _SENTENCE_END.split(text) if s] if text else []


@dataclass(frozen=True)
class CountryCount:
    """A stated number of countries, with its sentence; ``number`` is None when the text states
    none (or several different figures in one sentence: ``figures`` lists them)."""

    number: int | None
    quote: str = ""
    plus: bool = False
    figures: tuple[int, ...] = ()
    qualifier: str = ""  # "more than", "about", ... as written before the number

    @property
    def label(self) -> str:
        if self.number is not None:
            head = f"{self.qualifier} " if self.qualifier else ""
            return f"{head}{self.number}{'+' if self.plus else ''}"
        if self.figures:
            return _("several figures: ") + ", ".join(map(str, self.figures))
        return NOT_STATED


def stated_countries(text: str) -> CountryCount:
    """The first sentence of ``text`` that states a number of countries (or economies, Member
    States, Governments, territories) and that number, e.g. 8.8.1 -> 97."""
    for sentence in sentences(text):
        found = [m for m in _COUNT.finditer(sentence)]
        if not found:
            continue
        numbers = []
        for m in found:
            n = int(m.group(1).replace(",", ""))
            if n not in numbers:
                numbers.append(n)
        if len(numbers) == 1:
            q = _QUALIFIER.search(sentence[: found[0].start()])
            return CountryCount(numbers[0], sentence, plus=bool(found[0].group(2)),
                                figures=tuple(numbers), qualifier=q.group(1).lower() if q else "")
        if numbers:
            return CountryCount(None, sentence, figures=tuple(numbers))
    return CountryCount(None)


@dataclass(frozen=True)
class StatusReading:
    """One sentence naming a migration-related split, and what it says about it."""

    term: str
    status: str  # AVAILABLE, PLANNED, NOT_AVAILABLE or NAMED
    quote: str
    section: str  # "disaggregation", "data availability" or "text"


def migration_split(text: str, *, section: str = "disaggregation") -> list[StatusReading]:
    """Every sentence of ``text`` that names migratory/migrant status, citizenship, country of
    birth or nationality, with its status: not available (a negation), planned or recommended
    ("should", "recommended", "will be"), available, or named without a status."""
    out = []
    for sentence in sentences(text):
        terms = [m.group(0) for m in _MIGRATION_TERMS.finditer(sentence)]
        if not terms:
            continue
        if _NOT_AVAILABLE.search(sentence):
            status = NOT_AVAILABLE
        elif _PLANNED.search(sentence):
            status = PLANNED
        elif _AVAILABLE.search(sentence):
            status = AVAILABLE
        else:
            status = NAMED
        term = ", ".join(dict.fromkeys(t.lower() for t in terms))
        out.append(StatusReading(term, status, sentence, section))
    return out


def summary_status(readings: list[StatusReading]) -> str:
    """One word for a list of readings: available if any sentence says so, then planned, named,
    not available; NOT_STATED when no sentence names a migration split."""
    statuses = {r.status for r in readings}
    for s in (AVAILABLE, PLANNED, NAMED, NOT_AVAILABLE):
        if s in statuses:
            return s
    return NOT_STATED


@dataclass(frozen=True)
class MetadataRecord:
    """One COVERAGE record as shipped (verbatim), and what was read from it."""

    part: str  # the metadata id, e.g. 8-8-1 or 1-1-1a
    code: str
    data_availability: str
    disaggregation: str
    full_text: str
    source: str
    translations: dict[str, dict[str, str]]
    countries: CountryCount
    migration: list[StatusReading]


@dataclass(frozen=True)
class MetadataAvailability:
    """An indicator's data availability from its metadata (all its records)."""

    records: list[MetadataRecord] = field(default_factory=list)

    @property
    def has_metadata(self) -> bool:
        return bool(self.records)

    @property
    def countries(self) -> CountryCount:
        for r in self.records:
            if r.countries.number is not None or r.countries.figures:
                return r.countries
        return CountryCount(None)

    @property
    def migration(self) -> list[StatusReading]:
        return [m for r in self.records for m in r.migration]

    @property
    def migration_status(self) -> str:
        if not self.records:
            return N_("no metadata shipped")
        return summary_status(self.migration)

    @property
    def splits_by_migration(self) -> bool:
        """True when the metadata names a migration split as available."""
        return self.migration_status == AVAILABLE


def read_record(rec: dict[str, Any]) -> MetadataRecord:
    """What can be read from one shipped COVERAGE record."""
    availability = rec.get("data_availability") or ""
    disaggregation = rec.get("disaggregation") or ""
    full_text = rec.get("full_text") or ""
    count_text = availability or full_text
    if disaggregation:
        migration = migration_split(disaggregation, section="disaggregation")
    elif full_text:
        migration = migration_split(full_text, section="text")
    else:
        migration = []
    if availability and not migration:
        migration = migration_split(availability, section="data availability")
    translations = {
        lang: {k: rec[lang].get(k, "") for k in ("data_availability", "disaggregation")}
        for lang in ("fr", "es") if isinstance(rec.get(lang), dict)
    }
    return MetadataRecord(
        part=str(rec.get("api_id") or rec.get("code") or ""),
        code=str(rec.get("code") or ""),
        data_availability=availability,
        disaggregation=disaggregation,
        full_text=full_text,
        source=str(rec.get("source") or ""),
        translations=translations,
        countries=stated_countries(count_text),
        migration=migration,
    )


def metadata_availability(attributes: dict[str, Any] | None) -> MetadataAvailability:
    """An item's availability from the metadata records in its attributes (none: empty)."""
    recs = (attributes or {}).get("metadata_coverage") or []
    return MetadataAvailability([read_record(r) for r in recs if isinstance(r, dict)])


def badge(av: MetadataAvailability) -> tuple[str, str]:
    """Two short cells for a table: (countries stated, migration split in the metadata)."""
    if not av.has_metadata:
        return N_("no metadata"), N_("no metadata")
    return av.countries.label, av.migration_status


def metadata_badges(item_ids: list[int], *, session) -> dict[int, tuple[str, str]]:
    """Item id -> (countries stated, migration split) from the shipped metadata, in one query."""
    from sqlmodel import select

    from indicators_lab.core.models import FrameworkItem

    ids = sorted({int(i) for i in item_ids})
    if not ids:
        return {}
    rows = session.exec(select(FrameworkItem.id, FrameworkItem.attributes).where(FrameworkItem.id.in_(ids))).all()
    return {item_id: badge(metadata_availability(attrs)) for item_id, attrs in rows}

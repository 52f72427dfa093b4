"""Imported data extracts: plan (read and check every row), apply (one transaction), and the
current figures per indicator (those of the newest import that covers it)."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from pathlib import Path

import pandas as pd
from sqlmodel import Session, select

from indicators_lab.catalogue.extracts import (
    MEMBER_STATES,
    ExtractSummary,
    iter_rows,
    summarise,
)
from indicators_lab.core.i18n import N_, _, ngettext
from indicators_lab.core.access import Actor, can, require_role
from indicators_lab.core.errors import UserError
from indicators_lab.core.db import insert_ignore
from indicators_lab.core.models import DataFigure, DataImport, Framework, FrameworkItem, utcnow

SHARE_NOTE = N_(
    "Share of the 193 UN Member States: approximate. No list of Member States is shipped, so the "
    "areas are counted as the file names them, and they may include regions and territories."
)


def sdg_codes(*, session: Session) -> dict[str, tuple[str, int]]:
    """Every SDG indicator code (repeat codes too) -> (catalogue code, item id)."""
    rows = session.exec(
        select(FrameworkItem.id, FrameworkItem.code, FrameworkItem.attributes)
        .join(Framework, Framework.id == FrameworkItem.framework_id)
        .where(Framework.key == "sdg")
    ).all()
    out: dict[str, tuple[str, int]] = {}
    for item_id, code, attrs in rows:
        out[code] = (code, item_id)
        for alias in (attrs or {}).get("also_codes", []) or []:
            out.setdefault(alias, (code, item_id))
    return out


def plan_data_import(
    data: bytes, filename: str, *, session: Session, max_bytes: int,
    indicator: str | None = None, area: str | None = None,
) -> ExtractSummary:
    """Read a whole extract (streamed) and summarise it; nothing is stored."""
    if len(data) > max_bytes:
        raise UserError(
            f"The file is {len(data) / 1_048_576:.1f} MB; the limit for data extracts is "
            f"{max_bytes / 1_048_576:.0f} MB. Split it, or ask an admin to raise the limit."
        )
    codes = sdg_codes(session=session)
    known = {k: v[0] for k, v in codes.items()}
    summary = summarise(iter_rows(data, filename), filename, known_codes=known,
                        indicator=indicator, area=area)
    if not summary.figures and not summary.problem_count:
        raise UserError("The file has no row with a value: there is nothing to import.")
    summary.token = secrets.token_hex(16)
    return summary


def apply_data_import(
    summary: ExtractSummary, *, session: Session, actor: Actor, skip_bad_rows: bool = False
) -> int:
    """Store an import and its figures in one transaction; return the import's id.

    A file with problem rows is refused whole unless ``skip_bad_rows`` is chosen (the rows
    reported are then left out and listed with the import)."""
    require_role(actor, "co_lead")
    if summary.problem_count and not skip_bad_rows:
        first = "; ".join(f"row {p.row}: {p.message}" for p in summary.problems[:5])
        raise UserError(
            f"{summary.problem_count:,} rows have problems ({first}). Nothing was stored. Correct "
            f"the file, or choose to import without those rows."
        )
    if not summary.figures:
        raise UserError("No row has a usable value: nothing was stored.")
    codes = sdg_codes(session=session)
    token = summary.token or secrets.token_hex(16)
    # The database decides which of simultaneous confirms of one plan stores it (no
    # check-then-insert); the others return the same import.
    new = insert_ignore(session, DataImport, [{
        "filename": summary.filename[:300], "layout": summary.layout, "imported_by": actor.name[:200],
        "imported_at": utcnow(), "rows_read": summary.rows_read, "rows_used": summary.rows_with_value,
        "rows_skipped": summary.problem_count,
        "problems": [{"row": p.row, "message": p.message} for p in summary.problems],
        "notes": " ".join(summary.notes), "plan_token": token,
    }], ["plan_token"])
    import_id = session.exec(select(DataImport.id).where(DataImport.plan_token == token)).one()
    if not new:
        return import_id  # this plan was confirmed already: its figures are stored with it
    for code, f in summary.figures.items():
        session.add(DataFigure(
            import_id=import_id, item_id=codes[code][1], code=code, rows=f.rows,
            areas_any=f.areas_any, areas_since_2015=f.areas_since_2015,
            areas_two_years=f.areas_two_years, median_latest_year=f.median_latest_year,
            first_year=f.first_year, last_year=f.last_year,
            dimensions=[{"name": d.name, "values": list(d.values), "migratory": d.migratory}
                        for d in f.dimensions],
            series=list(f.series),
        ))
    session.flush()
    return import_id


def import_data(
    path: Path, *, session: Session, actor: Actor, max_bytes: int, skip_bad_rows: bool = False,
    indicator: str | None = None, area: str | None = None,
) -> tuple[ExtractSummary, int]:
    """Plan and apply in one call (the CLI)."""
    path = Path(path)
    if not path.is_file():
        raise UserError(f"There is no file at {path}.")
    if path.stat().st_size > max_bytes:
        raise UserError(f"The file is {path.stat().st_size / 1_048_576:.1f} MB; the limit for data "
                        f"extracts is {max_bytes / 1_048_576:.0f} MB.")
    summary = plan_data_import(path.read_bytes(), path.name, session=session, max_bytes=max_bytes,
                               indicator=indicator, area=area)
    return summary, apply_data_import(summary, session=session, actor=actor, skip_bad_rows=skip_bad_rows)


@dataclass(frozen=True)
class ImportInfo:
    id: int
    filename: str
    layout: str
    imported_by: str
    imported_at: datetime
    rows_read: int
    rows_used: int
    rows_skipped: int
    indicators: int


def list_imports(*, session: Session, actor: Actor) -> list[ImportInfo]:
    """Every import, newest first, with its indicator count; who imported it only for those who
    import (framework.import), others see an empty name."""
    from sqlalchemy import func

    named = can(actor, "framework.import")
    counts = dict(session.exec(
        select(DataFigure.import_id, func.count(DataFigure.id)).group_by(DataFigure.import_id)).all())
    return [
        ImportInfo(i.id, i.filename, i.layout, i.imported_by if named else "", i.imported_at, i.rows_read, i.rows_used,
                   i.rows_skipped, counts.get(i.id, 0))
        for i in session.exec(select(DataImport).order_by(DataImport.id.desc()))
    ]


FIGURE_COLUMNS = [
    "item_id", "code", "areas_since_2015", "areas_two_years", "share_approx", "median_latest_year",
    "first_year", "last_year", "areas_any", "rows", "dimensions", "migratory_dimensions",
    "imported_at", "filename", "imported_by", "import_id",
]


def current_figures(*, session: Session, item_ids: list[int] | None = None) -> pd.DataFrame:
    """Per indicator, the figures of the newest import that covers it (one row per item)."""
    q = select(DataFigure, DataImport).join(DataImport, DataImport.id == DataFigure.import_id)
    if item_ids is not None:
        ids = sorted({int(i) for i in item_ids})
        if not ids:
            return pd.DataFrame(columns=FIGURE_COLUMNS)
        q = q.where(DataFigure.item_id.in_(ids))
    latest: dict[int, tuple[DataFigure, DataImport]] = {}
    for fig, imp in session.exec(q.order_by(DataFigure.import_id)).all():
        latest[fig.item_id] = (fig, imp)  # a newer import replaces the figures
    records = []
    for fig, imp in latest.values():
        dims = fig.dimensions or []
        records.append({
            "item_id": fig.item_id, "code": fig.code, "areas_since_2015": fig.areas_since_2015,
            "areas_two_years": fig.areas_two_years,
            "share_approx": min(fig.areas_since_2015, MEMBER_STATES) / MEMBER_STATES,
            "median_latest_year": fig.median_latest_year, "first_year": fig.first_year,
            "last_year": fig.last_year, "areas_any": fig.areas_any, "rows": fig.rows,
            "dimensions": ", ".join(d["name"] for d in dims),
            "migratory_dimensions": ", ".join(d["name"] for d in dims if d.get("migratory")),
            "imported_at": imp.imported_at, "filename": imp.filename, "imported_by": imp.imported_by,
            "import_id": imp.id,
        })
    return pd.DataFrame(records, columns=FIGURE_COLUMNS)


def _data_badge(areas: int, migratory_dimensions: str) -> str:
    return f"{areas} area{'' if areas == 1 else 's'}" + (" · migratory split" if migratory_dimensions else "")


_BADGE = re.compile(r"(\d+) areas?( · migratory split)?")


def localise_badge(badge: str) -> str:
    """A data badge ('12 areas · migratory split', English as stored) in the current language,
    where shown; any other text goes through the catalogue as it is."""
    m = _BADGE.fullmatch(badge or "")
    if m is None:
        return _(badge) if badge else badge
    n = int(m.group(1))
    return ngettext("{n} area", "{n} areas", n).format(n=n) + (" · " + _("migratory split") if m.group(2) else "")


def data_badges(item_ids: list[int], *, session: Session) -> dict[int, str]:
    """Item id -> a short cell: areas with data since 2015, and '· migratory split' when the
    data carry a migratory-status dimension."""
    df = current_figures(session=session, item_ids=item_ids)
    return {int(r.item_id): _data_badge(r.areas_since_2015, r.migratory_dimensions) for r in df.itertuples()}


BRIEF_COLUMNS = ["item_id", "countries_metadata", "migration_metadata", "imported", "data_source"]
BRIEF_LABELS = {
    "countries_metadata": N_("countries (metadata)"),
    "migration_metadata": N_("migratory split (metadata)"),
    "imported": N_("data (imported)"),
    "data_source": N_("data source"),
}


def availability_brief(item_ids: list[int], *, session: Session) -> pd.DataFrame:
    """One row per item, for a table beside the indicator: the countries the shipped metadata
    states and what it says of a migratory split (available, planned or recommended, not
    available, not stated), the areas with data in the newest import (and a migratory split
    there), and where each comes from. Two queries whatever the number of items."""
    from indicators_lab.catalogue.availability import metadata_badges

    ids = sorted({int(i) for i in item_ids})
    meta = metadata_badges(ids, session=session)
    figures = {int(r.item_id): r for r in current_figures(session=session, item_ids=ids).itertuples()}
    rows = []
    for item_id in ids:
        countries, migration = meta.get(item_id, ("no metadata", "no metadata"))
        fig = figures.get(item_id)
        sources = []
        if countries != "no metadata":
            sources.append("UN SDG global metadata")
        if fig is not None:
            sources.append(f"{fig.filename}, imported {fig.imported_at:%Y-%m-%d}")
        rows.append({
            "item_id": item_id, "countries_metadata": countries, "migration_metadata": migration,
            "imported": _data_badge(fig.areas_since_2015, fig.migratory_dimensions) if fig is not None
            else N_("no data imported"),
            "data_source": "; ".join(sources) or N_("no metadata shipped, no data imported"),
        })
    return pd.DataFrame(rows, columns=BRIEF_COLUMNS)


def localise_brief(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with the availability brief's fixed words in the current language (where shown);
    figures, file names and dates stay as they are."""
    return frame.assign(**{c: [(localise_badge if c == "imported" else _)(v) if isinstance(v, str) and v else v
                               for v in frame[c]] for c in BRIEF_COLUMNS[1:] if c in frame})


def brief_sentence(row) -> str:
    """One line for an item under review: the brief's cells in words (``availability_brief`` row)."""
    if row["countries_metadata"] == "no metadata" and row["imported"] == "no data imported":
        return _("Data: no SDG metadata is shipped and no data extract is imported for this item.")
    # The metadata's words are N_-marked (catalogue.availability); the import's cells are figures and file names.
    return _("Data: countries (metadata) {countries} · migratory split (metadata) {migration} · data (imported) "
             "{imported} · source: {source}").format(
        countries=_(row["countries_metadata"]), migration=_(row["migration_metadata"]), imported=localise_badge(row["imported"]),
        source=_(row["data_source"]))


def with_availability(frame: pd.DataFrame, id_column: str, *, session: Session) -> pd.DataFrame:
    """``frame`` with the availability brief's columns added, matched on ``id_column``."""
    brief = availability_brief(list(frame[id_column]), session=session).set_index("item_id")
    ids = [int(i) for i in frame[id_column]]
    return frame.assign(**{c: [brief[c].get(i, "") for i in ids] for c in BRIEF_COLUMNS[1:]})


READINESS_COLUMNS = ["item_id", "data_share", "data_source", "migratory_data", "migratory_metadata",
                     "migratory_split", "migratory_source"]
# How ``readiness_frame`` words its sources (in English in the frame; ``localise_source`` rewords
# them where shown). The most specific first: "metadata: {text}" also reads the others' tails.
DATA_AREAS = N_("data: {areas} areas since 2015 ({file}, {date})")
METADATA_COUNTRIES = N_("metadata: {label} countries stated")
DATA_DIMENSION = N_("data: dimension {dims} ({file})")
DATA_NO_DIMENSION = N_("data: no migratory dimension ({file}); metadata: {status}")
METADATA_SAYS = N_("metadata: {text}")
_SOURCES = (DATA_AREAS, METADATA_COUNTRIES, DATA_DIMENSION, DATA_NO_DIMENSION, METADATA_SAYS)
_TRANSLATED_PARTS = {"status", "text"}  # a status word of the metadata's reading (a quote stays as it is)


@lru_cache(maxsize=None)
def _pattern(template: str) -> re.Pattern:
    parts = re.split(r"\{(\w+)\}", template)
    return re.compile("^" + "".join(re.escape(p) if i % 2 == 0 else f"(?P<{p}>.+?)" for i, p in enumerate(parts)) + "$",
                      re.S)


def localise_source(text: str) -> str:
    """A source of ``readiness_frame`` (``data_source``, ``migratory_source``) in the current
    language: our wording translated; file names, dates, figures and the metadata's own words as
    they are."""
    if not isinstance(text, str) or not text:
        return text
    for template in _SOURCES:
        found = _pattern(template).match(text)
        if found:
            return _(template).format(**{k: _(v) if k in _TRANSLATED_PARTS else v
                                         for k, v in found.groupdict().items()})
    return _(text)


def readiness_frame(item_ids: list[int], *, session: Session) -> pd.DataFrame:
    """Per item: the share of the 193 Member States with data (from the newest data import; else
    the number the metadata states; else 0) and whether it can be split by migratory status
    today (a migratory dimension in the imported data, or the metadata naming the split as
    available), each with where it comes from."""
    from indicators_lab.catalogue.availability import metadata_availability

    ids = sorted({int(i) for i in item_ids})
    if not ids:
        return pd.DataFrame(columns=READINESS_COLUMNS)
    figures = {int(r.item_id): r for r in current_figures(session=session, item_ids=ids).itertuples()}
    attrs = dict(session.exec(select(FrameworkItem.id, FrameworkItem.attributes).where(FrameworkItem.id.in_(ids))).all())
    rows = []
    for item_id in ids:
        meta = metadata_availability(attrs.get(item_id))
        fig = figures.get(item_id)
        if fig is not None:
            share = min(fig.areas_since_2015, MEMBER_STATES) / MEMBER_STATES
            source = DATA_AREAS.format(areas=fig.areas_since_2015, file=fig.filename, date=f"{fig.imported_at:%Y-%m-%d}")
        elif meta.countries.number is not None:
            share = min(meta.countries.number, MEMBER_STATES) / MEMBER_STATES
            source = METADATA_COUNTRIES.format(label=meta.countries.label)
        else:
            share, source = 0.0, N_("no data imported; metadata states no number")
        by_data = bool(fig is not None and fig.migratory_dimensions)
        by_meta = meta.splits_by_migration
        if by_data:
            why = DATA_DIMENSION.format(dims=fig.migratory_dimensions, file=fig.filename)
        elif by_meta:
            why = METADATA_SAYS.format(text=next(m.quote for m in meta.migration if m.status == "available"))
        elif fig is not None:
            why = DATA_NO_DIMENSION.format(file=fig.filename, status=meta.migration_status)
        else:
            why = METADATA_SAYS.format(text=meta.migration_status)
        rows.append({"item_id": item_id, "data_share": round(share, 4), "data_source": source,
                     "migratory_data": by_data, "migratory_metadata": meta.migration_status,
                     "migratory_split": by_data or by_meta, "migratory_source": why})
    return pd.DataFrame(rows, columns=READINESS_COLUMNS)

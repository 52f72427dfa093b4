"""Read a data extract and summarise, per indicator, how much data exists: pure functions.

Two layouts are read: the UN SDG Global Database download (Goal, Target, Indicator, SeriesCode,
GeoAreaCode, GeoAreaName, TimePeriod, Value, … and dimension columns such as ``[Sex]``), and an
open-sdg national platform CSV (one file per indicator: Year, Series, disaggregation columns,
Value). Files are hostile: a CSV is decoded as UTF-8, UTF-16 or Windows-1252 only and streamed row
by row (never held as a grid), with caps on rows, columns and field size; an XLSX goes through the
pre-scanned reader of ``catalogue.reading`` (and its cell caps). Storing is ``catalogue.data``.

No list of UN Member States is shipped (none is in the sources), so the share of the 193 Member
States is approximate: areas are counted as the file names them, which may include regions.
"""

from __future__ import annotations

import codecs
import csv
import io
import math
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from indicators_lab.catalogue.reading import (
    _CONTROL_RE,
    MAX_COLUMNS,
    _not_binary,
    clean_cell,
    read_xlsx,
    undecodable,
)
from indicators_lab.core.errors import UserError

MEMBER_STATES = 193
SINCE = 2015
MAX_EXTRACT_ROWS = 2_000_000
MAX_FIELD = 100_000  # characters in one cell
MAX_PROBLEMS_KEPT = 200
MAX_DIMENSION_VALUES = 30
NATIONAL_AREA = "reporting country (national platform file)"

# Dimensions that can split an indicator by migration (name or values).
MIGRATORY = re.compile(
    r"migra|citizen|nationalit|country of birth|place of birth|born|foreign|refugee|asylum",
    re.IGNORECASE,
)
# Columns that describe a value rather than split it.
_NOT_DIMENSIONS = {
    "goal", "target", "indicator", "seriescode", "seriesdescription", "series", "geoareacode",
    "geoareaname", "timeperiod", "year", "value", "timedetail", "timecoverage", "upperbound",
    "lowerbound", "baseperiod", "source", "geoinfourl", "footnote", "units", "unitmeasure",
    "unitmultiplier", "nature", "reportingtype", "observationstatus", "geocode", "unitsmeasure",
}
# Columns summarise reads: each must appear once.
_READ_COLUMNS = {"indicator", "timeperiod", "value", "geoareacode", "geoareaname", "seriescode",
                 "seriesdescription", "year", "series"}
_MISSING_VALUES = {"", "nan", "na", "n/a", "..", "...", "-", "–", "—", "nv", "null", "none", "x"}
_NUMBER = re.compile(r"^(?:[<>≤≥~]=?\s*)?[-+]?(?:\d{1,3}(?:,\d{3})+|\d+)?(?:\.\d*)?(?:[eE][-+]?\d+)?$")
_YEAR = re.compile(
    r"^(\d{4})(?:\.0+)?(?:(?:\s+|\s*[-/]\s*)(?:Q[1-4]|S[12]|H[12]|M?\d{1,2}|(\d{4}))|M\d{2}|Q[1-4])?$",
    re.IGNORECASE
)
_CODE_IN_NAME = re.compile(r"(\d{1,2})[-_.]([0-9a-z]{1,2})[-_.](\d{1,2})(?![0-9])", re.IGNORECASE)


def squash(header: str) -> str:
    """A header as compared: lower case, letters and digits only ("[Sex]" -> "sex")."""
    return re.sub(r"[^0-9a-z]+", "", header.lower())


# Values that mean "everyone" (SDMX _T / _Z, open-sdg "All"): a column holding only these is
# in the file's header but does not split the series.
TOTAL_VALUES = {"_t", "_z", "_x", "all", "total", "totals"}


def is_migratory(name: str, values: Iterable[str] = ()) -> bool:
    """True when a dimension's name or one of its values is about migration, and at least one of
    its values is a group rather than everyone (a Global Database column of _T only is no split)."""
    values = list(values)
    if not any(v.strip().lower() not in TOTAL_VALUES for v in values) and values:
        return False
    return bool(MIGRATORY.search(name)) or any(MIGRATORY.search(v) for v in values)


def parse_year(text: str, *, today: date | None = None) -> int | None:
    """The year of a period: '2016', '2016.0', '2000 Q1', '2019-03', '2016-2018' (-> 2018).
    None when it is not a year between 1950 and next year."""
    m = _YEAR.match(text.strip())
    if not m:
        return None
    year = int(m.group(2) or m.group(1))
    last = (today or date.today()).year + 1
    return year if 1950 <= year <= last else None


def parse_value(text: str) -> tuple[bool, bool]:
    """(has a value, is valid): blank or a 'no data' mark is no value; numbers may carry a
    comparison sign ('<5') or thousands commas; an infinite number ('inf', '1e999') or anything
    else is invalid."""
    t = text.strip()
    if t.lower() in _MISSING_VALUES:
        return False, True
    if not (_NUMBER.match(t) and any(ch.isdigit() for ch in t)):
        return False, False
    number = float(t.lstrip("<>≤≥~=").strip().replace(",", ""))
    return (True, True) if math.isfinite(number) else (False, False)


def code_from_filename(filename: str) -> str | None:
    """'indicator_8-8-1.csv' -> '8.8.1' (the open-sdg file naming)."""
    m = _CODE_IN_NAME.search(Path(filename).stem)
    return f"{int(m.group(1))}.{m.group(2).lower()}.{int(m.group(3))}" if m else None


# --------------------------------------------------------------------------- reading rows


def detect_encoding(data: bytes) -> str:
    """UTF-8 (with or without BOM), UTF-16 with a BOM, else Windows-1252; anything else refused."""
    if data.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    head = data[:4096]
    if head.count(0) > len(head) // 4:
        raise UserError("The file could not be read as text: it looks like a binary file. "
                        "Save it as CSV (UTF-8) or XLSX.")
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        for i in range(0, len(data), 1 << 20):
            decoder.decode(data[i:i + (1 << 20)])
        decoder.decode(b"", final=True)
        return "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        decoder = codecs.getincrementaldecoder("cp1252")()
        for i in range(0, len(data), 1 << 20):
            decoder.decode(data[i:i + (1 << 20)])
    except UnicodeDecodeError:
        raise UserError("The file is neither UTF-8 nor Windows-1252 text: save it as CSV UTF-8 "
                        "(in Excel: Save As > 'CSV UTF-8 (Comma delimited)') or as XLSX.") from None
    return "cp1252"


def iter_csv_rows(data: bytes) -> Iterator[list[str]]:
    """The rows of a CSV as clean strings, streamed (the decoded text is never held whole)."""
    encoding = detect_encoding(data)
    sample = data[:100_000].decode(encoding, errors="ignore")
    _not_binary(sample)
    header = sample.lstrip("\ufeff").split("\n", 1)[0]
    counts = {d: header.count(d) for d in (",", ";", "\t", "|")}
    delimiter = max(counts, key=counts.get) if any(counts.values()) else ","
    text = io.TextIOWrapper(io.BytesIO(data), encoding=encoding, newline="")
    old = csv.field_size_limit()
    csv.field_size_limit(MAX_FIELD)
    n = 0  # rows read so far: a refusal names the row after it
    try:
        for n, row in enumerate(csv.reader(text, delimiter=delimiter), 1):
            if len(row) > MAX_COLUMNS:
                raise UserError(f"This file uses {len(row):,} columns (row {n:,}); the limit is {MAX_COLUMNS:,}.")
            if n > MAX_EXTRACT_ROWS:
                raise UserError(f"This file has more than {MAX_EXTRACT_ROWS:,} rows; split it.")
            # one control-character check per row; most rows have none
            if _CONTROL_RE.search("".join(row)):
                yield [clean_cell(c) for c in row]
            else:
                yield [c.strip() for c in row]
    except csv.Error as exc:
        raise UserError(f"The CSV file could not be read (row {n + 1:,}): {exc}.") from None
    except UnicodeDecodeError:  # e.g. UTF-16 with an odd byte count or an unpaired surrogate
        raise undecodable() from None
    finally:
        csv.field_size_limit(old)


def iter_rows(data: bytes, filename: str) -> Iterator[list[str]]:
    """Rows of a CSV (streamed) or XLSX (pre-scanned, capped) upload, header first."""
    suffix = Path(filename).suffix.lower()
    if suffix == ".xlsx" or (suffix not in (".csv", ".txt", ".tsv") and data[:2] == b"PK"):
        table = read_xlsx(data)
        yield table.headers
        yield from table.rows
        return
    if suffix not in (".csv", ".txt", ".tsv"):
        raise UserError(f"'{filename}' is not a CSV or XLSX file. Save the sheet as .csv (UTF-8) or .xlsx.")
    yield from iter_csv_rows(data)


# --------------------------------------------------------------------------- summarising


@dataclass(frozen=True)
class Problem:
    row: int  # as a spreadsheet numbers it (the header is row 1)
    message: str


@dataclass(frozen=True)
class Dimension:
    name: str
    values: tuple[str, ...]  # up to MAX_DIMENSION_VALUES distinct values
    migratory: bool


@dataclass(frozen=True)
class IndicatorFigures:
    """What an extract shows for one indicator."""

    code: str
    rows: int
    areas_any: int
    areas_since_2015: int
    areas_two_years: int  # areas with values in at least two years since 2015 (a trend)
    median_latest_year: float | None
    first_year: int | None
    last_year: int | None
    dimensions: tuple[Dimension, ...]
    series: tuple[str, ...]

    @property
    def share_approx(self) -> float:
        """Areas with data since 2015 over the 193 Member States (approximate: see the module)."""
        return min(self.areas_since_2015, MEMBER_STATES) / MEMBER_STATES

    @property
    def migratory_dimensions(self) -> tuple[str, ...]:
        return tuple(d.name for d in self.dimensions if d.migratory)


@dataclass
class ExtractSummary:
    filename: str
    layout: str  # "sdg-global-database" or "open-sdg"
    rows_read: int = 0
    rows_with_value: int = 0
    rows_without_value: int = 0
    problem_count: int = 0
    problems: list[Problem] = field(default_factory=list)
    figures: dict[str, IndicatorFigures] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    token: str = ""  # set by catalogue.data.plan_data_import: one import per plan

    def add_problem(self, row: int, message: str) -> None:
        self.problem_count += 1
        if len(self.problems) < MAX_PROBLEMS_KEPT:
            self.problems.append(Problem(row, message))


class _Acc:
    """One indicator's figures as they are read. Extracts can name millions of areas, so each
    area keeps one small int (see ``_seen``), shared between areas in the same state."""

    __slots__ = ("rows", "areas", "dims", "series", "first", "last")

    def __init__(self) -> None:
        self.rows = 0
        self.areas: dict[str, int] = {}
        self.dims: dict[str, dict[str, None]] = {}
        self.series: dict[str, None] = {}
        self.first: int | None = None
        self.last: int | None = None


# An area's state packs its latest year (bits 0-11), its first year since 2015 (bits 12-23, 0 when
# none) and whether it has a second year since 2015 (bit 24): all the figures need.
_YEAR_BITS = 12
_YEAR_MASK = (1 << _YEAR_BITS) - 1
_TREND = 1 << (2 * _YEAR_BITS)


def _seen(state: int, year: int) -> int:
    """The state of an area after a value in ``year`` (state 0: the area has no value yet)."""
    latest = max(state & _YEAR_MASK, year)
    recent = (state >> _YEAR_BITS) & _YEAR_MASK
    trend = state & _TREND
    if year >= SINCE:
        if not recent:
            recent = year
        elif recent != year:
            trend = _TREND
    return latest | (recent << _YEAR_BITS) | trend


def summarise(
    rows: Iterable[list[str]], filename: str, *, known_codes: dict[str, str],
    indicator: str | None = None, area: str | None = None, today: date | None = None,
) -> ExtractSummary:
    """Stream the rows (header first) and count, per indicator, the areas with values.

    ``known_codes`` maps every accepted indicator code (repeat codes too) to the catalogue code
    the figures are kept under. Rows with an unknown code, a bad year or a bad value are
    reported one by one (row number and reason) and left out of the figures.
    """
    it = iter(rows)
    header = next(it, None)
    if header is None or not any(header):
        raise UserError("The file is empty: it needs a header row and data rows.")
    keys = [squash(h) for h in header]
    col = {k: i for i, k in reversed(list(enumerate(keys))) if k}
    for i, k in enumerate(keys):
        if k in _READ_COLUMNS and col[k] != i:
            raise UserError(f"The column '{header[i][:60]}' appears twice: keep one, so that it is clear "
                            "which one holds the data.")
    if "timeperiod" in col and "value" in col and "indicator" in col:
        layout = "sdg-global-database"
        year_col = col["timeperiod"]
        area_cols = [col[k] for k in ("geoareacode", "geoareaname") if k in col]
        if not area_cols:
            raise UserError("The file has no GeoAreaCode or GeoAreaName column: every row needs its area.")
        dim_cols = [i for i, h in enumerate(header) if h.strip().startswith("[") and keys[i] not in _NOT_DIMENSIONS]
        series_col = col.get("seriescode", col.get("seriesdescription"))
    elif "year" in col and "value" in col:
        layout = "open-sdg"
        year_col = col["year"]
        area_cols = []
        dim_cols = [i for i, k in enumerate(keys) if k and k not in _NOT_DIMENSIONS]
        series_col = col.get("series")
        indicator = indicator or code_from_filename(filename)
        if not indicator:
            raise UserError(
                "This looks like an open-sdg indicator file (Year, Value and disaggregation columns) but "
                "its name does not say which indicator it is (e.g. indicator_8-8-1.csv). Name the indicator.")
    else:
        shown = ", ".join(f"'{h}'" for h in header if h) or "(none)"
        raise UserError(
            "The file is neither an SDG Global Database extract (Indicator, GeoAreaCode, TimePeriod, "
            f"Value, …) nor an open-sdg indicator file (Year, Value, …). Found the columns {shown}.")
    summary = ExtractSummary(filename=Path(filename).name, layout=layout)
    if layout == "open-sdg":
        summary.notes.append(
            "open-sdg file: one reporting country; its geographic columns (e.g. Country, Region, "
            "GeoCode) are counted as disaggregations, not as countries.")
    value_col = col["value"]
    code_col = col.get("indicator")
    width = len(header)
    accs: dict[str, _Acc] = {}
    fixed_code = None
    if indicator is not None:
        fixed_code = known_codes.get(indicator.strip())
        if fixed_code is None:
            raise UserError(f"'{indicator}' is not an indicator code of the SDG catalogue.")
    national = area or NATIONAL_AREA
    years_seen: dict[str, int | None] = {}  # periods repeat: parse each once
    states: dict[int, int] = {}  # one int object per distinct area state, shared
    for n, row in enumerate(it, start=2):
        if not any(row):
            continue
        summary.rows_read += 1
        if len(row) < width:
            row = row + [""] * (width - len(row))
        if fixed_code is not None:
            code = fixed_code
        else:
            raw = row[code_col]
            code = known_codes.get(raw)
            if code is None:
                summary.add_problem(n, f"the indicator code '{raw[:40]}' is not in the SDG catalogue"
                                    if raw else "the indicator code is missing")
                continue
        period = row[year_col]
        year = years_seen.get(period, -1)
        if year == -1:
            year = years_seen[period] = parse_year(period, today=today)
        if year is None:
            summary.add_problem(n, f"'{row[year_col][:40]}' is not a year (e.g. 2019 or 2019 Q1)")
            continue
        has_value, ok = parse_value(row[value_col])
        if not ok:
            summary.add_problem(n, f"the value '{row[value_col][:40]}' is not a number")
            continue
        if not has_value:
            summary.rows_without_value += 1
            continue
        summary.rows_with_value += 1
        where = " ".join(row[i] for i in area_cols if row[i]) if area_cols else national
        if not where:
            summary.add_problem(n, "the area (GeoAreaCode / GeoAreaName) is empty")
            summary.rows_with_value -= 1
            continue
        acc = accs.get(code)
        if acc is None:
            acc = accs[code] = _Acc()
        acc.rows += 1
        state = _seen(acc.areas.get(where, 0), year)
        acc.areas[where] = states.setdefault(state, state)
        if acc.first is None or year < acc.first:
            acc.first = year
        if acc.last is None or year > acc.last:
            acc.last = year
        for i in dim_cols:
            v = row[i]
            if v:
                values = acc.dims.setdefault(header[i].strip().strip("[]"), {})
                if len(values) < MAX_DIMENSION_VALUES:
                    values[v] = None
        if series_col is not None and row[series_col] and len(acc.series) < 100:
            acc.series[row[series_col]] = None
    summary.figures = {code: _figures(code, acc) for code, acc in accs.items()}
    return summary


def _figures(code: str, acc: _Acc) -> IndicatorFigures:
    latest = Counter(state & _YEAR_MASK for state in acc.areas.values())
    recent = Counter((state >> _YEAR_BITS) & _YEAR_MASK != 0 for state in acc.areas.values())
    trends = sum(1 for state in acc.areas.values() if state & _TREND)
    dims = tuple(
        Dimension(name, tuple(values), is_migratory(name, values)) for name, values in acc.dims.items()
    )
    return IndicatorFigures(
        code=code,
        rows=acc.rows,
        areas_any=len(acc.areas),
        areas_since_2015=recent[True],
        areas_two_years=trends,
        median_latest_year=_median(latest),
        first_year=acc.first,
        last_year=acc.last,
        dimensions=dims,
        series=tuple(acc.series),
    )


def _median(counts: Counter[int]) -> float | None:
    """The median of the values counted (as statistics.median of the expanded list)."""
    total = sum(counts.values())
    if not total:
        return None
    ordered = sorted(counts)
    lower = upper = None
    seen = 0
    for value in ordered:  # the values at positions (total - 1) // 2 and total // 2
        seen += counts[value]
        if lower is None and seen > (total - 1) // 2:
            lower = value
        if seen > total // 2:
            upper = value
            break
    return (lower + upper) / 2

"""Import a framework from CSV or XLSX: read safely, match headers loosely, validate every row,
preview, then store all rows in one transaction (or nothing).

``read_table`` is shared with other importers (comments): it refuses oversized, undecodable,
non-tabular and zip-bomb files with a message in the user's terms.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from sqlmodel import Session, select

from indicators_lab.core.access import Actor, require_role
from indicators_lab.core.errors import UserError
from indicators_lab.core.models import Framework, FrameworkItem

# An XLSX is a zip of XML parts; refuse one that would inflate past this (zip bombs).
MAX_XLSX_UNCOMPRESSED = 200 * 1024 * 1024
MAX_XLSX_RATIO = 200
MAX_ROWS = 100_000
KEY_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")

# Normalised header -> field. Headers are matched after lower-casing and folding spaces,
# underscores, hyphens and dots to one space.
HEADER_SYNONYMS: dict[str, tuple[str, ...]] = {
    "code": (
        "code", "id", "item code", "indicator code", "indicator id", "indicator number",
        "indicator no", "question code", "question id", "question number", "number", "no",
        "ref", "reference", "item", "item id", "key",
    ),
    "title": (
        "title", "indicator", "indicator title", "indicator name", "name", "label",
        "question", "question text", "text", "item title", "indicator text", "wording",
    ),
    "description": (
        "description", "definition", "details", "detail", "explanation", "metadata",
        "rationale", "long description",
    ),
    "parent_code": (
        "parent", "parent code", "parent id", "group", "group code", "dimension", "domain",
        "dimension code", "domain code", "category", "section", "theme",
    ),
    "level": ("level", "type", "item type", "kind"),
}


def normalise_header(header: object) -> str:
    text = "" if header is None else str(header)
    return " ".join(re.sub(r"[_\-./]+", " ", text.strip().lower()).split())


def match_headers(headers: list[str]) -> dict[str, int]:
    """Field name -> column index, for the columns that match a known field."""
    found: dict[str, int] = {}
    for idx, h in enumerate(headers):
        norm = normalise_header(h)
        for fieldname, synonyms in HEADER_SYNONYMS.items():
            if fieldname not in found and norm in synonyms:
                found[fieldname] = idx
                break
    return found


# --------------------------------------------------------------------------- reading files


def read_table(data: bytes, filename: str, *, max_bytes: int) -> tuple[list[str], list[list[str]]]:
    """Return (headers, rows) of a CSV or XLSX file, all cells as stripped strings.

    Raises UserError for a file that is too large, not CSV/XLSX, undecodable or empty.
    """
    if len(data) > max_bytes:
        raise UserError(
            f"The file is {len(data) / 1_048_576:.1f} MB; the limit is "
            f"{max_bytes / 1_048_576:.1f} MB. Split it or ask an admin to raise the limit."
        )
    suffix = Path(filename).suffix.lower()
    if suffix == ".xlsx" or (suffix not in (".csv", ".txt") and data[:2] == b"PK"):
        table = _read_xlsx(data)
    elif suffix in (".csv", ".txt", ".tsv"):
        table = _read_csv(data)
    else:
        raise UserError(
            f"'{filename}' is not a CSV or XLSX file. Save the sheet as .csv (UTF-8) or .xlsx."
        )
    table = [row for row in table if any(cell for cell in row)]
    if not table:
        raise UserError("The file is empty: it needs a header row and at least one data row.")
    headers, rows = table[0], table[1:]
    if not rows:
        raise UserError("The file has a header row but no data rows.")
    if len(rows) > MAX_ROWS:
        raise UserError(f"The file has {len(rows)} rows; at most {MAX_ROWS} are accepted.")
    width = len(headers)
    rows = [(r + [""] * width)[:width] if len(r) < width else r for r in rows]
    return headers, rows


def _decode(data: bytes) -> str:
    if b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise UserError(
            "The file could not be read as text: it looks like a binary file. "
            "Save it as CSV (UTF-8) or XLSX."
        )
    for encoding in ("utf-8-sig", "utf-16"):
        if encoding == "utf-16" and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
            continue
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    try:
        # Excel on Windows saves "CSV" as cp1252 by default.
        return data.decode("cp1252")
    except UnicodeDecodeError:
        raise UserError(
            "The file could not be decoded: save it as CSV UTF-8 (in Excel: Save As > "
            "'CSV UTF-8 (Comma delimited)') or as XLSX."
        ) from None


def _read_csv(data: bytes) -> list[list[str]]:
    text = _decode(data)
    # The header row decides the delimiter: csv.Sniffer guesses from data rows too and is
    # misled by punctuation inside titles.
    header = text.lstrip("\ufeff").split("\n", 1)[0]
    counts = {d: header.count(d) for d in (",", ";", "\t", "|")}
    delimiter = max(counts, key=counts.get) if any(counts.values()) else ","
    try:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        return [[cell.strip() for cell in row] for row in reader]
    except csv.Error as exc:
        raise UserError(f"The CSV file could not be read: {exc}.") from None


def _read_xlsx(data: bytes) -> list[list[str]]:
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise UserError("The file is not a valid XLSX workbook (it could not be opened).") from None
    total = 0
    for info in zf.infolist():
        total += info.file_size
        if info.compress_size and info.file_size / info.compress_size > MAX_XLSX_RATIO * 5:
            raise UserError("The workbook is refused: one of its parts inflates suspiciously (zip bomb).")
    if total > MAX_XLSX_UNCOMPRESSED or (len(data) and total / len(data) > MAX_XLSX_RATIO):
        raise UserError("The workbook is refused: it would inflate far beyond its size (zip bomb).")
    names = set(zf.namelist())
    if "[Content_Types].xml" not in names or not any(n.startswith("xl/") for n in names):
        raise UserError("The file is a zip archive but not an XLSX workbook.")

    import openpyxl  # openpyxl parses XML through defusedxml when it is installed

    from defusedxml import DefusedXmlException

    try:
        wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        try:
            ws = wb.worksheets[0]
            table = []
            for row in ws.iter_rows(values_only=True):
                table.append([_cell_text(v) for v in row])
                if len(table) > MAX_ROWS + 1:
                    break
        finally:
            wb.close()
    except UserError:
        raise
    except Exception as exc:  # openpyxl raises many types for broken files, and wraps defusedxml's
        cause: BaseException | None = exc
        while cause is not None:
            if isinstance(cause, DefusedXmlException):
                raise UserError("The workbook is refused: it declares XML entities or a DTD, which a "
                                "spreadsheet never needs and which can be used to read files (XXE).") from None
            cause = cause.__cause__ or cause.__context__
        raise UserError(f"The XLSX workbook could not be read ({type(exc).__name__}).") from None
    return table


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


# --------------------------------------------------------------------------- plan and apply


@dataclass
class ImportPlan:
    """What an import would do; nothing is stored until ``apply_import``."""

    key: str
    name: str
    filename: str
    update: bool
    columns: dict[str, str]  # field -> header as written in the file
    extra_columns: list[str]
    rows: list[dict]
    creates: list[str] = field(default_factory=list)
    updates: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)

    def summary(self) -> str:
        verb = "update" if self.update else "create"
        return (
            f"{verb} framework '{self.key}': {len(self.creates)} new items, "
            f"{len(self.updates)} changed, {len(self.unchanged)} unchanged"
        )


def plan_import(
    data: bytes,
    filename: str, *,
    session: Session, key: str,
    name: str | None = None,
    update: bool = False,
    max_bytes: int,
) -> ImportPlan:
    """Read and validate a framework file; refuse it whole (UserError) on any bad row."""
    key = (key or "").strip()
    if not KEY_RE.match(key):
        raise UserError(
            "The framework key must be 1-64 letters, digits, dots, dashes or underscores "
            "(for example 'au-migration' or 'national-2025')."
        )
    if key == "gcm":
        raise UserError("'gcm' is the Global Compact itself and cannot be imported over.")
    fw = session.exec(select(Framework).where(Framework.key == key)).first()
    if fw is not None and not update:
        raise UserError(
            f"A framework with the key '{key}' already exists ({fw.name}). Choose another "
            f"key, or update it instead (command line: --update; in the app: 'update "
            f"existing framework'). Updating keeps every link already made."
        )
    if fw is None and update:
        raise UserError(f"There is no framework '{key}' to update; import it as new instead.")
    if fw is None and not (name or "").strip():
        raise UserError("Give the new framework a name (for example 'National SDG indicators 2025').")
    existing = {}
    if fw is not None:
        existing = {
            i.code: i.title
            for i in session.exec(select(FrameworkItem).where(FrameworkItem.framework_id == fw.id))
        }
    headers, rows = read_table(data, filename, max_bytes=max_bytes)
    cols = match_headers(headers)
    missing = [f for f in ("code", "title") if f not in cols]
    if missing:
        shown = ", ".join(f"'{h}'" for h in headers if h) or "(none)"
        raise UserError(
            f"The file needs a {' and a '.join(missing)} column. Found the columns {shown}. "
            f"Accepted names for the code: 'code', 'indicator code', 'id'; for the title: "
            f"'title', 'indicator', 'name', 'question'."
        )
    extra = [
        (i, h) for i, h in enumerate(headers) if i not in cols.values() and str(h).strip()
    ]
    parsed: list[dict] = []
    seen: dict[str, int] = {}
    for n, row in enumerate(rows, start=2):  # row 1 is the header
        code = row[cols["code"]].strip()
        title = " ".join(row[cols["title"]].split())
        if not code:
            raise UserError(f"Row {n}: the code is missing. Every row needs a code.")
        if len(code) > 64:
            raise UserError(f"Row {n}: the code '{code[:20]}…' is longer than 64 characters.")
        if code in seen:
            raise UserError(
                f"Row {n}: the code '{code}' is repeated (first on row {seen[code]}). "
                f"Codes must be unique."
            )
        if not title:
            raise UserError(f"Row {n}: the title of '{code}' is empty.")
        seen[code] = n
        parsed.append(
            {
                "code": code,
                "title": title,
                "description": row[cols["description"]].strip() if "description" in cols else "",
                "parent_code": (row[cols["parent_code"]].strip() or None)
                if "parent_code" in cols
                else None,
                "level": (row[cols["level"]].strip() if "level" in cols else "") or "indicator",
                "position": n - 1,
                "attributes": {
                    normalise_header(h).replace(" ", "_"): row[i].strip()
                    for i, h in extra
                    if row[i].strip()
                },
            }
        )
    plan = ImportPlan(
        key=key,
        name=(name or "").strip() or key,
        filename=filename,
        update=update,
        columns={f: headers[i] for f, i in cols.items()},
        extra_columns=[h for _, h in extra],
        rows=parsed,
    )
    for r in parsed:
        if r["code"] not in existing:
            plan.creates.append(r["code"])
        elif existing[r["code"]] != r["title"]:
            plan.updates.append(r["code"])
        else:
            plan.unchanged.append(r["code"])
    return plan


def apply_import(plan: ImportPlan, *, session: Session, actor: Actor) -> int:
    """Store a validated plan in one transaction; return the framework's item count."""
    from indicators_lab.catalogue.frameworks import upsert_items
    from indicators_lab.core.models import utcnow

    require_role(actor, "co_lead")
    origin = f"import:{Path(plan.filename).name}"[:300]
    fw = session.exec(select(Framework).where(Framework.key == plan.key)).first()
    if fw is None:
        if plan.update:
            raise UserError(f"There is no framework '{plan.key}' to update.")
        fw = Framework(key=plan.key, name=plan.name, version="import:1", shipped=False)
    elif not plan.update:
        raise UserError(f"A framework with the key '{plan.key}' already exists.")
    else:
        n = int(fw.version.split(":")[1]) + 1 if fw.version.startswith("import:") else 1
        fw.version = f"import:{n}"
        if plan.name and plan.name != plan.key and not fw.shipped:
            fw.name = plan.name
        fw.updated_at = utcnow()
    session.add(fw)
    session.flush()
    # An update adds and changes items; it never retires items the file does not list
    # (e.g. MGI's shipped dimensions when IOM's question list is imported).
    upsert_items(session, fw, plan.rows, origin=origin, retire_missing=False)
    count = len(session.exec(select(FrameworkItem.id).where(FrameworkItem.framework_id == fw.id)).all())
    return count


def import_framework(
    path: Path, *, session: Session, key: str, name: str | None, update: bool, max_bytes: int,
    actor: Actor,
) -> ImportPlan:
    """Plan and apply in one call (the CLI)."""
    path = Path(path)
    if not path.is_file():
        raise UserError(f"There is no file at {path}.")
    if path.stat().st_size > max_bytes:
        raise UserError(
            f"The file is {path.stat().st_size / 1_048_576:.1f} MB; the limit is "
            f"{max_bytes / 1_048_576:.1f} MB."
        )
    plan = plan_import(
        path.read_bytes(), path.name, key=key, name=name, update=update,
        max_bytes=max_bytes, session=session)
    apply_import(plan, actor=actor, session=session)
    return plan

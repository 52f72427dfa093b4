"""Import a framework from CSV or XLSX: read safely, match headers loosely, validate every row,
preview, then store all rows in one transaction (or nothing).

``read_table`` / ``read_file`` are shared with other importers (comments, invitations, links):
the hostile-file checks live in ``catalogue.reading``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from sqlmodel import Session, select

from indicators_lab.core.access import Actor, require_role
from indicators_lab.core.errors import UserError
from indicators_lab.core.models import Framework, FrameworkItem
from indicators_lab.catalogue.reading import MAX_ROWS, Table, read_csv, read_xlsx  # noqa: F401

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
    # Titles in French and Spanish (kept in the item's attributes as its translations).
    "title_fr": ("title fr", "titre", "titre fr", "french title", "title french", "title (fr)", "intitule", "intitulé"),
    "title_es": ("title es", "titulo", "título", "titulo es", "spanish title", "title spanish", "title (es)"),
}


def normalise_header(header: object) -> str:
    text = "" if header is None else str(header)
    return " ".join(re.sub(r"[_\-./]+", " ", text.strip().lower()).split())


def column_index(headers: list[str], names: set[str] | list[str]) -> dict[str, int]:
    """Column name (normalised, spaces as '_') -> index; a file naming one of ``names`` twice is
    refused, naming the column, since which copy holds the data would be a guess."""
    cols: dict[str, int] = {}
    for i, h in enumerate(headers):
        key = normalise_header(h).replace(" ", "_")
        if key in cols and key in names:
            raise UserError(f"The column '{key}' appears twice: keep one, so that it is clear which "
                            "one holds the data.")
        cols.setdefault(key, i)
    return cols


_WHOLE_NUMBER = re.compile(r"^[0-9]{1,6}$")


def parse_objective(text: str, row: int) -> int:
    """A GCM objective number written as digits; anything else ('3.9', '1_0', 'inf') is refused
    naming the row. The caller checks the range 1 to 23 (each file words it its own way)."""
    text = text.strip()
    if not _WHOLE_NUMBER.match(text):
        raise UserError(f"Row {row}: the objective '{text[:40]}' is not a number: write a whole number "
                        "from 1 to 23.")
    return int(text)


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


def read_file(data: bytes, filename: str, *, max_bytes: int) -> Table:
    """A CSV/TSV or XLSX upload as a ``Table`` (headers, rows, blank rows skipped...).

    Raises UserError (one line, the user's words) for a file that is too large, not CSV/XLSX,
    undecodable, empty, or beyond the caps of ``reading`` (see that module: nothing the file
    declares is trusted).
    """
    if len(data) > max_bytes:
        raise UserError(
            f"The file is {len(data) / 1_048_576:.1f} MB; the limit is "
            f"{max_bytes / 1_048_576:.1f} MB. Split it or ask an admin to raise the limit."
        )
    suffix = Path(filename).suffix.lower()
    if suffix == ".xlsx" or (suffix not in (".csv", ".txt", ".tsv") and data[:2] == b"PK"):
        return read_xlsx(data)
    if suffix in (".csv", ".txt", ".tsv"):
        return read_csv(data)
    raise UserError(
        f"'{filename}' is not a CSV or XLSX file. Save the sheet as .csv (UTF-8) or .xlsx."
    )


def read_table(data: bytes, filename: str, *, max_bytes: int) -> tuple[list[str], list[list[str]]]:
    """Return (headers, rows) of a CSV or XLSX file, all cells as stripped strings, blank rows
    dropped and rows padded to the header's width. See ``read_file`` for the refusals."""
    table = read_file(data, filename, max_bytes=max_bytes)
    return table.headers, table.rows


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
        """What the import does, in words (in the current interface language)."""
        from indicators_lab.core.i18n import _, ngettext

        head = (_("update framework '{key}'") if self.update else _("create framework '{key}'")).format(key=self.key)
        return head + ": " + ", ".join([
            ngettext("{n} new item", "{n} new items", len(self.creates)).format(n=len(self.creates)),
            _("{n} changed").format(n=len(self.updates)),
            _("{n} unchanged").format(n=len(self.unchanged)),
        ])


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
        translations = {lang: {"title": text} for lang in ("fr", "es")
                        if f"title_{lang}" in cols and (text := " ".join(row[cols[f"title_{lang}"]].split()))}
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
                } | ({"translations": translations} if translations else {}),
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

"""Frameworks, their items, and the GCM objectives, actions and guiding principles.

Loading the shipped catalogues (data/frameworks/*.json) is idempotent: a file whose version is
already loaded is skipped; a newer version updates items in place (same row ids), so nothing
attached to an item is lost.
"""

from __future__ import annotations

import re
import unicodedata

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, insert
from sqlmodel import Session, select

from indicators_lab.core.errors import NotFound
from indicators_lab.core.models import (
    Action,
    Link,
    Framework,
    FrameworkItem,
    Objective,
    Principle,
    utcnow,
)

if TYPE_CHECKING:  # pandas is imported where a table is built: opening the database and the
    # home page's counts need none of it, and it is ~0.5 s of a fresh server's first render.
    import pandas as pd

GCM_KEY = "gcm"
SHIPPED_ORIGIN = "shipped"
SHIPPED_ORDER = ("sdg", "10.7.2", "mgi", GCM_KEY)

# Attributes worth a column of their own in tables and exports, by framework-neutral name.
ATTRIBUTE_COLUMNS = ("goal", "target", "tier", "custodian", "partner", "domain", "dimension")


@dataclass
class LoadReport:
    loaded: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    created: int = 0
    updated: int = 0
    retired: int = 0


# --------------------------------------------------------------------------- loading


def load_shipped_catalogues(frameworks_dir: Path, *, session: Session) -> LoadReport:
    """Load or update every shipped catalogue in ``frameworks_dir``; skip those already current."""
    report = LoadReport()
    for path in sorted(frameworks_dir.glob("*.json")):
        doc = json.loads(path.read_text(encoding="utf-8"))
        meta = doc["framework"]
        fw = session.exec(select(Framework).where(Framework.key == meta["key"])).first()
        if fw is not None and fw.shipped_version == meta["version"]:
            report.skipped.append(meta["key"])
            continue
        fw = _upsert_framework(session, fw, meta)
        if meta["key"] == GCM_KEY:
            _load_gcm(session, doc)
        else:
            c, u, r = upsert_items(session, fw, doc["items"], origin=SHIPPED_ORIGIN)
            report.created += c
            report.updated += u
            report.retired += r
        report.loaded.append(meta["key"])
    return report


def _upsert_framework(session: Session, fw: Framework | None, meta: dict) -> Framework:
    fields = {
        "name": meta["name"],
        "description": meta.get("description", ""),
        "is_partial": bool(meta.get("is_partial")),
        "source": meta.get("source", ""),
        "licence": meta.get("licence", ""),
        "gaps": meta.get("gaps", ""),
        "meta": meta.get("meta", {}),
        "shipped": True,
        "shipped_version": meta["version"],
    }
    if fw is None:
        fw = Framework(key=meta["key"], version=meta["version"], **fields)
    else:
        for k, v in fields.items():
            setattr(fw, k, v)
        if not fw.version.startswith("import"):
            fw.version = meta["version"]
        fw.updated_at = utcnow()
    session.add(fw)
    session.flush()
    return fw


def upsert_items(
    session: Session, fw: Framework, rows: list[dict], *, origin: str, retire_missing: bool = True
) -> tuple[int, int, int]:
    """Create or update items by code; return (created, updated, retired).

    An item whose title changes keeps its row (and so its links); the old title is kept as
    ``former_title`` unless the row names one. Items of the same origin that the new rows no
    longer list are marked not current, never deleted.
    """
    existing = {
        i.code: i
        for i in session.exec(select(FrameworkItem).where(FrameworkItem.framework_id == fw.id))
    }
    created = updated = 0
    seen: set[str] = set()
    new_rows: list[dict] = []
    now = utcnow()
    for row in rows:
        code = row["code"]
        seen.add(code)
        item = existing.get(code)
        if item is not None:
            changed = (
                item.title != row["title"]
                or item.description != row.get("description", "")
                or item.attributes != row.get("attributes", {})
                or item.parent_code != row.get("parent_code")
                or not item.in_current_version
            )
            if not changed:
                continue
            if item.title != row["title"] and not row.get("former_title"):
                row = dict(row, former_title=item.title)
            updated += 1
        fields = {
            "title": row["title"],
            "description": row.get("description") or "",
            "parent_code": row.get("parent_code"),
            "level": row.get("level") or "indicator",
            "position": int(row.get("position") or 0),
            "former_title": row.get("former_title") or (item.former_title if item else None),
            "attributes": row.get("attributes") or {},
            "in_current_version": True,
            "origin": origin,
            "updated_at": now,
        }
        if item is None:
            new_rows.append({"framework_id": fw.id, "code": code, **fields})
        else:
            for name, value in fields.items():
                setattr(item, name, value)
    # New items in one executemany INSERT (a new database: every item), not one ORM object each.
    if new_rows:
        session.execute(insert(FrameworkItem), new_rows)
        created = len(new_rows)
    retired = 0
    if retire_missing:
        for code, item in existing.items():
            if code not in seen and item.origin == origin and item.in_current_version:
                item.in_current_version = False
                session.add(item)
                retired += 1
    session.flush()
    return created, updated, retired


def _upsert_rows(session: Session, model: type, existing: dict, rows: list[tuple[Any, dict]]) -> None:
    """Update the rows of ``existing`` (by key) in place; insert the others in one executemany."""
    new = []
    for key, fields in rows:
        row = existing.get(key)
        if row is None:
            new.append(fields)
        else:
            for name, value in fields.items():
                setattr(row, name, value)
    if new:
        session.execute(insert(model), new)
    session.flush()


def _load_gcm(session: Session, doc: dict) -> None:
    _upsert_rows(session, Objective, {o.number: o for o in session.exec(select(Objective))}, [
        (o["number"], {
            "number": o["number"],
            "title": o["title"],
            "commitment": o["commitment"],
            "commitment_paragraph": o["commitment_paragraph"],
            "commitment_source": o["commitment_source"],
            "text_note": " ".join(x for x in (o.get("text_note", ""), o.get("gaps", "")) if x),
            "text_incomplete": bool(o["text_incomplete"]),
        })
        for o in doc["objectives"]
    ])
    ids = dict(session.exec(select(Objective.number, Objective.id)).all())
    _upsert_rows(session, Action, {(a.objective_id, a.letter): a for a in session.exec(select(Action))}, [
        ((ids[o["number"]], a["letter"]), {
            "objective_id": ids[o["number"]],
            "letter": a["letter"],
            "text": a["text"],
            "status": a.get("status", ""),
            "text_incomplete": bool(a.get("text_incomplete")),
        })
        for o in doc["objectives"] for a in o["actions"]
    ])
    _upsert_rows(session, Principle, {p.code: p for p in session.exec(select(Principle))}, [
        (p["code"], {"code": p["code"], "name": p["name"], "text": p["text"],
                     "status": p.get("status", "")})
        for p in doc["principles"]
    ])


# --------------------------------------------------------------------------- reading


@dataclass(frozen=True)
class FrameworkInfo:
    key: str
    name: str
    description: str
    is_partial: bool
    shipped: bool
    source: str
    licence: str
    gaps: str
    item_count: int
    meta: dict[str, Any]


def list_frameworks(*, session: Session, include_gcm: bool = False) -> list[FrameworkInfo]:
    """Every framework with its item count, shipped ones first."""
    counts = dict(
        session.exec(
            select(FrameworkItem.framework_id, func.count(FrameworkItem.id)).group_by(
                FrameworkItem.framework_id
            )
        ).all()
    )
    n_objectives = session.exec(select(func.count(Objective.id))).one()
    out = []
    frameworks = sorted(
        session.exec(select(Framework)),
        key=lambda f: (SHIPPED_ORDER.index(f.key) if f.key in SHIPPED_ORDER else 99, f.id),
    )
    for fw in frameworks:
        if fw.key == GCM_KEY and not include_gcm:
            continue
        n = n_objectives if fw.key == GCM_KEY else counts.get(fw.id, 0)
        out.append(
            FrameworkInfo(
                fw.key, fw.name, fw.description, fw.is_partial, fw.shipped, fw.source,
                fw.licence, fw.gaps, n, dict(fw.meta or {}),
            )
        )
    return out


SHORT_NAMES = {"sdg": "SDG", "10.7.2": "SDG 10.7.2", "mgi": "MGI", GCM_KEY: "GCM"}


def framework_names(*, session: Session) -> dict[str, str]:
    """Framework key -> the name people use in tables (short for shipped ones)."""
    return {k: SHORT_NAMES.get(k) or name for k, name in session.exec(select(Framework.key, Framework.name))}


def framework_keys(*, session: Session) -> list[str]:
    return list(session.exec(select(Framework.key).order_by(Framework.id)))


def get_framework(session: Session, key: str) -> Framework:
    """The framework with this key, or NotFound naming the valid keys."""
    fw = session.exec(select(Framework).where(Framework.key == key)).first()
    if fw is None:
        keys = ", ".join(session.exec(select(Framework.key).order_by(Framework.id)))
        raise NotFound(f"There is no framework with the key '{key}'. Known keys: {keys}.")
    return fw


def items_frame(key: str, *, session: Session, current_only: bool = True) -> pd.DataFrame:
    """All items of a framework as a table: code, title, description, level, parent_code,
    former_title, the common attribute columns, and ``attributes`` (the full dict)."""
    import pandas as pd

    if key == GCM_KEY:
        return objectives_frame(session=session)
    fw = get_framework(session, key)
    q = select(FrameworkItem).where(FrameworkItem.framework_id == fw.id)
    if current_only:
        q = q.where(FrameworkItem.in_current_version == True)  # noqa: E712
    items = session.exec(q.order_by(FrameworkItem.position, FrameworkItem.id)).all()
    records = []
    for i in items:
        attrs = i.attributes or {}
        rec = {
            "id": i.id,
            "code": i.code,
            "title": i.title,
            "description": i.description,
            "level": i.level,
            "parent_code": i.parent_code or "",
            "former_title": i.former_title or "",
        }
        for col in ATTRIBUTE_COLUMNS:
            rec[col] = str(attrs.get(col, "") or "")
        rec["also_codes"] = ", ".join(attrs.get("also_codes", []) or [])
        rec["attributes"] = attrs
        records.append(rec)
    columns = ["id", "code", "title", "description", "level", "parent_code", "former_title",
               *ATTRIBUTE_COLUMNS, "also_codes", "attributes"]
    return pd.DataFrame.from_records(records, columns=columns)


SEARCH_FIELDS = ("code", "repeat code", "title", "former title", "target", "description", "domain")


def _fold(text: str) -> str:
    """Lower case without accents ('Migración' -> 'migracion')."""
    return unicodedata.normalize("NFKD", str(text or "")).encode("ascii", "ignore").decode().lower()


def stem(word: str) -> str:
    """A light English stemmer: 'remittances', 'remittance' -> 'remittanc'; 'recruiting' -> 'recruit'."""
    w = word
    if len(w) > 4 and w.endswith("ies"):
        w = w[:-3] + "y"
    elif len(w) > 3 and w.endswith("s") and not w.endswith("ss"):
        w = w[:-1]
    for suffix in ("ment", "ing", "ed", "ly"):
        if len(w) - len(suffix) >= 4 and w.endswith(suffix):
            w = w[: -len(suffix)]
            break
    if len(w) > 4 and w.endswith("e"):
        w = w[:-1]
    return w


def _words(text: str) -> list[str]:
    return [stem(w) for w in re.findall(r"[a-z0-9]+", _fold(text))]


def _fields(row: pd.Series) -> dict[str, str]:
    attrs = row.get("attributes") if isinstance(row.get("attributes"), dict) else {}
    target = " ".join(dict.fromkeys([attrs.get("target_title") or "", *(attrs.get("target_titles") or {}).values()]))
    return {
        "code": str(row.get("code", "")), "repeat code": str(row.get("also_codes", "") or ""),
        "title": str(row.get("title", "")), "former title": str(row.get("former_title", "") or ""),
        "target": target,
        "description": " ".join(str(row.get(c, "") or "") for c in ("description", "commitment")),
        "domain": " ".join(str(attrs.get(k) or "") for k in ("domain_name", "dimension_name", "question")),
    }


def _translated_fields(row: pd.Series) -> dict[str, dict[str, str]]:
    """Search field -> language -> the item's French or Spanish text of that field."""
    from indicators_lab.catalogue.translations import LANGUAGES, translation

    attrs = row.get("attributes") if isinstance(row.get("attributes"), dict) else {}
    out: dict[str, dict[str, str]] = {}
    for field, attribute in (("title", "title"), ("target", "target_title")):
        texts = {lang: t for lang in LANGUAGES if (t := translation(attrs, attribute, lang))}
        if texts:
            out[field] = texts
    return out


def _field_matches(term: str, field: str, text: str, words: list[str]) -> bool:
    if any(ch.isdigit() for ch in term) and field in ("code", "repeat code"):
        codes = [c.strip().lower() for c in text.split(",")]
        return any(c == term or c.startswith(term + ".") or c.startswith(term) for c in codes)
    return any(w.startswith(stem(term)) for w in words)


def _translated_matches(term: str, words: dict[str, set[str]]) -> bool:
    from indicators_lab.catalogue import translations as tr

    for lang, stems in words.items():
        wanted = tr.stems(term, lang)
        if any(w.startswith(q) for w in stems for q in wanted):
            return True
    return False


def search_items(df: pd.DataFrame, query: str = "") -> pd.DataFrame:
    """Items matching every word of ``query`` in their code, title, SDG target, description or
    framework context, ignoring case and accents and matching word forms ('remittances' finds
    'remittance costs'), in English and in the French and Spanish titles an item carries
    (stemmed per language: 'migrantes' finds 'migrant', 'travailleurs' finds 'travailleur').
    Adds a ``matched`` column naming where each item matched."""
    from indicators_lab.catalogue import translations as tr

    raw_terms = re.findall(r"[^\W_]+(?:\.[^\W_]+)*", unicodedata.normalize("NFC", str(query or "")).lower())
    terms = [(_fold(t), t) for t in raw_terms if _fold(t)]
    if not terms:
        return df
    keep, where = [], []
    for idx, row in df.iterrows():
        fields = {name: text for name, text in _fields(row).items() if text.strip()}
        words = {name: _words(text) for name, text in fields.items()}
        other = {name: {lang: tr.words(text, lang) for lang, text in texts.items()}
                 for name, texts in _translated_fields(row).items()}
        hits: list[str] = []
        ok = True
        for term, typed in terms:
            found = [name for name in SEARCH_FIELDS if (name in fields
                     and _field_matches(term, name, fields[name], words[name]))
                     or (name in other and _translated_matches(typed, other[name]))]
            if not found and "." in term:  # "10.7" typed as words: match its parts anywhere
                found = [name for name in SEARCH_FIELDS if name in fields and term in _fold(fields[name])]
            if not found:
                ok = False
                break
            hits.extend(f for f in found if f not in hits)
        if ok:
            keep.append(idx)
            where.append(", ".join(h for h in SEARCH_FIELDS if h in hits))
    out = df.loc[keep].copy()
    out["matched"] = where
    return out


def filter_options(df: pd.DataFrame) -> dict[str, list[str]]:
    """The attribute columns that have values in this table, with their distinct values."""
    opts = {}
    for col in ATTRIBUTE_COLUMNS:
        if col in df and (df[col] != "").any():
            values = sorted(set(df[col]) - {""}, key=_natural_key)
            if col == "custodian":
                # filter by single agency: split joint custodians
                values = sorted({a.strip() for v in values for a in v.split(",")}, key=str.lower)
            opts[col] = values
    if "level" in df and df["level"].nunique() > 1:
        opts["level"] = sorted(set(df["level"]))
    return opts


def apply_filters(df: pd.DataFrame, selected: dict[str, list[str]]) -> pd.DataFrame:
    """Items whose attribute columns take one of the selected values; a custodian matches any
    one of an item's agencies."""
    out = df
    for col, values in selected.items():
        if not values:
            continue
        if col == "custodian":
            wanted = set(values)
            out = out[out[col].map(lambda v: bool(wanted & {a.strip() for a in v.split(",")}))]
        else:
            out = out[out[col].isin(values)]
    return out


def _natural_key(value: str) -> tuple:
    parts = []
    for p in value.replace("-", ".").split("."):
        parts.append((0, int(p), "") if p.isdigit() else (1, 0, p))
    return tuple(parts)


def get_item(key: str, code: str, *, session: Session) -> dict[str, Any]:
    """One item as a plain dict, found by its code or by one of its repeat codes."""
    fw = get_framework(session, key)
    item = session.exec(
        select(FrameworkItem).where(
            FrameworkItem.framework_id == fw.id, FrameworkItem.code == code
        )
    ).first()
    if item is None:
        for cand in session.exec(select(FrameworkItem).where(FrameworkItem.framework_id == fw.id)):
            if code in (cand.attributes or {}).get("also_codes", []):
                item = cand
                break
    if item is None:
        raise NotFound(f"Framework '{key}' has no item with the code '{code}'.")
    return {
        "framework": fw.key,
        "framework_name": fw.name,
        **item.model_dump(exclude={"framework_id"}),
    }


@dataclass(frozen=True)
class ActionView:
    letter: str
    text: str
    status: str
    text_incomplete: bool

    @property
    def label(self) -> str:
        return f"({self.letter})"


@dataclass(frozen=True)
class ObjectiveView:
    number: int
    title: str
    commitment: str | None
    commitment_paragraph: int | None
    commitment_source: str
    text_note: str
    text_incomplete: bool
    actions: tuple[ActionView, ...]

    @property
    def label(self) -> str:
        return f"Objective {self.number}: {self.title}"


def list_objectives(*, session: Session) -> list[ObjectiveView]:
    """The 23 objectives in order, each with its actions."""
    objectives = session.exec(select(Objective).order_by(Objective.number)).all()
    actions = session.exec(select(Action).order_by(Action.objective_id, Action.letter)).all()
    by_obj: dict[int, list[ActionView]] = {}
    for a in actions:
        by_obj.setdefault(a.objective_id, []).append(
            ActionView(a.letter, a.text, a.status, a.text_incomplete)
        )
    return [
        ObjectiveView(
            o.number, o.title, o.commitment, o.commitment_paragraph, o.commitment_source,
            o.text_note, o.text_incomplete, tuple(by_obj.get(o.id, [])),
        )
        for o in objectives
    ]


def get_objective(number: int, *, session: Session) -> ObjectiveView:
    for o in list_objectives(session=session):
        if o.number == number:
            return o
    raise NotFound(f"There is no GCM objective {number}; objectives are numbered 1 to 23.")


def objectives_frame(*, session: Session) -> pd.DataFrame:
    import pandas as pd

    rows = [
        {
            "code": str(o.number),
            "title": o.title,
            "commitment": o.commitment or "",
            "actions": len(o.actions),
            "text_incomplete": o.text_incomplete,
            "note": o.text_note,
        }
        for o in list_objectives(session=session)
    ]
    return pd.DataFrame(rows, columns=["code", "title", "commitment", "actions",
                                       "text_incomplete", "note"])


def list_principles(*, session: Session) -> list[Principle]:
    return list(session.exec(select(Principle).order_by(Principle.code)))


def item_text(row: dict | pd.Series, *, context: bool = True) -> str:
    """The text an item is matched by: its title, with its framework context when known
    (SDG target and goal, 10.7.2 domain and question, MGI dimension, or the description)."""
    attrs = row.get("attributes") or {}
    parts = [str(row["title"]).strip()]
    if context:
        if attrs.get("target_title"):
            parts.append(f"Target: {attrs['target_title']}")
            # The goal says what the target is for (measured on the development half of the
            # labelled crosswalk: +5 points top-1 on SDG items, benchmarks/mapping_quality.py).
            if attrs.get("goal_title"):
                parts.append(f"Goal: {attrs['goal_title']}")
        elif attrs.get("domain_name"):
            parts.append(f"{attrs['domain_name']}")
        elif attrs.get("dimension_name"):
            parts.append(f"{attrs['dimension_name']}")
        elif row.get("description"):
            parts.append(str(row["description"]).strip())
    return ". ".join(p.rstrip(".") for p in parts if p)


@dataclass(frozen=True)
class Counts:
    frameworks: int
    items: int
    objectives: int
    actions: int
    links: int


def counts(*, session: Session) -> Counts:
    """Live counts for the home page."""
    n_fw = session.exec(select(func.count(Framework.id)).where(Framework.key != GCM_KEY)).one()
    n_items = session.exec(
        select(func.count(FrameworkItem.id)).where(
            FrameworkItem.in_current_version == True  # noqa: E712
        )
    ).one()
    n_obj = session.exec(select(func.count(Objective.id))).one()
    n_act = session.exec(select(func.count(Action.id))).one()
    n_links = count_links(session=session)
    return Counts(n_fw, n_items, n_obj, n_act, links=n_links)


def count_links(*, session: Session) -> int:
    """Accepted item-to-objective links."""
    return session.exec(select(func.count(Link.id)).where(Link.status == "accepted")).one()


def export_catalogue(key: str, out: Path, *, session: Session) -> int:
    """Write a framework's items (or, for ``gcm``, its objectives) to CSV; return the row count."""
    df = items_frame(key, session=session)
    if key != GCM_KEY:
        df = df.drop(columns=["id", "attributes"])
    from indicators_lab.core.exports import write_csv

    write_csv(df, out)
    return len(df)

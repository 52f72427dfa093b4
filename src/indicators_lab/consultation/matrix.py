"""The comment-response matrix: filtered, paginated queries in the database; participation
counts; export (CSV / XLSX, formula-safe); offline template and all-or-nothing import."""

from __future__ import annotations

import io
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pandas as pd
from sqlalchemy import func
from sqlmodel import Session, select

from indicators_lab.core.access import Actor, can, require, require_role
from indicators_lab.consultation.rounds import (
    CONSTITUENCIES, DISPOSITIONS, STANCES, STRATEGY, _clean_text, describe_target, get_round, normalise_choice, text_key,
)
from indicators_lab.consultation.languages import COMMENT_LANGUAGES, UNDETERMINED
from indicators_lab.consultation.languages import detect as detect_language
from indicators_lab.core.errors import UserError
from indicators_lab.core.exports import FORMULA_PREFIXES, write_csv
from indicators_lab.catalogue.importing import column_index, normalise_header, parse_objective, read_table
from indicators_lab.core.i18n import N_, _
from indicators_lab.core.models import Comment, Framework, FrameworkItem, Response, RoundItem

MATRIX_COLUMNS = [
    "comment_id", "round_id", "reply_to", "created_at", "author", "organisation", "constituency",
    "framework", "indicator_code", "indicator_title", "objective", "about", "stance", "comment", "hidden",
    "disposition", "response", "responder", "language",
]
IMPORT_COLUMNS = ["organisation", "constituency", "indicator_code", "objective", "stance", "comment"]
# Optional in an import (files made before it still import): "strategy" for a comment on the
# version's disaggregation strategy for the row's objective; empty otherwise.
ABOUT_COLUMN = "about"


@dataclass
class MatrixFilter:
    round_id: int | None = None
    indicator_code: str | None = None
    objective: int | None = None
    strategy: bool = False  # only comments on the disaggregation strategy
    constituency: str | None = None
    disposition: str | None = None  # a disposition key, or "unanswered"
    include_hidden: bool = True
    language: str | None = None  # a comment language code (consultation.languages), "und" for not determined


_COLUMNS = (Comment.id, Comment.round_id, Comment.parent_id, Comment.created_at, Comment.author_name,
            Comment.organisation, Comment.constituency, Framework.key, FrameworkItem.code, FrameworkItem.title,
            Comment.objective, Comment.stance, Comment.text, Comment.hidden, Response.disposition,
            Response.text, Response.responder, Comment.target_kind, Comment.language)


def _query(filt: MatrixFilter):
    # Plain column tuples, not ORM objects: 50,000 rows load in a fraction of the time.
    q = (select(*_COLUMNS)
         .join(Response, Response.comment_id == Comment.id, isouter=True)
         .join(FrameworkItem, FrameworkItem.id == Comment.item_id, isouter=True)
         .join(Framework, Framework.id == FrameworkItem.framework_id, isouter=True))
    return _where(q, filt)


def _where(q, filt: MatrixFilter):
    if filt.round_id is not None:
        q = q.where(Comment.round_id == filt.round_id)
    if filt.indicator_code:
        q = q.where(FrameworkItem.code == filt.indicator_code)
    if filt.objective is not None:
        q = q.where(Comment.objective == filt.objective)
    if filt.strategy:
        q = q.where(Comment.target_kind == STRATEGY)
    if filt.constituency:
        q = q.where(Comment.constituency == filt.constituency)
    if filt.disposition == "unanswered":
        q = q.where(Response.id == None)  # noqa: E711
    elif filt.disposition:
        q = q.where(Response.disposition == filt.disposition)
    if not filt.include_hidden:
        q = q.where(Comment.hidden == False)  # noqa: E712
    if filt.language == UNDETERMINED:
        q = q.where(Comment.language.in_([UNDETERMINED, ""]))  # "" : stored before detection existed
    elif filt.language:
        q = q.where(Comment.language == filt.language)
    return q


def _for_reader(actor: Actor, filt: MatrixFilter) -> MatrixFilter:
    """The filter as ``actor`` may run it: hidden comments only for those who may read them."""
    require(actor, "matrix.read")
    if can(actor, "comments.hidden.read"):
        return filt
    return MatrixFilter(**{**filt.__dict__, "include_hidden": False})


def _record_columns(rows) -> list[list]:
    """The matrix's columns (as in MATRIX_COLUMNS) from the query's rows, converted column by
    column (a few C-level passes, not a Python step per cell of 50,000 rows)."""
    if not rows:
        return [[] for _ in MATRIX_COLUMNS]
    (cid, rid, parent, created, author, org, const, fw, code, title, objective, stance, text, hidden,
     disp, resp, responder, target_kind, language) = map(list, zip(*rows))
    consts, stances, disps = CONSTITUENCIES, STANCES, DISPOSITIONS

    def blank(values: list) -> list:
        return [("" if v is None else v) for v in values] if None in values else values

    return [
        cid, rid, blank(parent),
        [c.strftime("%Y-%m-%d %H:%M UTC") if c else "" for c in created], author, org,
        list(map(consts.get, const, const)), blank(fw), blank(code), blank(title), blank(objective),
        list(map(describe_target, target_kind, code, objective)),
        list(map(stances.get, stance, stance)), text, hidden,
        [disps.get(d, "") if d else "" for d in disp], blank(resp), blank(responder),
        [lang or UNDETERMINED for lang in language],
    ]


def _records(rows) -> list[tuple]:
    return list(zip(*_record_columns(rows))) if rows else []


def matrix_page(*, session: Session, actor: Actor, filt: MatrixFilter, page: int = 1,
                page_size: int = 50) -> tuple[pd.DataFrame, int]:
    """One page of the matrix (newest first) and the number of matching comments."""
    filt = _for_reader(actor, filt)
    page = max(1, int(page))
    total = session.exec(_where(select(func.count(Comment.id))
                          .select_from(Comment)
                          .join(Response, Response.comment_id == Comment.id, isouter=True)
                          .join(FrameworkItem, FrameworkItem.id == Comment.item_id, isouter=True), filt)).one()
    rows = session.exec(_query(filt).order_by(Comment.id.desc()).offset((page - 1) * page_size).limit(page_size)).all()
    return pd.DataFrame.from_records(_records(rows), columns=MATRIX_COLUMNS), int(total)


def matrix_frame(*, session: Session, actor: Actor, round_id: int, language: str | None = None) -> pd.DataFrame:
    """Every comment of a round with its answer, oldest first (for export); hidden ones only for
    those who may read them; with ``language``, only the comments in that language."""
    columns = matrix_columns(session=session, actor=actor, round_id=round_id, language=language)
    return pd.DataFrame(dict(zip(MATRIX_COLUMNS, columns)), columns=MATRIX_COLUMNS)


def matrix_columns(*, session: Session, actor: Actor, round_id: int, language: str | None = None) -> list[list]:
    """The columns of ``matrix_frame`` as lists (in the order of MATRIX_COLUMNS): what the XLSX
    export writes, without building a DataFrame of 50,000 rows first."""
    filt = _for_reader(actor, MatrixFilter(round_id=round_id, language=language))
    get_round(round_id, session=session)
    # Core rows (plain tuples), not the ORM's: the export's one query costs a third less.
    return _record_columns(session.connection().execute(_query(filt).order_by(Comment.id)).all())


def participation(round_id: int | None = None, *, session: Session, actor: Actor) -> dict[str, pd.DataFrame]:
    """Comments by constituency and by objective; answered and unanswered (visible comments).
    Near-identical comments (same normalised text) are counted once."""
    require(actor, "matrix.read")
    return _participation(session, round_id)


def _participation(session: Session, round_id: int | None) -> dict[str, pd.DataFrame]:
    base = select(Comment).where(Comment.hidden == False)  # noqa: E712
    if round_id is not None:
        base = base.where(Comment.round_id == round_id)
    sub = base.subquery()
    by_c = session.exec(select(sub.c.constituency, func.count(func.distinct(sub.c.text_key)))
                  .group_by(sub.c.constituency)).all()
    by_o = session.exec(select(sub.c.objective, func.count(func.distinct(sub.c.text_key)))
                  .where(sub.c.objective != None).group_by(sub.c.objective)).all()  # noqa: E711
    answered = session.exec(select(func.count(sub.c.id)).select_from(sub)
                      .join(Response, Response.comment_id == sub.c.id)).one()
    total = session.exec(select(func.count(sub.c.id)).select_from(sub)).one()
    by_l = session.exec(select(sub.c.language, func.count(func.distinct(sub.c.text_key)))
                  .group_by(sub.c.language)).all()
    by_d = session.exec(select(Response.disposition, func.count(Response.id))
                  .join(sub, sub.c.id == Response.comment_id).group_by(Response.disposition)).all()
    return {
        "constituency": pd.DataFrame([(CONSTITUENCIES.get(k, k or "not given"), n) for k, n in by_c],
                                     columns=["constituency", "comments"]),
        "objective": pd.DataFrame(sorted(by_o), columns=["objective", "comments"]),
        "disposition": pd.DataFrame([(DISPOSITIONS.get(k, k), n) for k, n in by_d], columns=["disposition", "comments"]),
        "language": _by_language(by_l),
        "totals": pd.DataFrame([{"comments": total, "answered": answered, "unanswered": total - answered}]),
    }


def _by_language(rows) -> pd.DataFrame:
    """Comments per language code, in COMMENT_LANGUAGES order ("" counted as not determined)."""
    counts: dict[str, int] = {}
    for code, n in rows:
        code = code or UNDETERMINED
        counts[code] = counts.get(code, 0) + int(n)
    order = {c: i for i, c in enumerate(COMMENT_LANGUAGES)}
    ranked = sorted(counts.items(), key=lambda kv: (order.get(kv[0], len(order)), kv[0]))
    return pd.DataFrame(ranked, columns=["language", "comments"])


# --------------------------------------------------------------------------- export


@dataclass
class Columns:
    """A sheet given as plain column lists (all of one length) rather than as a DataFrame."""

    names: list[str]
    values: list[list]


def _frame_columns(df: pd.DataFrame) -> list[list]:
    """A frame's columns as lists of Python values, missing values as None."""
    out = []
    for i in range(df.shape[1]):
        s = df.iloc[:, i]
        values = s.tolist()
        if s.hasnans:
            values = [None if missing else v for v, missing in zip(values, s.isna().tolist())]
        out.append(values)
    return out


_NOT_TEXT = {int, float, bool, type(None)}
_is_text = str.__instancecheck__


def _safe_column(values: list) -> list:
    """``values`` with every text that a spreadsheet could run as a formula made plain text
    (a leading apostrophe, as in the CSV) and NaN as blank. The texts of a column are searched
    joined, so a clean column costs no Python step per cell."""
    kinds = set(map(type, values))
    texts = "\x00" + "\x00".join(filter(_is_text, values)) if kinds - _NOT_TEXT else ""
    if not any("\x00" + p in texts for p in FORMULA_PREFIXES) and float not in kinds:
        return values
    prefixes = FORMULA_PREFIXES
    return [("'" + v if v.startswith(prefixes) else v) if _is_text(v)
            else (None if v is None or v != v else v) for v in values]


def write_xlsx(sheets: dict[str, pd.DataFrame | Columns], out: Path | io.BytesIO) -> None:
    """An XLSX with styled, filterable, frozen headers and readable widths. Text is neutralised
    and written as strings (XlsxWriter never turns it into a formula); streamed row by row."""
    import xlsxwriter

    target = str(out) if isinstance(out, Path) else out
    wb = xlsxwriter.Workbook(target, {"constant_memory": True, "strings_to_formulas": False,
                                      "strings_to_urls": False, "strings_to_numbers": False, "in_memory": False})
    head = wb.add_format({"bold": True, "font_color": "#FFFFFF", "bg_color": "#1F4E79", "text_wrap": True,
                          "valign": "top"})
    for name, sheet in sheets.items():
        header = [str(c) for c in (sheet.names if isinstance(sheet, Columns) else sheet.columns)]
        columns = [_safe_column(c) for c in (sheet.values if isinstance(sheet, Columns) else _frame_columns(sheet))]
        n_rows = len(columns[0]) if columns else 0
        ws = wb.add_worksheet(name[:31])
        for i, (col, values) in enumerate(zip(header, columns)):
            sample = [col] + ["" if v is None else str(v) for v in values[:200]]
            ws.set_column(i, i, min(60, max(8, max(len(x) for x in sample) + 2)))
            ws.write_string(0, i, col, head)
        ws.freeze_panes(1, 0)
        if header:
            ws.autofilter(0, 0, max(0, n_rows), len(header) - 1)
        # Whole rows straight to XlsxWriter (in constant-memory mode it streams them to disk):
        # no per-cell step of ours, so the export costs little more than XlsxWriter's own write.
        write_row = ws.write_row
        for r, row in enumerate(zip(*columns), start=1):
            write_row(r, 0, row)
    wb.close()


def _check_language(language: str | None) -> str | None:
    if language and language not in COMMENT_LANGUAGES:
        raise UserError(f"Unknown comment language '{language}'; languages are {', '.join(COMMENT_LANGUAGES)}.")
    return language or None


def export_matrix(*, session: Session, actor: Actor, round_id: int, fmt: str, out: Path,
                  language: str | None = None) -> int:
    """Write the comment-response matrix of a round (only one language's comments with
    ``language``); return the number of comments."""
    if fmt not in ("xlsx", "csv"):
        raise UserError("The format must be xlsx or csv.")
    columns = matrix_columns(actor=actor, round_id=round_id, session=session, language=_check_language(language))
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "csv":
        write_csv(pd.DataFrame(dict(zip(MATRIX_COLUMNS, columns)), columns=MATRIX_COLUMNS), out)
    else:
        write_xlsx({"Comment-response matrix": Columns(MATRIX_COLUMNS, columns)}, out)
    return len(columns[0])


def export_bytes(*, session: Session, actor: Actor, round_id: int, fmt: str, language: str | None = None) -> bytes:
    """The matrix as a file's bytes, for a download button (one language's comments with ``language``)."""
    language = _check_language(language)
    if fmt == "csv":
        from indicators_lab.core.exports import neutralise_frame

        df = matrix_frame(actor=actor, round_id=round_id, session=session, language=language)
        return neutralise_frame(df).to_csv(index=False).encode("utf-8")
    buf = io.BytesIO()
    write_xlsx({"Comment-response matrix": Columns(MATRIX_COLUMNS, matrix_columns(
        actor=actor, round_id=round_id, session=session, language=language))}, buf)
    return buf.getvalue()


# --------------------------------------------------------------------------- offline template and import


# The template's column headings, in the reader's language; the import reads them back in any
# interface language (and as the keys themselves, which the English headings normalise to).
TEMPLATE_HEADINGS = {
    "organisation": N_("Organisation"), "constituency": N_("Constituency"), "indicator_code": N_("Indicator code"),
    "objective": N_("Objective"), "stance": N_("Stance"), "comment": N_("Comment"), ABOUT_COLUMN: N_("About"),
}


def _header_key(header: object) -> str:
    return normalise_header(header).replace(" ", "_")


@lru_cache(maxsize=1)
def _heading_keys() -> dict[str, str]:
    """A template heading in any interface language (normalised) -> its column key."""
    from indicators_lab.core.i18n import LANGUAGES, use_locale

    out: dict[str, str] = {}
    for code in LANGUAGES:
        with use_locale(code):
            for key, label in TEMPLATE_HEADINGS.items():
                out.setdefault(_header_key(_(label)), key)
    return out


def template_xlsx(round_id: int, *, session: Session, actor: Actor) -> bytes:
    """A workbook to fill in offline: the comment sheet, the round's indicators and the valid
    values. Co-leads: any round. A participant (stakeholder, ExCom member): a round they may
    comment in now, holding only what they may read of it (no one's comments, their own
    organisation and constituency)."""
    from indicators_lab.catalogue.translations import translation
    from indicators_lab.consultation.rounds import participant, require_taking_part, set_items
    from indicators_lab.core.i18n import DEFAULT, current_locale

    if can(actor, "rounds.manage"):
        r = get_round(round_id, session=session)
        mine = None
    else:
        require(actor, "rounds.template.download")
        r = require_taking_part(round_id, session=session, actor=actor)
        mine = participant(actor, session=session)
    items = set_items(round_id, session=session, actor=actor)
    lang = current_locale()
    columns = IMPORT_COLUMNS + ([ABOUT_COLUMN] if r.version is not None else [])
    heading = {key: _(label) for key, label in TEMPLATE_HEADINGS.items()}

    def title(item: dict) -> str:  # untranslated titles stay in English, marked
        found = translation(item.get("attributes"), "title", lang)
        return found or (item["title"] if lang == DEFAULT else f"[EN] {item['title']}")

    constituencies = [CONSTITUENCIES[c] for c in r.constituencies if c in CONSTITUENCIES] or list(CONSTITUENCIES.values())
    how = _("One row per comment. {indicator_code} or {objective} (1-23) may be empty for a comment on the set as a "
            "whole. Keep the column headings as they are (they are read in English, French or Spanish); write the "
            "comment in any language.").format(indicator_code=heading["indicator_code"], objective=heading["objective"])
    if r.version is not None:
        how += " " + _("Write '{strategy}' under {about} for a comment on the disaggregation strategy of the row's "
                       "objective.").format(strategy=STRATEGY, about=heading[ABOUT_COLUMN])
    fields, values = [_("round"), _("round id")], [r.title, str(r.id)]
    if mine is not None:
        organisation, constituency = mine
        how += " " + _("Write your organisation and constituency on every row, then send the file to the co-leads "
                       "of the round: they import it.")
        fields += [_("your organisation"), _("your constituency")]
        values += [organisation, _(CONSTITUENCIES.get(constituency, constituency)) if constituency else ""]
    # In the language of whoever downloads it: sheet names, headings, labels; the constituency
    # and stance labels are accepted back in any interface language.
    buf = io.BytesIO()
    write_xlsx({
        _("Comments"): pd.DataFrame(columns=[heading[c] for c in columns]),
        _("Indicators"): pd.DataFrame([(i["code"], i["framework"], title(i)) for i in items],
                                      columns=[heading["indicator_code"], _("Framework"), _("Title")]),
        _("Constituencies"): pd.DataFrame({heading["constituency"]: [_(v) for v in constituencies]}),
        _("Stances"): pd.DataFrame({heading["stance"]: [_(v) for v in STANCES.values()]}),
        _("About"): pd.DataFrame({_("Field"): [*fields, _("how")], _("Value"): [*values, how]}),
    }, buf)
    return buf.getvalue()


def _code_lookup(set_id: int | None, *, session: Session, round_id: int | None = None) -> dict[str, int | list]:
    """indicator code (and framework:code) -> item id; a code shared by frameworks maps to a list.
    With a set, only the round's indicators (as they were when it opened)."""
    q = select(FrameworkItem.id, FrameworkItem.code, FrameworkItem.attributes, Framework.key).join(
        Framework, Framework.id == FrameworkItem.framework_id)
    if set_id is not None:
        q = q.join(RoundItem, RoundItem.item_id == FrameworkItem.id).where(RoundItem.round_id == round_id)
    rows = session.exec(q).all()
    out: dict[str, int | list] = {}
    for item_id, code, attrs, key in rows:
        for c in [code, *((attrs or {}).get("also_codes") or [])]:
            out[f"{key}:{c}".lower()] = item_id
            prev = out.get(c.lower())
            if prev is None:
                out[c.lower()] = item_id
            elif prev != item_id:
                out[c.lower()] = (prev if isinstance(prev, list) else [prev]) + [item_id]
    return out


def import_comments(*, session: Session, actor: Actor, data: bytes, filename: str, round_id: int,
                    max_bytes: int) -> int:
    """Import offline comments (CSV or XLSX, columns as in IMPORT_COLUMNS) in one transaction.
    Any bad row refuses the whole file with its row number and problem; returns the count."""
    require_role(actor, "co_lead")
    r = get_round(round_id, session=session)
    headers, rows = read_table(data, filename, max_bytes=max_bytes)
    # The template's headings in any interface language; other columns as they are.
    keys = _heading_keys()
    headers = [keys.get(_header_key(h), h) for h in headers]
    cols = column_index(headers, {*IMPORT_COLUMNS, ABOUT_COLUMN})
    missing = [c for c in IMPORT_COLUMNS if c not in cols]
    if missing:
        raise UserError(_("The file needs the columns {columns}; missing: {missing}.").format(
            columns=", ".join(IMPORT_COLUMNS), missing=", ".join(missing)))
    lookup = _code_lookup(r.set_id, session=session, round_id=r.id)
    where = _("in the set under consultation") if r.set_id else _("in any framework")
    comments = []
    for n, row in enumerate(rows, start=2):
        def cell(name: str) -> str:
            return row[cols[name]].strip()

        try:
            text = _clean_text(cell("comment"))
            constituency = normalise_choice(cell("constituency"), CONSTITUENCIES, "constituency")
            stance = normalise_choice(cell("stance"), STANCES, "stance") if cell("stance") else ""
        except UserError as exc:
            raise UserError(_("Row {n}: {problem}").format(n=n, problem=exc)) from None
        if r.constituencies and constituency not in r.constituencies:
            allowed = ", ".join(_(CONSTITUENCIES.get(c, c)) for c in r.constituencies)
            raise UserError(_("Row {n}: this round is open to {allowed} only, not to {constituency}.").format(
                n=n, allowed=allowed, constituency=_(CONSTITUENCIES.get(constituency, constituency))))
        item_id = None
        if cell("indicator_code"):
            found = lookup.get(cell("indicator_code").lower())
            if found is None:
                raise UserError(_("Row {n}: unknown indicator '{code}' (not {where}).").format(
                    n=n, code=cell("indicator_code"), where=where))
            if isinstance(found, list):
                raise UserError(_("Row {n}: the code '{code}' is in several frameworks; write it as "
                                  "framework:code, e.g. sdg:10.7.2.").format(n=n, code=cell("indicator_code")))
            item_id = found
        objective = None
        if cell("objective"):
            objective = parse_objective(cell("objective"), n)
            if not 1 <= objective <= 23:
                raise UserError(_("Row {n}: there is no GCM objective {objective}; objectives are 1 to 23.").format(
                    n=n, objective=objective))
        target_kind = ""
        if ABOUT_COLUMN in cols and cell(ABOUT_COLUMN):
            if cell(ABOUT_COLUMN).lower() != STRATEGY:
                raise UserError(_("Row {n}: 'about' is '{about}'; leave it empty, or write 'strategy' for a "
                                  "comment on the disaggregation strategy of the row's objective.").format(
                    n=n, about=cell(ABOUT_COLUMN)))
            if r.version is None:
                raise UserError(_("Row {n}: this round is on a candidate set, not a frozen version: it has no "
                                  "disaggregation strategy to comment on.").format(n=n))
            if objective is None or item_id is not None:
                raise UserError(_("Row {n}: a comment on the strategy names an objective (1-23) and no "
                                  "indicator.").format(n=n))
            target_kind = STRATEGY
        organisation = cell("organisation")[:300]
        comments.append(Comment(
            round_id=round_id, author_name=organisation or "(offline)", organisation=organisation,
            constituency=constituency, item_id=item_id, objective=objective, target_kind=target_kind,
            stance=stance, text=text, text_key=text_key(text), language=detect_language(text),
            source=f"import:{Path(filename).name}"[:300],
        ))
    session.add_all(comments)
    return len(comments)

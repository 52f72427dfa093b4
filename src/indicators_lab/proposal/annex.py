"""The annex of a proposal version for the Secretary-General's report: XLSX, DOCX, CSV, JSON.

Everything comes from the version's frozen snapshot (plus the consultation on its set), so an
export of version N is the same whenever it is made, except the disaggregation strategy's readings
of the metadata and imported data, which are those of the day (with their sources and dates). Spreadsheet outputs (XLSX, CSV) neutralise
text that a spreadsheet would run as a formula. The JSON schema is in docs/annex-schema.md.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from sqlmodel import Session

from indicators_lab.core.access import Actor, require
from indicators_lab.catalogue.frameworks import framework_names, list_frameworks, list_objectives
from indicators_lab.consultation.rounds import _all_rounds, _aware
from indicators_lab.core.errors import UserError
from indicators_lab.core.exports import write_csv
from indicators_lab.core.i18n import DEFAULT, N_, _, current_locale, format_date, format_percent, ngettext, use_locale
from indicators_lab.core.vocabulary import CONSTITUENCIES
from indicators_lab.consultation.matrix import (
    MATRIX_COLUMNS, MatrixFilter, _participation, _query, _records, matrix_frame, write_xlsx,
)
from indicators_lab.core.models import Comment
from indicators_lab.proposal.versions import SCHEMA_VERSION, VersionInfo, version_links, visible_version

FORMATS = ("xlsx", "docx", "csv", "json", "strategy-csv")
METHODOLOGY = N_(
    "The indicators below were proposed in response to paragraph 70 of the IMRF Progress Declaration, "
    "which asked for a limited set of indicators to help Member States review progress on the objectives "
    "of the Global Compact for Safe, Orderly and Regular Migration. Existing indicators (the SDG global "
    "indicator framework, SDG indicator 10.7.2 and IOM's Migration Governance Indicators, among others) "
    "were mapped to the 23 objectives and their actions; suggested links were reviewed by the co-leads, "
    "who graded each link as direct, partial or proxy and recorded a rationale. The set was chosen to "
    "cover every objective with as few indicators as possible, preferring indicators with established "
    "data (Tier I), and was revised after consultation with stakeholders."
)


# Columns of the public annex's consultation sheet: no author, no responder, no hidden flag.
PUBLIC_CONSULTATION_COLUMNS = [c for c in MATRIX_COLUMNS if c not in ("author", "hidden", "responder")]


def _translated_titles(df: pd.DataFrame, language: str, *, session: Session) -> list[str | None]:
    """Each row's indicator title in ``language`` from the catalogue (SDG titles in French and
    Spanish, imported title columns), None where there is none."""
    from sqlmodel import select

    from indicators_lab.catalogue.translations import translation
    from indicators_lab.core.models import Framework, FrameworkItem

    codes = set(df["code"])
    if not codes:
        return []
    rows = session.exec(select(Framework.key, FrameworkItem.code, FrameworkItem.attributes)
                        .join(Framework, Framework.id == FrameworkItem.framework_id)
                        .where(FrameworkItem.code.in_(codes))).all()
    found = {(key, code): translation(attrs, "title", language) for key, code, attrs in rows}
    return [found.get((f, c)) for f, c in zip(df["framework"], df["code"])]


def indicators_table(v: VersionInfo, *, session: Session, full: bool = True) -> pd.DataFrame:
    """The version's indicators by objective. In French or Spanish (the current language) the
    title is the catalogue's translation where there is one, with ``title_en`` (the frozen English
    title) and ``title_language`` ("en" where the English one is shown for want of a translation)."""
    titles = {o.number: o.title for o in list_objectives(session=session)}
    df = version_links(v)
    language = current_locale()
    if language != DEFAULT:
        translated = _translated_titles(df, language, session=session)
        df["title_en"] = df["title"]
        df["title_language"] = [language if t else "en" for t in translated]
        df["title"] = [t or en for t, en in zip(translated, df["title_en"])]
    df.insert(1, "objective_title", df["objective"].map(lambda o: titles.get(int(o), "") if pd.notna(o) else ""))
    df = df.sort_values(["objective", "framework", "code"], na_position="last")
    extra = ["title_en", "title_language"] if "title_en" in df else []
    out = df[["objective", "objective_title", "code", "title", *extra, "framework", "tier", "custodian", "grade",
              "action", "rationale"]].copy()
    out["objective"] = out["objective"].map(lambda o: int(o) if pd.notna(o) else "")
    out["action"] = [f"{o}({a})" if a else "" for o, a in zip(out["objective"], out["action"])]
    if not full:
        out = out.drop(columns=["rationale"])
    return out.reset_index(drop=True)


def percent(share) -> str:
    """A share as people read it: 0.0909 -> '9%'."""
    return f"{float(share):.0%}" if pd.notna(share) else ""


def coverage_table(v: VersionInfo, *, session: Session) -> pd.DataFrame:
    """One row per objective for readers: shares as rounded percentages, weights to two places
    (the JSON export keeps the exact numbers)."""
    titles = {o.number: o.title for o in list_objectives(session=session)}
    cov = pd.DataFrame(v.snapshot["coverage"])
    cov.insert(1, "objective_title", cov["objective"].map(titles))
    for col in ("coverage", "action_share"):
        if col in cov:
            cov[col] = cov[col].map(percent)
    if "weight" in cov:
        cov["weight"] = cov["weight"].astype(float).round(2)
    return cov


def _public_comments(session: Session, round_id: int) -> pd.DataFrame:
    rows = session.exec(_query(MatrixFilter(round_id=round_id, include_hidden=False)).order_by(Comment.id)).all()
    return pd.DataFrame.from_records(_records(rows), columns=MATRIX_COLUMNS)[PUBLIC_CONSULTATION_COLUMNS]


def annex_rounds(v: VersionInfo, *, session: Session) -> list:
    """The rounds whose comments belong to version ``v``'s annex: the rounds on this version, and
    the rounds on its candidate set that had opened when it was frozen (they consulted on what was
    frozen). Rounds on later versions, or opened on the set after freezing, are about what came
    next; approval closes the rounds still open on the set, so an approved annex stays as it was."""
    frozen = _aware(v.created_at)
    return [r for r in _all_rounds(session)
            if r.version == v.number or (r.version is None and r.set_id == v.set_id and r.opens_at <= frozen)]


def consultation_table(v: VersionInfo, actor: Actor, *, session: Session, full: bool) -> pd.DataFrame:
    """The comments on the version's set: every one with its author (full), or the visible ones
    without authors' names (public)."""
    rounds = annex_rounds(v, session=session)
    frames = [matrix_frame(actor=actor, round_id=r.id, session=session) if full else _public_comments(session, r.id)
              for r in rounds]
    frames = [f for f in frames if len(f)]
    if not frames:
        return pd.DataFrame(columns=["comment_id", "comment", "disposition", "response"])
    return pd.concat(frames, ignore_index=True)


def sources_table(v: VersionInfo, *, session: Session) -> pd.DataFrame:
    used = {it["framework"] for it in v.snapshot["items"]} | {"gcm"}
    rows = [{"framework": f.key, "name": f.name, "source": f.source, "licence": f.licence, "known gaps": f.gaps}
            for f in list_frameworks(include_gcm=True, session=session) if f.key in used]
    return pd.DataFrame(rows, columns=["framework", "name", "source", "licence", "known gaps"])


def version_meta(v: VersionInfo) -> dict:
    return {
        "number": v.number, "set_name": v.set_name, "change_note": v.note, "created_by": v.created_by,
        "created_at": v.created_at.isoformat(), "approved": v.approved, "approved_by": v.approved_by,
        "approved_at": v.approved_at.isoformat() if v.approved_at else None,
    }


def _public_links(links: list[dict]) -> list[dict]:
    return [{k: val for k, val in lk.items() if k not in ("rationale", "decided_by")} for lk in links]


def export_version(number: int, fmt: str, out: Path, *, session: Session, actor: Actor, full: bool = False,
                   language: str | None = None) -> Path:
    """Write version ``number`` in ``fmt`` to ``out``; returns the path. The public annex (approved
    versions; drafts for ExCom and co-leads) has no hidden comments, authors' names or rationale;
    ``full`` (co-leads, admins) has everything. ``language`` ("en", "fr", "es"; default: the current
    one) sets the headings, labels and indicator titles where translated; official text that has
    no translation (GCM objectives, sources, metadata) stays in English, marked."""
    from indicators_lab.core.i18n import LANGUAGES

    if language is not None and language not in LANGUAGES:
        raise UserError(f"Unknown language '{language}'; languages are {', '.join(LANGUAGES)}.")
    with use_locale(language or current_locale()):
        return _export_version(number, fmt, out, session=session, actor=actor, full=full)


def _export_version(number: int, fmt: str, out: Path, *, session: Session, actor: Actor, full: bool) -> Path:
    require(actor, "annex.full.download" if full else "annex.download")
    if fmt not in FORMATS:
        raise UserError(f"The format must be one of {', '.join(FORMATS)}.")
    v = visible_version(number, session=session, actor=actor)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    indicators = indicators_table(v, session=session, full=full)
    from indicators_lab.proposal.strategy import localise, strategy_comments, strategy_records, strategy_table

    if fmt == "strategy-csv":  # the gaps and readings in the annex's language, as in the XLSX
        write_csv(localise(strategy_table(v, session=session)), out)
    elif fmt == "csv":
        meta = pd.DataFrame({"version": [v.number] * len(indicators), "approved": [v.approved] * len(indicators)})
        write_csv(pd.concat([meta, indicators], axis=1), out)
    elif fmt == "json":
        doc = {
            "schema": "indicators-lab/annex", "schema_version": SCHEMA_VERSION, "version": version_meta(v),
            "grade_weights": v.snapshot["grade_weights"], "summary": v.snapshot["summary"],
            "indicators": [
                {"key": it["key"], "framework": it["framework"], "code": it["code"], "title": it["title"],
                 "tier": it["tier"], "custodian": it["custodian"],
                 "links": it["links"] if full else _public_links(it["links"])}
                for it in v.snapshot["items"]],
            "coverage": v.snapshot["coverage"],
            "strategy": strategy_records(v, session=session),
            "strategy_comments": strategy_comments(v, session=session, full=full).to_dict(orient="records"),
        }
        out.write_text(json.dumps(doc, ensure_ascii=False, indent=2, default=str), encoding="utf-8")
    elif fmt == "xlsx":
        # Sheet names in the annex's language; column names stay as they are (documented in
        # docs/annex-schema.md, read by people's own scripts).
        write_xlsx({
            _("Indicators"): indicators,
            _("Coverage"): coverage_table(v, session=session),
            _("Consultation"): consultation_table(v, actor, session=session, full=full),
            _("Sources"): sources_table(v, session=session),
            _("Disaggregation strategy"): localise(strategy_table(v, session=session)),
            _("Strategy comments"): strategy_comments(v, session=session, full=full),
        }, out)
    else:
        _docx(v, indicators, out, actor, session=session)
    return out


def _docx(v: VersionInfo, indicators: pd.DataFrame, out: Path, actor: Actor, *, session: Session) -> None:
    from docx import Document
    from docx.shared import Pt

    doc = Document()
    doc.styles["Normal"].font.size = Pt(10)
    translated = current_locale() != DEFAULT
    doc.add_heading(_("Annex: proposed limited set of GCM indicators (version {n})").format(n=v.number), level=1)
    status = (_("Approved by {name} on {when}.").format(name=v.approved_by, when=format_date(v.approved_at, "long"))
              if v.approved else _("Draft, not yet approved."))
    doc.add_paragraph(status + " " + _("Change note: {note}").format(note=v.note))
    if translated:
        doc.add_paragraph(_(
            "Language: the headings, labels and indicator titles are translated where a translation exists (SDG "
            "titles: the open-sdg community translations). The Global Compact's objectives, the sources and the "
            "metadata have no translation here: they are given in English, marked [EN]. The translations of this "
            "interface were written by the developers and still need review."))
    doc.add_heading(_("Methodology"), level=2)
    doc.add_paragraph(_(METHODOLOGY))
    summary = v.snapshot["summary"]
    doc.add_heading(_("Coverage summary"), level=2)
    doc.add_paragraph(_(
        "The set has {items} indicators covering {covered} of the 23 objectives (mean weighted coverage {mean}; "
        "{tier} Tier I; {migrants} already name migrants).").format(
        items=summary["items"], covered=summary["objectives_covered"], mean=format_percent(summary["mean_coverage"]),
        tier=format_percent(summary["tier_1_share"]), migrants=format_percent(summary["names_migrants_share"])))
    gaps = [c["objective"] for c in v.snapshot["coverage"] if c["coverage"] == 0]
    if gaps:
        doc.add_paragraph(_("Objectives without an indicator: {objectives}.").format(objectives=", ".join(map(str, gaps))))
    doc.add_heading(_("Indicators by objective"), level=2)
    names = framework_names(session=session)
    for o in list_objectives(session=session):
        rows = indicators[indicators["objective"] == o.number]
        if rows.empty:
            continue
        doc.add_heading(_("Objective {n}: {title}").format(n=o.number, title=o.title) + (" [EN]" if translated else ""),
                        level=3)
        table = doc.add_table(rows=1, cols=5)
        table.style = "Light Grid Accent 1"
        for cell, text in zip(table.rows[0].cells, [_("Code"), _("Indicator"), _("Framework"), _("Tier"), _("Link")]):
            cell.text = text
        for r in rows.itertuples():
            cells = table.add_row().cells
            title = r.title + (" [EN]" if translated and getattr(r, "title_language", "en") == "en" else "")
            for cell, text in zip(cells, [r.code, title, names.get(r.framework, r.framework), r.tier,
                                          _(r.grade) if r.grade else ""]):
                cell.text = str(text)
    _docx_strategy(doc, v, session=session)
    doc.add_heading(_("Consultation summary"), level=2)
    rounds = annex_rounds(v, session=session)
    if not rounds:
        doc.add_paragraph(_("No consultation round was held on this set."))
    for r in rounds:
        p = _participation(session, r.id)
        t = p["totals"].iloc[0]
        by = ", ".join(f"{_(CONSTITUENCIES.get(row.constituency, row.constituency or 'not given'))} {row.comments}"
                       for row in p["constituency"].itertuples())
        disp = ", ".join(f"{_(row.disposition)} {row.comments}" for row in p["disposition"].itertuples())
        doc.add_paragraph(r.title + ": " + ngettext("{n} comment", "{n} comments", int(t["comments"])).format(
            n=int(t["comments"])) + " " + _("({n} answered). By constituency: {by}. Answers: {answers}.").format(
            n=int(t["answered"]), by=by or _("none"), answers=disp or _("none")))
    doc.save(str(out))


def _docx_strategy(doc, v: VersionInfo, *, session: Session) -> None:
    from indicators_lab.proposal.strategy import TITLE, localise, strategy_comments, strategy_table

    strategy = localise(strategy_table(v, session=session))
    translated = current_locale() != DEFAULT
    comments = strategy_comments(v, session=session)  # visible ones, without authors' names
    doc.add_heading(_(TITLE), level=2)
    doc.add_paragraph(_(
        "For each objective: the indicators of this version, whether each can be split by migratory status "
        "today (from the UN SDG metadata and the imported data extracts, as of this export), the gaps, and the "
        "actions the co-leads propose. Shares of the 193 Member States are approximate."))
    if translated:
        doc.add_paragraph(_("The metadata's own words, the data sources and the proposed actions below are in "
                            "English (no translation)."))
    for number, rows in strategy.groupby("objective", sort=True):
        doc.add_heading(_("Objective {n}: {title}").format(n=number, title=rows.iloc[0]["objective_title"])
                        + (" [EN]" if translated else ""), level=3)
        table = doc.add_table(rows=1, cols=5)
        table.style = "Light Grid Accent 1"
        for cell, text in zip(table.rows[0].cells, [_("Indicator"), _("Split by migratory status today"), _("Gap"),
                                                    _("Proposed action"), _("Who, by when")]):
            cell.text = text
        for r in rows.itertuples():
            cells = table.add_row().cells
            indicator = f"{r.code} {r.title}".strip() or _("(none)")
            today = f"{r.split_today}: {r.data}. " + _("Countries: {n}").format(n=r.countries) if r.key else ""
            who = ", ".join(x for x in (r.who, r.by_when) if x)
            for cell, text in zip(cells, [indicator, today, r.gap, r.action or _("not yet proposed"), who]):
                cell.text = str(text)
        said = comments[comments["objective"] == number]
        if len(said):
            doc.add_paragraph(ngettext("Consultation comments on this objective's strategy: {n} comment.",
                                       "Consultation comments on this objective's strategy: {n} comments.",
                                       len(said)).format(n=len(said)))
            for c in said.itertuples():  # the matrix's English labels, translated here
                who = c.organisation or (_(c.constituency) if c.constituency else _("a participant"))
                answer = (" " + _("Answer ({disposition}): {response}").format(
                    disposition=_(c.disposition), response=c.response) if c.disposition else " " + _("Not yet answered."))
                doc.add_paragraph(f"{who}: {c.comment}{answer}", style="List Bullet")

"""Strategy for improving disaggregated migration data (IMRF Progress Declaration para 70(b)).

For each GCM objective: the indicators a version links to it, whether each can be split by
migratory status today (from the shipped metadata and the imported data, with sources), the gaps,
and the co-leads' proposed actions per gap (who, by when: free text, stored per version).

The indicators and links come from the version's frozen snapshot; what the metadata and data say
is read when the strategy is drawn or exported (it is dated by the data import it comes from).
"""

from __future__ import annotations

import pandas as pd
from sqlmodel import Session, select

from indicators_lab.catalogue.data import localise_source, readiness_frame
from indicators_lab.catalogue.frameworks import list_objectives
from indicators_lab.core.access import Actor, require_role
from indicators_lab.core.i18n import N_, _
from indicators_lab.core.db import upsert
from indicators_lab.core.errors import UserError
from indicators_lab.core.models import Framework, FrameworkItem, ProposalVersion, StrategyAction, utcnow
from indicators_lab.proposal.versions import VersionInfo, get_version, lock_version

TITLE = N_("Strategy for improving disaggregated migration data")
COLUMNS = ["objective", "objective_title", "key", "code", "title", "framework", "split_today",
           "metadata", "data", "data_share", "countries", "gap", "action", "who", "by_when", "strategy_comments"]
COMMENT_COLUMNS = ["objective", "round", "comment_id", "reply_to", "created_at", "organisation", "constituency",
                   "stance", "comment", "disposition", "response"]
MAX_ACTION = 5000
# The gap of a row, in English in the table (the CSV and JSON are the same in every language);
# ``localise`` words it in the reader's language from the row itself.
NO_INDICATOR = N_("No indicator of this version covers the objective.")
NOT_SDG = N_("Not an SDG indicator: no shipped metadata or data extract says whether it can be split by migratory status.")
CANNOT_SPLIT = N_("Cannot be split by migratory status today (metadata: {metadata}).")
NO_METADATA = N_("no metadata shipped")
NO_DATA = N_("no data imported")
SPLIT_TODAY = {"yes": N_("yes"), "no": N_("no")}


def _gap(key: str, framework: str, split: bool) -> str:
    """The row's gap, a template of the catalogue (empty when it can be split today)."""
    if not key:
        return NO_INDICATOR
    if split:
        return ""
    return NOT_SDG if framework != "sdg" else CANNOT_SPLIT


def localise(table: pd.DataFrame) -> pd.DataFrame:
    """``strategy_table`` with its sentences in the current language: the gap, the metadata's
    reading, split today and the fixed source wordings; what quotes the metadata or names a file
    stays as it is (English official text). Keys, numbers and the co-leads' text are unchanged."""
    if table.empty:
        return table

    def gap(row) -> str:
        if not row["gap"]:
            return ""
        template = _gap(row["key"], row["framework"], False)
        return _(template).format(metadata=_(row["metadata"]) if row["metadata"] else "")

    return table.assign(
        gap=[gap(r) for r in table.to_dict(orient="records")],
        metadata=[_(m) if m else m for m in table["metadata"]],
        split_today=[_(SPLIT_TODAY[v]) if v in SPLIT_TODAY else v for v in table["split_today"]],
        data=[localise_source(d) for d in table["data"]],
        countries=[localise_source(c) for c in table["countries"]],
    )


def _item_ids(keys: list[str], *, session: Session) -> dict[str, int]:
    pairs = [k.split(":", 1) for k in keys if ":" in k]
    if not pairs:
        return {}
    rows = session.exec(
        select(FrameworkItem.id, Framework.key, FrameworkItem.code)
        .join(Framework, Framework.id == FrameworkItem.framework_id)
        .where(FrameworkItem.code.in_(sorted({c for _, c in pairs})))
    ).all()
    wanted = set(keys)
    return {f"{fw}:{code}": item_id for item_id, fw, code in rows if f"{fw}:{code}" in wanted}


def _actions(version_id: int, *, session: Session) -> dict[tuple[int, str], StrategyAction]:
    return {(a.objective, a.item_key): a
            for a in session.exec(select(StrategyAction).where(StrategyAction.version_id == version_id))}


def _version_row(number: int, *, session: Session) -> ProposalVersion:
    row = session.exec(select(ProposalVersion).where(ProposalVersion.number == number)).first()
    if row is None:
        get_version(number, session=session)  # raises NotFound with the known numbers
    return row


def strategy_comments(v: VersionInfo, *, session: Session, full: bool = False,
                      rounds: set[int] | None = None) -> pd.DataFrame:
    """The comments (and replies) on this version's strategy, objective by objective, from every
    round on the version, with the co-leads' answers: visible ones without authors' names, or
    (``full``) every one with its author and whether it is hidden. The caller has checked that
    the reader may see them (the annex's own permission), or names the ``rounds`` they may read."""
    from indicators_lab.consultation.matrix import MATRIX_COLUMNS, MatrixFilter, _query, _records
    from indicators_lab.consultation.rounds import _all_rounds
    from indicators_lab.core.models import Comment

    columns = COMMENT_COLUMNS + (["author", "hidden", "responder"] if full else [])
    frames = []
    for r in _all_rounds(session):
        if r.version != v.number or (rounds is not None and r.id not in rounds):
            continue
        rows = session.exec(_query(MatrixFilter(round_id=r.id, strategy=True, include_hidden=full))
                            .order_by(Comment.id)).all()
        if rows:
            frame = pd.DataFrame.from_records(_records(rows), columns=MATRIX_COLUMNS).assign(round=r.title)
            frames.append(frame[columns])
    if not frames:
        return pd.DataFrame(columns=columns)
    return pd.concat(frames, ignore_index=True).sort_values(["objective", "comment_id"], ignore_index=True)


def strategy_table(v: VersionInfo, *, session: Session, rounds: set[int] | None = None) -> pd.DataFrame:
    """One row per objective and indicator of the version linked to it (an objective without an
    indicator has one row with an empty key): split today, sources, gap, proposed action, and the
    number of visible consultation comments on the objective's strategy (in ``rounds`` only,
    when given: those the reader may read)."""
    comments = strategy_comments(v, session=session, rounds=rounds)
    per_objective = comments["objective"].value_counts().to_dict() if len(comments) else {}
    return _strategy_rows(v, session=session).assign(
        strategy_comments=lambda t: [int(per_objective.get(o, 0)) for o in t["objective"]])


def _strategy_rows(v: VersionInfo, *, session: Session) -> pd.DataFrame:
    keys = [it["key"] for it in v.snapshot["items"]]
    ids = _item_ids(keys, session=session)
    ready = readiness_frame(list(ids.values()), session=session).set_index("item_id")
    actions = _actions(_version_row(v.number, session=session).id, session=session)
    by_objective: dict[int, list[dict]] = {}
    for it in v.snapshot["items"]:
        for lk in it["links"]:
            by_objective.setdefault(int(lk["objective"]), []).append(it)
    rows = []
    for o in list_objectives(session=session):
        items = list({it["key"]: it for it in by_objective.get(o.number, [])}.values())
        if not items:
            a = actions.get((o.number, ""))
            rows.append({"objective": o.number, "objective_title": o.title, "key": "", "code": "", "title": "",
                         "framework": "", "split_today": "", "metadata": "", "data": "", "data_share": None, "countries": "",
                         "gap": NO_INDICATOR,
                         "action": a.action if a else "", "who": a.who if a else "",
                         "by_when": a.by_when if a else "", "strategy_comments": 0})
            continue
        for it in items:
            item_id = ids.get(it["key"])
            r = ready.loc[item_id] if item_id is not None and item_id in ready.index else None
            split = bool(r is not None and r["migratory_split"])
            metadata = r["migratory_metadata"] if r is not None else NO_METADATA
            data = r["migratory_source"] if r is not None else NO_DATA
            gap = _gap(it["key"], it["framework"], split).format(metadata=metadata)
            a = actions.get((o.number, it["key"]))
            rows.append({"objective": o.number, "objective_title": o.title, "key": it["key"], "code": it["code"],
                         "title": it["title"], "framework": it["framework"], "split_today": "yes" if split else "no",
                         "metadata": metadata, "data": data,
                         "data_share": float(r["data_share"]) if r is not None else None,
                         "countries": r["data_source"] if r is not None else NO_DATA,
                         "gap": gap, "action": a.action if a else "", "who": a.who if a else "",
                         "by_when": a.by_when if a else "", "strategy_comments": 0})
    return pd.DataFrame(rows, columns=COLUMNS)


def round_strategy(round_id: int, *, session: Session, actor: Actor) -> pd.DataFrame:
    """The strategy (``strategy_table``) of the version a round consults on, for anyone who may
    take part in the round: a draft version's gaps and proposed actions are part of what the
    round asks about. Empty for a round on a candidate set, which has no strategy."""
    from indicators_lab.consultation.rounds import _require_round, readable_round_ids

    r = _require_round(session, actor, round_id)
    if r.version_id is None:
        return pd.DataFrame(columns=COLUMNS)
    number = session.get(ProposalVersion, r.version_id).number
    return strategy_table(get_version(number, session=session), session=session,
                          rounds=readable_round_ids(actor, session=session))


def save_action(*, session: Session, actor: Actor, version: int, objective: int, item_key: str,
                action: str, who: str = "", by_when: str = "") -> None:
    """Record (or change) the proposed action on one gap of a version; an approved version is
    closed."""
    require_role(actor, "co_lead")
    v = get_version(version, session=session)
    # the approved check reads the locked row: an approval committed since get_version counts
    if v.approved or lock_version(version, session=session).approved_at is not None:
        raise UserError(f"Version {version} is approved: its strategy can no longer change. Freeze a new version.")
    if not 1 <= int(objective) <= 23:
        raise UserError("GCM objectives are numbered 1 to 23.")
    if item_key and item_key not in {it["key"] for it in v.snapshot["items"]}:
        raise UserError(f"'{item_key}' is not an indicator of version {version}.")
    action = (action or "").strip()
    if not action:
        raise UserError("Describe the proposed action (for example: add a migratory-status question to the labour force survey).")
    if len(action) > MAX_ACTION:
        raise UserError(f"The action is longer than {MAX_ACTION} characters.")
    row = {"version_id": _version_row(version, session=session).id, "objective": int(objective),
           "item_key": item_key, "action": action, "who": (who or "").strip()[:300],
           "by_when": (by_when or "").strip()[:100], "updated_by": actor.name[:200], "updated_at": utcnow()}
    upsert(session, StrategyAction, row, ["version_id", "objective", "item_key"],
           ["action", "who", "by_when", "updated_by", "updated_at"])


def strategy_records(v: VersionInfo, *, session: Session) -> list[dict]:
    """The strategy as plain records (JSON export)."""
    df = strategy_table(v, session=session)
    return [{k: (None if (isinstance(val, float) and pd.isna(val)) else val) for k, val in rec.items()}
            for rec in df.to_dict(orient="records")]

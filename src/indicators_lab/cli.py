"""Command line: ``python -m indicators_lab …``.

The forms named in the issues as stable (catalogue, import-framework, …) are used by outside
checks: keep their arguments and output exactly.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from indicators_lab.core.errors import UserError

if TYPE_CHECKING:
    from sqlmodel import Session


@contextmanager
def _unit() -> Iterator[Session]:
    """One command, one transaction on the configured database (opened and upgraded first)."""
    from indicators_lab.core.db import WROTE, unit_of_work
    from indicators_lab.startup import open_database

    with unit_of_work(open_database()) as session:
        yield session
    if session.info.get(WROTE):
        logging.getLogger(__name__).info("command line: %s", " ".join(sys.argv[1:3]))


def cmd_catalogue(args: argparse.Namespace) -> int:
    from indicators_lab.catalogue.frameworks import export_catalogue

    with _unit() as session:
        n = export_catalogue(args.framework, Path(args.out), session=session)
        print(f"Wrote {n} rows of '{args.framework}' to {args.out}")
        return 0


def cmd_import_framework(args: argparse.Namespace) -> int:
    from indicators_lab.core.access import COMMAND_LINE
    from indicators_lab.core.config import get_settings
    from indicators_lab.catalogue.importing import import_framework

    settings = get_settings()
    with _unit() as session:
        plan = import_framework(
            Path(args.path), key=args.key, name=args.name, update=args.update,
            max_bytes=settings.max_upload_bytes, session=session, actor=COMMAND_LINE)
        print(f"Imported {args.path}: {plan.summary()}.")
        return 0


def cmd_import_data(args: argparse.Namespace) -> int:
    from indicators_lab.catalogue.data import apply_data_import, plan_data_import
    from indicators_lab.core.access import COMMAND_LINE
    from indicators_lab.core.config import get_settings

    limit = get_settings().max_extract_bytes
    path = Path(args.path)
    if not path.is_file():
        raise UserError(f"There is no file at {path}.")
    if path.stat().st_size > limit:
        raise UserError(f"The file is {path.stat().st_size / 1_048_576:.1f} MB; the limit for data "
                        f"extracts is {limit / 1_048_576:.0f} MB.")
    with _unit() as session:
        summary = plan_data_import(path.read_bytes(), path.name, max_bytes=limit, indicator=args.indicator,
                                   area=args.area, session=session)
        for p in summary.problems:
            print(f"row {p.row}: {p.message}", file=sys.stderr)
        if summary.problem_count > len(summary.problems):
            print(f"... and {summary.problem_count - len(summary.problems)} more rows with problems", file=sys.stderr)
        import_id = apply_data_import(summary, actor=COMMAND_LINE, skip_bad_rows=args.skip_bad_rows,
                                      session=session)
    print(f"Imported {args.path} ({summary.layout}): {summary.rows_read} rows read, "
          f"{summary.rows_with_value} with a value, {summary.problem_count} left out; "
          f"figures for {len(summary.figures)} indicators (import {import_id}).")
    return 0


def _cli_progress(label: str):
    """A tqdm progress bar on stderr, fed by (done, total) callbacks."""
    from tqdm import tqdm

    bar = None

    def update(done: int, total: int) -> None:
        nonlocal bar
        if total == 0:
            return
        if bar is None:
            bar = tqdm(total=total, desc=label, unit="text", file=sys.stderr)
        bar.n = done
        bar.refresh()
        if done >= total:
            bar.close()

    return update


def cmd_suggest(args: argparse.Namespace) -> int:
    from indicators_lab.core.access import COMMAND_LINE
    from indicators_lab.mapping.embeddings import MiniLMEncoder
    from indicators_lab.core.exports import write_csv
    from indicators_lab.mapping.learning import MAX_SUGGESTIONS, MIN_CHANCE, MIN_DECISIONS, calibrate, supported
    from indicators_lab.mapping.links import decisions_frame
    from indicators_lab.mapping.suggestions import suggest

    top_k = args.top_k if args.top_k is not None else (MAX_SUGGESTIONS if args.by_chance else 3)
    if not 1 <= top_k <= 23:
        raise UserError("--top-k must be between 1 and 23 (there are 23 GCM objectives).")
    with _unit() as session:
        result = suggest(
            MiniLMEncoder(), args.framework, actor=COMMAND_LINE, top_k=top_k,
            progress=_cli_progress("Encoding"), session=session)
        table = result.table
        columns = ["framework", "item_code", "objective", "rank", "score"]
        if args.by_chance:
            calibration = calibrate(result, decisions_frame(session=session))
            table = supported(result, calibration, default=min(3, top_k))
            columns.append("chance")
            if calibration is not None and calibration.useful:
                print(f"Kept the suggestions with a fitted chance of acceptance of at least {MIN_CHANCE:.0%} "
                      f"(always the first; model fitted on {calibration.n} one-by-one decisions).")
            else:
                print(f"No useful chance of acceptance yet (it needs {MIN_DECISIONS} one-by-one decisions, some accepted and some rejected): "
                      f"kept each item's first {min(3, top_k)}; the chance column is empty.")
        if args.explain:
            columns += ["reason_ref", "reason_text", "decision"]
        write_csv(table[columns], Path(args.out))
        n_items = table["item_code"].nunique()
        print(f"Wrote {len(table)} suggestions for {n_items} items of '{args.framework}' to {args.out}")
        if result.precision_at_1 is not None:
            print(f"Top suggestion matched co-leads' decisions on {result.precision_at_1:.0%} "
                  f"of {result.decided_items} decided items.")
        return 0


def cmd_create_admin(args: argparse.Namespace) -> int:
    import getpass

    from indicators_lab.core.accounts import create_user

    email = args.email or input("Email: ")
    name = args.name or input("Name: ")
    password = os.environ.get("INDICATORS_LAB_ADMIN_PASSWORD") or getpass.getpass("Password: ")
    with _unit() as session:
        create_user(actor=None, email=email, name=name, role="admin", password=password, session=session)
        print(f"Created the admin account {email.strip().lower()}.")
        return 0


def cmd_users_enable(args: argparse.Namespace) -> int:
    from indicators_lab.core.access import COMMAND_LINE
    from indicators_lab.core.accounts import enable_by_email

    email = args.email.strip().lower()
    with _unit() as session:
        if enable_by_email(actor=COMMAND_LINE, email=email, session=session):
            print(f"Re-enabled the account {email}: it can sign in again.")
        else:
            print(f"The account {email} is already active; nothing to do.")
        return 0


@contextmanager
def _native_stdout_to_stderr() -> Iterator[None]:
    """Send what native libraries write to file descriptor 1 to stderr, so stdout stays ours."""
    sys.stdout.flush()
    saved = os.dup(1)
    try:
        os.dup2(2, 1)
        yield
    finally:
        sys.stdout.flush()
        os.dup2(saved, 1)
        os.close(saved)


def cmd_optimise(args: argparse.Namespace) -> int:
    import pandas as pd

    from indicators_lab.core.config import get_settings
    from indicators_lab.core.exports import write_csv
    from indicators_lab.sets.optimiser import Infeasible, Request, optimise, read_links_file

    if args.links:
        path = Path(args.links)
        if not path.is_file():
            raise UserError(f"There is no file at {path}.")
        links = read_links_file(path.read_bytes(), path.name, max_bytes=get_settings().max_upload_bytes)
    else:
        from indicators_lab.sets.candidate_sets import database_links

        with _unit() as session:
            links = database_links(session=session)
    items = links.drop_duplicates("key")[["key", "tier", "framework"]]
    req = Request(min_cover=args.min_cover, max_size=args.max_size, solver=args.solver,
                  max_per_framework=args.max_per_framework)
    try:
        with _native_stdout_to_stderr():  # highspy prints a licence banner from C on creation
            result = optimise(links[["key", "objective", "weight"]], items, req)
    except Infeasible as exc:
        print(f"error: infeasible: {exc}", file=sys.stderr)
        return 3
    out = result.explanation.rename(columns={"key": "item_code"})
    if not args.links:  # database keys are "framework:code"
        split = out["item_code"].str.split(":", n=1, expand=True)
        out["framework"], out["item_code"] = split[0], split[1]
    out = out[["item_code", *[c for c in out.columns if c != "item_code"]]]
    write_csv(pd.DataFrame(out), Path(args.out))
    what = (f"at most {args.max_size} items" if args.max_size else f"every objective covered {args.min_cover}x")
    print(f"Chose {len(result.chosen)} items ({what}; {result.method}); covered weight "
          f"{result.covered_weight:g}. Wrote {args.out}")
    return 0


def cmd_rounds_create(args: argparse.Namespace) -> int:
    from datetime import datetime, timedelta, timezone

    from indicators_lab.core.access import COMMAND_LINE
    from indicators_lab.consultation.rounds import create_round

    def when(text):
        try:
            return datetime.fromisoformat(text).astimezone(timezone.utc) if text else None
        except ValueError:
            raise UserError(f"'{text}' is not a date and time like 2026-12-01T09:00+00:00.") from None

    opens = when(args.opens)
    closes = when(args.closes) or ((opens or datetime.now(timezone.utc)) + timedelta(days=args.days))
    with _unit() as session:
        round_id = create_round(
            actor=COMMAND_LINE, title=args.title, purpose=args.purpose or "", set_id=args.set,
            opens_at=opens, closes_at=closes,
            constituencies=[c for c in (args.constituencies or "").split(",") if c.strip()], session=session)
        print(f"Created round '{args.title}', open until {closes:%Y-%m-%d %H:%M} UTC.")
        print(round_id)
        return 0


def cmd_comments_import(args: argparse.Namespace) -> int:
    from indicators_lab.core.access import COMMAND_LINE
    from indicators_lab.core.config import get_settings
    from indicators_lab.consultation.matrix import import_comments

    path = Path(args.path)
    if not path.is_file():
        raise UserError(f"There is no file at {path}.")
    limit = get_settings().max_upload_bytes
    if path.stat().st_size > limit:
        raise UserError(f"The file is {path.stat().st_size / 1_048_576:.1f} MB; the limit is {limit / 1_048_576:.1f} MB.")
    with _unit() as session:
        n = import_comments(actor=COMMAND_LINE, data=path.read_bytes(), filename=path.name,
                            round_id=args.round, max_bytes=limit, session=session)
        print(f"Imported {n} comments into round {args.round}.")
        return 0


def cmd_comments_export(args: argparse.Namespace) -> int:
    from indicators_lab.core.access import COMMAND_LINE
    from indicators_lab.consultation.matrix import export_matrix

    with _unit() as session:
        n = export_matrix(actor=COMMAND_LINE, round_id=args.round, fmt=args.format, out=Path(args.out),
                          language=args.language, session=session)
        print(f"Wrote {n} comments of round {args.round} to {args.out}")
        return 0


def cmd_export(args: argparse.Namespace) -> int:
    from indicators_lab.core.access import COMMAND_LINE
    from indicators_lab.proposal.annex import export_version

    with _unit() as session:
        path = export_version(args.version, args.format, Path(args.out), session=session, actor=COMMAND_LINE,
                              full=args.full, language=args.language)
        print(f"Wrote version {args.version} as {args.format} to {path}")
        return 0


def cmd_versions_list(args: argparse.Namespace) -> int:
    from indicators_lab.core.access import COMMAND_LINE
    from indicators_lab.proposal.versions import list_versions

    with _unit() as session:
        versions = list_versions(session=session, actor=COMMAND_LINE)
        if not versions:
            print("No proposal version has been frozen yet.")
        for v in versions:
            status = f"approved by {v.approved_by} {v.approved_at:%Y-%m-%d}" if v.approved else "draft"
            print(f"{v.number}\t{v.created_at:%Y-%m-%d %H:%M}\t{v.items} indicators\t{status}\t{v.set_name}\t{v.note}")
        return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m indicators_lab",
        description="Indicators Lab: catalogue, mapping, scoring, consultation and export for GCM indicators.",
    )
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("catalogue", help="write a framework's items (gcm: its objectives) to CSV")
    p.add_argument("--framework", required=True, help="gcm, sdg, 10.7.2, mgi or an imported key")
    p.add_argument("--out", required=True, help="path of the CSV to write")
    p.set_defaults(func=cmd_catalogue)

    p = sub.add_parser("import-framework", help="import a framework from a CSV or XLSX file")
    p.add_argument("path", help="CSV or XLSX file with at least a code and a title column")
    p.add_argument("--key", required=True, help="short key of the framework, e.g. national-2025")
    p.add_argument("--name", help="full name of the framework (required for a new one)")
    p.add_argument(
        "--update", action="store_true",
        help="update an existing framework (adds and changes items; keeps links)",
    )
    p.set_defaults(func=cmd_import_framework)

    p = sub.add_parser("import-data", help="import a data extract (SDG Global Database or open-sdg CSV/XLSX)")
    p.add_argument("path", help="CSV or XLSX extract")
    p.add_argument("--skip-bad-rows", action="store_true",
                   help="import without the rows that have problems (default: refuse the file, store nothing)")
    p.add_argument("--indicator", help="indicator code of an open-sdg file whose name does not say it")
    p.add_argument("--area", help="reporting country of an open-sdg file")
    p.set_defaults(func=cmd_import_data)

    p = sub.add_parser("suggest", help="suggest GCM objectives for every item of a framework")
    p.add_argument("--framework", required=True, help="sdg, 10.7.2, mgi or an imported key")
    p.add_argument("--top-k", type=int, default=None,
                   help="objectives per item (1-23; default 3), or the most per item with --by-chance (default 5)")
    p.add_argument("--out", required=True, help="path of the CSV to write")
    p.add_argument("--explain", action="store_true", help="add the matched action or sentence")
    p.add_argument("--by-chance", action="store_true",
                   help="per item, only the suggestions whose fitted chance of acceptance is at least 20%% "
                        "(always the first), with a chance column; the first 3 until there are enough "
                        "one-by-one decisions")
    p.set_defaults(func=cmd_suggest)

    p = sub.add_parser("optimise", help="choose the smallest good set of indicators")
    p.add_argument("--links", help="CSV with item_code,objective,weight[,tier]; default: accepted links in the database")
    p.add_argument("--out", required=True, help="CSV of the chosen items")
    p.add_argument("--min-cover", type=int, default=1, help="links each objective needs (default 1)")
    p.add_argument("--max-size", type=int, help="at most K items, maximising covered weight")
    p.add_argument("--max-per-framework", type=int, help="at most N items from one framework")
    p.add_argument("--solver", choices=["cbc", "highs", "greedy"], default="cbc")
    p.set_defaults(func=cmd_optimise)

    p = sub.add_parser("rounds", help="consultation rounds")
    rounds = p.add_subparsers(dest="rounds_command", required=True)
    q = rounds.add_parser("create", help="open a round; prints its id as the last line")
    q.add_argument("--title", required=True)
    q.add_argument("--purpose")
    q.add_argument("--set", type=int, help="id of the candidate set under consultation")
    q.add_argument("--opens", help="ISO date-time (default: now)")
    q.add_argument("--closes", help="ISO date-time (default: --days after opening)")
    q.add_argument("--days", type=int, default=30)
    q.add_argument("--constituencies", help="comma-separated (default: all)")
    q.set_defaults(func=cmd_rounds_create)

    p = sub.add_parser("comments", help="import or export a round's comments")
    comments = p.add_subparsers(dest="comments_command", required=True)
    q = comments.add_parser("import", help="import a CSV/XLSX of offline comments (all or nothing)")
    q.add_argument("path")
    q.add_argument("--round", type=int, required=True)
    q.set_defaults(func=cmd_comments_import)
    q = comments.add_parser("export", help="write the comment-response matrix")
    q.add_argument("--round", type=int, required=True)
    q.add_argument("--format", choices=["xlsx", "csv"], required=True)
    q.add_argument("--out", required=True)
    q.add_argument("--language", default=None,
                   help="only the comments written in this language: en, fr, es, ar, zh, ru, pt, or und (not determined)")
    q.set_defaults(func=cmd_comments_export)

    p = sub.add_parser("export", help="export a proposal version (the annex)")
    p.add_argument("--version", type=int, required=True)
    p.add_argument("--format", choices=["xlsx", "docx", "csv", "json", "strategy-csv"], required=True,
                   help="strategy-csv: the disaggregation strategy alone")
    p.add_argument("--out", required=True)
    p.add_argument("--full", action="store_true",
                   help="the co-leads' full annex (every comment with its author, hidden ones too, rationale); "
                        "default: the public annex")
    p.add_argument("--language", choices=["en", "fr", "es"], default=None,
                   help="language of the headings, labels and indicator titles (where translated); official "
                        "text without a translation stays in English, marked. Default: English")
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("versions", help="proposal versions")
    versions = p.add_subparsers(dest="versions_command", required=True)
    q = versions.add_parser("list", help="list the frozen versions")
    q.set_defaults(func=cmd_versions_list)

    p = sub.add_parser("users", help="manage accounts")
    users = p.add_subparsers(dest="users_command", required=True)
    q = users.add_parser("create-admin", help="create an admin while none is active: the first one, or a way "
                                              "back in (asks for what is not given)")
    q.add_argument("--email")
    q.add_argument("--name")
    q.set_defaults(func=cmd_create_admin)
    q = users.add_parser("enable", help="re-enable a disabled account, e.g. an admin locked out")
    q.add_argument("--email", required=True)
    q.set_defaults(func=cmd_users_enable)
    return parser


def main(argv: list[str] | None = None) -> int:
    from indicators_lab.core.logging import configure_logging

    configure_logging()
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except UserError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2

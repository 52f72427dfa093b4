"""Command line: ``python -m indicators_lab …``.

The forms named in the issues as stable (catalogue, import-framework, …) are used by outside
checks: keep their arguments and output exactly.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from indicators_lab.errors import UserError


def _engine():
    from indicators_lab.bootstrap import open_database

    return open_database()


def cmd_catalogue(args: argparse.Namespace) -> int:
    from indicators_lab.catalogue import export_catalogue

    n = export_catalogue(_engine(), args.framework, Path(args.out))
    print(f"Wrote {n} rows of '{args.framework}' to {args.out}")
    return 0


def cmd_import_framework(args: argparse.Namespace) -> int:
    from indicators_lab.config import get_settings
    from indicators_lab.importing import import_framework

    settings = get_settings()
    plan = import_framework(
        _engine(), Path(args.path), key=args.key, name=args.name, update=args.update,
        max_bytes=settings.max_upload_bytes,
    )
    print(f"Imported {args.path}: {plan.summary()}.")
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
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except UserError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2

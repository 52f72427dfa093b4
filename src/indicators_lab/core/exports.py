"""Writers for CSV / XLSX / DOCX / JSON. Every text cell is neutralised against formulas."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

# A cell starting with one of these may run as a formula when a spreadsheet opens the file
# (OWASP "CSV injection"); a leading apostrophe makes it plain text.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: object) -> object:
    """Return text that no spreadsheet will run as a formula; other values unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def neutralise_frame(df: pd.DataFrame) -> pd.DataFrame:
    out = df.copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].map(neutralise)
    return out


def write_csv(df: pd.DataFrame, out: Path) -> None:
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    neutralise_frame(df).to_csv(out, index=False, encoding="utf-8")


def csv_bytes(df: pd.DataFrame) -> bytes:
    """A CSV download whose text no spreadsheet will run as a formula."""
    return neutralise_frame(df).to_csv(index=False).encode("utf-8")

"""Small builders of test input files."""

from __future__ import annotations

import io

import openpyxl


def csv_bytes(rows: list[list[str]], *, delimiter: str = ",", encoding: str = "utf-8") -> bytes:
    text = "\n".join(delimiter.join(cell for cell in row) for row in rows) + "\n"
    return text.encode(encoding)


def xlsx_bytes(rows: list[list[object]]) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    for row in rows:
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def sign_in(engine, email: str, password: str, **kwargs):
    """Sign in as the app does: the attempt commits (a failure is counted), then a refusal raises."""
    from indicators_lab.core.accounts import attempt_sign_in
    from indicators_lab.core.db import in_transaction

    return in_transaction(engine, attempt_sign_in, email, password, **kwargs).actor_or_raise()

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

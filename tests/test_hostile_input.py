"""Hostile input: XML entities in a workbook, odd encodings, a disabled account mid-session."""

import io
import zipfile

import pytest

from indicators_lab.catalogue import frameworks as cat
from indicators_lab.core.errors import UserError
from indicators_lab.catalogue.importing import plan_import, read_table
from indicators_lab.core.accounts import create_user, set_active
from tests.apptest import ADMIN, app, open_page  # noqa: F401  (app is a fixture)
from tests.factories import xlsx_bytes
from indicators_lab.core.db import in_transaction as tx

MB = 1024 * 1024


def with_entity(xlsx: bytes) -> bytes:
    """The same workbook, its sheet XML rewritten to declare an external entity."""
    src = zipfile.ZipFile(io.BytesIO(xlsx))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b"<worksheet", b'<!DOCTYPE w [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><worksheet', 1)
                data = data.replace(b"<v>", b"<v>&xxe;", 1) if b"<v>" in data else data
            dst.writestr(info, data)
    return out.getvalue()


def test_xlsx_with_external_entities_is_refused_and_nothing_read(engine):
    data = with_entity(xlsx_bytes([["code", "title"], ["A", "x"]]))
    with pytest.raises(UserError, match="XML entities"):
        tx(engine, plan_import, data, "evil.xlsx", key="evil", name="Evil", max_bytes=MB)
    assert "evil" not in tx(engine, cat.framework_keys)


def test_utf16_tab_separated_csv_is_read():
    data = "code\ttitle\nA1\tÉmigration et santé\n".encode("utf-16")
    headers, rows = read_table(data, "export.csv", max_bytes=MB)
    assert headers == ["code", "title"] and rows == [["A1", "Émigration et santé"]]


def test_quoted_fields_with_delimiters_and_newlines_survive():
    data = 'code;title\nA;"Migrants; refugees\nand others"\n'.encode()
    assert read_table(data, "x.csv", max_bytes=MB)[1] == [["A", "Migrants; refugees\nand others"]]


def test_disabled_account_is_signed_out_on_its_next_click(app):
    lead = tx(app, create_user, actor=ADMIN, email="l@x.org", name="Lead", role="co_lead", password="long enough pw")
    at = open_page("views/mapping.py", lead.user_id)
    assert any(b.label == "Accept" for b in at.button)
    tx(app, set_active, actor=ADMIN, user_id=lead.user_id, active=False)
    at.run()
    assert not any(b.label == "Accept" for b in at.button)
    assert any("disabled" in w.value for w in at.sidebar.warning)

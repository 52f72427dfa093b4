"""Importing a framework: loose headers, preview, all-or-nothing refusals."""

import io
import zipfile

import pytest

from indicators_lab.catalogue import frameworks as cat
from indicators_lab.core.access import Actor, PermissionDenied
from indicators_lab.core.errors import UserError
from indicators_lab.catalogue.importing import apply_import, import_framework, plan_import
from tests.factories import csv_bytes, xlsx_bytes
from indicators_lab.core.db import in_transaction as tx

MB = 1024 * 1024
LEAD = Actor("Ana (IOM)", "co_lead")


def plan(engine, data, filename="f.csv", key="nat", name="National", update=False, max_bytes=MB):
    return tx(engine, plan_import, data, filename, key=key, name=name, update=update, max_bytes=max_bytes)


def n_frameworks(engine):
    return len(tx(engine, cat.framework_keys))


def test_csv_with_loose_headers_is_previewed_then_stored(engine):
    data = csv_bytes([[" Indicator Code ", "INDICATOR", "Definition", "Custodian"],
                      ["N1", "Migrants in employment", "Share of…", "NSO"],
                      ["N2", "Remittance costs", "", "Central bank"]])
    p = plan(engine, data)
    assert p.columns == {"code": "Indicator Code", "title": "INDICATOR", "description": "Definition"}
    assert p.creates == ["N1", "N2"]
    assert "nat" not in tx(engine, cat.framework_keys)  # preview stores nothing

    tx(engine, apply_import, p, actor=LEAD)
    df = tx(engine, cat.items_frame, "nat")
    assert list(df["code"]) == ["N1", "N2"]
    assert df.iloc[0]["custodian"] == "NSO"


def test_semicolon_csv_in_windows_encoding_is_read(engine):
    data = csv_bytes([["code", "name"], ["R1", "Accès des migrants à la santé"]],
                     delimiter=";", encoding="cp1252")
    p = plan(engine, data)
    assert p.rows[0]["title"] == "Accès des migrants à la santé"


def test_xlsx_is_read_as_values_without_running_formulas(engine):
    data = xlsx_bytes([["Code", "Title", "Description"], ["X1", "Plain", "=1+1"]])
    p = plan(engine, data, filename="f.xlsx")
    assert p.rows[0]["description"] == ""  # no stored value; the formula is never run


def test_xlsx_title_that_is_only_a_formula_is_refused(engine):
    data = xlsx_bytes([["Code", "Title"], ["X1", "=A1"]])
    with pytest.raises(UserError, match="Row 2: the title of 'X1' is empty"):
        plan(engine, data, filename="f.xlsx")


@pytest.mark.parametrize(
    "rows, message",
    [
        ([["code", "title"], ["A", "x"], ["", "y"]], "Row 3: the code is missing"),
        ([["code", "title"], ["A", "x"], ["A", "y"]], "Row 3: the code 'A' is repeated \\(first on row 2\\)"),
        ([["code", "title"], ["A", "  "]], "Row 2: the title of 'A' is empty"),
        ([["ref_x", "words"], ["A", "x"]], "needs a code and a title column"),
        ([["code", "title"]], "no data rows"),
    ],
)
def test_bad_rows_refuse_the_whole_file_and_store_nothing(engine, rows, message):
    before = tx(engine, cat.counts)
    with pytest.raises(UserError, match=message):
        import_framework_bytes(engine, csv_bytes(rows))
    assert tx(engine, cat.counts) == before
    assert "nat" not in tx(engine, cat.framework_keys)


def import_framework_bytes(engine, data, filename="f.csv", **kw):
    p = plan(engine, data, filename=filename, **kw)
    tx(engine, apply_import, p, actor=LEAD)


def test_file_over_the_limit_is_refused(engine):
    data = csv_bytes([["code", "title"]] + [[f"C{i}", "x" * 50] for i in range(100)])
    with pytest.raises(UserError, match="limit is 0.0 MB|the limit is"):
        plan(engine, data, max_bytes=1000)


def test_wrong_file_type_is_refused(engine):
    with pytest.raises(UserError, match="not a CSV or XLSX"):
        plan(engine, b"%PDF-1.4 ...", filename="report.pdf")


def test_binary_garbage_named_csv_is_refused(engine):
    with pytest.raises(UserError, match="binary"):
        plan(engine, b"\x00\x01\x02garbage" * 10, filename="data.csv")


def test_zip_that_is_not_a_workbook_is_refused(engine):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("hello.txt", "hi")
    with pytest.raises(UserError, match="not an XLSX workbook"):
        plan(engine, buf.getvalue(), filename="f.xlsx")


def test_xlsx_zip_bomb_is_refused(engine):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("xl/worksheets/sheet1.xml", b"<a>" + b" " * (300 * MB) + b"</a>")
    with pytest.raises(UserError, match="zip bomb"):
        plan(engine, buf.getvalue(), filename="bomb.xlsx", max_bytes=10 * MB)


def test_existing_key_is_refused_with_an_offer_to_update(engine):
    with pytest.raises(UserError, match="already exists.*update it instead"):
        plan(engine, csv_bytes([["code", "title"], ["1", "x"]]), key="sdg")


def test_update_into_mgi_keeps_existing_items_and_their_ids(engine):
    dim1 = tx(engine, cat.get_item, "mgi", "1")["id"]
    data = xlsx_bytes([["Question code", "Question", "Dimension"],
                       ["MGI-1.1", "Are migrants granted equal access to health care?", "1"],
                       ["1", "Migrants' rights", ""]])
    p = plan(engine, data, filename="mgi_questions.xlsx", key="mgi", name=None, update=True)
    assert p.creates == ["MGI-1.1"] and p.unchanged == ["1"]
    tx(engine, apply_import, p, actor=LEAD)
    assert tx(engine, cat.get_item, "mgi", "1")["id"] == dim1
    q = tx(engine, cat.get_item, "mgi", "MGI-1.1")
    assert q["parent_code"] == "1" and q["origin"] == "import:mgi_questions.xlsx"
    assert len(tx(engine, cat.items_frame, "mgi")) == 21
    # the next start does not undo the import
    from tests.conftest import FRAMEWORKS_DIR

    tx(engine, cat.load_shipped_catalogues, FRAMEWORKS_DIR)
    assert tx(engine, cat.get_item, "mgi", "MGI-1.1")["in_current_version"] is True


def test_update_of_missing_framework_and_gcm_key_are_refused(engine):
    data = csv_bytes([["code", "title"], ["1", "x"]])
    with pytest.raises(UserError, match="no framework 'zz' to update"):
        plan(engine, data, key="zz", update=True)
    with pytest.raises(UserError, match="cannot be imported over"):
        plan(engine, data, key="gcm")


def test_invalid_key_and_missing_name_are_refused(engine):
    data = csv_bytes([["code", "title"], ["1", "x"]])
    with pytest.raises(UserError, match="framework key must be"):
        plan(engine, data, key="bad key!")
    with pytest.raises(UserError, match="Give the new framework a name"):
        plan(engine, data, name="")


def test_import_from_a_path(engine, tmp_path):
    path = tmp_path / "au.csv"
    path.write_bytes(csv_bytes([["id", "label"], ["AU1", "Regional indicator"]]))
    result = tx(engine, import_framework, path, key="au", name="AU", update=False, max_bytes=MB, actor=LEAD)
    assert result.creates == ["AU1"]
    with pytest.raises(UserError, match="There is no file"):
        tx(engine, import_framework, tmp_path / "missing.csv", key="x", name="x", update=False, max_bytes=MB, actor=LEAD)


def test_stakeholder_cannot_import(engine):
    p = plan(engine, csv_bytes([["code", "title"], ["1", "x"]]))
    with pytest.raises(PermissionDenied):
        tx(engine, apply_import, p, actor=Actor("Sam", "stakeholder"))
    assert "nat" not in tx(engine, cat.framework_keys)

"""No file can hurt the platform: each attack is read in a child process under a memory cap and a
timeout, and must end in a one-line refusal or a correct import, never in a crash.

The hostile files are built here, by hand (zip and XML written directly), so nothing binary is
committed and each file says what it attacks.
"""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import struct
import subprocess
import sys
import zlib
import zipfile
from pathlib import Path

import pytest

from indicators_lab.core.access import COMMAND_LINE
from indicators_lab.core.db import in_transaction as tx

from indicators_lab.catalogue import frameworks as cat
from indicators_lab.catalogue.importing import import_framework, plan_import
from indicators_lab.core.errors import UserError
from tests.factories import csv_bytes

MB = 1024 * 1024
SRC = str(Path(__file__).resolve().parents[1] / "src")
MEMORY_CAP = 300 * MB  # address space of the child (a 960,000-cell workbook reads in ~230 MB)
TIMEOUT = 20  # seconds; the slowest case (a scan up to the decompression cap) takes about one

NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
    "</Types>"
)
ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
    "</Relationships>"
)
WORKBOOK = (
    f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{NS}" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>'
    "</Relationships>"
)


def col_letters(n: int) -> str:
    out = ""
    while n:
        n, r = divmod(n - 1, 26)
        out = chr(65 + r) + out
    return out


def cell(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def rows_xml(rows: list[list[str]], start: int = 1) -> str:
    return "".join(
        f'<row r="{n}">' + "".join(cell(f"{col_letters(i + 1)}{n}", v) for i, v in enumerate(r) if v) + "</row>"
        for n, r in enumerate(rows, start=start)
    )


def sheet_xml(body: str, dimension: str | None = None, prolog: str = "") -> str:
    dim = f'<dimension ref="{dimension}"/>' if dimension else ""
    return (f'<?xml version="1.0" encoding="UTF-8"?>{prolog}<worksheet xmlns="{NS}">{dim}'
            f"<sheetData>{body}</sheetData></worksheet>")


def workbook(sheet: str, shared: str | None = None, extra: dict[str, str | bytes] | None = None,
             content_types: str = CONTENT_TYPES) -> bytes:
    """A minimal XLSX with one sheet (and shared strings when given)."""
    shared = shared if shared is not None else f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{NS}" count="0" uniqueCount="0"/>'
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", content_types)
        zf.writestr("_rels/.rels", ROOT_RELS)
        zf.writestr("xl/workbook.xml", WORKBOOK)
        zf.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        zf.writestr("xl/worksheets/sheet1.xml", sheet)
        zf.writestr("xl/sharedStrings.xml", shared)
        for name, data in (extra or {}).items():
            zf.writestr(name, data)
    return buf.getvalue()


TABLE = [["code", "title"], ["A1", "Migrants in employment"], ["A2", "Remittance costs"]]


def stray_far_cell() -> bytes:
    """A small table, plus one value at the last cell Excel allows (XFD1048576)."""
    body = rows_xml(TABLE) + '<row r="1048576">' + cell("XFD1048576", "x") + "</row>"
    return workbook(sheet_xml(body, dimension="A1:B3"))


def raw_zip(entries: list[tuple[str, bytes, int, int, int]]) -> bytes:
    """A zip written by hand: (name, deflated bytes, declared size, declared crc, method) each,
    so a part can lie about its size."""
    out = io.BytesIO()
    central = []
    for name, payload, size, crc, method in entries:
        offset = out.tell()
        n = name.encode()
        out.write(struct.pack("<4sHHHHHIIIHH", b"PK\x03\x04", 20, 0, method, 0, 0, crc, len(payload), size, len(n), 0))
        out.write(n + payload)
        central.append(struct.pack("<4sHHHHHHIIIHHHHHII", b"PK\x01\x02", 20, 20, 0, method, 0, 0, crc,
                                   len(payload), size, len(n), 0, 0, 0, 0, 0, offset) + n)
    cd_start = out.tell()
    for c in central:
        out.write(c)
    out.write(struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, len(central), len(central),
                          out.tell() - cd_start, cd_start, 0))
    return out.getvalue()


def deflated(data: bytes) -> bytes:
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    return c.compress(data) + c.flush()


def bomb_sheet(gigabytes: float) -> bytes:
    """A raw-deflate sheet that inflates to ``gigabytes`` of blanks, built from one compressed
    megabyte repeated (full flushes make every block's bytes the same)."""
    block = b" " * MB
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    head = c.compress(f'<?xml version="1.0"?><worksheet xmlns="{NS}"><sheetData><row r="1">'.encode())
    head += c.flush(zlib.Z_FULL_FLUSH)
    piece = c.compress(block) + c.flush(zlib.Z_FULL_FLUSH)
    return head + piece * int(gigabytes * 1024) + c.flush()


def bomb_workbook(*, declared_size: int) -> bytes:
    def part(name: str, text: str) -> tuple[str, bytes, int, int, int]:
        b = text.encode()
        return name, deflated(b), len(b), zlib.crc32(b), 8

    return raw_zip([
        part("[Content_Types].xml", CONTENT_TYPES), part("_rels/.rels", ROOT_RELS),
        part("xl/workbook.xml", WORKBOOK), part("xl/_rels/workbook.xml.rels", WORKBOOK_RELS),
        ("xl/worksheets/sheet1.xml", bomb_sheet(3), declared_size, 0, 8),
    ])


def billion_laughs() -> str:
    ents = '<!ENTITY lol "lol">' + "".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">' for i in range(1, 10))
    return sheet_xml(rows_xml([["code", "title"], ["A", "&lol9;"]]), prolog=f"<!DOCTYPE worksheet [{ents}]>")


def xxe() -> str:
    return sheet_xml(rows_xml([["code", "title"], ["A", "&xxe;"]]),
                     prolog='<!DOCTYPE worksheet [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>')


# --------------------------------------------------------------------------- the child process

CHILD = """
import json, sys
from indicators_lab.catalogue.importing import read_file
from indicators_lab.core.errors import UserError
data = open(sys.argv[1], "rb").read()
try:
    t = read_file(data, sys.argv[2], max_bytes=10 * 1024 * 1024)
except UserError as exc:
    print(json.dumps({"refused": str(exc)}))
else:
    print(json.dumps({"headers": t.headers, "rows": t.rows[:5], "rows_read": t.rows_read,
                      "blank": t.blank_rows_skipped}))
"""


def read_in_child(tmp_path: Path, data: bytes, filename: str) -> dict:
    """Read ``data`` in a child process capped at MEMORY_CAP bytes; fail on a crash or a hang."""
    path = tmp_path / filename
    path.write_bytes(data)
    env = {**os.environ, "PYTHONPATH": SRC + os.pathsep + os.environ.get("PYTHONPATH", ""),
           "RUST_BACKTRACE": "0"}
    cmd = [sys.executable, "-c", CHILD, str(path), filename]
    if shutil.which("prlimit"):
        cmd = ["prlimit", f"--as={MEMORY_CAP}", "--"] + cmd
    else:  # pragma: no cover - prlimit is in util-linux, on every machine we run on
        cmd = [sys.executable, "-c",
               f"import resource, runpy, sys; resource.setrlimit(resource.RLIMIT_AS, ({MEMORY_CAP}, {MEMORY_CAP})); "
               f"sys.argv = ['-c'] + sys.argv[1:]; exec(compile({CHILD!r}, 'child', 'exec'))", str(path), filename]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=TIMEOUT, env=env)
    assert done.returncode == 0, f"the reader crashed (exit {done.returncode}): {done.stderr[-2000:]}"
    lines = done.stdout.strip().splitlines()
    assert len(lines) == 1, done.stdout
    return json.loads(lines[0])


def refused(result: dict, *fragments: str) -> str:
    assert "refused" in result, f"expected a refusal, got {result}"
    message = result["refused"]
    assert "\n" not in message and len(message) < 300
    for f in fragments:
        assert f in message, message
    return message


# --------------------------------------------------------------------------- one test per attack


def test_stray_value_at_the_last_excel_cell_is_refused_with_the_real_extent(tmp_path):
    refused(read_in_child(tmp_path, stray_far_cell(), "stray.xlsx"),
            "This spreadsheet uses 1,048,576 rows; the limit is 200,000.")


def test_stray_value_in_the_last_column_is_refused_with_its_column_count(tmp_path):
    body = rows_xml(TABLE) + '<row r="2">' + cell("XFD2", "x") + "</row>"
    refused(read_in_child(tmp_path, workbook(sheet_xml(body, "A1:B3")), "wide.xlsx"),
            "This spreadsheet uses 16,384 columns; the limit is 200.")


def test_dimension_declaring_too_little_still_imports_every_row(tmp_path):
    rows = [["code", "title"]] + [[f"C{i}", f"Indicator {i}"] for i in range(500)]
    result = read_in_child(tmp_path, workbook(sheet_xml(rows_xml(rows), dimension="A1:B2")), "stale.xlsx")
    assert result["rows_read"] == 500 and result["rows"][0] == ["C0", "Indicator 0"]


def test_dimension_declaring_the_whole_grid_over_a_small_table_is_read(tmp_path):
    result = read_in_child(tmp_path, workbook(sheet_xml(rows_xml(TABLE), dimension="A1:XFD1048576")), "lying.xlsx")
    assert result["headers"] == ["code", "title"] and result["rows_read"] == 2


def test_blank_rows_are_skipped_and_counted(tmp_path):
    body = rows_xml([TABLE[0]]) + '<row r="2"><c r="A2" s="1"/></row>' + rows_xml(TABLE[1:], start=5)
    body += '<row r="9">' + cell("A9", "  ") + "</row>"
    result = read_in_child(tmp_path, workbook(sheet_xml(body)), "gaps.xlsx")
    # rows 2-4 and 7-9 hold no value (row 2 only a style, row 9 only spaces)
    assert result["rows_read"] == 2 and result["blank"] == 6


def test_zip_bomb_declaring_gigabytes_is_refused(tmp_path):
    data = bomb_workbook(declared_size=3 * 1024 * MB)
    assert len(data) < 10 * MB
    refused(read_in_child(tmp_path, data, "bomb.xlsx"), "zip bomb")


def test_zip_bomb_lying_about_its_size_is_refused_while_inflating(tmp_path):
    refused(read_in_child(tmp_path, bomb_workbook(declared_size=1000), "liar.xlsx"), "zip bomb")


def test_external_entity_is_refused(tmp_path):
    refused(read_in_child(tmp_path, workbook(xxe()), "xxe.xlsx"), "XML entities or a DTD")


def test_billion_laughs_is_refused(tmp_path):
    refused(read_in_child(tmp_path, workbook(billion_laughs()), "laughs.xlsx"), "XML entities or a DTD")


@pytest.mark.parametrize("part", ["[Content_Types].xml", "xl/sharedStrings.xml", "xl/workbook.xml", "xl/styles.xml"])
def test_a_doctype_in_any_part_is_refused(tmp_path, part):
    doctype = '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]>'
    sheet = sheet_xml(rows_xml(TABLE))
    if part == "[Content_Types].xml":
        data = workbook(sheet, content_types=CONTENT_TYPES.replace('<?xml version="1.0" encoding="UTF-8"?>', doctype))
    elif part == "xl/sharedStrings.xml":
        data = workbook(sheet, shared=doctype + f'<sst xmlns="{NS}"/>')
    elif part == "xl/styles.xml":
        data = workbook(sheet, extra={part: doctype + f'<styleSheet xmlns="{NS}"/>'})
    else:
        buf = io.BytesIO()
        with zipfile.ZipFile(io.BytesIO(workbook(sheet))) as src, zipfile.ZipFile(buf, "w") as dst:
            for info in src.infolist():
                body = src.read(info.filename)
                dst.writestr(info.filename, doctype.encode() + body.split(b"?>", 1)[1] if info.filename == part else body)
        data = buf.getvalue()
    refused(read_in_child(tmp_path, data, "dtd.xlsx"), "XML entities or a DTD")


def test_huge_shared_strings_table_is_refused(tmp_path):
    shared = f'<?xml version="1.0"?><sst xmlns="{NS}" count="3" uniqueCount="3">' + "<si><t>x</t></si>" * 1_100_000 + "</sst>"
    refused(read_in_child(tmp_path, workbook(sheet_xml(rows_xml(TABLE)), shared=shared), "sst.xlsx"),
            "1,000,000 different texts")


def test_one_long_shared_text_repeated_in_every_cell_is_refused(tmp_path):
    shared = f'<?xml version="1.0"?><sst xmlns="{NS}"><si><t>{"x" * 32_000}</t></si></sst>'
    body = "".join(f'<row r="{n}">' + "".join(f'<c r="{col_letters(c)}{n}" t="s"><v>0</v></c>' for c in range(1, 6))
                   + "</row>" for n in range(1, 2001))
    refused(read_in_child(tmp_path, workbook(sheet_xml(body), shared=shared), "repeat.xlsx"), "MB of text")


def test_a_million_columns_in_a_csv_is_refused(tmp_path):
    data = ("code,title" + ",x" * 999_998 + "\nA,b\n").encode()
    refused(read_in_child(tmp_path, data, "wide.csv"), "1,000,000 columns", "the limit is 200")


def test_a_cell_address_beyond_excel_columns_is_refused(tmp_path):
    body = rows_xml(TABLE) + '<row r="2">' + cell("ZZZZ2", "x") + "</row>"
    refused(read_in_child(tmp_path, workbook(sheet_xml(body)), "addr.xlsx"), "not a spreadsheet address")


@pytest.mark.parametrize("tag", [
    '<c r="A4" r = "XFD1048576" t="inlineStr">',  # a second r, spaced
    '<c r="A4"\tr="XFD1048576" t="inlineStr">',  # a second r after a tab
    "<c r=\"A4\" r='XFD1048576' t=\"inlineStr\">",  # a second r in single quotes
    "<c r='XFD1048576' t=\"inlineStr\">",  # the only r in single quotes
    '<c t="inlineStr" r="XFD1048576">',  # r not first
    '<c\nr="XFD1048576" t="inlineStr">',  # a newline before r
])
def test_a_far_cell_written_an_unusual_way_is_still_found(tmp_path, tag):
    # Enough ordinary rows that most chunks take the fast array scan; the odd cell sits among them.
    rows = [["code", "title"]] + [[f"C{i}", f"Indicator {i}"] for i in range(30_000)]
    body = rows_xml(rows[:3]) + '<row r="4">' + tag + "<is><t>x</t></is></c></row>" + rows_xml(rows[3:], start=5)
    message = refused(read_in_child(tmp_path, workbook(sheet_xml(body)), "odd.xlsx"))
    assert "1,048,576 rows" in message or "address" in message, message


def test_shift_jis_csv_is_refused_by_name(tmp_path):
    data = "code,title\nJP1,移民の健康\nJP2,東京都の人口\n".encode("shift_jis")
    refused(read_in_child(tmp_path, data, "jp.csv"), "Shift-JIS", "CSV UTF-8")


def test_binary_junk_named_csv_is_refused(tmp_path):
    data = bytes(range(256)) * 64
    refused(read_in_child(tmp_path, data, "junk.csv"), "could not be")


def test_nul_and_control_characters_are_stripped_from_csv_cells(tmp_path):
    data = "code,title\nA\x001,Mig\x07rants\tin\x1b employment\n".encode()
    result = read_in_child(tmp_path, data, "nul.csv")
    assert result["rows"] == [["A1", "Migrants\tin employment"]]


def test_control_characters_escaped_in_a_workbook_are_stripped(tmp_path):
    body = rows_xml([["code", "title"], ["A_x0000_1", "Mig_x0007_rants"]])
    result = read_in_child(tmp_path, workbook(sheet_xml(body)), "ctl.xlsx")
    assert result["rows"] == [["A1", "Migrants"]]


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-8-sig"])
def test_unicode_csv_exports_import(tmp_path, encoding):
    data = "code\ttitle\nA1\tÉmigration et santé\nA2\t移民\n".encode(encoding)
    result = read_in_child(tmp_path, data, "export.csv")
    assert result["rows"] == [["A1", "Émigration et santé"], ["A2", "移民"]]


def test_cp1252_csv_from_the_sdg_global_database_imports(tmp_path):
    data = ('"Goal","Target","Indicator","SeriesDescription"\n'
            '"10","10.7","10.7.2","Proportion of countries with migration policies – Côte d’Ivoire"\n').encode("cp1252")
    result = read_in_child(tmp_path, data, "sdg.csv")
    assert result["rows"][0][3] == "Proportion of countries with migration policies – Côte d’Ivoire"


def test_an_ordinary_workbook_from_openpyxl_imports(tmp_path):
    from tests.factories import xlsx_bytes

    result = read_in_child(tmp_path, xlsx_bytes([["Code", "Title"], ["X1", "Plain"], [2, 3.5]]), "ok.xlsx")
    assert result["rows"] == [["X1", "Plain"], ["2", "3.5"]]


# --------------------------------------------------------------------------- every import path


def test_framework_import_refuses_the_stray_cell_and_stores_nothing(engine, tmp_path):
    path = tmp_path / "stray.xlsx"
    path.write_bytes(stray_far_cell())
    before = tx(engine, cat.counts)
    with pytest.raises(UserError, match="uses 1,048,576 rows"):
        tx(engine, import_framework, path, key="stray", name="Stray", update=False, max_bytes=10 * MB, actor=COMMAND_LINE)
    with pytest.raises(UserError, match="uses 1,048,576 rows"):
        tx(engine, plan_import, stray_far_cell(), "stray.xlsx", key="stray", name="Stray", max_bytes=10 * MB)
    assert tx(engine, cat.counts) == before and "stray" not in tx(engine, cat.framework_keys)


def test_offline_comment_import_refuses_the_stray_cell_and_stores_nothing(engine):
    from indicators_lab.consultation import matrix
    from indicators_lab.consultation import rounds as con
    from indicators_lab.core.access import Actor

    lead = Actor("Lead", "co_lead")
    rid = tx(engine, con.create_round, actor=lead, title="Round")
    with pytest.raises(UserError, match="uses 1,048,576 rows"):
        tx(engine, matrix.import_comments, actor=lead, data=stray_far_cell(), filename="c.xlsx", round_id=rid, max_bytes=10 * MB)
    _, total = tx(engine, matrix.matrix_page, actor=lead, filt=matrix.MatrixFilter(round_id=rid))
    assert total == 0


def test_bulk_invitation_refuses_the_stray_cell_and_creates_no_account(empty_engine):
    from indicators_lab.consultation.invitations import invite_many
    from indicators_lab.core.accounts import create_user, list_users

    admin = tx(empty_engine, create_user, actor=None, email="admin@example.org", name="Admin", role="admin",
                        password="long enough pw")
    with pytest.raises(UserError, match="uses 1,048,576 rows"):
        tx(empty_engine, invite_many, actor=admin, data=stray_far_cell(), filename="p.xlsx", max_bytes=10 * MB)
    assert [u["email"] for u in tx(empty_engine, list_users, actor=admin)] == ["admin@example.org"]


def test_links_file_refuses_the_stray_cell():
    from indicators_lab.sets.optimiser import read_links_file

    with pytest.raises(UserError, match="uses 1,048,576 rows"):
        read_links_file(stray_far_cell(), "links.xlsx", max_bytes=10 * MB)


def test_links_file_with_an_infinite_objective_is_refused_naming_the_row():
    """An objective 'inf' in a links file (optimise --links) raises OverflowError (a traceback), not a refusal with the row."""
    from indicators_lab.sets.optimiser import read_links_file

    data = csv_bytes([["item_code", "objective", "weight"], ["10.7.2", "inf", "1"]])
    with pytest.raises(UserError, match="Row 2"):
        read_links_file(data, "links.csv", max_bytes=MB)


@pytest.mark.parametrize("weight, message", [
    ("inf", "the weight 'inf' is not a finite number"), ("1e999", "the weight '1e999' is not a finite number"),
    ("nan", "the weight 'nan' is not a finite number"), ("-1", "the weight must be zero or more"),
])
def test_links_file_weight_that_is_not_a_finite_non_negative_number_is_refused_for_what_it_is(weight, message):
    from indicators_lab.sets.optimiser import read_links_file

    data = csv_bytes([["item_code", "objective", "weight"], ["10.7.2", "6", weight]])
    with pytest.raises(UserError, match=f"Row 2: {re.escape(message)}"):
        read_links_file(data, "links.csv", max_bytes=MB)

"""Read an uploaded CSV or XLSX without letting the file hurt the platform.

Nothing a file declares is trusted (an XLSX's ``<dimension>``, row numbers, part sizes, a CSV's
encoding). A workbook is first streamed once, part by part, through a raw-deflate decoder with a
cap on the bytes it produces; the sheet's markup is scanned for the cells really written (with array
operations where every cell is written the common way, else with strict regular expressions), and the
file is refused unless they fit the caps below. Only then does python-calamine (fast, but it
allocates the whole grid up to the farthest cell and aborts the process when it cannot) read it.
Text is decoded only as UTF-8, UTF-16 or Windows-1252, detected with charset-normalizer.

Every refusal is a ``UserError`` with one line in the user's words.
"""

from __future__ import annotations

import csv
import gc
import io
import operator
import re
import struct
import zipfile
import zlib
from dataclasses import dataclass, field

from indicators_lab.core.errors import UserError

# Caps on what a sheet really uses (after the pre-scan, whatever the file declares).
MAX_ROWS = 200_000
MAX_COLUMNS = 200
# rows x columns of the grid a reader allocates; also caps the number of cells written. Keeps the
# grid, its Python objects and our string copy well under ~300 MB.
MAX_CELLS = 1_000_000
MAX_SHEETS = 100
MAX_PARTS = 1_000
MAX_DECOMPRESSED = 200 * 1024 * 1024  # all parts of a workbook together (zip bombs)
MAX_PART = 100 * 1024 * 1024  # one part (a sheet, the shared strings, styles...)
MAX_SHARED_STRINGS = 1_000_000
# Text the reader copies into cells: each cell referring to a shared string gets its own copy.
MAX_CELL_TEXT = 150 * 1024 * 1024
MAX_TAG = 1024 * 1024  # one XML tag (a cell with a megabyte of attributes is not a spreadsheet)
CHUNK = 1024 * 1024

# Control characters other than tab and newline (carriage returns too: "\r\n" becomes "\n").
_CONTROL = {c: None for c in (*range(0, 9), 11, 12, 13, *range(14, 32), 127)}
_CONTROL_RE = re.compile("[\x00-\x08\x0b-\x1f\x7f]")


@dataclass
class Table:
    """A read table: header row, data rows (blank rows dropped), and what was seen."""

    headers: list[str]
    rows: list[list[str]]
    blank_rows_skipped: int = 0
    cleaned_cells: int = 0  # cells from which control characters were removed
    notes: list[str] = field(default_factory=list)

    @property
    def rows_read(self) -> int:
        return len(self.rows)


def _fmt(n: int) -> str:
    return f"{n:,}"


def refuse(message: str) -> UserError:
    return UserError(message)


# --------------------------------------------------------------------------- text and cells


def clean_cell(text: str) -> str:
    """Stripped text without control characters (tab and newline kept)."""
    if _CONTROL_RE.search(text):
        text = text.translate(_CONTROL)
    return text.strip()


def cell_text(value: object) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    return str(value).strip()


def to_table(grid: list[list[object]] | list[list[str]], *, clean: bool) -> Table:
    """Drop blank rows, pad rows to the header's width, and make every cell a clean string."""
    # Building ~a million small lists would run the cycle collector over and over; none of
    # them can form a cycle, so it is paused meanwhile.
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        return _to_table(grid, clean=clean)
    finally:
        if was_enabled:
            gc.enable()


def _to_table(grid: list[list[object]] | list[list[str]], *, clean: bool) -> Table:
    rows: list[list[str]] = []
    blank = 0
    cleaned = 0
    widths = set(map(len, grid))
    if len(widths) == 1 and grid:
        # A rectangular grid (calamine's): convert column by column, so that the common
        # all-text column is one C-level map instead of a Python step per cell; and only the
        # columns that change are written back (text from calamine is mostly clean already).
        changed: dict[int, list[str]] = {}
        for i in range(len(grid[0])):
            col = list(map(operator.itemgetter(i), grid))
            try:
                new = list(map(str.strip, col))  # raises at the first cell that is not text
                text = True
            except TypeError:
                text = False  # numbers inline, as cell_text writes them (whole numbers without ".0")
                new = [v.strip() if v.__class__ is str else
                       ((str(int(v)) if v.is_integer() else str(v)) if v.__class__ is float else cell_text(v))
                       for v in col]
            if clean:
                fixed = list(map(clean_cell, new))
                cleaned += sum(map(str.__ne__, new, fixed))
                new = fixed
            if not text or new != col:
                changed[i] = new
        if len(changed) * 2 > len(grid[0]) or set(map(type, grid)) != {list}:
            columns = [changed.get(i) or list(col) for i, col in enumerate(zip(*grid))]
            grid = list(map(list, zip(*columns))) if columns else []
        else:
            for i, new in changed.items():
                for row, value in zip(grid, new):
                    row[i] = value
        keep = list(map(any, grid))
        rows = [r for r, k in zip(grid, keep) if k]
        blank = len(grid) - len(rows)
        grid = []
    for raw in grid:
        row = [v.strip() if v.__class__ is str else cell_text(v) for v in raw]
        if clean:
            fixed = [clean_cell(c) for c in row]
            cleaned += sum(a != b for a, b in zip(row, fixed))
            row = fixed
        if any(row):
            rows.append(row)
        else:
            blank += 1
    if not rows:
        raise refuse("The file is empty: it needs a header row and at least one data row.")
    headers, data = rows[0], rows[1:]
    if not data:
        raise refuse("The file has a header row but no data rows.")
    # Trailing empty header cells come from a sheet's formatting, not from the user's columns.
    width = len(headers)
    while width and not headers[width - 1] and not any(len(r) >= width and r[width - 1] for r in data):
        width -= 1
    headers = headers[:width]
    if set(map(len, data)) != {width}:
        data = [r[:width] if len(r) >= width else r + [""] * (width - len(r)) for r in data]
    return Table(headers, data, blank_rows_skipped=blank, cleaned_cells=cleaned)


def _check_extent(rows: int, cols: int, what: str = "spreadsheet") -> None:
    if rows > MAX_ROWS:
        raise refuse(f"This {what} uses {_fmt(rows)} rows; the limit is {_fmt(MAX_ROWS)}.")
    if cols > MAX_COLUMNS:
        raise refuse(f"This {what} uses {_fmt(cols)} columns; the limit is {_fmt(MAX_COLUMNS)}.")
    if rows * cols > MAX_CELLS:
        raise refuse(
            f"This {what} uses {_fmt(rows)} rows by {_fmt(cols)} columns; the limit is "
            f"{_fmt(MAX_CELLS)} cells. Remove the unused rows and columns, or split the file."
        )


# --------------------------------------------------------------------------- CSV / TSV

_TEXT_ENCODINGS = ["cp1252", "utf_16_le", "utf_16_be"]
_ENCODING_NAMES = {"cp932": "Shift-JIS", "shift_jis": "Shift-JIS", "euc_jp": "EUC-JP",
                   "gb18030": "Chinese GB18030", "big5": "Big5", "cp1250": "Central European (cp1250)",
                   "cp1251": "Cyrillic (cp1251)", "koi8_r": "Cyrillic (KOI8-R)"}
_SAVE_AS = "save it as CSV UTF-8 (in Excel: Save As > 'CSV UTF-8 (Comma delimited)') or as XLSX."


def decode_text(data: bytes) -> str:
    """Text of a CSV in UTF-8 (with or without BOM), UTF-16 or Windows-1252; else a refusal."""
    if data.startswith(b"\xef\xbb\xbf"):
        return _decoded(data[3:], "utf-8")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) and not data.startswith(b"\xff\xfe\x00\x00"):
        return _decoded(data, "utf-16")
    from charset_normalizer import from_bytes

    head = data[:4096]
    if head.count(0) > len(head) // 4:  # UTF-16 without a byte-order mark, or binary
        best = from_bytes(data, cp_isolation=["utf_16_le", "utf_16_be"]).best()
        if best is None:
            raise refuse("The file could not be read as text: it looks like a binary file. "
                         "Save it as CSV (UTF-8) or XLSX.")
        return _decoded(data, best.encoding)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        return _not_binary(text)
    best = from_bytes(data, cp_isolation=["cp1252"]).best()
    if best is not None:
        return _decoded(data, best.encoding)
    other = None if b"\x00" in head else from_bytes(data).best()
    if other is None or other.encoding.startswith(("utf_16", "utf_32")):
        raise refuse("The file could not be read as text: it looks like a binary file. "
                     "Save it as CSV (UTF-8) or XLSX.")
    if other.encoding not in ("utf_8", "ascii"):
        name = _ENCODING_NAMES.get(other.encoding, other.encoding)
        raise refuse(f"The file seems to be written in the {name} encoding, which is not accepted: {_SAVE_AS}")
    raise refuse(f"The file could not be decoded as text: {_SAVE_AS}")


def undecodable() -> UserError:
    """The one-line refusal of a file whose bytes are not text in the encoding it claims."""
    return refuse(f"The file could not be decoded as text: {_SAVE_AS}")


def _decoded(data: bytes, encoding: str) -> str:
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError:
        raise undecodable() from None
    return _not_binary(text)


def _not_binary(text: str) -> str:
    sample = text[:100_000]
    controls = len(_CONTROL_RE.findall(sample)) - sample.count("\r")
    if controls > max(8, len(sample) // 100):
        raise refuse("The file could not be read as text: it looks like a binary file. "
                     "Save it as CSV (UTF-8) or XLSX.")
    return text


def read_csv(data: bytes) -> Table:
    """A CSV/TSV: encoding detected, delimiter from the header row, caps checked row by row."""
    text = decode_text(data)
    del data
    cleaned = len(_CONTROL_RE.findall(text)) - text.count("\r")
    text = text.translate(_CONTROL)
    # The header row decides the delimiter: csv.Sniffer guesses from data rows too and is
    # misled by punctuation inside titles.
    header = text.lstrip("\ufeff").split("\n", 1)[0]
    counts = {d: header.count(d) for d in (",", ";", "\t", "|")}
    delimiter = max(counts, key=counts.get) if any(counts.values()) else ","
    grid: list[list[str]] = []
    cells = 0
    try:
        for n, row in enumerate(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), 1):
            if len(row) > MAX_COLUMNS:
                raise refuse(f"This file uses {_fmt(len(row))} columns (row {_fmt(n)}); "
                             f"the limit is {_fmt(MAX_COLUMNS)}.")
            if n > MAX_ROWS:
                raise refuse(f"This file has more than {_fmt(MAX_ROWS)} rows; the limit is {_fmt(MAX_ROWS)}.")
            cells += len(row)
            if cells > MAX_CELLS:
                raise refuse(f"This file has more than {_fmt(MAX_CELLS)} cells; the limit is {_fmt(MAX_CELLS)}.")
            grid.append(row)
    except csv.Error as exc:
        raise refuse(f"The CSV file could not be read: {exc}.") from None
    del text
    table = to_table(grid, clean=False)
    table.cleaned_cells = max(cleaned, 0)
    return table


# --------------------------------------------------------------------------- XLSX pre-scan


@dataclass
class SheetScan:
    """What the markup of one worksheet really holds."""

    part: str
    max_row: int = 0
    max_col: int = 0
    value_cells: int = 0
    cell_tags: int = 0
    string_cells: int = 0  # cells whose value is a shared string (t="s")
    string_indices_bytes: int = 0  # text those cells copy, when measured
    control: bool = False


@dataclass
class WorkbookScan:
    sheet: SheetScan
    sheets: int
    shared_strings: int
    decompressed: int
    control: bool


_MARKUP_DECL = re.compile(rb"<!(?!--|\[CDATA\[)")
_XML_ENCODING = re.compile(rb"""<\?xml[^>]*\bencoding\s*=\s*["']([^"']*)["']""")
_ATTR = rb"""\s+[\w:.-]+\s*=\s*(?:"[^"]*"|'[^']*')"""
_NOT_R_ATTR = rb"""\s+(?!r\s*=)[\w:.-]+\s*=\s*(?:"[^"]*"|'[^']*')"""
_PFX = rb"(?:[\w.-]+:)?"
# Every opening cell tag, however written.
_CELL_TAG = re.compile(rb"<" + _PFX + rb"c[\s/>]")
# A cell tag with a well-formed attribute list and exactly one r="A1" reference; groups: column
# letters, row digits, anything else in the reference, "/" when empty, "</c>" when empty.
_CELL = re.compile(
    rb"<" + _PFX + rb"c(?:" + _NOT_R_ATTR + rb")*\s+r\s*=\s*([\"'])([A-Z]*)([0-9]*)([^\"']*)\1"
    rb"(?:" + _NOT_R_ATTR + rb")*\s*(/?)>(\s*</" + _PFX + rb"c>)?"
)
_STRING_CELL_VALUE = re.compile(
    rb"""<""" + _PFX + rb"""c\s[^>]*?\bt\s*=\s*["']s["'][^>]*>\s*<""" + _PFX + rb"""v>\s*([0-9]+)\s*</"""
)
_SI = re.compile(rb"<" + _PFX + rb"si")
_SHEET = re.compile(rb"<" + _PFX + rb"sheet[\s/>]")


def _col_number(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ch - 64
    return n


def _raw_stream(data: bytes, info: zipfile.ZipInfo, budget: list[int]):
    """Yield the decompressed bytes of one part in chunks, counting every byte against the
    part cap and ``budget`` (whatever the zip headers declare)."""
    off = info.header_offset
    head = data[off:off + 30]
    if len(head) < 30 or head[:4] != b"PK\x03\x04":
        raise refuse("The file is not a valid XLSX workbook (a part could not be found).")
    name_len, extra_len = struct.unpack("<HH", head[26:30])
    start = off + 30 + name_len + extra_len
    raw = memoryview(data)[start:start + info.compress_size]
    if info.compress_type == zipfile.ZIP_STORED:
        chunks = (bytes(raw[i:i + CHUNK]) for i in range(0, len(raw), CHUNK))
        decomp = None
    elif info.compress_type == zipfile.ZIP_DEFLATED:
        decomp = zlib.decompressobj(-15)
        chunks = None
    else:
        raise refuse("The workbook uses a compression Excel never writes; open it in Excel and save it again.")
    produced = 0
    crc = 0

    def account(piece: bytes) -> bytes:
        nonlocal produced, crc
        produced += len(piece)
        budget[0] -= len(piece)
        if produced > MAX_PART or budget[0] < 0:
            raise refuse("The workbook is refused: it would inflate far beyond its size (zip bomb).")
        crc = zlib.crc32(piece, crc)
        return piece

    if decomp is None:
        for piece in chunks:
            yield account(piece)
    else:
        for i in range(0, len(raw), 64 * 1024):
            piece = decomp.decompress(raw[i:i + 64 * 1024], CHUNK)
            yield account(piece)
            while decomp.unconsumed_tail:
                piece = decomp.decompress(decomp.unconsumed_tail, CHUNK)
                yield account(piece)
        tail = decomp.flush()
        if tail:
            yield account(tail)
    if produced != info.file_size or crc != info.CRC:
        raise refuse("The file is not a valid XLSX workbook (a part is damaged or lies about its size).")


def _xml_chunks(data: bytes, info: zipfile.ZipInfo, budget: list[int]):
    """Decompressed chunks of an XML part cut after a '>' (so no tag is split unless it is
    longer than MAX_TAG), refusing DTDs and entity declarations and non-UTF-8 encodings."""
    carry = b""
    first = True
    for piece in _raw_stream(data, info, budget):
        buf = carry + piece if carry else piece
        if first and buf:
            first = False
            head = buf[:200].lstrip(b"\xef\xbb\xbf \t\r\n")
            if head.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in head[:4]:
                raise refuse("The workbook is refused: its XML is not in UTF-8, which Excel always writes.")
            m = _XML_ENCODING.match(head)
            if m and m.group(1).lower().replace(b"-", b"") != b"utf8":
                raise refuse("The workbook is refused: its XML is not in UTF-8, which Excel always writes.")
        cut = buf.rfind(b">") + 1
        if cut == 0:
            carry = buf
        else:
            chunk, carry = buf[:cut], buf[cut:]
            yield chunk
        lt = carry.rfind(b"<")
        if lt < 0:
            carry = carry[-16:]  # text only: keep enough to see a markup start split at the edge
        elif len(carry) - lt > MAX_TAG:
            raise refuse("The workbook is refused: it holds an XML tag longer than 1 MB.")
        else:
            carry = carry[lt:] if lt > 0 else carry
    if carry.strip():
        yield carry


def _check_markup(chunk: bytes, prev_tail: bytes) -> None:
    if b"<!" not in chunk and b"<!" not in prev_tail[-1:] + chunk[:1]:
        return
    if _MARKUP_DECL.search(prev_tail + chunk[:16]) or _MARKUP_DECL.search(chunk):
        raise refuse("The workbook is refused: it declares XML entities or a DTD, which a spreadsheet "
                     "never needs and which can be used to read files (XXE, billion laughs).")


# The shape every common writer (Excel, LibreOffice, openpyxl, xlsxwriter) gives a cell: r first,
# then lowercase attributes in double quotes. Chunks holding only such cells take the fast path.
# (A second r attribute is caught by counting ' r="': only cells and rows carry one.)
_FAST_CELL = re.compile(rb'<c r="([A-Z]{1,3})([1-9][0-9]{0,6})"(?: [a-z]+="[^"]*")*(/?)>(</c>)?')
_ODD_CELL_START = re.compile(rb"<c[\t\n\r>/]")
_CONTROL_SET = bytes([*range(0, 9), 11, 12, *range(14, 32), 127])


_first, _second, _third, _fourth = (operator.itemgetter(i) for i in range(4))


def _has_control(chunk: bytes) -> bool:
    return (b"&#" in chunk or b"_x" in chunk
            or len(chunk.translate(None, _CONTROL_SET)) != len(chunk))


def _byte_table(*codes: int):
    import numpy as np

    table = np.zeros(256, dtype=bool)
    table[list(codes)] = True
    return table


class _Tables:
    odd_start = r_before = r_after = None


@dataclass
class _ChunkFacts:
    """What one chunk of a sheet holds, measured with array operations."""

    filled: int  # cells with a value (or anything but nothing) inside
    max_row: int
    max_col: int
    declaration: bool  # "<!" somewhere (a DTD or an entity: refused by _check_markup)
    control: bool  # a control character or an escape that may make one
    string_cells: int  # t="s" (or t='s') anywhere


def _vector_facts(chunk: bytes) -> _ChunkFacts | None:
    """The facts of a chunk whose cells are all written the common way (``<c r="A1"`` first),
    from a few array passes instead of a regular expression per cell; None when any cell, or any
    r attribute, is written otherwise (the regular expressions of _scan_sheet then decide)."""
    import numpy as np

    if _Tables.odd_start is None:  # numpy is imported on the first workbook, not at start-up
        _Tables.odd_start = _byte_table(9, 10, 13, 47, 62)
        _Tables.r_before = _byte_table(9, 10, 13, 32, 34, 39)
        _Tables.r_after = _byte_table(9, 10, 13, 32, 61)
    n = len(chunk)
    pad = np.frombuffer(chunk + b"\0" * 16, dtype=np.uint8)
    colon = np.flatnonzero(pad == 58)
    if (pad[colon + 1] == 99).any():
        return None  # a cell with a namespace prefix ("<x:c")
    lt = np.flatnonzero(pad == 60)  # every "<"
    after = pad[lt + 1]
    at_c = np.flatnonzero(after == 99)  # "<c", "<col", "<cfRule"...: indices into lt
    after2 = pad[lt[at_c] + 2]
    if _Tables.odd_start[after2].any():
        return None  # "<c" followed by a tab, a newline, "/" or ">"
    cells = at_c[after2 == 32]  # "<c ": indices into lt
    start = lt[cells]
    if not ((pad[start + 3] == 114) & (pad[start + 4] == 61) & (pad[start + 5] == 34)).all():
        return None  # a cell whose first attribute is not r="..."
    rows = lt[after == 114]
    n_rows = int(((pad[rows + 2] == 111) & (pad[rows + 3] == 119) & (pad[rows + 4] == 32) & (pad[rows + 5] == 114)
                  & (pad[rows + 6] == 61) & (pad[rows + 7] == 34)).sum())  # '<row r="'
    # Exactly one r attribute per cell and per row: every "r" that could start an attribute
    # named r (after a space or a quote, before "=" or a space) is that of a '<c r="' or a '<row r="'.
    rs = np.flatnonzero(pad[1:n] == 114) + 1
    if int((_Tables.r_before[pad[rs - 1]] & _Tables.r_after[pad[rs + 1]]).sum()) != len(start) + n_rows:
        return None
    eq = np.flatnonzero(pad == 61)
    quote = pad[eq + 1]
    strings = int(((pad[eq - 1] == 116) & (pad[eq + 2] == 115) & (quote == pad[eq + 3])
                   & ((quote == 34) | (quote == 39))).sum())  # t="s" or t='s'
    amp = np.flatnonzero(pad == 38)
    under = np.flatnonzero(pad == 95)
    control = bool((pad[amp + 1] == 35).any() or (pad[under + 1] == 120).any()
                   or len(chunk.translate(None, _CONTROL_SET)) != n)
    facts = _ChunkFacts(0, 0, 0, bool((after == 33).any()), control, strings)
    if not len(start):
        return facts
    first = start + 6
    upper = [(c >= 65) & (c <= 90) for c in (pad[first], pad[first + 1], pad[first + 2], pad[first + 3])]
    n_letters = upper[0].astype(np.int8) + (upper[0] & upper[1]) + (upper[0] & upper[1] & upper[2])
    if not (upper[0].all() and not (upper[1] & upper[2] & upper[3]).any()):
        return None  # a reference without a column letter, or with more than three
    digit_at = first + n_letters
    if (pad[digit_at] == 48).any():
        return None  # a row number with a leading zero
    n_digits = np.zeros(len(start), dtype=np.int8)
    running = np.ones(len(start), dtype=bool)
    for k in range(8):
        b = pad[digit_at + k]
        running &= (b >= 48) & (b <= 57)
        n_digits += running
    if not ((n_digits >= 1) & (n_digits <= 7) & (pad[digit_at + n_digits] == 34)).all():
        return None  # not a reference of 1-3 letters and 1-7 digits closed by a quote
    # A cell is empty when the next markup closes it or its row, or starts the next cell;
    # anything else (a value, a formula, odd markup) counts as filled, to be safe.
    nxt = np.append(lt, n)[cells + 1]
    filled = ~((pad[nxt + 1] == 47) | ((pad[nxt + 1] == 99) & (pad[nxt + 2] == 32)))
    facts.filled = int(filled.sum())
    if not facts.filled:
        return facts
    facts.max_row = _largest_number(pad, digit_at[filled], n_digits[filled], 48)
    facts.max_col = _largest_number(pad, first[filled], n_letters[filled], 64, base=26)
    return facts


def _largest_number(pad, at, lengths, zero: int, base: int = 10) -> int:
    """The largest of the numbers written at ``at`` (``lengths`` digits each), compared digit by
    digit among the longest only: a few passes over shrinking arrays, no per-cell arithmetic."""
    longest = int(lengths.max())
    at = at[lengths == longest]
    value = 0
    for k in range(longest):
        digit = pad[at + k]
        top = digit.max()
        at = at[digit == top]
        value = value * base + int(top) - zero
    return value


def _scan_sheet(data: bytes, info: zipfile.ZipInfo, budget: list[int], si_bytes: list[int]) -> SheetScan:
    scan = SheetScan(info.filename)
    max_col = 0  # measured by _vector_facts
    max_len = 0
    letters_at_max: bytes = b""
    bad = False
    max_si = max(si_bytes) if si_bytes else 0
    for chunk in _xml_chunks(data, info, budget):
        facts = _vector_facts(chunk)
        if facts is not None:
            if facts.declaration:
                _check_markup(chunk, b"")
            scan.control = scan.control or facts.control
            scan.value_cells += facts.filled
            scan.max_row = max(scan.max_row, facts.max_row)
            max_col = max(max_col, facts.max_col)
        else:
            if b"<!" in chunk:
                _check_markup(chunk, b"")
            if not scan.control and _has_control(chunk):
                scan.control = True
            n_tags = chunk.count(b"<c ")
            fast = (b":c" not in chunk and _ODD_CELL_START.search(chunk) is None
                    and chunk.count(b' r="') == chunk.count(b'<c r="') + chunk.count(b'<row r="'))
            found = _FAST_CELL.findall(chunk) if fast else []
            if fast and len(found) == n_tags:
                if any(map(_third, found)) or any(map(_fourth, found)):
                    found = [f for f in found if not f[2] and not f[3]]
            else:
                # Cells written some other way: the strict, slower pattern; any cell it cannot
                # read is left counted in cell_tags and refuses the file below.
                scan.cell_tags += len(_CELL_TAG.findall(chunk))
                found = _CELL.findall(chunk)
                scan.cell_tags -= len(found)
                if any(f[3] or not f[1] or not f[2] or f[2][:1] == b"0" or len(f[2]) > 7 or len(f[1]) > 3
                       for f in found):
                    bad = True
                found = [(f[1], f[2]) for f in found if not f[4] and not f[5]]
            if found:
                letters, digits = set(map(_first, found)), set(map(_second, found))
                scan.value_cells += len(found)
                scan.max_row = max(scan.max_row, max(map(int, digits)))
                top = max(letters, key=lambda x: (len(x), x))
                if (len(top), top) > (max_len, letters_at_max):
                    max_len, letters_at_max = len(top), top
        if max_si:
            strings = facts.string_cells if facts is not None else chunk.count(b't="s"') + chunk.count(b"t='s'")
            if strings:
                scan.string_cells += strings
                if scan.string_cells * max_si > MAX_CELL_TEXT:
                    # Only then is each string cell's own text measured (slow, rarely needed).
                    idx = _STRING_CELL_VALUE.findall(chunk)
                    n_si = len(si_bytes)
                    measured = sum(si_bytes[i] if i < n_si else 0 for i in map(int, idx))
                    scan.string_indices_bytes += measured + (strings - len(idx)) * max_si
                else:
                    scan.string_indices_bytes += strings * max_si
                if scan.string_indices_bytes > MAX_CELL_TEXT:
                    raise refuse(
                        f"This spreadsheet would expand to more than {MAX_CELL_TEXT // 1_048_576} MB of "
                        "text (its cells repeat very long shared texts); split it or shorten the texts."
                    )
        if scan.value_cells > MAX_CELLS:
            raise refuse(f"This spreadsheet has more than {_fmt(MAX_CELLS)} filled cells; "
                         f"the limit is {_fmt(MAX_CELLS)}.")
    scan.max_col = max(max_col, _col_number(letters_at_max))
    if bad:
        raise refuse("The workbook is refused: a cell has an address that is not a spreadsheet "
                     "address; open it in Excel and save it again.")
    if scan.cell_tags:
        # Cells without an address (or with one written oddly): their place would be guessed
        # by the reader, so the extent above would not be proven.
        raise refuse("The workbook is refused: some cells have no address (it was not written by "
                     "Excel); open it in Excel or LibreOffice and save it again as .xlsx.")
    return scan


def _scan_shared_strings(data: bytes, info: zipfile.ZipInfo, budget: list[int]) -> tuple[list[int], bool]:
    """Upper bound of each shared string's size in bytes (the markup between two <si>), and
    whether any may carry control characters."""
    sizes: list[int] = []
    control = False
    started = False
    tail = b""
    for chunk in _xml_chunks(data, info, budget):
        _check_markup(chunk, tail)
        tail = chunk[-16:]
        if not control and _has_control(chunk):
            control = True
        # Sizes of the pieces between two "<si" (an upper bound of each text), across chunks.
        lens = list(map(len, _SI.split(chunk) if b":si" in chunk else chunk.split(b"<si")))
        if started:
            sizes[-1] += lens[0]
        started = started or len(lens) > 1
        sizes.extend(lens[1:])
        if len(sizes) > MAX_SHARED_STRINGS:
            raise refuse(f"This spreadsheet has more than {_fmt(MAX_SHARED_STRINGS)} different texts; "
                         f"the limit is {_fmt(MAX_SHARED_STRINGS)}.")
    return sizes, control


def _first_sheet_part(zf: zipfile.ZipFile, data: bytes, budget: list[int]) -> tuple[str, int]:
    """Path of the workbook's first sheet (the one read) and the number of sheets."""
    import defusedxml.ElementTree as ET

    def small_xml(name: str):
        pieces, size = [], 0
        for chunk in _xml_chunks(data, zf.getinfo(name), budget):
            size += len(chunk)
            if size > 10 * 1024 * 1024:
                raise refuse("The workbook is refused: its list of sheets is larger than 10 MB.")
            pieces.append(chunk)
        text = b"".join(pieces)
        _check_markup(text, b"")
        try:
            return ET.fromstring(text, forbid_dtd=True)
        except ET.ParseError:
            raise refuse("The XLSX workbook could not be read (its list of sheets is damaged).") from None

    names = set(zf.namelist())
    if "xl/workbook.xml" not in names:
        raise refuse("The file is a zip archive but not an XLSX workbook.")
    wb = small_xml("xl/workbook.xml")
    sheets = [e for e in wb.iter() if e.tag.rsplit("}", 1)[-1] == "sheet"]
    if not sheets:
        raise refuse("The workbook has no sheet.")
    if len(sheets) > MAX_SHEETS:
        raise refuse(f"This workbook has {_fmt(len(sheets))} sheets; the limit is {_fmt(MAX_SHEETS)}.")
    rid = next((v for k, v in sheets[0].attrib.items() if k.rsplit("}", 1)[-1] == "id"), None)
    target = None
    if "xl/_rels/workbook.xml.rels" in names and rid:
        for rel in small_xml("xl/_rels/workbook.xml.rels").iter():
            if rel.get("Id") == rid:
                target = rel.get("Target")
    if target is None:
        raise refuse("The XLSX workbook could not be read (its first sheet is missing).")
    target = target.lstrip("/") if target.startswith("/") else "xl/" + target
    parts: list[str] = []
    for piece in target.split("/"):
        if piece == "..":
            if parts:
                parts.pop()
        elif piece and piece != ".":
            parts.append(piece)
    path = "/".join(parts)
    if path not in names:
        raise refuse("The XLSX workbook could not be read (its first sheet is missing).")
    return path, len(sheets)


def prescan_xlsx(data: bytes) -> WorkbookScan:
    """Stream every part once (bounded) and measure the first sheet; refuse what breaks a cap."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except (zipfile.BadZipFile, ValueError, struct.error):
        raise refuse("The file is not a valid XLSX workbook (it could not be opened).") from None
    if len(infos) > MAX_PARTS:
        raise refuse(f"The workbook has {_fmt(len(infos))} parts; the limit is {_fmt(MAX_PARTS)}.")
    declared = sum(i.file_size for i in infos)
    if declared > MAX_DECOMPRESSED or any(i.file_size > MAX_PART for i in infos):
        raise refuse("The workbook is refused: it would inflate far beyond its size (zip bomb).")
    names = [i.filename for i in infos]
    if len(set(names)) != len(names):
        raise refuse("The file is not a valid XLSX workbook (a part appears twice).")
    if "[Content_Types].xml" not in names or not any(n.startswith("xl/") for n in names):
        raise refuse("The file is a zip archive but not an XLSX workbook.")
    budget = [MAX_DECOMPRESSED]
    sheet_path, n_sheets = _first_sheet_part(zf, data, budget)
    si_bytes: list[int] = []
    control = False
    for info in infos:
        name = info.filename
        if name in ("xl/workbook.xml", "xl/_rels/workbook.xml.rels") or name == sheet_path:
            continue
        if name.endswith("sharedStrings.xml"):
            si_bytes, control = _scan_shared_strings(data, info, budget)
            continue
        if name.endswith((".xml", ".rels", ".vml")):
            tail = b""
            for chunk in _xml_chunks(data, info, budget):
                _check_markup(chunk, tail)
                tail = chunk[-16:]
        else:
            for _ in _raw_stream(data, info, budget):
                pass
    sheet = _scan_sheet(data, zf.getinfo(sheet_path), budget, si_bytes)
    _check_extent(sheet.max_row, sheet.max_col)
    return WorkbookScan(sheet, n_sheets, len(si_bytes), MAX_DECOMPRESSED - budget[0],
                        control or sheet.control)


def read_xlsx(data: bytes) -> Table:
    """The first sheet of a workbook, pre-scanned and then read by python-calamine."""
    scan = prescan_xlsx(data)
    if scan.sheet.value_cells == 0:
        raise refuse("The file is empty: it needs a header row and at least one data row.")
    from python_calamine import CalamineWorkbook

    try:
        wb = CalamineWorkbook.from_filelike(io.BytesIO(data))
        try:
            grid = wb.get_sheet_by_index(0).to_python()
        finally:
            close = getattr(wb, "close", None)
            if close:
                close()
    except UserError:
        raise
    except Exception as exc:  # calamine raises its own types for damaged workbooks
        raise refuse(f"The XLSX workbook could not be read ({type(exc).__name__}).") from None
    return to_table(grid, clean=scan.control)

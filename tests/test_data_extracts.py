"""Data extracts: read real and fixture files, count areas per indicator, store all or nothing.

Fixture extracts here are TEST DATA made up for the tests (country names and values are not
real figures); the two real files come from ../shared/sources/data_extracts (PROVENANCE.md).
"""

from datetime import date

import pytest
from sqlmodel import select

from indicators_lab.catalogue.data import (
    apply_data_import,
    current_figures,
    data_badges,
    list_imports,
    plan_data_import,
)
from indicators_lab.catalogue.extracts import code_from_filename, iter_rows, parse_value, parse_year, summarise
from indicators_lab.core.access import Actor
from indicators_lab.core.errors import UserError
from indicators_lab.core.models import DataFigure, DataImport
from indicators_lab.core.db import in_transaction as tx
from tests.apptest import app  # noqa: F401  (fixture)
from tests.factories import csv_bytes
from tests.test_shipped_data import SOURCES
import os
import subprocess
import sys

LEAD = Actor("Lead One", "co_lead")
MB = 50 * 1024 * 1024
SDG_HEADER = ["Goal", "Target", "Indicator", "SeriesCode", "SeriesDescription", "GeoAreaCode", "GeoAreaName",
              "TimePeriod", "Value", "Time_Detail", "Source", "[Sex]", "[Migratory status]", "[Units]", "", ""]


def sdg_row(code, area, year, value, sex="BOTHSEX", mig="_T"):
    # TEST DATA: made-up rows in the Global Database layout (with its two trailing empty columns)
    return ["8", code.rsplit(".", 1)[0], code, "SL_EMP_FTLINJUR", "Fatal injuries", str(area[0]), area[1],
            str(year), str(value), str(year), "test data", sex, mig, "PER_100000_WORKERS", "", ""]


def fixture_extract(rows, encoding="cp1252"):
    return csv_bytes([SDG_HEADER, *rows], encoding=encoding)


KNOWN = {"8.8.1": "8.8.1", "8.8.2": "8.8.2", "8.5.2": "8.5.2", "10.7.2": "10.7.2"}


def test_periods_and_values_are_read_as_the_sources_write_them():
    today = date(2026, 12, 1)
    assert [parse_year(p, today=today) for p in ["2016", "2016.0", "2000 Q1", "2019-03", "2016-2018"]] == \
        [2016, 2016, 2000, 2019, 2018]
    assert [parse_year(p, today=today) for p in ["20166", "2035", "abc", ""]] == [None, None, None, None]
    assert parse_value("3.91") == (True, True) and parse_value("<5") == (True, True)
    assert parse_value("") == (False, True) and parse_value("NaN") == (False, True)
    assert parse_value("high") == (False, False)
    assert code_from_filename("malta_indicator_8-8-1.csv") == "8.8.1"


def test_global_database_extract_counts_areas_years_and_migratory_dimension():
    data = fixture_extract([
        sdg_row("8.8.1", (4, "Testland"), 2014, 1.5),
        sdg_row("8.8.1", (4, "Testland"), 2016, 1.2),
        sdg_row("8.8.1", (4, "Testland"), 2018, 1.1, mig="MIGRANT"),
        sdg_row("8.8.1", (8, "Mockistan"), 2019, 2.0),
        sdg_row("8.8.1", (12, "Oldshire"), 2010, 3.0),
        sdg_row("8.8.2", (4, "Testland"), 2020, ""),  # a row without a value is not data
    ])
    s = summarise(iter_rows(data, "extract.csv"), "extract.csv", known_codes=KNOWN)
    f = s.figures["8.8.1"]
    assert (f.areas_any, f.areas_since_2015, f.areas_two_years) == (3, 2, 1)
    assert f.median_latest_year == 2018.0  # latest years 2018, 2019, 2010
    assert f.migratory_dimensions == ("Migratory status",)
    assert "8.8.2" not in s.figures and s.rows_without_value == 1
    assert s.layout == "sdg-global-database" and s.problem_count == 0


def test_a_migratory_column_holding_only_totals_is_no_split():
    # The Global Database puts every dimension column in the file; a series reported only for
    # everyone (_T) has the column but cannot be split by it.
    data = fixture_extract([
        sdg_row("8.8.1", (4, "Testland"), 2016, 1.2),
        sdg_row("8.8.2", (4, "Testland"), 2016, 3.0),
        sdg_row("8.8.2", (4, "Testland"), 2016, 4.0, mig="NON_MIGRANT"),
    ])
    s = summarise(iter_rows(data, "extract.csv"), "extract.csv", known_codes=KNOWN)
    assert s.figures["8.8.1"].migratory_dimensions == ()
    assert "Migratory status" in [d.name for d in s.figures["8.8.1"].dimensions]  # present, not a split
    assert s.figures["8.8.2"].migratory_dimensions == ("Migratory status",)


def test_unknown_codes_bad_years_and_values_are_reported_per_row():
    data = fixture_extract([
        sdg_row("8.8.1", (4, "Testland"), 2016, 1.2),
        sdg_row("99.9.9", (4, "Testland"), 2016, 1.2),
        sdg_row("8.8.1", (4, "Testland"), "20x6", 1.2),
        sdg_row("8.8.1", (4, "Testland"), 2017, "lots"),
    ])
    s = summarise(iter_rows(data, "extract.csv"), "extract.csv", known_codes=KNOWN)
    assert [(p.row, p.message) for p in s.problems] == [
        (3, "the indicator code '99.9.9' is not in the SDG catalogue"),
        (4, "'20x6' is not a year (e.g. 2019 or 2019 Q1)"),
        (5, "the value 'lots' is not a number"),
    ]


@pytest.mark.skipif(not (SOURCES / "data_extracts").is_dir(), reason="../shared/sources is not beside this checkout")
def test_real_malta_and_uk_open_sdg_files_are_read():
    malta = (SOURCES / "data_extracts" / "malta_indicator_8-8-1.csv").read_bytes()
    s = summarise(iter_rows(malta, "malta_indicator_8-8-1.csv"), "malta_indicator_8-8-1.csv", known_codes=KNOWN)
    f = s.figures["8.8.1"]
    assert s.layout == "open-sdg" and s.rows_read == 324 and s.problem_count == 0
    assert (f.areas_since_2015, f.first_year, f.last_year) == (1, 2016, 2024)
    assert f.migratory_dimensions == ("Migratory Status",)

    uk = (SOURCES / "data_extracts" / "uk_ons_indicator_8-5-2.csv").read_bytes()
    s = summarise(iter_rows(uk, "uk_ons_indicator_8-5-2.csv"), "uk_ons_indicator_8-5-2.csv", known_codes=KNOWN)
    f = s.figures["8.5.2"]
    assert s.rows_read == 9261 and s.problem_count == 0
    assert (f.first_year, f.last_year) == (2000, 2023)  # "2000 Q1" ... "2023 Q1"
    assert f.migratory_dimensions == ("Country of birth",)


def test_file_that_is_neither_layout_is_refused_with_its_columns():
    with pytest.raises(UserError, match="Found the columns 'a', 'b'"):
        summarise(iter_rows(csv_bytes([["a", "b"], ["1", "2"]]), "x.csv"), "x.csv", known_codes=KNOWN)


def test_binary_file_is_refused():
    with pytest.raises(UserError):
        list(iter_rows(b"\x00\x01\x02" * 5000, "x.csv"))


def test_import_is_dated_kept_and_a_newer_one_replaces_the_figures(engine):
    first = fixture_extract([sdg_row("8.8.1", (4, "Testland"), 2016, 1.0)])
    plan = tx(engine, plan_data_import, first, "first.csv", max_bytes=MB)
    tx(engine, apply_data_import, plan, actor=LEAD)
    second = fixture_extract([sdg_row("8.8.1", (4, "Testland"), 2016, 1.0),
                              sdg_row("8.8.1", (8, "Mockistan"), 2017, 2.0, mig="MIGRANT")])
    plan = tx(engine, plan_data_import, second, "second.csv", max_bytes=MB)
    tx(engine, apply_data_import, plan, actor=LEAD)

    figures = tx(engine, current_figures)
    assert list(figures["code"]) == ["8.8.1"]
    assert figures.iloc[0]["areas_since_2015"] == 2 and figures.iloc[0]["filename"] == "second.csv"
    imports = tx(engine, list_imports, actor=LEAD)
    assert [(i.filename, i.imported_by) for i in imports] == [("second.csv", "Lead One"), ("first.csv", "Lead One")]
    badges = tx(engine, data_badges, [int(figures.iloc[0]["item_id"])])
    assert list(badges.values()) == ["2 areas · migratory split"]


def test_file_with_problem_rows_stores_nothing_unless_told_to_skip_them(engine):
    data = fixture_extract([sdg_row("8.8.1", (4, "Testland"), 2016, 1.0), sdg_row("8.8.1", (4, "Testland"), 2017, "bad")])
    plan = tx(engine, plan_data_import, data, "bad.csv", max_bytes=MB)
    with pytest.raises(UserError, match="row 3: the value 'bad' is not a number"):
        tx(engine, apply_data_import, plan, actor=LEAD)
    assert tx(engine, lambda *, session: session.exec(select(DataImport)).all()) == []
    tx(engine, apply_data_import, plan, actor=LEAD, skip_bad_rows=True)
    [imp] = tx(engine, lambda *, session: session.exec(select(DataImport)).all())
    assert imp.rows_skipped == 1 and imp.problems == [{"row": 3, "message": "the value 'bad' is not a number"}]


def test_a_stakeholder_cannot_import_data(engine):
    plan = tx(engine, plan_data_import, fixture_extract([sdg_row("8.8.1", (4, "T"), 2016, 1)]), "x.csv", max_bytes=MB)
    with pytest.raises(UserError, match="Only a co-lead"):
        tx(engine, apply_data_import, plan, actor=Actor("S", "stakeholder"))
    assert tx(engine, lambda *, session: session.exec(select(DataFigure)).all()) == []


def test_too_large_file_is_refused_before_reading(engine):
    with pytest.raises(UserError, match="limit for data extracts"):
        tx(engine, plan_data_import, b"x" * 2000, "x.csv", max_bytes=1000)


def test_cli_import_data_prints_problem_rows_and_stores_nothing(settings_env, tmp_path, capsys):
    from indicators_lab.cli import main

    path = tmp_path / "extract.csv"
    path.write_bytes(fixture_extract([sdg_row("8.8.1", (4, "Testland"), 2016, 1.0),
                                      sdg_row("8.8.1", (4, "Testland"), "year?", 1.0)]))
    assert main(["import-data", str(path)]) == 2
    err = capsys.readouterr().err
    assert "row 3: 'year?' is not a year" in err and "Nothing was stored" in err
    assert main(["import-data", str(path), "--skip-bad-rows"]) == 0
    assert "figures for 1 indicator (import" in capsys.readouterr().out


def test_data_page_shows_the_import_date(app):  # noqa: F811
    from tests.apptest import open_page

    plan = tx(app, plan_data_import, fixture_extract([sdg_row("8.8.1", (4, "Testland"), 2016, 1.0)]), "dated.csv",
              max_bytes=MB)
    tx(app, apply_data_import, plan, actor=LEAD)
    at = open_page("views/data_availability.py")
    # the file name is escaped Markdown (plain()): compare the text as rendered
    assert any("Latest import: dated.csv" in i.value.replace("\\", "") for i in at.info)
    assert list(at.dataframe[0].value["code"]) == ["8.8.1"]


# Peak resident memory of this process: VmHWM (Linux; ru_maxrss would carry over the parent's
# peak across fork and exec, i.e. pytest's), else ru_maxrss.
LARGE_SCRIPT = """
import resource, sys, time
from indicators_lab.cli import main
t = time.perf_counter()
code = main(["import-data", sys.argv[1]])
print("seconds", time.perf_counter() - t)
try:
    hwm = next(l for l in open("/proc/self/status") if l.startswith("VmHWM:"))
    peak = int(hwm.split()[1]) / 1024
except OSError:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print("peak_mb", peak)
sys.exit(code)
"""


def write_large_extract(path, rows=200_000):
    """TEST DATA: a generated Global Database extract (cp1252, trailing empty columns)."""
    codes = ["8.8.1", "8.8.2", "8.5.2", "10.7.2", "1.1.1", "3.3.4", "4.1.1", "5.2.1"]
    with path.open("w", encoding="cp1252", newline="") as fh:
        fh.write(",".join(SDG_HEADER) + "\n")
        for n in range(rows):
            code = codes[n % len(codes)]
            area = (n // len(codes)) % 250
            year = 2000 + (n // 2000) % 24
            sex = ("MALE", "FEMALE", "BOTHSEX")[n % 3]
            fh.write(f'8,{code.rsplit(".", 1)[0]},{code},SL_TEST,"Test series, côté {n % 7}",{area},Área {area},'
                     f'{year},{n % 97}.5,{year},test data,{sex},_T,PERCENT,,\n')


def test_200000_row_extract_imports_streamed_under_300_mb(settings_env, tmp_path):
    import os
    import subprocess
    import sys

    from tests.paths import PROJECT_ROOT

    path = tmp_path / "large_extract.csv"
    write_large_extract(path)
    env = dict(os.environ, PYTHONPATH=str(PROJECT_ROOT / "src"), INDICATORS_LAB_DATA_DIR=str(tmp_path / "var"))
    env.pop("INDICATORS_LAB_DATABASE_URL", None)
    done = subprocess.run([sys.executable, "-c", LARGE_SCRIPT, str(path)], env=env, capture_output=True,
                          text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "200000 rows read" in done.stdout and "figures for 8 indicators" in done.stdout
    peak = float(done.stdout.split("peak_mb")[1].split()[0])
    print(done.stdout)
    assert peak <= 300, f"peak memory {peak:.0f} MB"


def test_mapping_page_shows_imported_figures_and_metadata_beside_the_indicator(app):  # noqa: F811
    from indicators_lab.mapping.links import item_id_for
    from tests.apptest import choose, co_lead, open_page

    plan = tx(app, plan_data_import, fixture_extract([sdg_row("8.8.1", (4, "Testland"), 2016, 1.0, mig="MIGRANT")]),
              "m.csv", max_bytes=MB)
    tx(app, apply_data_import, plan, actor=LEAD)
    at = open_page("views/mapping.py", user_id=co_lead(app).user_id)
    choose(at, "Framework", "sdg")
    table = next(d.value for d in at.dataframe if "imported" in d.value.columns)
    row = table[table["code"] == "8.8.1"].iloc[0]
    assert row["imported"] == "1 area · migratory split"
    assert row["countries_metadata"] == "97"  # "… is available for 97 countries and territories."
    assert row["data_source"].startswith("UN SDG global metadata; m.csv, imported ")
    other = table[table["code"] == "8.8.2"].iloc[0]
    assert (other["imported"], other["migration_metadata"]) == ("no data imported", "not available")

    # The item under review carries the same brief, with its source.
    at.session_state["ilab.mapping.current"] = tx(app, item_id_for, "sdg", "8.8.1")
    at.run()
    assert at.subheader[0].value.replace("\\", "").startswith("8.8.1")
    captions = [c.value.replace("\\", "") for c in at.caption]
    brief = next(c for c in captions if c.startswith("Data: countries"))
    assert "countries (metadata) 97" in brief and "data (imported) 1 area · migratory split" in brief
    assert "m.csv, imported" in brief


def test_an_item_without_metadata_or_data_says_so_in_one_line(engine):
    from indicators_lab.catalogue.data import availability_brief, brief_sentence
    from indicators_lab.mapping.links import item_id_for

    row = tx(engine, availability_brief, [tx(engine, item_id_for, "10.7.2", "4d")]).iloc[0]
    assert brief_sentence(row) == "Data: no SDG metadata is shipped and no data extract is imported for this item."
    row = tx(engine, availability_brief, [tx(engine, item_id_for, "sdg", "8.8.2")]).iloc[0]
    assert brief_sentence(row).startswith("Data: countries (metadata) not stated · migratory split (metadata) not available")


EXTRACT_HEADER = b"Indicator,TimePeriod,Value,GeoAreaCode\n"


def _summarise_one(data: bytes, name: str = "extract.csv"):
    return summarise(iter_rows(data, name), name, known_codes={"1.1.1": "1.1.1"})


def test_extract_csv_whose_first_line_is_one_huge_field_is_refused_in_one_line():
    """A CSV extract whose header is one field over 100,000 characters crashes with UnboundLocalError, not a one-line refusal."""
    with pytest.raises(UserError, match="could not be read"):
        _summarise_one(b"A" * 200_000 + b"\n1,2\n")


def test_extract_utf16_file_with_an_odd_byte_count_is_refused_in_one_line():
    """A UTF-16 (BOM) extract with a truncated last character raises UnicodeDecodeError (a traceback), not a UserError."""
    data = b"\xff\xfe" + (EXTRACT_HEADER + b"1.1.1,2019,1,A\n").decode().encode("utf-16-le") + b"a"
    with pytest.raises(UserError):
        _summarise_one(data)


def test_extract_utf16_file_with_a_lone_surrogate_is_refused_in_one_line():
    """A UTF-16 (BOM) extract holding an unpaired surrogate raises UnicodeDecodeError (a traceback), not a UserError."""
    data = b"\xff\xfe" + (EXTRACT_HEADER + b"1.1.1,2019,1,A\n").decode().encode("utf-16-le") + b"\x00\xd8a\x00"
    with pytest.raises(UserError):
        _summarise_one(data)


def test_extract_value_of_infinity_written_as_1e999_is_not_counted_as_data():
    """'1e999' (an infinite value) passes as a valid number and counts the area as having data."""
    assert parse_value("1e999") != (True, True)
    summary = _summarise_one(EXTRACT_HEADER + b"1.1.1,2019,1e999,A\n")
    assert "1.1.1" not in summary.figures


def test_extract_with_two_value_columns_is_refused_naming_the_column():
    """A data extract with two 'Value' columns is summarised silently from the first one; the other is ignored."""
    data = b"Indicator,TimePeriod,Value,GeoAreaCode,Value\n1.1.1,2019,,A,5\n"
    try:
        summary = _summarise_one(data)
    except UserError:
        return
    assert summary.rows_without_value == 0, "the second Value column (5) was ignored: the row counts as no data"


MEMORY_SCRIPT = """
import sys
from indicators_lab.cli import main
code = main(["import-data", sys.argv[1]])
hwm = next(l for l in open("/proc/self/status") if l.startswith("VmHWM:"))
print("peak_mb", int(hwm.split()[1]) / 1024)
sys.exit(code)
"""


def test_a_10_mb_extract_of_distinct_areas_imports_under_the_memory_budget(settings_env, tmp_path):
    """A 10 MB extract (1/20 of the 200 MB limit) with one row per distinct area peaks far above 300 MB (about 240 MB over a bare import)."""
    from tests.paths import PROJECT_ROOT

    path = tmp_path / "areas.csv"
    with path.open("wb") as fh:
        fh.write(EXTRACT_HEADER)
        size, n = len(EXTRACT_HEADER), 0
        while size < 10 * 1024 * 1024:
            line = b"1.1.1,2019,1,%x\n" % n
            fh.write(line)
            size, n = size + len(line), n + 1
    env = dict(os.environ, PYTHONPATH=str(PROJECT_ROOT / "src"), INDICATORS_LAB_DATA_DIR=str(tmp_path / "var"))
    env.pop("INDICATORS_LAB_DATABASE_URL", None)
    done = subprocess.run([sys.executable, "-c", MEMORY_SCRIPT, str(path)], env=env, capture_output=True,
                          text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    peak = float(done.stdout.split("peak_mb")[1].split()[0])
    assert peak <= 300, f"peak memory {peak:.0f} MB for a {size / 1048576:.0f} MB extract of {n:,} areas"


EVIL_NAME = "[click me](javascript:alert(1)) **bold** $x^2$.csv"  # no "/": the stored name is Path(name).name


def test_data_page_shows_an_imported_files_name_as_plain_text(app):  # noqa: F811
    """The Data availability page (open to signed-out visitors) renders the latest import's file name as Markdown: a javascript: link, bold, an icon."""
    from tests.apptest import open_page

    plan = tx(app, plan_data_import, EXTRACT_HEADER + b"1.1.1,2019,1,A\n", EVIL_NAME, max_bytes=MB)
    tx(app, apply_data_import, plan, actor=LEAD)
    at = open_page("views/data_availability.py")
    latest = next(i.value for i in at.info if "Latest import" in i.value)
    assert "[click me](javascript:" not in latest and "**bold**" not in latest, latest


def _check_upload(app, name: str, data: bytes):  # noqa: F811
    from tests.apptest import co_lead, open_page

    lead = co_lead(app)
    at = open_page("views/data_availability.py", lead.user_id)
    at.file_uploader[0].upload(name, data, "text/csv").run()
    next(b for b in at.button if b.label == "Check the file").click().run()
    return at


def test_data_page_shows_a_refused_files_column_names_as_plain_text(app):  # noqa: F811
    """The Data availability page puts a refused file's column names into st.error as Markdown: a javascript: link and bold from the file render."""
    at = _check_upload(app, "columns.csv", b"[click me](javascript:alert(1)),**bold**\n1,2\n")
    assert not at.exception, at.exception
    [error] = [e.value for e in at.error]
    assert "Found the columns" in error
    assert "[click me](javascript:" not in error and "**bold**" not in error, error


def test_data_page_preview_shows_the_uploaded_files_name_as_plain_text(app):  # noqa: F811
    """The Data availability preview renders the uploaded file's name as Markdown (st.markdown with the raw name)."""
    at = _check_upload(app, EVIL_NAME, EXTRACT_HEADER + b"1.1.1,2019,1,A\n")
    assert not at.exception, at.exception
    preview = [m.value for m in at.markdown if "rows read" in m.value]
    assert preview and not any("[click me](javascript:" in p for p in preview), preview


def test_data_page_refuses_a_csv_with_one_huge_first_line_without_a_traceback(app):  # noqa: F811
    """Uploading a CSV whose first line is one 200,000-character field ends the Data availability page in an app error (UnboundLocalError), not a one-line refusal."""
    at = _check_upload(app, "huge.csv", b"A" * 200_000 + b"\n1,2\n")
    assert not at.exception, at.exception[0].message if at.exception else ""
    assert any("could not be read" in e.value for e in at.error)


def test_signed_out_visitor_is_not_told_which_co_lead_imported_the_data(app):  # noqa: F811
    """The Data availability page tells signed-out visitors the name of the co-lead who imported each extract (who decided what is co-lead-only elsewhere: links.rationale.read)."""
    from tests.apptest import open_page

    plan = tx(app, plan_data_import, EXTRACT_HEADER + b"1.1.1,2019,1,A\n", "public.csv", max_bytes=MB)
    tx(app, apply_data_import, plan, actor=Actor("Priya Colead", "co_lead"))
    at = open_page("views/data_availability.py")
    shown = [i.value for i in at.info] + [str(d.value.to_dict()) for d in at.dataframe]
    assert not any("Priya Colead" in s for s in shown), shown

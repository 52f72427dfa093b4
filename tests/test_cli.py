"""The stable command-line forms, run as a user would (a new process)."""

import csv
import os
import subprocess
import sys

import pytest

from tests.factories import csv_bytes


def run(args, env_dir, check=True):
    env = dict(os.environ, INDICATORS_LAB_DATA_DIR=str(env_dir))
    env.pop("INDICATORS_LAB_DATABASE_URL", None)
    proc = subprocess.run(
        [sys.executable, "-m", "indicators_lab", *args], capture_output=True, text=True, env=env,
        timeout=300,
    )
    if check:
        assert proc.returncode == 0, proc.stderr
    return proc


def read_csv(path):
    with open(path, encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


@pytest.mark.parametrize("key, n, first", [("gcm", 23, "1"), ("sdg", 231, "1.1.1"),
                                           ("10.7.2", 36, "1"), ("mgi", 20, "1")])
def test_catalogue_writes_one_row_per_item_on_a_fresh_database(tmp_path, key, n, first):
    out = tmp_path / "out.csv"
    run(["catalogue", "--framework", key, "--out", str(out)], tmp_path / "var")
    rows = read_csv(out)
    assert len(rows) == n and rows[0]["code"] == first and rows[0]["title"]


def test_unknown_framework_exits_non_zero_with_the_valid_keys(tmp_path):
    proc = run(["catalogue", "--framework", "nope", "--out", str(tmp_path / "o.csv")],
               tmp_path / "var", check=False)
    assert proc.returncode != 0
    assert "Known keys" in proc.stderr and "Traceback" not in proc.stderr


def test_import_framework_then_catalogue_it(tmp_path):
    src = tmp_path / "nat.csv"
    src.write_bytes(csv_bytes([["Indicator code", "Indicator name"], ["N-1", "=cmd|' /C calc'!A0"],
                               ["N-2", "Migrant workers"]]))
    proc = run(["import-framework", str(src), "--key", "nat", "--name", "National list"], tmp_path / "var")
    assert "2 new items" in proc.stdout
    out = tmp_path / "nat_out.csv"
    run(["catalogue", "--framework", "nat", "--out", str(out)], tmp_path / "var")
    rows = read_csv(out)
    assert [r["code"] for r in rows] == ["N-1", "N-2"]
    assert rows[0]["title"].startswith("'=")  # a formula-like title is neutralised in CSV


def test_refused_import_says_why_and_stores_nothing(tmp_path):
    src = tmp_path / "bad.csv"
    src.write_bytes(csv_bytes([["code", "title"], ["A", "x"], ["A", "y"]]))
    proc = run(["import-framework", str(src), "--key", "bad", "--name", "Bad"], tmp_path / "var", check=False)
    assert proc.returncode == 2
    assert "Row 3" in proc.stderr and "repeated" in proc.stderr and "Traceback" not in proc.stderr
    proc = run(["catalogue", "--framework", "bad", "--out", str(tmp_path / "o.csv")], tmp_path / "var", check=False)
    assert proc.returncode != 0


def test_neutralise_covers_every_formula_prefix():
    from indicators_lab.core.exports import neutralise

    for prefix in ("=", "+", "-", "@", "\t", "\r"):
        assert neutralise(prefix + "1+1") == "'" + prefix + "1+1"
    assert neutralise("Migrants") == "Migrants" and neutralise(3) == 3


def test_optimise_command_chooses_the_smallest_cover(tmp_path):
    src = tmp_path / "links.csv"
    src.write_text("item_code,objective,weight,tier\nA,1,1,Tier I\nB,1,1,Tier II\nB,2,0.5,Tier II\nC,2,1,Tier I\n")
    out = tmp_path / "chosen.csv"
    proc = run(["optimise", "--links", str(src), "--out", str(out)], tmp_path / "var")
    rows = read_csv(out)
    assert list(rows[0])[0] == "item_code"
    assert [r["item_code"] for r in rows] == ["B"]
    run(["optimise", "--links", str(src), "--out", str(out), "--min-cover", "2"], tmp_path / "var")
    assert sorted(r["item_code"] for r in read_csv(out)) == ["A", "B", "C"]
    run(["optimise", "--links", str(src), "--out", str(out), "--max-size", "1"], tmp_path / "var")
    assert [r["item_code"] for r in read_csv(out)] == ["B"]
    assert "Chose" in proc.stdout


@pytest.mark.parametrize("solver", ["cbc", "highs", "greedy"])
def test_every_offered_solver_runs_and_prints_only_our_lines(tmp_path, solver):
    src = tmp_path / "links.csv"
    src.write_text("item_code,objective,weight\nA,1,1\nB,1,1\nB,2,0.5\nC,2,1\n")
    out = tmp_path / "chosen.csv"
    proc = run(["optimise", "--links", str(src), "--out", str(out), "--solver", solver], tmp_path / "var")
    assert proc.stdout.splitlines() == [line for line in proc.stdout.splitlines() if line.startswith("Chose ")]
    assert read_csv(out)


def test_optimise_infeasible_exits_non_zero_naming_the_objectives(tmp_path):
    src = tmp_path / "links.csv"
    src.write_text("item_code,objective,weight\nA,1,1\nB,1,1\nC,8,1\n")
    proc = run(["optimise", "--links", str(src), "--out", str(tmp_path / "o.csv"), "--min-cover", "2"],
               tmp_path / "var", check=False)
    assert proc.returncode != 0 and "objective 8" in proc.stderr and "Traceback" not in proc.stderr


@pytest.mark.parametrize("content, message", [
    ("item,objective,weight\nA,1,1\n", "needs the columns item_code, objective, weight"),
    ("item_code,objective,weight\nA,x,1\n", "Row 2: the objective 'x' is not a number"),
    ("item_code,objective,weight\nA,24,1\n", "Row 2: objective 24 does not exist"),
    ("item_code,objective,weight\nA,1,heavy\n", "Row 2: the weight 'heavy' is not a number"),
])
def test_optimise_refuses_a_bad_links_file(tmp_path, content, message):
    src = tmp_path / "links.csv"
    src.write_text(content)
    proc = run(["optimise", "--links", str(src), "--out", str(tmp_path / "o.csv")], tmp_path / "var", check=False)
    assert proc.returncode == 2 and message in proc.stderr


def test_rounds_create_prints_the_id_last_and_comments_round_trip(tmp_path):
    var = tmp_path / "var"
    proc = run(["rounds", "create", "--title", "Round one"], var)
    round_id = proc.stdout.strip().splitlines()[-1]
    assert round_id.isdigit()
    src = tmp_path / "c.csv"
    src.write_text("organisation,constituency,indicator_code,objective,stance,comment\n"
                   "IOM,UN entity,10.7.1,6,keep,Keep it\n"
                   "NGO,Civil society,,8,add,\"=HYPERLINK(\"\"http://x\"\")\"\n", encoding="utf-8")
    run(["comments", "import", str(src), "--round", round_id], var)
    out = tmp_path / "m.csv"
    run(["comments", "export", "--round", round_id, "--format", "csv", "--out", str(out)], var)
    rows = read_csv(out)
    assert [r["comment"] for r in rows] == ["Keep it", "'=HYPERLINK(\"http://x\")"]
    xl = tmp_path / "m.xlsx"
    run(["comments", "export", "--round", round_id, "--format", "xlsx", "--out", str(xl)], var)
    import openpyxl

    assert openpyxl.load_workbook(xl).active.max_row == 3


def test_comments_import_refuses_a_bad_file_whole_without_traceback(tmp_path):
    var = tmp_path / "var"
    round_id = run(["rounds", "create", "--title", "R"], var).stdout.strip().splitlines()[-1]
    src = tmp_path / "c.csv"
    src.write_text("organisation,constituency,indicator_code,objective,stance,comment\n"
                   "A,Other,,,,fine\nB,Other,,,,\n", encoding="utf-8")
    proc = run(["comments", "import", str(src), "--round", round_id], var, check=False)
    assert proc.returncode == 2 and "Row 3" in proc.stderr and "empty" in proc.stderr
    assert "Traceback" not in proc.stderr
    out = tmp_path / "m.csv"
    run(["comments", "export", "--round", round_id, "--format", "csv", "--out", str(out)], var)
    assert read_csv(out) == []
    proc = run(["comments", "import", str(tmp_path / "missing.csv"), "--round", round_id], var, check=False)
    assert proc.returncode == 2 and "no file" in proc.stderr


def test_create_admin_refuses_a_weak_password_in_plain_words(tmp_path):
    env = dict(os.environ, INDICATORS_LAB_DATA_DIR=str(tmp_path / "var"), INDICATORS_LAB_ADMIN_PASSWORD="password1234")
    env.pop("INDICATORS_LAB_DATABASE_URL", None)
    proc = subprocess.run(
        [sys.executable, "-m", "indicators_lab", "users", "create-admin", "--email", "a@example.org", "--name", "Ada"],
        capture_output=True, text=True, env=env, timeout=300,
    )
    assert proc.returncode != 0
    assert "too easy to guess" in proc.stderr + proc.stdout


def test_users_enable_re_enables_an_account_and_create_admin_explains_itself(tmp_path):
    from indicators_lab.core.config import Settings
    from indicators_lab.startup import open_database

    env = dict(os.environ, INDICATORS_LAB_DATA_DIR=str(tmp_path / "var"), INDICATORS_LAB_ADMIN_PASSWORD="Correct horse 42 battery")
    env.pop("INDICATORS_LAB_DATABASE_URL", None)

    def cli(*args):
        return subprocess.run([sys.executable, "-m", "indicators_lab", "users", *args],
                              capture_output=True, text=True, env=env, timeout=300)

    assert cli("create-admin", "--email", "a@example.org", "--name", "Ada").returncode == 0
    proc = cli("create-admin", "--email", "b@example.org", "--name", "Bo")
    assert proc.returncode == 2 and "an active admin exists" in proc.stderr and "users enable" in proc.stderr
    from sqlalchemy import text

    engine = open_database(Settings(data_dir=tmp_path / "var"))
    with engine.begin() as conn:
        conn.execute(text("UPDATE \"user\" SET active = false"))
    proc = cli("enable", "--email", "A@example.org")
    assert proc.returncode == 0 and "Re-enabled the account a@example.org" in proc.stdout
    assert "already active" in cli("enable", "--email", "a@example.org").stdout
    proc = cli("enable", "--email", "nobody@example.org")
    assert proc.returncode == 2 and "There is no account for nobody@example.org" in proc.stderr


def test_suggest_by_chance_keeps_the_first_three_then_what_the_fitted_chance_supports(tmp_path):
    from indicators_lab.core.config import Settings
    from indicators_lab.core.db import in_transaction as tx
    from indicators_lab.mapping import links
    from indicators_lab.mapping.learning import MIN_CHANCE
    from indicators_lab.mapping.suggestions import suggest
    from indicators_lab.startup import open_database
    from tests.apptest import ADMIN
    from tests.fakes import SpyModelEncoder

    out = tmp_path / "s.csv"
    proc = run(["suggest", "--framework", "10.7.2", "--by-chance", "--out", str(out)], tmp_path / "var")
    rows = read_csv(out)
    assert "No useful chance of acceptance yet" in proc.stdout
    assert len(rows) == 36 * 3 and all(r["chance"] == "" for r in rows)

    engine = open_database(Settings(data_dir=tmp_path / "var"))
    table = tx(engine, suggest, SpyModelEncoder(), "10.7.2", actor=ADMIN, top_k=3).table
    for code in list(dict.fromkeys(table["item_code"]))[:16]:
        mine = table[table["item_code"] == code].sort_values("rank")
        item = int(mine.iloc[0]["item_id"])
        tx(engine, links.decide, actor=ADMIN, item_id=item, objective=int(mine.iloc[0]["objective"]),
           status="accepted")
        for k in (1, 2):
            tx(engine, links.decide, actor=ADMIN, item_id=item, objective=int(mine.iloc[k]["objective"]),
               status="rejected")
    engine.dispose()
    proc = run(["suggest", "--framework", "10.7.2", "--by-chance", "--out", str(out)], tmp_path / "var")
    rows = read_csv(out)
    assert "Kept the suggestions with a fitted chance of acceptance of at least 20%" in proc.stdout
    per_item = {}
    for r in rows:
        per_item.setdefault(r["item_code"], []).append(r)
        assert r["chance"] != "" and (r["rank"] == "1" or float(r["chance"]) >= MIN_CHANCE)
    assert len(per_item) == 36 and all(1 <= len(v) <= 5 for v in per_item.values())
    assert len(rows) != 36 * 3  # not always three

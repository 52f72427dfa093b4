"""The package as it ships: every import is declared, and a built wheel carries its data and runs.

The wheel is built from a copy of ``pyproject.toml`` and ``src/`` (so nothing is written into the
checkout), installed with ``--no-deps`` into a fresh virtualenv that sees this interpreter's
site-packages through a ``.pth`` file (so no downloads; unlike ``--system-site-packages`` this also
works when the tests themselves run in a virtualenv), and run with ``python -I`` from an empty
folder, so neither the checkout nor an editable install of it is what gets imported.
"""

from __future__ import annotations

import ast
import csv
import importlib.metadata as md
import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

from tests.paths import PROJECT_ROOT

PACKAGE = PROJECT_ROOT / "src" / "indicators_lab"
SKIP_DIRS = {".git", "build", "dist", "var", "node_modules", "__pycache__"}


def _python_files():
    for path in PROJECT_ROOT.rglob("*.py"):
        rel = path.relative_to(PROJECT_ROOT)
        if not SKIP_DIRS.intersection(rel.parts) and not rel.parts[0].startswith(".venv"):
            yield path


def _top_level_imports(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def _normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _declared() -> set[str]:
    project = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text())["project"]
    lines = project["dependencies"] + [r for extra in project["optional-dependencies"].values() for r in extra]
    return {_normalise(re.split(r"[\s\[<>=!~;]", line, maxsplit=1)[0]) for line in lines}


def test_every_third_party_import_is_declared_in_pyproject():
    files = list(_python_files())
    local = {p.stem for p in files} | {p.parent.name for p in files}
    module_to_dists = md.packages_distributions()
    declared = _declared()
    problems = []
    for path in files:
        for name in sorted(_top_level_imports(path) - set(sys.stdlib_module_names) - local):
            dists = module_to_dists.get(name)
            if not dists:
                problems.append(f"{path.relative_to(PROJECT_ROOT)}: {name} (no installed distribution)")
            elif not declared.intersection(_normalise(d) for d in dists):
                problems.append(f"{path.relative_to(PROJECT_ROOT)}: {name} (from {', '.join(dists)})")
    assert problems == [], "imports that pyproject.toml does not declare:\n" + "\n".join(problems)


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    src_copy = tmp_path_factory.mktemp("wheel-src")
    shutil.copy2(PROJECT_ROOT / "pyproject.toml", src_copy)
    shutil.copytree(PROJECT_ROOT / "src", src_copy / "src",
                    ignore=shutil.ignore_patterns("__pycache__", "*.egg-info", "*.pyc"))
    dist = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(dist),
         str(src_copy)],
        check=True, capture_output=True, text=True,
    )
    (built,) = dist.glob("indicators_lab-*.whl")
    return built


def _shipped_files(*parts: str) -> set[str]:
    base = PACKAGE.joinpath(*parts)
    return {
        p.relative_to(PACKAGE.parent).as_posix()
        for p in base.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc"
    }


@pytest.mark.wheel
def test_the_wheel_carries_the_catalogues_vectors_labels_and_migrations(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    for part in ("data/frameworks", "data/embeddings", "data/labels", "migrations"):
        expected = _shipped_files(part)
        assert expected, part
        assert expected <= names, f"missing from the wheel: {sorted(expected - names)}"
    assert any(re.fullmatch(r"indicators_lab/data/frameworks/[^/]+\.json", n) for n in names)


@pytest.mark.wheel
def test_the_installed_wheel_exports_the_full_sdg_catalogue(wheel, tmp_path):
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"
    (venv_site,) = venv.glob("lib/python*/site-packages")
    # The dependencies: this interpreter's site-packages, after the venv's own (a plain path line,
    # so their .pth files, among them an editable install of the checkout, are not read).
    parents = [p for p in sys.path if p.endswith(("site-packages", "dist-packages")) and Path(p).is_dir()]
    (venv_site / "zz_parent_site_packages.pth").write_text("\n".join(parents) + "\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "INDICATORS_LAB_"))}
    subprocess.run(
        [str(python), "-m", "pip", "install", "-q", "--no-deps", "--no-index", "--ignore-installed", str(wheel)],
        check=True, capture_output=True, text=True, env=env,
    )
    work = tmp_path / "elsewhere"
    work.mkdir()
    found = subprocess.run(
        [str(python), "-I", "-c", "import indicators_lab; print(indicators_lab.__file__)"],
        cwd=work, env=env, check=True, capture_output=True, text=True,
    ).stdout.strip()
    assert Path(found).resolve().is_relative_to(venv.resolve()), f"imported {found}, not the wheel"

    out = work / "sdg.csv"
    data_dir = tmp_path / "data"
    run = subprocess.run(
        [str(python), "-I", "-m", "indicators_lab", "catalogue", "--framework", "sdg", "--out", str(out)],
        cwd=work, env=dict(env, INDICATORS_LAB_DATA_DIR=str(data_dir)), capture_output=True, text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stderr

    shipped = json.loads((PACKAGE / "data" / "frameworks" / "sdg.json").read_text(encoding="utf-8"))
    expected = len(shipped["items"])
    assert expected >= 231
    with out.open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == expected
    assert {"code", "title"} <= set(rows[0])
    assert f"Wrote {expected} rows of 'sdg'" in run.stdout
    assert data_dir.is_dir(), "the database went somewhere else than INDICATORS_LAB_DATA_DIR"
    assert not (work / "var").exists()

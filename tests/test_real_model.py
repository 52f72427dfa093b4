"""A few checks with the real all-MiniLM-L6-v2 (loaded once for the session)."""

import csv
import os
import subprocess
import sys

import pytest

from indicators_lab.startup import open_database
from indicators_lab.core.config import Settings
from indicators_lab.mapping.embeddings import MiniLMEncoder
from indicators_lab.mapping.evaluation import build_bench, choose_weights, split_labels
from indicators_lab.mapping.suggestions import DEFAULT_WEIGHTS
from indicators_lab.core.db import in_transaction as tx

pytestmark = pytest.mark.real_model


@pytest.fixture(scope="session")
def real_encoder():
    return MiniLMEncoder()


@pytest.fixture(scope="session")
def real_engine(tmp_path_factory):
    return open_database(Settings(data_dir=tmp_path_factory.mktemp("real")))


def test_model_loads_offline_and_gives_unit_vectors(real_encoder):
    v = real_encoder.encode(["Remittance costs", "Cost of sending money home"])
    assert v.shape == (2, 384)
    assert abs(float((v[0] ** 2).sum()) - 1) < 1e-4
    assert float(v[0] @ v[1]) > 0.4


def test_model_loads_with_the_hub_out_of_reach_and_no_offline_variable():
    """The weights come from the package; a hub address that refuses connections changes nothing."""
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k not in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE")}
    env["HF_ENDPOINT"] = "http://127.0.0.1:9"  # nothing listens there
    code = ("from indicators_lab.mapping.embeddings import MiniLMEncoder; import os; "
            "v = MiniLMEncoder().encode(['Remittance costs']); print(v.shape, os.environ.get('HF_HUB_OFFLINE'))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.split() == ["(1,", "384)", "None"]


def test_weights_chosen_on_the_development_half_are_shipped_and_beat_baselines_held_out(real_engine, real_encoder):
    bench = tx(real_engine, build_bench, real_encoder)
    dev, held = split_labels(bench.labels)
    assert choose_weights(bench, dev) == DEFAULT_WEIGHTS
    part = bench.take(held)
    ours = part.ours()
    for name, q in part.baselines().items():
        assert ours.top1 > q.top1 and ours.top3 >= q.top3 - 0.02, (name, q, ours)


def test_suggest_command_writes_k_rows_per_item(tmp_path):
    out = tmp_path / "s.csv"
    env = dict(os.environ, INDICATORS_LAB_DATA_DIR=str(tmp_path / "var"))
    env.pop("INDICATORS_LAB_DATABASE_URL", None)
    proc = subprocess.run(
        [sys.executable, "-m", "indicators_lab", "suggest", "--framework", "10.7.2", "--top-k", "3",
         "--out", str(out)], env=env, capture_output=True, text=True, timeout=600,
    )
    assert proc.returncode == 0, proc.stderr
    with out.open(encoding="utf-8") as fh:
        header = fh.readline().strip()
        fh.seek(0)
        rows = list(csv.DictReader(fh))
    assert header == "framework,item_code,objective,rank,score"
    assert len(rows) == 36 * 3
    by_item = {}
    for r in rows:
        by_item.setdefault(r["item_code"], []).append(int(r["rank"]))
        assert 1 <= int(r["objective"]) <= 23
    assert all(v == [1, 2, 3] for v in by_item.values())
    top = {r["item_code"]: int(r["objective"]) for r in rows if r["rank"] == "1"}
    assert top["4d"] == 20  # remittances

"""Shipped vectors: every text the app encodes for a shipped catalogue is shipped, so mapping a
fresh install loads neither torch nor the model; only other texts are encoded."""

import os
import subprocess
import sys

import numpy as np
import pytest

from indicators_lab.catalogue.frameworks import GCM_KEY, framework_keys, item_text, items_frame
from indicators_lab.core.config import shipped_path
from indicators_lab.core.db import in_transaction as tx
from indicators_lab.core.db import unit_of_work
from indicators_lab.mapping.embeddings import (
    MODEL_NAME,
    embed_texts,
    read_vectors,
    shipped_vectors,
    shipped_vectors_path,
    text_hash,
    write_vectors,
)
from indicators_lab.mapping.evaluation import build_bench
from indicators_lab.mapping.shipped_vectors import shipped_texts
from indicators_lab.mapping.suggestions import suggest
from indicators_lab.sets import candidate_sets as cs
from tests.fakes import SpyModelEncoder
from tests.paths import PROJECT_ROOT

FW = shipped_path("frameworks")
SOURCES = PROJECT_ROOT.parent / "shared" / "sources"


def test_shipped_vectors_hold_exactly_the_texts_of_the_shipped_catalogues():
    assert set(shipped_vectors(MODEL_NAME)) == {text_hash(t) for t in shipped_texts(FW)}


def test_mapping_evaluating_and_scoring_shipped_items_encode_nothing(engine):
    spy = SpyModelEncoder()
    with unit_of_work(engine) as session:
        keys = [k for k in framework_keys(session=session) if k != GCM_KEY]
        for key in keys:
            suggest(spy, key, top_k=3, session=session)
        build_bench(spy, session=session)
        ids = [int(i) for key in keys for i in items_frame(key, session=session)["id"]]
        cs.similarity(spy, cs.items_by_ids(ids, session=session), session=session)
    assert spy.texts == []


def test_item_texts_as_the_app_builds_them_are_all_shipped(engine):
    shipped = shipped_vectors(MODEL_NAME)
    with unit_of_work(engine) as session:
        for key in (k for k in framework_keys(session=session) if k != GCM_KEY):
            for row in items_frame(key, session=session).to_dict("records"):
                for text in (item_text(row), item_text(row, context=False)):
                    assert text_hash(text) in shipped, (key, text)


def test_texts_not_shipped_are_encoded_once_and_cached(engine):
    spy = SpyModelEncoder()
    shipped_text = shipped_texts(FW)[0]
    tx(engine, embed_texts, spy, [shipped_text, "A co-lead's rationale", shipped_text])
    tx(engine, embed_texts, SpyModelEncoder(), ["A co-lead's rationale"])
    assert spy.texts == ["A co-lead's rationale"]


def test_vectors_file_is_the_same_bytes_whatever_the_input_order(tmp_path):
    rng = np.random.default_rng(0)
    vectors = rng.normal(size=(5, 8)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    hashes = [text_hash(f"text {i}") for i in range(5)]
    write_vectors(tmp_path / "a.npz", "m", hashes, vectors)
    write_vectors(tmp_path / "b.npz", "m", hashes[::-1], vectors[::-1])
    assert (tmp_path / "a.npz").read_bytes() == (tmp_path / "b.npz").read_bytes()
    back = read_vectors(tmp_path / "a.npz")
    np.testing.assert_allclose(np.vstack([back[h] for h in hashes]), vectors, atol=1e-3)


def test_suggest_on_a_fresh_database_imports_no_torch(tmp_path):
    code = (
        "import sys\n"
        "from indicators_lab.cli import main\n"
        f"assert main(['suggest', '--framework', 'sdg', '--out', {str(tmp_path / 's.csv')!r}]) == 0\n"
        "loaded = sorted(m for m in ('torch', 'sentence_transformers') if m in sys.modules)\n"
        "assert not loaded, loaded\n"
    )
    env = dict(os.environ, INDICATORS_LAB_DATA_DIR=str(tmp_path / "var"))
    env.pop("INDICATORS_LAB_DATABASE_URL", None)
    proc = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "s.csv").read_text(encoding="utf-8").count("\n") == 231 * 3 + 1


@pytest.fixture(scope="module")
def real_encoder():
    from indicators_lab.mapping.embeddings import MiniLMEncoder

    return MiniLMEncoder()


@pytest.mark.real_model
def test_shipped_vectors_equal_the_models_output_for_a_sample(real_encoder):
    texts = shipped_texts(FW)
    sample = [texts[i] for i in np.random.default_rng(7).choice(len(texts), 40, replace=False)]
    shipped = shipped_vectors(MODEL_NAME)
    expected = real_encoder.encode(sample)
    got = np.vstack([shipped[text_hash(t)] for t in sample])
    # float16 keeps about 3 significant digits: |error| < 1e-4 on components of unit vectors.
    np.testing.assert_allclose(got, expected, atol=5e-4)
    assert float((got * expected).sum(axis=1).min()) > 0.9999


@pytest.mark.real_model
@pytest.mark.skipif(not SOURCES.is_dir(), reason="../shared/sources is not beside this checkout")
def test_build_script_reproduces_the_shipped_vectors(tmp_path):
    sys.path.insert(0, str(PROJECT_ROOT / "scripts"))
    import build_frameworks

    built = build_frameworks.build_vectors(FW, tmp_path)
    ours = shipped_vectors_path(MODEL_NAME)
    if built.read_bytes() == ours.read_bytes():
        return
    # Same hashes, and vectors equal to float16 rounding: the model's float kernels can differ
    # in the last bit between CPUs, which may flip a float16 rounding (two rebuilds here matched).
    a, b = read_vectors(built), read_vectors(ours)
    assert sorted(a) == sorted(b)
    np.testing.assert_allclose(np.vstack([a[h] for h in sorted(a)]),
                               np.vstack([b[h] for h in sorted(b)]), atol=5e-4)

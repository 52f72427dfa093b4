"""The embedding cache: encode each text once per model, in order, across restarts."""

import numpy as np
import pytest

from indicators_lab.mapping.embeddings import embed_texts
from tests.fakes import FakeEncoder
from indicators_lab.core.db import in_transaction as tx


def test_second_call_reads_the_cache_and_encodes_nothing(engine):
    enc = FakeEncoder()
    first = tx(engine, embed_texts, enc, ["migrant workers", "remittance costs"])
    assert enc.encoded == 2
    again = tx(engine, embed_texts, FakeEncoder(), ["remittance costs", "migrant workers"])
    np.testing.assert_allclose(again, first[::-1])


def test_only_changed_texts_are_encoded(engine):
    enc = FakeEncoder()
    tx(engine, embed_texts, enc, ["a text", "b text"])
    tx(engine, embed_texts, enc, ["a text", "b text changed", "a text"])
    assert enc.calls == [2, 1]


def test_cache_is_keyed_by_model(engine):
    class Other(FakeEncoder):
        name = "other-model"

    tx(engine, embed_texts, FakeEncoder(), ["same text"])
    other = Other()
    tx(engine, embed_texts, other, ["same text"])
    assert other.encoded == 1


def test_progress_reports_done_and_total(engine):
    seen = []
    tx(engine, embed_texts, FakeEncoder(), [f"text {i}" for i in range(5)], progress=lambda d, t: seen.append((d, t)))
    assert seen[0] == (0, 5) and seen[-1] == (5, 5)


def test_a_read_only_screen_never_stores_vectors_it_asks_for_an_action_instead(engine):
    from indicators_lab.core.db import reading
    from indicators_lab.mapping.embeddings import EncodingNeeded

    encoder = FakeEncoder()
    texts = ["Recruitment costs borne by employees", "Remittance costs"]
    with reading(engine) as session, pytest.raises(EncodingNeeded) as needed:
        embed_texts(encoder, texts, session=session)
    assert needed.value.count == 2
    stored = tx(engine, embed_texts, encoder, texts)  # the action encodes and stores them
    with reading(engine) as session:  # now the screen reads them, with no write at all
        assert (embed_texts(encoder, texts, session=session) == stored).all()

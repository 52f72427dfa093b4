"""Themes on a small fixed set whose groups are obvious; campaigns counted once."""

import numpy as np
import pytest

from indicators_lab.consultation import rounds as con
from indicators_lab.consultation import matrix
from indicators_lab.core.access import Actor
from indicators_lab.consultation.themes import group_texts, themes
from tests.fakes import FakeEncoder
from indicators_lab.core.db import in_transaction as tx

LEAD = Actor("Lead", "co_lead")


def test_group_texts_separates_clear_groups_and_folds_duplicates():
    a = np.array([1.0, 0, 0])
    b = np.array([0, 1.0, 0])
    vectors = np.vstack([a, a, (a + 0.5 * b) / np.linalg.norm(a + 0.5 * b), b, b * 1.0])  # 3rd: cos 0.89 to a
    dup, theme = group_texts(vectors)
    assert dup[0] == dup[1] and dup[3] == dup[4] and dup[0] != dup[2]
    assert theme[0] == theme[1] == theme[2] and theme[3] == theme[4] and theme[0] != theme[3]


def test_themes_of_an_objective_with_a_campaign(engine):
    rid = tx(engine, con.create_round, actor=LEAD, title="R")
    campaign = "Remittance costs must fall for migrant families sending money home"
    rows = [
        ["NGO1", "Civil society", "", "20", "", campaign],
        ["NGO2", "Civil society", "", "20", "", campaign + "!"],
        ["NGO3", "Migrant or diaspora organisation", "", "20", "", "remittance costs must FALL for migrant families sending money home"],
        ["Bank", "Private sector", "", "20", "", "Remittance costs for families sending money home are falling"],
        ["Uni", "Academia", "", "20", "", "Financial inclusion needs bank accounts data by sex"],
        ["Uni2", "Academia", "", "20", "", "Financial inclusion data on bank accounts by sex is missing"],
    ]
    from tests.factories import csv_bytes

    tx(engine, matrix.import_comments, actor=LEAD, round_id=rid, filename="c.csv", max_bytes=10**6,
                           data=csv_bytes([["organisation", "constituency", "indicator_code", "objective", "stance",
                                            "comment"], *rows]))
    found = tx(engine, themes, FakeEncoder(), actor=LEAD, round_id=rid, objective=20)
    assert sum(t.size for t in found) == 6
    remit = next(t for t in found if "Remittance" in t.representative or "remittance" in t.representative)
    assert remit.campaign_copies == 2 and remit.voices == remit.size - 2
    assert remit.constituencies["Civil society"] == 2
    finance = next(t for t in found if "Financial inclusion" in t.representative)
    assert finance.size == 2 and finance.constituencies == {"Academia": 2}


def test_too_few_comments_are_not_grouped(engine):
    from indicators_lab.consultation.themes import TooFewToGroup

    rid = tx(engine, con.create_round, actor=LEAD, title="R")
    from tests.factories import csv_bytes

    rows = [["NGO", "Civil society", "", "20", "", f"Comment number {n} about remittances"] for n in range(5)]
    tx(engine, matrix.import_comments, actor=LEAD, round_id=rid, filename="c.csv", max_bytes=10**6,
       data=csv_bytes([["organisation", "constituency", "indicator_code", "objective", "stance", "comment"], *rows]))
    with pytest.raises(TooFewToGroup, match="Too few comments to group: 5 here"):
        tx(engine, themes, FakeEncoder(), round_id=rid, objective=20, actor=LEAD)

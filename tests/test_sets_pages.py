"""AppTest of the scorecard page (with a what-if change) and the optimise page."""

from indicators_lab.sets import candidate_sets as cs
from indicators_lab.mapping import links
from tests.apptest import ADMIN, app, co_lead, open_page  # noqa: F401  (app is a fixture)
from indicators_lab.core.db import in_transaction as tx


def accept(engine, actor, key, code, objective):
    tx(engine, links.decide, actor=actor, item_id=tx(engine, links.item_id_for, key, code), objective=objective,
                 status="accepted")


def test_scorecard_shows_gaps_and_a_what_if_change_before_saving(app):
    lead = co_lead(app)
    accept(app, lead, "sdg", "10.7.1", 6)
    accept(app, lead, "sdg", "10.c.1", 20)
    s = tx(app, cs.create_set, actor=lead, name="Draft", item_ids=[tx(app, links.item_id_for, "sdg", "10.7.1")])
    at = open_page("views/candidate_sets.py", lead.user_id)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Objectives covered"] == "1 / 23"
    assert any("Objectives with no coverage" in w.value and "20" in w.value for w in at.warning)

    add = next(m for m in at.multiselect if m.label == "Add")
    add.select(tx(app, links.item_id_for, "sdg", "10.c.1")).run()
    assert not at.exception, at.exception
    changes = next(df.value for df in at.dataframe if "before" in df.value.columns)
    row = changes.set_index("score").loc["objectives covered (of 23)"]
    assert (row["before"], row["after"], row["change"]) == (1, 2, 1)
    assert list(tx(app, cs.members_frame, s)["code"]) == ["10.7.1"]  # nothing saved yet

    next(b for b in at.button if b.label == "Save these changes").click().run()
    assert sorted(tx(app, cs.members_frame, s)["code"]) == ["10.7.1", "10.c.1"]


def test_optimise_page_finds_a_set_and_saves_it(app):
    lead = co_lead(app)
    accept(app, lead, "sdg", "10.7.1", 6)
    accept(app, lead, "10.7.2", "4e", 6)
    accept(app, lead, "sdg", "10.c.1", 20)
    at = open_page("views/optimise.py", lead.user_id)
    next(b for b in at.button if b.label == "Optimise").click().run()
    assert not at.exception, at.exception
    assert at.subheader[0].value.startswith("2 indicators (exact")
    at.text_input[0].input("Optimised")
    next(b for b in at.button if b.label == "Save as new set").click().run()
    saved = {s.name: s.id for s in tx(app, cs.list_sets, actor=ADMIN)}
    assert len(tx(app, cs.members_frame, saved["Optimised"])) == 2


def test_optimise_page_explains_an_impossible_request(app):
    lead = co_lead(app)
    accept(app, lead, "sdg", "10.7.1", 6)
    at = open_page("views/optimise.py", lead.user_id)
    at.number_input[0].set_value(2).run()
    next(b for b in at.button if b.label == "Optimise").click().run()
    assert any("objective 6" in e.value for e in at.error)

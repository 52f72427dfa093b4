"""The Mapping page: a co-lead accepts and rejects suggestions; nobody else sees them."""

from indicators_lab.mapping import links
from tests.apptest import ADMIN, app, choose, co_lead, open_page  # noqa: F401  (app is a fixture)
from indicators_lab.core.db import in_transaction as tx


def open_mapping(user_id=None):
    return open_page("views/mapping.py", user_id)


def _decided(app, code):
    item_id = tx(app, links.item_id_for, "10.7.2", code)
    return [lk for lk in tx(app, links.item_links, item_id, actor=ADMIN) if lk.status != "undecided"]


def test_co_lead_decides_from_the_queue_and_moves_on_to_the_next_item(app):
    lead = co_lead(app)
    at = open_mapping(lead.user_id)
    choose(at, "Framework", "10.7.2")
    first = at.subheader[0].value.split()[0]
    assert any("Item 1 of 36 in the queue" in c.value for c in at.caption)
    next(b for b in at.button if b.label == "Accept").click().run()
    assert not at.exception
    [link] = _decided(app, first)
    assert link.status == "accepted" and link.decided_by == "Lead One"
    assert any(f"Accepted {first} →" in s.value for s in at.success)
    second = at.subheader[0].value.split()[0]
    assert second != first  # the next item of the queue, not the first one again
    assert any("of 35 in the queue" in c.value for c in at.caption)

    next(b for b in at.button if b.label == "Reject").click().run()
    [rejected] = _decided(app, second)
    assert rejected.status == "rejected"
    assert at.subheader[0].value.split()[0] not in (first, second)


def test_quality_figure_leaves_bulk_accepts_out_and_shows_the_held_out_estimate(app):
    import pandas as pd

    lead = co_lead(app)
    item = tx(app, links.item_id_for, "10.7.2", "4d")
    tx(app, links.bulk_accept, actor=lead, rows=pd.DataFrame([
        {"item_id": item, "objective": 20, "score": 0.9, "model_score": 0.9, "decision": "", "reason_ref": "20(a)"}]))
    at = open_mapping(lead.user_id)
    choose(at, "Framework", "10.7.2")
    figure = next(c.value for c in at.caption if "Top suggestion right on" in c.value)
    assert "on 0 items decided one by one" in figure
    assert "Held-out estimate from the labelled crosswalk" in figure and "on 16 held-out items" in figure
    assert any("Bulk accept by Lead One" in t.value for t in at.text)


def test_signed_out_visitor_is_asked_to_sign_in_and_sees_no_suggestion(app):
    at = open_mapping()
    assert any(i.value.startswith("Sign in") for i in at.info)
    assert not [b for b in at.button if b.label in ("Accept", "Reject")]
    assert not at.metric and not at.dataframe


def _encoding_script(must_load, steps):
    from indicators_lab.ui.widgets import EncodingProgress

    progress = EncodingProgress(must_load, "about 10 seconds")
    for done, total in steps:
        progress(done, total)


def _run_encoding(must_load, steps):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_function(_encoding_script, kwargs={"must_load": must_load, "steps": steps})
    at.run()
    assert not at.exception, at.exception
    return at


def test_first_encoding_says_the_model_is_loading_and_how_long_it_takes():
    at = _run_encoding(True, [(0, 480)])
    assert "Loading the language model" in at.info[0].value
    assert "about 10 seconds" in at.info[0].value
    assert at.get("progress")[0].proto.text == "Encoding 0 of 480 new texts"


def test_progress_counts_new_texts_and_the_loading_notice_goes_once_encoding_runs():
    at = _run_encoding(True, [(0, 480), (128, 480)])
    assert not [i for i in at.info if i.value]
    assert at.get("progress")[0].proto.text == "Encoding 128 of 480 new texts"


def test_nothing_is_shown_when_every_text_is_already_encoded():
    at = _run_encoding(False, [(0, 0)])
    assert not at.info and not at.get("progress")


def test_chance_of_acceptance_is_fitted_once_there_are_enough_one_by_one_decisions(app):
    from indicators_lab.mapping.suggestions import suggest
    from tests.fakes import FakeEncoder

    lead = co_lead(app)
    t = tx(app, suggest, FakeEncoder(), "10.7.2", actor=lead, top_k=3).table
    for code in list(dict.fromkeys(t["item_code"]))[:12]:
        rows = t[t["item_code"] == code].sort_values("rank")
        item = int(rows.iloc[0]["item_id"])
        tx(app, links.decide, actor=lead, item_id=item, objective=int(rows.iloc[0]["objective"]), status="accepted")
        tx(app, links.decide, actor=lead, item_id=item, objective=int(rows.iloc[2]["objective"]), status="rejected")
    at = open_mapping(lead.user_id)
    choose(at, "Framework", "10.7.2")
    assert not at.exception
    assert any("logistic regression on 24 one-by-one decisions" in c.value for c in at.caption)


def test_each_item_shows_its_first_three_suggestions_until_a_chance_is_fitted(app):
    lead = co_lead(app)
    at = open_mapping(lead.user_id)
    choose(at, "Framework", "10.7.2")
    assert not at.exception
    assert any("Each item shows its first 3 suggestions until the chance is shown." in c.value for c in at.caption)
    assert len([b for b in at.button if b.label == "Accept"]) == 3


def test_with_a_fitted_chance_an_item_shows_the_suggestions_it_supports(app):
    from indicators_lab.mapping.learning import MIN_CHANCE, calibrate, supported
    from indicators_lab.mapping.suggestions import suggest
    from tests.fakes import FakeEncoder

    lead = co_lead(app)
    t = tx(app, suggest, FakeEncoder(), "10.7.2", actor=lead, top_k=3).table
    for code in list(dict.fromkeys(t["item_code"]))[:16]:
        rows = t[t["item_code"] == code].sort_values("rank")
        item = int(rows.iloc[0]["item_id"])
        tx(app, links.decide, actor=lead, item_id=item, objective=int(rows.iloc[0]["objective"]), status="accepted")
        for k in (1, 2):
            tx(app, links.decide, actor=lead, item_id=item, objective=int(rows.iloc[k]["objective"]), status="rejected")
    at = open_mapping(lead.user_id)
    choose(at, "Framework", "10.7.2")
    assert not at.exception
    assert any("Each item shows the suggestions whose chance is at least 20%" in c.value for c in at.caption)
    # the item on screen shows exactly its suggestions with a chance of at least the floor (and its first)
    result = tx(app, suggest, FakeEncoder(), "10.7.2", actor=lead, top_k=5)
    shown = supported(result, calibrate(result, tx(app, links.decisions_frame)))
    code = at.subheader[0].value.split()[0]
    mine = shown[shown["item_code"] == code]
    assert len([b for b in at.button if b.label == "Accept"]) == len(mine)
    assert ((mine["rank"] == 1) | (mine["chance"] >= MIN_CHANCE)).all()

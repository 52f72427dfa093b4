"""The Mapping page: a co-lead accepts and rejects suggestions; others can only read."""

from indicators_lab.mapping import links
from tests.apptest import app, choose, co_lead, open_page  # noqa: F401  (app is a fixture)
from indicators_lab.core.db import in_transaction as tx


def open_mapping(user_id=None):
    return open_page("views/mapping.py", user_id)


def test_co_lead_accepts_then_rejects_a_suggestion(app):
    lead = co_lead(app)
    at = open_mapping(lead.user_id)
    choose(at, "Framework", "10.7.2")
    item_id = tx(app, links.item_id_for, "10.7.2", "1")
    accept = next(b for b in at.button if b.label == "Accept")
    accept.click().run()
    assert not at.exception
    [link] = [lk for lk in tx(app, links.item_links, item_id) if lk.status != "undecided"]
    assert link.status == "accepted" and link.decided_by == "Lead One"
    assert any("Accepted 1 →" in s.value for s in at.success)

    reject = [b for b in at.button if b.label == "Reject"][0]
    reject.click().run()
    states = {lk.objective: lk.status for lk in tx(app, links.item_links, item_id)}
    assert states[link.objective] == "rejected"
    assert list(tx(app, links.history, item_id)["change"]) == ["reject", "accept"]


def test_reader_sees_suggestions_without_decision_buttons(app):
    at = open_mapping()
    assert any("Sign in" in i.value for i in at.info)
    assert not [b for b in at.button if b.label in ("Accept", "Reject")]
    assert any(m.label == "Items" for m in at.metric)


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

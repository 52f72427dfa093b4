"""AppTest of the comment form (stakeholder) and the comment-response matrix (co-lead)."""

from indicators_lab.sets import candidate_sets as cs
from indicators_lab.consultation import rounds as con
from indicators_lab.mapping import links
from indicators_lab.consultation import matrix
from indicators_lab.core.accounts import create_user
from tests.apptest import app, co_lead, open_page  # noqa: F401  (app is a fixture)
from indicators_lab.core.db import in_transaction as tx
from indicators_lab.ui.widgets import plain

EVIL = "<script>alert('x')</script> <b>bold</b> **not markdown**"


def stakeholder(engine, lead):
    return tx(engine, create_user, actor=lead, email="ngo@example.org", name="Nadia", role="stakeholder",
                       password="long enough pw", organisation="NGO", constituency="civil_society")


def test_stakeholder_posts_a_comment_that_shows_as_plain_text(app):
    lead = co_lead(app)
    ngo = stakeholder(app, lead)
    set_id = tx(app, cs.create_set, actor=lead, name="Draft", item_ids=[tx(app, links.item_id_for, "sdg", "10.7.1")])
    rid = tx(app, con.create_round, actor=lead, title="Round 1", set_id=set_id)
    at = open_page("views/consultation.py", ngo.user_id)
    # The indicator's card: its code and full title, then what it means in plain words.
    assert any(m.value.startswith(f"**{plain('10.7.1')}** {plain('Recruitment cost')}") for m in at.markdown)
    assert any(c.value.startswith(plain("It belongs to SDG target 10.7")) for c in at.caption)

    at.button_group(key="ilab.consult.part").set_value("set").run()
    next(t for t in at.text_area if t.label == "Your comment").input(EVIL)
    next(b for b in at.button if b.label == "Post comment").click().run()
    assert not at.exception, at.exception
    assert at.button_group(key="ilab.consult.part").value == "set"  # still on the part commented on
    [c] = tx(app, con.thread, actor=ngo, round_id=rid, whole_set=True)
    assert c.text == EVIL and c.author_name == "Nadia"
    assert EVIL in [t.value for t in at.text]                  # rendered with st.text: never HTML
    assert not any(EVIL in m.value for m in at.markdown)


def test_co_lead_answers_in_the_matrix_and_the_unanswered_count_falls(app):
    lead = co_lead(app)
    ngo = stakeholder(app, lead)
    rid = tx(app, con.create_round, actor=lead, title="Round 1")
    for text in ("first", "second"):
        tx(app, con.post_comment, actor=ngo, round_id=rid, text=text)
    at = open_page("views/matrix.py", lead.user_id)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Still unanswered (round)"] == "2"
    at.text_area[0].input("We agree and will add it.")
    next(b for b in at.button if b.label == "Save answer").click().run()
    assert not at.exception, at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Still unanswered (round)"] == "1"
    rows, _ = tx(app, matrix.matrix_page, actor=lead, filt=matrix.MatrixFilter(round_id=rid, disposition="accepted"))
    assert list(rows["response"]) == ["We agree and will add it."]


def test_stakeholder_is_kept_out_of_the_matrix(app):
    lead = co_lead(app)
    ngo = stakeholder(app, lead)
    tx(app, con.create_round, actor=lead, title="Round 1")
    at = open_page("views/matrix.py", ngo.user_id)
    assert any(i.value.startswith("Ask a co-lead for the comment-response matrix") for i in at.info)
    assert not at.dataframe


def test_stakeholder_reads_and_comments_on_the_strategy_of_a_version(app):
    from indicators_lab.proposal import versions as proposals
    from indicators_lab.proposal.strategy import save_action
    from tests.fakes import FakeEncoder

    lead = co_lead(app)
    ngo = stakeholder(app, lead)
    item = tx(app, links.item_id_for, "sdg", "10.7.1")
    tx(app, links.decide, actor=lead, item_id=item, objective=6, status="accepted")
    set_id = tx(app, cs.create_set, actor=lead, name="Draft", item_ids=[item])
    tx(app, proposals.freeze, FakeEncoder(), actor=lead, set_id=set_id, note="v1")
    tx(app, save_action, actor=lead, version=1, objective=6, item_key="sdg:10.7.1", action=EVIL, who="ILO",
       by_when="2027 Q4")
    rid = tx(app, con.create_round, actor=lead, title="On version 1", version=1)
    at = open_page("views/consultation.py", ngo.user_id)
    assert "Strategy for disaggregated data" in at.button_group(key="ilab.consult.part").options
    at.button_group(key="ilab.consult.part").set_value("strategy").run()
    assert not at.exception, at.exception
    next(s for s in at.selectbox if s.label == "Objective").select(6).run()
    assert EVIL in [t.value for t in at.text]  # the action as the co-leads wrote it, plain text
    captions = [c.value.replace("\\", "") for c in at.caption]
    assert "Who: ILO · By when: 2027 Q4" in captions
    assert any(c.startswith("Gap: Cannot be split by migratory status today") for c in captions)
    assert any(c.startswith("Split by migratory status today: no") for c in captions)

    next(t for t in at.text_area if t.label == "Your comment").input("Which survey round?")
    next(b for b in at.button if b.label == "Post comment").click().run()
    assert not at.exception, at.exception
    assert at.button_group(key="ilab.consult.part").value == "strategy"
    [c] = tx(app, con.thread, actor=ngo, round_id=rid, objective=6, strategy=True)
    assert c.text == "Which survey round?" and c.about == "strategy for objective 6"
    assert tx(app, con.thread, actor=ngo, round_id=rid, objective=6) == []

    # The co-lead finds it in the matrix among other comments, and answers it like any other.
    tx(app, con.post_comment, actor=ngo, round_id=rid, objective=6, text="On objective 6 itself")
    at = open_page("views/matrix.py", lead.user_id)
    next(c for c in at.checkbox if c.label == "Only comments on the disaggregation strategy").check().run()
    shown = next(d.value for d in at.dataframe if "about" in d.value.columns)
    assert list(shown["about"]) == ["strategy for objective 6"]
    at.text_area[0].input("The labour force survey, in 2027.")
    next(b for b in at.button if b.label == "Save answer").click().run()
    assert not at.exception, at.exception
    [answered] = tx(app, con.thread, actor=ngo, round_id=rid, objective=6, strategy=True)
    assert answered.response == "The labour force survey, in 2027."


def test_a_round_on_a_set_offers_no_strategy_part(app):
    lead = co_lead(app)
    ngo = stakeholder(app, lead)
    set_id = tx(app, cs.create_set, actor=lead, name="Draft", item_ids=[tx(app, links.item_id_for, "sdg", "10.7.1")])
    tx(app, con.create_round, actor=lead, title="Round 1", set_id=set_id)
    at = open_page("views/consultation.py", ngo.user_id)
    assert at.button_group(key="ilab.consult.part").options == ["Indicators", "Objectives", "The set as a whole"]


def test_moving_from_a_version_round_on_the_strategy_part_to_a_set_round_never_fails(app):
    from indicators_lab.proposal import versions as proposals
    from tests.fakes import FakeEncoder

    lead = co_lead(app)
    ngo = stakeholder(app, lead)
    item = tx(app, links.item_id_for, "sdg", "10.7.1")
    tx(app, links.decide, actor=lead, item_id=item, objective=6, status="accepted")
    set_id = tx(app, cs.create_set, actor=lead, name="Draft", item_ids=[item])
    tx(app, proposals.freeze, FakeEncoder(), actor=lead, set_id=set_id, note="v1")
    on_version = tx(app, con.create_round, actor=lead, title="On version 1", version=1)
    on_set = tx(app, con.create_round, actor=lead, title="On the set", set_id=set_id)
    at = open_page("views/consultation.py", ngo.user_id)
    next(s for s in at.selectbox if s.label == "Open consultation").select(on_version).run()
    at.button_group(key="ilab.consult.part").set_value("strategy").run()
    next(s for s in at.selectbox if s.label == "Open consultation").select(on_set).run()
    assert not at.exception, at.exception
    assert not any("Strategy for disaggregated data" in o for o in at.button_group(key="ilab.consult.part").options)
    assert not any("Comment on an objective" in c.value.replace("\\", "") for c in at.caption)

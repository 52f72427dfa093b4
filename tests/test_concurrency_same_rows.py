"""Several app processes acting on the *same* rows at once, each with its own engine (as separate
Streamlit processes would): nobody sees an unhandled error and nothing is lost or doubled.

Runs on SQLite and, in CI, on PostgreSQL, where writers really run in parallel.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select

from indicators_lab.consultation import rounds as con
from indicators_lab.consultation.invitations import invite, accept_invite
from indicators_lab.core.access import Actor
from indicators_lab.core.accounts import create_user
from indicators_lab.core.db import in_transaction as tx
from indicators_lab.core.db import make_engine, unit_of_work
from indicators_lab.core.errors import UserError
from indicators_lab.core.models import Embedding, Link, LinkEvent, ProposalVersion, Response, ResponseRevision, SetMember
from indicators_lab.mapping import links
from indicators_lab.mapping.embeddings import embed_texts
from indicators_lab.proposal import versions as proposals
from indicators_lab.sets import candidate_sets as cs
from tests.fakes import FakeEncoder
from tests.test_proposals import drafted  # noqa: F401  (fixture)

LEAD = Actor("Lead", "co_lead")
STRONG = "a very long passphrase for tests"


def run_together(engine, n_workers: int, work) -> tuple[list, list[str]]:
    """Run ``work(worker_engine, i)`` in ``n_workers`` threads released at the same moment, each
    with its own engine on the same database. Returns results and unexpected errors."""
    url = engine.url.render_as_string(hide_password=False)
    engines = [make_engine(url) for _ in range(n_workers)]
    start = threading.Barrier(n_workers)
    results, errors = [None] * n_workers, []

    def one(i):
        start.wait()
        try:
            results[i] = work(engines[i], i)
        except Exception as exc:  # collected, so the assertion names every failure
            errors.append(f"worker {i}: {exc!r}")

    try:
        with ThreadPoolExecutor(max_workers=n_workers) as pool:
            list(pool.map(one, range(n_workers)))
    finally:
        for e in engines:
            e.dispose()
    return results, errors


def count(engine, stmt) -> int:
    with unit_of_work(engine) as s:
        return s.execute(stmt).scalar_one()


def test_twelve_co_leads_answer_the_same_comment(engine):
    rid = tx(engine, con.create_round, actor=LEAD, title="R")
    cid = tx(engine, con.post_comment, actor=LEAD, round_id=rid, objective=1, text="Please add 10.7.2")
    _, errors = run_together(engine, 12, lambda e, i: tx(
        e, con.respond, actor=Actor(f"Lead {i}", "co_lead"), comment_id=cid, disposition="noted", text=f"answer {i}"))
    assert errors == []
    assert count(engine, select(func.count()).select_from(Response).where(Response.comment_id == cid)) == 1
    assert count(engine, select(func.count()).select_from(ResponseRevision).where(ResponseRevision.comment_id == cid)) == 12


def test_twelve_co_leads_decide_the_same_link(engine):
    item = tx(engine, links.item_id_for, "sdg", "10.7.1")

    def decide(e, i):
        return tx(e, links.decide, actor=Actor(f"Lead {i}", "co_lead"), item_id=item, objective=5,
                  status="accepted" if i % 2 else "rejected", rationale=f"decision {i}")

    _, errors = run_together(engine, 12, decide)
    assert errors == []
    assert count(engine, select(func.count()).select_from(Link).where(Link.item_id == item)) == 1
    with unit_of_work(engine) as s:
        events = s.exec(select(LinkEvent).where(LinkEvent.item_id == item).order_by(LinkEvent.id)).all()
        link = s.exec(select(Link).where(Link.item_id == item)).one()
        assert len(events) == 12
        # Each decision saw the one before it: the chain of before/after states has no gap.
        for prev, nxt in zip(events, events[1:]):
            assert nxt[0].before == prev[0].after
        assert events[-1][0].after["status"] == link[0].status


def test_eight_co_leads_freeze_the_same_set(engine):
    item = tx(engine, links.item_id_for, "sdg", "10.7.1")
    tx(engine, links.decide, actor=LEAD, item_id=item, objective=5, status="accepted")
    set_id = tx(engine, cs.create_set, actor=LEAD, name="Draft", item_ids=[item])
    encoder = FakeEncoder()
    numbers, errors = run_together(engine, 8, lambda e, i: tx(
        e, proposals.freeze, encoder, actor=LEAD, set_id=set_id, note=f"freeze {i}"))
    assert errors == []
    assert sorted(numbers) == list(range(1, 9))  # no duplicate, no gap
    assert count(engine, select(func.count()).select_from(ProposalVersion)) == 8


def test_eight_workers_cache_the_same_text(engine):
    encoder = FakeEncoder()
    _, errors = run_together(engine, 8, lambda e, i: tx(e, embed_texts, encoder, ["Safe, orderly and regular migration"]))
    assert errors == []
    assert count(engine, select(func.count()).select_from(Embedding).where(Embedding.model == encoder.name)) == 1


def test_sixteen_stakeholders_post_400_comments_into_one_round(engine):
    rid = tx(engine, con.create_round, actor=LEAD, title="Deadline day")
    people = [tx(engine, create_user, actor=LEAD, email=f"p{i}@x.org", name=f"P{i}", role="stakeholder",
                 constituency="civil_society") for i in range(16)]

    def post(e, i):
        return [tx(e, con.post_comment, actor=people[i], round_id=rid, objective=1 + k % 23, text=f"P{i} #{k}")
                for k in range(25)]

    ids, errors = run_together(engine, 16, post)
    assert errors == []
    assert len({c for batch in ids for c in batch}) == 400


def test_one_invitation_link_used_in_eight_tabs_at_once(engine):
    inv = tx(engine, invite, actor=LEAD, email="new@x.org", name="New", constituency="civil_society")

    def accept(e, i):
        try:
            return tx(e, accept_invite, token=inv.token, password=STRONG + str(i))
        except UserError as exc:
            return str(exc)

    results, errors = run_together(engine, 8, accept)
    assert errors == []
    signed_in = [r for r in results if isinstance(r, Actor)]
    refused = [r for r in results if isinstance(r, str)]
    assert len(signed_in) == 1
    assert all("already been used" in r for r in refused) and len(refused) == 7


def test_eight_co_leads_add_the_same_indicators_to_one_set(engine):
    ids = [tx(engine, links.item_id_for, "sdg", code) for code in ("10.7.1", "10.7.2", "10.c.1")]
    set_id = tx(engine, cs.create_set, actor=LEAD, name="Shared draft")
    _, errors = run_together(engine, 8, lambda e, i: tx(e, cs.add_items, actor=LEAD, set_id=set_id, item_ids=ids))
    assert errors == []
    assert count(engine, select(func.count()).select_from(SetMember).where(SetMember.set_id == set_id)) == 3


def test_an_author_editing_while_co_leads_answer_never_leaves_an_answer_to_other_words(engine):
    from indicators_lab.core.models import Comment

    ngo = tx(engine, create_user, actor=LEAD, email="author@x.org", name="Author", role="stakeholder",
             password=STRONG, constituency="civil_society")
    rid = tx(engine, con.create_round, actor=LEAD, title="R")
    cid = tx(engine, con.post_comment, actor=ngo, round_id=rid, objective=1, text="first words")

    def work(e, i):
        try:
            if i % 2:
                return tx(e, con.edit_comment, actor=ngo, comment_id=cid, text=f"edit {i}")
            return tx(e, con.respond, actor=Actor(f"Lead {i}", "co_lead"), comment_id=cid,
                      disposition="noted", text=f"answer {i}")
        except UserError as exc:
            assert "official answer" in str(exc)

    _, errors = run_together(engine, 8, work)
    assert errors == []
    with unit_of_work(engine) as s:
        comment = s.get(Comment, cid)
        first_answer = min(r.at for r in s.exec(select(ResponseRevision).where(ResponseRevision.comment_id == cid)).scalars())
        assert comment.edited_at is None or comment.edited_at <= first_answer


def test_co_leads_answer_and_rewrite_one_strategy_while_stakeholders_comment_on_it(engine):
    """The strategy for one objective of one version, from 12 processes at once: co-leads save the
    same proposed action and answer the same strategy comment while stakeholders comment on it."""
    from indicators_lab.core.models import Comment, StrategyAction
    from indicators_lab.proposal.strategy import save_action

    item = tx(engine, links.item_id_for, "sdg", "10.7.1")
    tx(engine, links.decide, actor=LEAD, item_id=item, objective=6, status="accepted")
    set_id = tx(engine, cs.create_set, actor=LEAD, name="Draft", item_ids=[item])
    tx(engine, proposals.freeze, FakeEncoder(), actor=LEAD, set_id=set_id, note="v1")
    rid = tx(engine, con.create_round, actor=LEAD, title="R", version=1)
    cid = tx(engine, con.post_comment, actor=Actor("NGO", "stakeholder"), round_id=rid, objective=6, strategy=True,
             text="Who will run the survey?")

    def work(e, i):
        lead = Actor(f"Lead {i}", "co_lead")
        if i % 3 == 0:
            return tx(e, save_action, actor=lead, version=1, objective=6, item_key="sdg:10.7.1", action=f"action {i}")
        if i % 3 == 1:
            return tx(e, con.respond, actor=lead, comment_id=cid, disposition="noted", text=f"answer {i}")
        return tx(e, con.post_comment, actor=Actor(f"NGO {i}", "stakeholder"), round_id=rid, objective=6,
                  strategy=True, text=f"comment {i}")

    _, errors = run_together(engine, 12, work)
    assert errors == []
    assert count(engine, select(func.count()).select_from(StrategyAction)) == 1
    assert count(engine, select(func.count()).select_from(Response).where(Response.comment_id == cid)) == 1
    assert count(engine, select(func.count()).select_from(ResponseRevision).where(ResponseRevision.comment_id == cid)) == 4
    assert count(engine, select(func.count()).select_from(Comment).where(Comment.target_kind == "strategy")) == 1 + 4


def test_eight_confirms_of_the_same_extract_plan_store_one_import(engine):
    from indicators_lab.catalogue.data import apply_data_import, plan_data_import
    from indicators_lab.core.models import DataFigure, DataImport

    plan = tx(engine, plan_data_import, b"Indicator,TimePeriod,Value,GeoAreaCode\n10.7.2,2019,1,A\n",
              "extract.csv", max_bytes=1 << 20)
    ids, errors = run_together(engine, 8, lambda e, i: tx(
        e, apply_data_import, plan, actor=Actor(f"Lead {i}", "co_lead")))
    assert errors == []
    assert len(set(ids)) == 1
    assert count(engine, select(func.count()).select_from(DataImport)) == 1
    assert count(engine, select(func.count()).select_from(DataFigure)) == 1
    # a new check of the same file is a new plan: it imports again
    again = tx(engine, plan_data_import, b"Indicator,TimePeriod,Value,GeoAreaCode\n10.7.2,2019,1,A\n",
               "extract.csv", max_bytes=1 << 20)
    assert tx(engine, apply_data_import, again, actor=LEAD) not in ids


def test_a_strategy_action_saved_while_the_version_is_approved_is_refused(drafted):  # noqa: F811
    """save_action reads 'not approved' without a lock: an approval committed meanwhile (PostgreSQL) still gets the action stored on the approved, closed version."""
    from sqlmodel import select

    from indicators_lab.core.models import StrategyAction
    from indicators_lab.proposal import strategy

    engine, _ = drafted
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite takes the write lock at BEGIN: the two actions queue (set INDICATORS_LAB_TEST_POSTGRES_URL)")
    original, approved = strategy.get_version, []

    def get_version_then_approve(number, *, session):
        v = original(number, session=session)
        if not approved:  # another co-lead approves between the check and the write
            approved.append(tx(engine, proposals.approve, actor=LEAD, version=number))
        return v

    strategy.get_version = get_version_then_approve
    try:
        tx(engine, strategy.save_action, actor=LEAD, version=1, objective=20, item_key="sdg:10.c.1",
           action="Late action")
    except UserError:
        pass
    finally:
        strategy.get_version = original
    assert tx(engine, proposals.get_version, 1).approved
    late = tx(engine, lambda *, session: list(session.exec(select(StrategyAction.action))))
    assert late == [], "an action landed on version 1 after its approval"


def test_co_leads_extending_a_round_while_another_approves_its_version_leave_it_closed(drafted):  # noqa: F811
    """Five co-leads extend the version's round while a sixth approves the version: whoever goes
    first, the approved version's round ends closed (approval closes it; an extension after the
    approval is refused), and nobody meets anything but a plain refusal."""
    from datetime import timedelta

    from indicators_lab.core.models import Round, utcnow

    engine, set_id = drafted
    rid = tx(engine, con.create_round, actor=LEAD, title="On version 1", set_id=set_id, version=1)
    later = utcnow() + timedelta(days=30)

    def work(e, i):
        try:
            if i == 0:
                return tx(e, proposals.approve, actor=LEAD, version=1, close_rounds=True)
            return tx(e, con.set_round_close, actor=LEAD, round_id=rid, closes_at=later)
        except UserError as exc:
            return str(exc)

    results, errors = run_together(engine, 6, work)
    assert errors == []
    assert tx(engine, proposals.get_version, 1).approved
    with unit_of_work(engine) as s:
        closes = s.get(Round, rid).closes_at
    assert closes.replace(tzinfo=None) <= utcnow().replace(tzinfo=None), f"open until {closes} on an approved version"

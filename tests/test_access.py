"""One access model: the README renders the code's table, nobody acts by default, and every
restricted read service refuses each role the table does not allow."""

from __future__ import annotations

import dataclasses
import importlib
import inspect
import json
import pkgutil
import re

import openpyxl
import pytest

import indicators_lab
from indicators_lab.consultation import matrix
from indicators_lab.consultation import rounds as con
from indicators_lab.consultation.themes import themes
from indicators_lab.core.errors import UserError
from indicators_lab.core.access import (
    ANONYMOUS, PAGE_ACCESS, PERMISSIONS, VIEWERS, Actor, PermissionDenied, access_table_markdown, can, pages_for,
    require, roles_with,
)
from indicators_lab.core.accounts import create_user, list_users
from indicators_lab.core.db import in_transaction as tx
from indicators_lab.mapping import links
from indicators_lab.mapping.suggestions import suggest
from indicators_lab.proposal import versions as proposals
from indicators_lab.proposal.annex import export_version
from indicators_lab.sets import candidate_sets as cs
from tests.fakes import FakeEncoder
from tests.paths import PROJECT_ROOT
from tests.factories import three_people
from tests.test_proposals import LEAD, drafted  # noqa: F401  (fixture)

ADMIN = Actor("Admin", "admin")
HIDDEN_TEXT = "HIDDEN-COMMENT-MARKER"
AUTHOR = "AUTHOR-NAME-MARKER"
RATIONALE = "RATIONALE-MARKER"


def actor_for(role: str) -> Actor:
    return ANONYMOUS if role == "signed_out" else Actor(f"Someone ({role})", role)


# --------------------------------------------------------------------------- the table itself


def test_readme_renders_the_access_table_of_the_code():
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    found = re.search(r"<!-- access-table:start -->\n(.*)\n<!-- access-table:end -->", readme, re.S)
    assert found, "README.md needs the access table between its markers"
    assert found.group(1) == access_table_markdown(), "README and core/access.py disagree: paste access_table_markdown()"


def test_every_view_is_in_the_access_table_with_a_known_permission():
    views = {f"views/{p.name}" for p in (PROJECT_ROOT / "views").glob("*.py")}
    assert views == set(PAGE_ACCESS)
    for path, (_, _, permission, _) in PAGE_ACCESS.items():
        assert permission in PERMISSIONS, path
        assert f'page_guard("{path}"' in (PROJECT_ROOT / path).read_text(), f"{path} does not check its permission"


def test_every_role_in_the_table_is_a_known_viewer():
    for name, (roles, _) in PERMISSIONS.items():
        assert set(roles) <= set(VIEWERS), name


def test_the_menu_of_a_signed_out_visitor_has_only_public_pages():
    assert pages_for("signed_out") == ["views/home.py", "views/catalogue.py", "views/objectives.py",
                                       "views/data_availability.py"]
    assert "views/mapping.py" not in pages_for("stakeholder")
    assert "views/consultation.py" in pages_for("stakeholder")
    assert "views/review.py" in pages_for("excom") and "views/rounds.py" not in pages_for("excom")
    assert "views/set_password.py" not in pages_for("admin")  # reached from the invitation link only


def test_actor_has_no_default_role():
    with pytest.raises(TypeError):
        Actor("Someone")  # type: ignore[call-arg]
    assert [f.name for f in dataclasses.fields(Actor) if f.default is dataclasses.MISSING] == ["name", "role"]


def test_no_function_defaults_its_actor():
    offenders = []
    for info in pkgutil.walk_packages(indicators_lab.__path__, "indicators_lab."):
        if info.name.startswith(("indicators_lab.ui", "indicators_lab.migrations", "indicators_lab.__main__")):
            continue
        module = importlib.import_module(info.name)
        for name, fn in inspect.getmembers(module, inspect.isfunction):
            if fn.__module__ != module.__name__:
                continue
            param = inspect.signature(fn).parameters.get("actor")
            if param is not None and param.default is not inspect.Parameter.empty:
                offenders.append(f"{info.name}.{name}")
    assert offenders == []


def test_require_tells_a_signed_out_visitor_to_sign_in_and_others_whom_to_ask():
    with pytest.raises(PermissionDenied, match="^Sign in"):
        require(ANONYMOUS, "mapping.read")
    with pytest.raises(PermissionDenied, match="^Ask a co-lead"):
        require(actor_for("stakeholder"), "mapping.read")
    assert require(actor_for("co_lead"), "mapping.read").role == "co_lead"
    with pytest.raises(KeyError):
        can(ADMIN, "no.such.permission")


# --------------------------------------------------------------------------- services


@pytest.fixture
def world(engine):
    """A set with a linked item, a round with a visible and a hidden comment, a frozen version."""
    lead = tx(engine, create_user, actor=ADMIN, email="lead@x.org", name="Lead", role="co_lead")
    ngo = tx(engine, create_user, actor=lead, email="ngo@x.org", name=AUTHOR, role="stakeholder",
             organisation="Org A", constituency="civil_society")
    item = tx(engine, links.item_id_for, "sdg", "10.7.1")
    tx(engine, links.decide, actor=lead, item_id=item, objective=6, status="accepted", grade="direct",
       rationale=RATIONALE)
    set_id = tx(engine, cs.create_set, actor=lead, name="Draft", item_ids=[item])
    rid = tx(engine, con.create_round, actor=lead, title="Open round", set_id=set_id)
    tx(engine, con.post_comment, actor=ngo, round_id=rid, text="visible comment")
    hidden = tx(engine, con.post_comment, actor=ngo, round_id=rid, text=HIDDEN_TEXT)
    tx(engine, con.moderate, actor=lead, comment_id=hidden, hide=True, reason="off topic")
    number = tx(engine, proposals.freeze, FakeEncoder(), actor=lead, set_id=set_id, note="first")
    return {"engine": engine, "lead": lead, "ngo": ngo, "item": item, "set_id": set_id, "round": rid,
            "hidden": hidden, "version": number}


READ_SERVICES = {
    "suggest": ("mapping.read", lambda w, a: tx(w["engine"], suggest, FakeEncoder(), "10.7.2", actor=a)),
    "links.history": ("mapping.read", lambda w, a: tx(w["engine"], links.history, w["item"], actor=a)),
    "links.item_links": ("mapping.read", lambda w, a: tx(w["engine"], links.item_links, w["item"], actor=a)),
    "cs.list_sets": ("sets.read", lambda w, a: tx(w["engine"], cs.list_sets, actor=a)),
    "cs.score_set": ("sets.read", lambda w, a: tx(w["engine"], cs.score_set, FakeEncoder(), w["set_id"], actor=a)),
    "cs.what_if": ("sets.read", lambda w, a: tx(w["engine"], cs.what_if, FakeEncoder(), w["set_id"], actor=a,
                                                  add=[], remove=[])),
    "cs.optimise_for_set": ("optimise.run", lambda w, a: tx(w["engine"], cs.optimise_for_set, w["set_id"], actor=a)),
    "con.list_rounds": ("rounds.read", lambda w, a: tx(w["engine"], con.list_rounds, actor=a)),
    "con.open_rounds_for": ("consultation.take_part", lambda w, a: tx(w["engine"], con.open_rounds_for, a)),
    "con.thread": ("consultation.take_part", lambda w, a: tx(w["engine"], con.thread, actor=a, round_id=w["round"])),
    "con.set_items": ("consultation.take_part", lambda w, a: tx(w["engine"], con.set_items, w["round"], actor=a)),
    "con.moderation_history": ("comments.hidden.read",
                               lambda w, a: tx(w["engine"], con.moderation_history, w["hidden"], actor=a)),
    "matrix.matrix_page": ("matrix.read", lambda w, a: tx(w["engine"], matrix.matrix_page, actor=a,
                                                          filt=matrix.MatrixFilter(round_id=w["round"]))),
    "matrix.export_bytes": ("matrix.read", lambda w, a: tx(w["engine"], matrix.export_bytes, actor=a,
                                                           round_id=w["round"], fmt="csv")),
    "matrix.participation": ("matrix.read", lambda w, a: tx(w["engine"], matrix.participation, w["round"], actor=a)),
    "matrix.template_xlsx": ("rounds.template.download", lambda w, a: tx(w["engine"], matrix.template_xlsx, w["round"], actor=a)),
    "themes": ("themes.run", lambda w, a: tx(w["engine"], themes, FakeEncoder(), actor=a, round_id=w["round"])),
    "proposals.list_versions": ("annex.download", lambda w, a: tx(w["engine"], proposals.list_versions, actor=a)),
    "proposals.diff": ("versions.read", lambda w, a: tx(w["engine"], proposals.diff, 1, 1, actor=a)),
    "proposals.views": ("excom_views.read", lambda w, a: tx(w["engine"], proposals.views, 1, actor=a)),
    "export_version (public)": ("annex.download", lambda w, a: tx(w["engine"], export_version, 1, "json",
                                                                  w["tmp"] / "p.json", actor=a)),
    "export_version (full)": ("annex.full.download", lambda w, a: tx(w["engine"], export_version, 1, "json",
                                                                     w["tmp"] / "f.json", actor=a, full=True)),
    "list_users": ("people.read", lambda w, a: tx(w["engine"], list_users, actor=a)),
}


@pytest.mark.parametrize("service", sorted(READ_SERVICES))
def test_restricted_read_service_refuses_every_role_the_table_does_not_allow(world, tmp_path, service):
    permission, call = READ_SERVICES[service]
    world["tmp"] = tmp_path
    refused = [r for r in VIEWERS if r not in roles_with(permission)]
    assert refused, f"{service}: nobody is refused, so it needs no check"
    for role in refused:
        with pytest.raises(PermissionDenied):
            call(world, actor_for(role))
    try:  # and a co-lead (who holds every permission above) is served
        call(world, world["lead"])
    except PermissionDenied:
        raise
    except UserError:
        pass  # served: refused for a reason of the request (too few comments, nothing linked), not of the role


def test_stakeholder_outside_a_rounds_constituencies_cannot_read_or_report_in_it(world):
    engine, lead = world["engine"], world["lead"]
    rid = tx(engine, con.create_round, actor=lead, title="Member States only", constituencies=["member_state"])
    state = tx(engine, create_user, actor=ADMIN, email="ms@x.org", name="MS", role="stakeholder",
               constituency="member_state")
    comment = tx(engine, con.post_comment, actor=state, round_id=rid, text="for member states")
    ngo = world["ngo"]
    assert rid not in [r.id for r in tx(engine, con.open_rounds_for, ngo)]
    with pytest.raises(PermissionDenied, match="open to: Member State"):
        tx(engine, con.thread, actor=ngo, round_id=rid)
    with pytest.raises(PermissionDenied):
        tx(engine, con.report_comment, actor=ngo, comment_id=comment)
    assert [c.text for c in tx(engine, con.thread, actor=state, round_id=rid)] == ["for member states"]


def test_stakeholders_see_organisations_not_names_and_no_hidden_comment(world):
    engine = world["engine"]
    other = tx(engine, create_user, actor=ADMIN, email="o@x.org", name="Other", role="stakeholder",
               constituency="civil_society")
    [view] = tx(engine, con.thread, actor=other, round_id=world["round"])
    assert (view.author_name, view.organisation) == ("Org A", "")
    excom = Actor("Ex", "excom")
    assert [c.text for c in tx(engine, con.thread, actor=excom, round_id=world["round"])] == ["visible comment"]
    assert tx(engine, con.thread, actor=excom, round_id=world["round"])[0].author_name == AUTHOR
    lead_view = tx(engine, con.thread, actor=world["lead"], round_id=world["round"])
    assert [(c.text, c.hidden_reason) for c in lead_view if c.hidden] == [(HIDDEN_TEXT, "off topic")]
    own = [c for c in tx(engine, con.thread, actor=world["ngo"], round_id=world["round"]) if c.hidden]
    assert [(c.text, c.hidden_reason) for c in own] == [(HIDDEN_TEXT, "")]  # the author, without the reason


def test_excom_reads_the_matrix_without_hidden_comments(world):
    rows, total = tx(world["engine"], matrix.matrix_page, actor=Actor("Ex", "excom"),
                     filt=matrix.MatrixFilter(round_id=world["round"]))
    assert total == 1 and list(rows["comment"]) == ["visible comment"]
    rows, total = tx(world["engine"], matrix.matrix_page, actor=world["lead"],
                     filt=matrix.MatrixFilter(round_id=world["round"]))
    assert total == 2


def test_stakeholders_see_approved_versions_only(world, tmp_path):
    engine, ngo = world["engine"], world["ngo"]
    assert tx(engine, proposals.list_versions, actor=ngo) == []
    with pytest.raises(PermissionDenied, match="draft"):
        tx(engine, export_version, 1, "json", tmp_path / "never.json", actor=ngo)
    assert not (tmp_path / "never.json").exists()
    tx(engine, proposals.approve, actor=world["lead"], version=1, close_rounds=True)
    assert [v.number for v in tx(engine, proposals.list_versions, actor=ngo)] == [1]


@pytest.mark.parametrize("fmt", ["xlsx", "json", "csv", "docx"])
def test_public_annex_has_no_hidden_comment_author_name_or_rationale_and_the_full_one_has(world, tmp_path, fmt):
    engine = world["engine"]
    tx(engine, proposals.approve, actor=world["lead"], version=1, close_rounds=True)
    public = tx(engine, export_version, 1, fmt, tmp_path / f"p.{fmt}", actor=world["ngo"])
    full = tx(engine, export_version, 1, fmt, tmp_path / f"f.{fmt}", actor=world["lead"], full=True)

    def text(path) -> str:
        if fmt == "xlsx":
            wb = openpyxl.load_workbook(path)
            return "\n".join(str(c.value) for ws in wb for row in ws.iter_rows() for c in row)
        if fmt == "docx":
            from docx import Document

            doc = Document(str(path))
            return "\n".join([p.text for p in doc.paragraphs]
                             + [c.text for t in doc.tables for row in t.rows for c in row.cells])
        return path.read_text(encoding="utf-8")

    published = text(public)
    for marker in (HIDDEN_TEXT, AUTHOR, RATIONALE):
        assert marker not in published
    if fmt == "xlsx":
        assert "visible comment" in published
        everything = text(full)
        assert all(marker in everything for marker in (HIDDEN_TEXT, AUTHOR, RATIONALE))
    if fmt == "json":
        links_ = [lk for it in json.loads(full.read_text())["indicators"] for lk in it["links"]]
        assert links_[0]["rationale"] == RATIONALE


def test_the_browser_gets_no_exception_details():
    import tomllib

    config = tomllib.loads((PROJECT_ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["client"]["showErrorDetails"] == "none"  # `false` would still show tracebacks


# Write services still check with require_role (their owners' code); this keeps them and the
# table in agreement: exactly the roles without the permission are refused.
WRITE_SERVICES = {
    "links.decide": ("mapping.decide", lambda w, a: tx(w["engine"], links.decide, actor=a, item_id=w["item"],
                                                       objective=8, status="rejected")),
    "cs.create_set": ("sets.edit", lambda w, a: tx(w["engine"], cs.create_set, actor=a, name=f"Set of {a.role}")),
    "con.create_round": ("rounds.manage", lambda w, a: tx(w["engine"], con.create_round, actor=a, title="R")),
    "con.respond": ("comments.answer", lambda w, a: tx(w["engine"], con.respond, actor=a, comment_id=w["hidden"],
                                                       disposition="noted", text="ok")),
    "con.moderate": ("comments.answer", lambda w, a: tx(w["engine"], con.moderate, actor=a, comment_id=w["hidden"],
                                                        hide=True, reason="still off topic")),
    "proposals.freeze": ("versions.freeze", lambda w, a: tx(w["engine"], proposals.freeze, FakeEncoder(), actor=a,
                                                            set_id=w["set_id"], note="again")),
    "proposals.record_view": ("excom_views.record", lambda w, a: tx(w["engine"], proposals.record_view, actor=a,
                                                                    version=1, verdict="approve")),
    "create_user (ExCom member)": ("people.manage_staff", lambda w, a: tx(
        w["engine"], create_user, actor=a, email=f"{a.role}-made@x.org", name="New", role="excom")),
}


@pytest.mark.parametrize("service", sorted(WRITE_SERVICES))
def test_write_service_refuses_exactly_the_roles_the_table_does_not_allow(world, service):
    from indicators_lab.core.errors import UserError, UserError

    permission, call = WRITE_SERVICES[service]
    for role in VIEWERS:
        actor = actor_for(role)
        if role != "signed_out":
            actor = tx(world["engine"], create_user, actor=ADMIN, email=f"{role}@w.org", name=f"W {role}", role=role) \
                if role != "admin" else ADMIN
        try:
            call(world, actor)
            refused = False
        except PermissionDenied:
            refused = True
        except UserError:  # allowed, then stopped by the data (e.g. already decided)
            refused = False
        assert refused == (role not in roles_with(permission)), f"{service} for a {role}"


def test_nobody_but_co_leads_replies_to_a_hidden_comment(world):
    from indicators_lab.core.errors import NotFound

    engine = world["engine"]
    excom = tx(engine, create_user, actor=ADMIN, email="ex@x.org", name="Ex", role="excom")
    with pytest.raises(NotFound):
        tx(engine, con.post_comment, actor=excom, round_id=world["round"], parent_id=world["hidden"], text="hm")
    assert tx(engine, con.post_comment, actor=world["lead"], round_id=world["round"], parent_id=world["hidden"],
              text="we hid this")


def test_excom_member_cannot_post_in_a_round_closed_to_their_constituency(drafted):  # noqa: F811
    """An ExCom member posts comments in a round open only to civil society (take_part covers rounds open to one's constituency; rounds.read only reads)."""
    engine, _ = drafted
    lead, _, _ = three_people(engine)
    member = tx(engine, create_user, actor=ADMIN, email="ex@x.org", name="Ex Member", role="excom",
                password="a long password")
    rid = tx(engine, con.create_round, actor=LEAD, title="Civil society only", version=1,
             constituencies=["civil_society"])
    with pytest.raises(UserError):
        tx(engine, con.post_comment, actor=member, round_id=rid, objective=6, strategy=True, text="ExCom speaking")

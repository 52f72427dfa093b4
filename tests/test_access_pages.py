"""Every page as every kind of visitor, on one database seeded with things some must never see:
each marker appears exactly where core.access allows, downloads only where allowed, a page
opened without permission shows only what to do; and user text never renders as Markdown."""

from __future__ import annotations

import re

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from indicators_lab.consultation import rounds as con
from indicators_lab.core.access import (
    ANONYMOUS, EXPORT_ACCESS, PAGE_ACCESS, VIEWERS, Actor, can, denial, page_permission,
)
from indicators_lab.core.accounts import create_user
from indicators_lab.core.config import Settings
from indicators_lab.core.db import in_transaction as tx
from indicators_lab.mapping import links
from indicators_lab.proposal import versions as proposals
from indicators_lab.sets import candidate_sets as cs
from indicators_lab.startup import open_database
from tests.apptest import app  # noqa: F401  (a fixture)
from tests.fakes import FakeEncoder
from tests.paths import PROJECT_ROOT
from indicators_lab.ui.widgets import plain

ADMIN = Actor("Admin", "admin")
PW = "long enough pw"

# Markers are letters only, so that Markdown escaping never splits them.
HIDDEN = "HiddenCommentMarker"
REASON = "ModerationReasonMarker"
AUTHOR = "AuthorNameMarker"
RATIONALE = "RationaleMarker"
RESTRICTED = "RestrictedRoundMarker"
EXCOM_VIEW = "ExcomViewMarker"
APPROVED = "ApprovedVersionMarker"
DRAFT = "DraftVersionMarker"

# marker -> (the permission that lets one read it, the pages that show it to those who may)
MARKERS = {
    HIDDEN: ("comments.hidden.read", {"views/consultation.py", "views/matrix.py"}),
    REASON: ("comments.hidden.read", {"views/consultation.py"}),
    AUTHOR: ("comments.authors.read", {"views/consultation.py", "views/matrix.py"}),
    RATIONALE: ("links.rationale.read", {"views/objectives.py"}),
    RESTRICTED: ("rounds.read", {"views/consultation.py", "views/matrix.py", "views/rounds.py"}),
    EXCOM_VIEW: ("excom_views.read", {"views/review.py"}),
    APPROVED: ("annex.download", {"views/versions.py"}),
    DRAFT: ("versions.read", {"views/versions.py", "views/review.py"}),
}

# export (core.access.EXPORT_ACCESS) -> the label its button starts with (None: offered only after
# an action, e.g. invitation links after inviting someone; their page is guarded like any other)
EXPORT_BUTTONS = {
    "public annex (XLSX, DOCX, CSV, JSON)": "Prepare public",
    "full annex (XLSX, DOCX, CSV, JSON)": "Prepare full",
    "comment-response matrix (XLSX, CSV)": "Prepare the matrix",
    "offline comment template (XLSX)": "Offline template",
    "offline comment template of one's round (XLSX)": "Download the template",
    "disaggregation strategy (CSV)": "Download as CSV",
    "invitation links (CSV)": None,
}

MARKDOWN = "**bold** ![x](http://127.0.0.1:9/px.png) <b>b</b> [link](http://x) :red[red] $x^2$"
RENDERED_PARTS = ["**bold**", "![x]", "](http", "<b>", ":red[", "$x"]

PAGES = sorted(PAGE_ACCESS)
SIGN_IN_HERE_PAGES = {"views/consultation.py"}  # guarded pages with their own sign-in form


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """One database for every render: users of each role and the markers above."""
    import indicators_lab.mapping.embeddings as embeddings  # ui.resources imports it when first used

    mp = pytest.MonkeyPatch()
    mp.setenv("INDICATORS_LAB_DATA_DIR", str(tmp_path_factory.mktemp("site") / "var"))
    mp.delenv("INDICATORS_LAB_DATABASE_URL", raising=False)
    mp.setattr(embeddings, "MiniLMEncoder", FakeEncoder)
    st.cache_resource.clear()
    engine = open_database(Settings())

    def user(role, name, email, **kw):
        return tx(engine, create_user, actor=ADMIN, email=email, name=name, role=role, password=PW, **kw)

    admin = user("admin", "Ada Admin", "admin@x.org")
    lead = user("co_lead", "Lee Lead", "lead@x.org")
    excom = user("excom", "Eve Excom", "excom@x.org")
    ngo = user("stakeholder", "Nadia", "ngo@x.org", organisation="NGO", constituency="civil_society")
    author = user("stakeholder", AUTHOR, "author@x.org", organisation="Org A", constituency="civil_society")
    state_ = user("stakeholder", "Sam State", "ms@x.org", constituency="member_state")

    item = tx(engine, links.item_id_for, "sdg", "10.7.1")
    tx(engine, links.decide, actor=lead, item_id=item, objective=1, status="accepted", grade="direct",
       rationale=RATIONALE)
    set_id = tx(engine, cs.create_set, actor=lead, name="Draft set", item_ids=[item])
    # Approved before the rounds open (approval closes the rounds open on its set).
    tx(engine, proposals.freeze, FakeEncoder(), actor=lead, set_id=set_id, note=APPROVED)
    tx(engine, proposals.approve, actor=lead, version=1)
    # The restricted round first, so that the round open to all is the newest (chosen by default).
    restricted = tx(engine, con.create_round, actor=lead, title=RESTRICTED, set_id=set_id,
                    constituencies=["member_state"])
    tx(engine, con.post_comment, actor=state_, round_id=restricted, item_id=item, text="for member states")
    rid = tx(engine, con.create_round, actor=lead, title="Open round", set_id=set_id)
    tx(engine, con.post_comment, actor=author, round_id=rid, item_id=item, text="a visible comment")
    hidden = tx(engine, con.post_comment, actor=author, round_id=rid, item_id=item, text=HIDDEN)
    tx(engine, con.moderate, actor=lead, comment_id=hidden, hide=True, reason=REASON)
    tx(engine, proposals.freeze, FakeEncoder(), actor=lead, set_id=set_id, note=DRAFT)
    tx(engine, proposals.record_view, actor=excom, version=2, verdict="object", text=EXCOM_VIEW)

    yield {"engine": engine, "signed_out": None, "stakeholder": ngo.user_id, "excom": excom.user_id,
           "co_lead": lead.user_id, "admin": admin.user_id}
    st.cache_resource.clear()
    mp.undo()


def render(path: str, user_id: int | None) -> AppTest:
    at = AppTest.from_file(str(PROJECT_ROOT / "app.py"), default_timeout=120)
    if user_id is not None:
        at.session_state["ilab.auth.user_id"] = user_id
    at.run()
    at.switch_page(path).run()
    assert not at.exception, at.exception
    return at


def walk(node):
    yield node
    for child in getattr(node, "children", {}).values():
        yield from walk(child)


def everything(at: AppTest) -> str:
    """All the text the page sent to the browser (labels, options, values, table cells)."""
    return "\n".join(str(n.proto) for n in walk(at._tree) if getattr(n, "proto", None) is not None)


def main_types(at: AppTest) -> list[str]:
    """The kinds of element drawn in the page itself (not the sidebar)."""
    return [n.type for n in walk(at.main) if getattr(n, "proto", None) is not None
            and not getattr(n, "children", None)]


def actor_of(role: str) -> Actor:
    return ANONYMOUS if role == "signed_out" else Actor("x", role)


@pytest.mark.parametrize("role", VIEWERS)
@pytest.mark.parametrize("path", PAGES)
def test_page_shows_each_marker_and_download_only_where_the_access_table_allows(site, path, role):
    actor = actor_of(role)
    at = render(path, site[role])
    text = everything(at)
    if not can(actor, page_permission(path)):
        # A page that offers the sign-in form in place (SIGN_IN_HERE) draws it, and nothing else.
        here = role == "signed_out" and path in SIGN_IN_HERE_PAGES
        said = [i.value for i in at.info]
        assert said[0].startswith("Sign in to") if here else said == [denial(actor, page_permission(path))]
        assert len(said) == 1
        allowed = {"title", "info"} | ({"text_input", "button"} if here else set())
        assert set(main_types(at)) <= allowed, main_types(at)
        if here:
            assert [t.label for t in at.main.text_input] == ["Email", "Password"]
    for marker, (permission, pages) in MARKERS.items():
        if not can(actor, permission):
            assert marker not in text, f"{marker} leaked to a {role} on {path}"
        elif path in pages and can(actor, page_permission(path)):
            assert marker in text, f"{marker} missing for a {role} on {path}"
    labels = [b.label for b in at.button] + [d.label for d in at.download_button]
    for export, (page, permission) in EXPORT_ACCESS.items():
        prefix = EXPORT_BUTTONS[export]
        if prefix is None:
            continue
        offered = any(label.startswith(prefix) for label in labels)
        expected = page == path and can(actor, permission) and can(actor, page_permission(path))
        assert offered == expected, f"{export} on {path} for a {role}: offered={offered}"
    if path not in {page for page, _ in EXPORT_ACCESS.values()}:
        assert not at.download_button


def test_stakeholder_downloads_the_public_annex_and_never_the_full_one(site):
    at = render("views/versions.py", site["stakeholder"])
    next(b for b in at.button if b.label == "Prepare public JSON").click().run()
    assert not at.exception, at.exception
    assert [d.label for d in at.download_button] == ["Download annex_v1.json"]
    assert not [b for b in at.button if b.label.startswith("Prepare full")]


def test_what_one_person_prepared_is_gone_when_another_signs_in(site):
    at = render("views/versions.py", site["co_lead"])
    next(b for b in at.button if b.label == "Prepare full JSON").click().run()
    assert "Download annex_v2_full.json" in [d.label for d in at.download_button]
    at.session_state["ilab.auth.user_id"] = site["stakeholder"]  # the same browser, someone else
    at.run()
    assert not at.exception, at.exception
    assert "ilab.versions.file.full.json" not in at.session_state
    assert not at.download_button


@pytest.fixture
def marked_up(app):
    """Names, titles and notes full of Markdown and HTML, as a hostile user or file would type them."""
    lead = tx(app, create_user, actor=ADMIN, email="lead@x.org", name=f"Lead {MARKDOWN}", role="co_lead",
              password=PW, organisation=f"Org {MARKDOWN}")
    author = tx(app, create_user, actor=lead, email="s@x.org", name=f"Author {MARKDOWN}", role="stakeholder",
                password=PW, organisation=f"Org {MARKDOWN}", constituency="civil_society")
    item = tx(app, links.item_id_for, "sdg", "10.7.1")
    tx(app, links.decide, actor=lead, item_id=item, objective=1, status="accepted", rationale=f"Why {MARKDOWN}")
    set_id = tx(app, cs.create_set, actor=lead, name=f"Set {MARKDOWN}", description=f"About {MARKDOWN}",
                item_ids=[item])
    rid = tx(app, con.create_round, actor=lead, title=f"Round {MARKDOWN}", purpose=f"Purpose {MARKDOWN}",
             set_id=set_id)
    cid = tx(app, con.post_comment, actor=author, round_id=rid, item_id=item, text=f"Comment {MARKDOWN}")
    tx(app, con.respond, actor=lead, comment_id=cid, disposition="accepted", text=f"Answer {MARKDOWN}")
    tx(app, proposals.freeze, FakeEncoder(), actor=lead, set_id=set_id, note=f"Note {MARKDOWN}")
    return lead


MARKDOWN_PAGES = ["views/candidate_sets.py", "views/consultation.py", "views/matrix.py", "views/objectives.py",
                  "views/review.py", "views/rounds.py", "views/versions.py"]


def rendered_strings(at: AppTest) -> list[str]:
    """Every string Streamlit renders as Markdown: bodies of text elements, labels of the rest."""
    bodies = [*at.markdown, *at.caption, *at.info, *at.warning, *at.error, *at.success, *at.title, *at.header,
              *at.subheader]
    out = [str(e.value) for e in bodies]
    for n in walk(at._tree):
        label = getattr(n, "label", None)
        if getattr(n, "proto", None) is not None and isinstance(label, str):
            out.append(label)
    return out


def test_user_text_never_renders_as_markdown_or_html(marked_up):
    lead = marked_up
    for path in MARKDOWN_PAGES:
        at = render(path, lead.user_id)
        for s in rendered_strings(at):
            unescaped = re.sub(r"\\.", "", s)  # what Markdown would still interpret
            for part in RENDERED_PARTS:
                assert part not in unescaped, f"{path}: {s!r} renders {part!r}"
        shown = everything(at)  # raw in st.text, options and tables; escaped where Markdown renders
        assert MARKDOWN in shown or plain(MARKDOWN).replace("\\", "\\\\") in shown, f"{path}: the text is not shown"
    at = render("views/consultation.py", lead.user_id)
    assert f"Comment {MARKDOWN}" in [t.value for t in at.text]  # shown exactly as typed, with st.text

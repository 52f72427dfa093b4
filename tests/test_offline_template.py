"""The offline comment template for a participant: a stakeholder (or an ExCom member, in a round
open to their constituency) downloads the round they may comment in now, in their language, with
nothing of it they may not read; a co-lead imports the filled file as it comes back."""

from __future__ import annotations

import io
from datetime import timedelta

import openpyxl
import pytest

from indicators_lab.consultation import matrix
from indicators_lab.consultation import rounds as con
from indicators_lab.core.access import ANONYMOUS, Actor, PermissionDenied
from indicators_lab.core.accounts import create_user
from indicators_lab.core.db import in_transaction as tx
from indicators_lab.core.i18n import use_locale
from indicators_lab.core.models import utcnow
from indicators_lab.mapping import links
from indicators_lab.sets import candidate_sets as cs
from tests.apptest import app, co_lead, open_page  # noqa: F401  (app is a fixture)

ADMIN = Actor("Admin", "admin")
HIDDEN = "HiddenCommentMarker"
OTHERS = "SomeoneElsesCommentMarker"
AUTHOR = "AuthorNameMarker"


@pytest.fixture
def world(engine):
    """A round on 10.7.2 open to civil society, with a visible and a hidden comment by another
    participant; one round opening tomorrow; one closed; people of each kind."""
    lead = tx(engine, create_user, actor=ADMIN, email="lead@x.org", name="Lead", role="co_lead")

    def person(email, role, constituency, organisation=""):
        return tx(engine, create_user, actor=ADMIN, email=email, name=email.split("@")[0], role=role,
                  organisation=organisation, constituency=constituency)

    ngo = person("ngo@x.org", "stakeholder", "civil_society", "Réseau des ONG")
    author = tx(engine, create_user, actor=ADMIN, email="a@x.org", name=AUTHOR, role="stakeholder",
                organisation="Org A", constituency="civil_society")
    state = person("ms@x.org", "stakeholder", "member_state")
    excom_cs = person("e1@x.org", "excom", "civil_society")
    excom_ms = person("e2@x.org", "excom", "member_state")
    set_id = tx(engine, cs.create_set, actor=lead, name="Draft", item_ids=[tx(engine, links.item_id_for, "sdg", "10.7.2")])
    rid = tx(engine, con.create_round, actor=lead, title="Cycle", set_id=set_id, constituencies=["civil_society"])
    tx(engine, con.post_comment, actor=author, round_id=rid, text=OTHERS)
    hidden = tx(engine, con.post_comment, actor=author, round_id=rid, text=HIDDEN)
    tx(engine, con.moderate, actor=lead, comment_id=hidden, hide=True, reason="off topic")
    now = utcnow()
    later = tx(engine, con.create_round, actor=lead, title="Later", set_id=set_id,
               opens_at=now + timedelta(days=1), closes_at=now + timedelta(days=30))
    closed = tx(engine, con.create_round, actor=lead, title="Past", set_id=set_id,
                opens_at=now - timedelta(days=30), closes_at=now - timedelta(days=1))
    return {"engine": engine, "lead": lead, "ngo": ngo, "state": state, "excom_cs": excom_cs,
            "excom_ms": excom_ms, "round": rid, "later": later, "closed": closed}


def template(world, who, round_id=None, language="en"):
    with use_locale(language):
        data = tx(world["engine"], matrix.template_xlsx, world["round"] if round_id is None else round_id,
                  actor=world[who] if isinstance(who, str) else who)
    return data, openpyxl.load_workbook(io.BytesIO(data))


def cells(book) -> list[str]:
    return [str(v) for ws in book.worksheets for row in ws.iter_rows(values_only=True) for v in row if v is not None]


def test_a_french_stakeholder_downloads_the_template_in_french_with_their_organisation(world):
    _, book = template(world, "ngo", language="fr")
    assert book.sheetnames == ["Commentaires", "Indicateurs", "Groupes", "Positions", "À propos"]
    assert [c.value for c in book["Commentaires"][1]] == [
        "Organisation", "Groupe", "Code de l’indicateur", "Objectif", "Position", "Commentaire"]
    assert book["Indicateurs"]["C2"].value.startswith("Nombre de pays dotés de politiques migratoires")
    # Only the constituencies the round is open to (the import refuses the others).
    assert [c.value for c in book["Groupes"]["A"]] == ["Groupe", "Société civile"]
    about = {row[0]: row[1] for row in book["À propos"].iter_rows(min_row=2, values_only=True)}
    assert about["votre organisation"] == "Réseau des ONG" and about["votre groupe"] == "Société civile"
    assert "envoyez le fichier" in about["mode d’emploi"]


def test_the_participants_template_holds_no_comment_and_no_other_persons_name(world):
    for who in ("ngo", "excom_cs"):
        text = "\n".join(cells(template(world, who)[1]))
        assert OTHERS not in text and HIDDEN not in text and AUTHOR not in text


@pytest.mark.parametrize("who, round_key, refusal", [
    (None, "round", "^Sign in"),
    ("state", "round", "open to: Civil society"),
    ("excom_ms", "round", "open to: Civil society"),
    ("ngo", "later", "opens on"),
    ("excom_cs", "later", "not yet open"),
    ("ngo", "closed", "closed"),
])
def test_the_template_is_refused_outside_the_rounds_one_may_comment_in_now(world, who, round_key, refusal):
    actor = ANONYMOUS if who is None else world[who]
    with pytest.raises(PermissionDenied, match=refusal):
        template(world, actor, world[round_key])


def test_an_excom_member_of_the_rounds_constituency_gets_it_and_a_co_lead_gets_any_round(world):
    assert template(world, "excom_cs")[1].sheetnames[0] == "Comments"
    for key in ("round", "later", "closed"):  # co-leads run the rounds: before, during and after
        _, book = template(world, "lead", world[key])
        assert "your organisation" not in cells(book)


@pytest.mark.parametrize("language, stance", [("fr", "Conserver"), ("es", "Mantener"), ("en", "Keep")])
def test_a_stakeholders_filled_template_is_imported_by_a_co_lead_as_it_comes_back(world, language, stance):
    _, book = template(world, "ngo", language=language)
    constituency = book.worksheets[2]["A2"].value
    book.worksheets[0].append(["Réseau des ONG", constituency, "10.7.2", "", stance,
                               "Cet indicateur devrait être ventilé par statut migratoire."])
    buf = io.BytesIO()
    book.save(buf)
    assert tx(world["engine"], matrix.import_comments, actor=world["lead"], round_id=world["round"],
              filename="rempli.xlsx", data=buf.getvalue(), max_bytes=10**6) == 1
    page, _ = tx(world["engine"], matrix.matrix_page, actor=world["lead"],
                 filt=matrix.MatrixFilter(round_id=world["round"], language="fr"))
    row = page[page["organisation"] == "Réseau des ONG"].iloc[0]
    assert [row["constituency"], row["indicator_code"], row["stance"]] == ["Civil society", "10.7.2", "Keep"]


def test_an_import_naming_a_heading_twice_in_two_languages_is_refused(world):
    from tests.factories import xlsx_bytes

    data = xlsx_bytes([["organisation", "constituency", "indicator_code", "objective", "stance", "comment",
                        "Commentaire"], ["NGO", "Civil society", "", "", "", "one", "two"]])
    with pytest.raises(matrix.UserError, match="appears twice"):
        tx(world["engine"], matrix.import_comments, actor=world["lead"], round_id=world["round"],
           filename="x.xlsx", data=data, max_bytes=10**6)


def test_the_consultation_page_offers_the_template_to_those_who_may_comment_in_the_round(app):
    lead = co_lead(app)
    people = {c: tx(app, create_user, actor=lead if r == "stakeholder" else ADMIN, email=f"{r}.{c}@x.org",
                    name=f"{r} {c}", role=r, password="long enough pw", constituency=c)
              for r, c in (("stakeholder", "civil_society"), ("excom", "member_state"))}
    set_id = tx(app, cs.create_set, actor=lead, name="Draft", item_ids=[tx(app, links.item_id_for, "sdg", "10.7.2")])
    tx(app, con.create_round, actor=lead, title="Cycle", set_id=set_id, constituencies=["civil_society"])
    label = "Download the template to comment offline (XLSX)"
    at = open_page("views/consultation.py", people["civil_society"].user_id)
    assert [d.label for d in at.download_button] == [label]
    # An ExCom member reads every round, but takes part only in those open to their constituency.
    at = open_page("views/consultation.py", people["member_state"].user_id)
    assert at.title and not at.download_button


def test_the_pages_download_is_built_when_tapped_and_not_for_an_account_disabled_since(app):
    from indicators_lab.core.accounts import set_active
    from indicators_lab.core.errors import UserError
    from indicators_lab.ui.resources import deferred

    lead = co_lead(app)
    ngo = tx(app, create_user, actor=lead, email="ngo@x.org", name="Nadia", role="stakeholder",
             password="long enough pw", constituency="civil_society")
    set_id = tx(app, cs.create_set, actor=lead, name="Draft", item_ids=[tx(app, links.item_id_for, "sdg", "10.7.2")])
    rid = tx(app, con.create_round, actor=lead, title="Cycle", set_id=set_id)
    with use_locale("es"):  # drawn in Spanish: built in Spanish, whatever thread taps it
        download = deferred(matrix.template_xlsx, rid, actor=ngo)
    assert openpyxl.load_workbook(io.BytesIO(download())).sheetnames[0] == "Comentarios"
    tx(app, set_active, actor=ADMIN, user_id=ngo.user_id, active=False)
    with pytest.raises(UserError, match="^Esta cuenta está desactivada"):  # refused in the page's language
        download()

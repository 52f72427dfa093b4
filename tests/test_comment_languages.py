"""Comments in any language: detected offline and stored, filtered in the matrix and its exports,
counted per language, grouped into themes within each language."""

import csv
import io
import socket

import pytest
from sqlalchemy import text
from sqlmodel import SQLModel

from indicators_lab.consultation import matrix
from indicators_lab.consultation import rounds as con
from indicators_lab.consultation.languages import detect
from indicators_lab.consultation.themes import themes
from indicators_lab.core.access import Actor
from indicators_lab.core.accounts import create_user
from indicators_lab.core.db import in_transaction as tx
from indicators_lab.core.errors import UserError
from tests.factories import csv_bytes
from tests.apptest import app  # noqa: F401  (a fixture)
from tests.fakes import FakeEncoder

LEAD = Actor("Lead", "co_lead")
ADMIN = Actor("Admin", "admin")
HEADER = ["organisation", "constituency", "indicator_code", "objective", "stance", "comment"]
FR = ["Cet indicateur devrait être ventilé par statut migratoire et par sexe.",
      "Il manque des données sur les envois de fonds des travailleurs migrants.",
      "Les coûts de recrutement pèsent lourdement sur les travailleuses migrantes."]
ES = ["Este indicador no mide la migración laboral de las mujeres.",
      "Faltan datos sobre las remesas de los trabajadores migrantes."]
EN = ["This indicator should be disaggregated by migratory status and sex.",
      "Remittance costs must fall for migrant families sending money home."]


@pytest.mark.parametrize("sentence, code", [*((t, "fr") for t in FR), *((t, "es") for t in ES), *((t, "en") for t in EN),
                                            ("Très utile", "fr"), ("ok", "und"), ("👍 +1", "und")])
def test_language_is_detected_and_a_text_too_short_to_tell_is_not_guessed(sentence, code):
    assert detect(sentence) == code


def test_detection_needs_no_network(monkeypatch):
    from indicators_lab.consultation import languages

    def refuse(*args, **kwargs):
        raise AssertionError("language detection tried to use the network")

    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setattr(socket.socket, "connect", refuse)
    languages._identifier.cache_clear()  # load the bundled model again, with the network refused
    assert detect(FR[0]) == "fr"


def _import(engine, rid, texts):
    rows = [["Org", "Civil society", "", "20", "", t] for t in texts]
    return tx(engine, matrix.import_comments, actor=LEAD, round_id=rid, filename="c.csv", max_bytes=10**6,
              data=csv_bytes([HEADER, *rows]))


@pytest.fixture
def rid(engine):
    return tx(engine, con.create_round, actor=LEAD, title="Round")


def test_posted_edited_and_imported_comments_store_their_language(engine, rid):
    ngo = tx(engine, create_user, actor=ADMIN, email="ngo@x.org", name="Nadia", role="stakeholder",
             password="a long password", constituency="civil_society")
    cid = tx(engine, con.post_comment, actor=ngo, round_id=rid, text=FR[0])
    _import(engine, rid, [ES[0]])
    page, _ = tx(engine, matrix.matrix_page, actor=LEAD, filt=matrix.MatrixFilter(round_id=rid))
    assert dict(zip(page["comment"], page["language"])) == {FR[0]: "fr", ES[0]: "es"}
    tx(engine, con.edit_comment, actor=ngo, comment_id=cid, text=EN[0])
    page, _ = tx(engine, matrix.matrix_page, actor=LEAD, filt=matrix.MatrixFilter(round_id=rid, language="en"))
    assert list(page["comment"]) == [EN[0]]


def test_matrix_export_and_counts_by_language(engine, rid):
    _import(engine, rid, FR + ES + EN + ["ok"])
    page, total = tx(engine, matrix.matrix_page, actor=LEAD, filt=matrix.MatrixFilter(round_id=rid, language="fr"))
    assert total == 3 and set(page["comment"]) == set(FR)
    assert tx(engine, matrix.matrix_page, actor=LEAD, filt=matrix.MatrixFilter(round_id=rid, language="und"))[1] == 1
    exported = tx(engine, matrix.export_bytes, actor=LEAD, round_id=rid, fmt="csv", language="es").decode("utf-8")
    rows = list(csv.DictReader(io.StringIO(exported)))
    assert [r["comment"] for r in rows] == ES and {r["language"] for r in rows} == {"es"}
    counts = tx(engine, matrix.participation, rid, actor=LEAD)["language"]
    assert dict(zip(counts["language"], counts["comments"])) == {"en": 2, "fr": 3, "es": 2, "und": 1}
    with pytest.raises(UserError, match="Unknown comment language 'xx'"):
        tx(engine, matrix.export_bytes, actor=LEAD, round_id=rid, fmt="csv", language="xx")


def test_themes_are_grouped_within_each_language(engine, rid):
    french = [FR[1], FR[1] + " !", "Il manque des données sur les envois de fonds.", FR[0], FR[0] + " Merci.", FR[2]]
    english = [EN[1], EN[1] + "!", "Remittance costs are falling for families.", EN[0], EN[0] + " Thanks.",
               "Recruitment costs weigh on migrant workers."]
    _import(engine, rid, french + english + ES)  # two Spanish comments: too few to group
    found = tx(engine, themes, FakeEncoder(), actor=LEAD, round_id=rid, objective=20)
    assert found and {t.language for t in found} <= {"en", "fr"}
    page, _ = tx(engine, matrix.matrix_page, actor=LEAD, filt=matrix.MatrixFilter(round_id=rid), page_size=100)
    language_of = dict(zip(page["comment_id"], page["language"]))
    for theme in found:
        assert {language_of[i] for i in theme.comment_ids} == {theme.language}
    only_french = tx(engine, themes, FakeEncoder(), actor=LEAD, round_id=rid, objective=20, language="fr")
    assert {t.language for t in only_french} == {"fr"}


def test_comments_stored_before_detection_get_their_language_at_upgrade(empty_engine):
    from indicators_lab.core.db import init_db

    engine = empty_engine
    with engine.begin() as conn:
        conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
    SQLModel.metadata.drop_all(engine)
    init_db(engine, revision="0012")
    rid = tx(engine, con.create_round, actor=LEAD, title="R")  # rounds are as they were at 0012
    with engine.begin() as conn:  # comments as that release wrote them: no language column
        for t in (FR[0], ES[0]):
            conn.execute(text("INSERT INTO comment (round_id, author_name, organisation, constituency, stance, ratings, "
                              "text, text_key, source, created_at, hidden, hidden_reason, report_count) VALUES "
                              "(:r, 'a', '', '', '', '{}', :t, '', 'online', CURRENT_TIMESTAMP, false, '', 0)"),
                         {"r": rid, "t": t})
    init_db(engine)
    with engine.connect() as conn:
        assert dict(conn.execute(text("SELECT text, language FROM comment")).all()) == {FR[0]: "fr", ES[0]: "es"}


def test_a_co_lead_filters_the_matrix_to_french_comments_and_reads_the_model_note(app):
    from tests.apptest import co_lead, open_page

    lead = co_lead(app)
    rid = tx(app, con.create_round, actor=lead, title="Round")
    _import(app, rid, FR + ES + EN)
    at = open_page("views/matrix.py", lead.user_id)
    at.selectbox(key="ilab.matrix.language").select("fr").run()
    assert not at.exception, at.exception
    table = at.dataframe[0].value
    assert set(table["comment"]) == set(FR) and set(table["language"]) == {"French"}
    assert any("trained on English" in c.value for c in at.caption)
    assert any("French 3" in c.value and "Spanish 2" in c.value for c in at.caption)
    assert "Prepare the matrix for download (French comments only)" in [b.label for b in at.button]


def test_the_offline_template_in_french_comes_back_filled_in_french(engine):
    import openpyxl

    from indicators_lab.core.i18n import use_locale
    from indicators_lab.mapping import links
    from indicators_lab.sets import candidate_sets as cs
    from tests.factories import xlsx_bytes

    set_id = tx(engine, cs.create_set, actor=LEAD, name="Draft", item_ids=[tx(engine, links.item_id_for, "sdg", "10.7.2")])
    rid = tx(engine, con.create_round, actor=LEAD, title="Cycle", set_id=set_id)
    with use_locale("fr"):
        book = openpyxl.load_workbook(io.BytesIO(tx(engine, matrix.template_xlsx, rid, actor=LEAD)))
    assert book.sheetnames[:2] == ["Commentaires", "Indicateurs"]
    assert book["Indicateurs"]["C2"].value.startswith("Nombre de pays dotés de politiques migratoires")
    assert "Société civile" in [c.value for c in book["Groupes"]["A"]]
    header = [c.value for c in book["Commentaires"][1]]
    filled = xlsx_bytes([header, ["ONG", "Société civile", "10.7.2", "", "Conserver", FR[0]]])
    assert tx(engine, matrix.import_comments, actor=LEAD, round_id=rid, filename="rempli.xlsx", data=filled,
              max_bytes=10**6) == 1
    page, _ = tx(engine, matrix.matrix_page, actor=LEAD, filt=matrix.MatrixFilter(round_id=rid))
    assert list(page[["constituency", "stance", "language"]].iloc[0]) == ["Civil society", "Keep", "fr"]


@pytest.mark.parametrize("code, bad_stance, bad_objective", [
    ("fr", "Ligne 2 : Position « peut-être » inconnu", "Ligne 2 : il n’existe pas d’objectif 42 du PMM"),
    ("es", "Fila 2: Postura «peut-être» desconocido", "Fila 2: no existe el objetivo 42 del PMM"),
])
def test_a_co_lead_reading_french_or_spanish_gets_the_import_refusals_in_that_language(engine, rid, code,
                                                                                       bad_stance, bad_objective):
    from indicators_lab.core.i18n import use_locale

    def refusal(row):
        with use_locale(code), pytest.raises(UserError) as caught:
            tx(engine, matrix.import_comments, actor=LEAD, round_id=rid, filename="c.csv", max_bytes=10**6,
               data=csv_bytes([HEADER, row]))
        return str(caught.value)

    assert refusal(["Org", "Civil society", "", "20", "peut-être", FR[0]]).startswith(bad_stance)
    assert refusal(["Org", "Civil society", "", "42", "", FR[0]]).startswith(bad_objective)
    # Outside a page (the command line, the logs) the same refusal stays English.
    with pytest.raises(UserError, match="Row 2: Unknown stance 'peut-être'"):
        tx(engine, matrix.import_comments, actor=LEAD, round_id=rid, filename="c.csv", max_bytes=10**6,
           data=csv_bytes([HEADER, ["Org", "Civil society", "", "20", "peut-être", FR[0]]]))

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

    at.button_group(key="ilab.sets.part").set_value("whatif").run()
    add = next(m for m in at.multiselect if m.label == "Add")
    add.select(tx(app, links.item_id_for, "sdg", "10.c.1")).run()
    assert not at.exception, at.exception
    changes = next(df.value for df in at.dataframe if "before" in df.value.columns)
    row = changes.set_index("score").loc["objectives covered (of 23)"]
    assert (row["before"], row["after"], row["change"]) == (1, 2, 1)
    assert list(tx(app, cs.members_frame, s)["code"]) == ["10.7.1"]  # nothing saved yet

    next(b for b in at.button if b.label == "Save these changes").click().run()
    assert sorted(tx(app, cs.members_frame, s)["code"]) == ["10.7.1", "10.c.1"]
    assert at.button_group(key="ilab.sets.part").value == "whatif"  # the page stays where the action was


SPREAD = [("sdg", "10.7.1", 6), ("10.7.2", "4e", 6), ("sdg", "10.c.1", 20), ("sdg", "17.3.2", 20),
          ("sdg", "8.8.1", 22), ("sdg", "16.2.2", 10), ("sdg", "10.7.2", 23), ("sdg", "8.8.2", 1),
          ("sdg", "4.1.1", 15)]


def test_optimise_page_asked_for_at_most_5_saves_the_5_shown(app):
    lead = co_lead(app)
    for key, code, objective in SPREAD:
        accept(app, lead, key, code, objective)
    at = open_page("views/optimise.py", lead.user_id)
    at.radio[0].set_value("best").run()
    next(n for n in at.number_input if n.label == "At most (K) indicators").set_value(5).run()
    next(b for b in at.button if b.label == "Optimise").click().run()
    assert not at.exception, at.exception
    assert at.subheader[0].value.startswith("5 indicators cover 5 of 23 objectives")
    assert any("18 of 23 objectives are not covered" in w.value for w in at.warning)
    at.text_input[0].input("Five")
    next(b for b in at.button if b.label == "Save 5 indicators as a new set").click().run()
    assert not at.exception, at.exception
    saved = {s.name: s.id for s in tx(app, cs.list_sets, actor=ADMIN)}
    assert len(tx(app, cs.members_frame, saved["Five"])) == 5
    assert any("with 5 indicators" in s.value for s in at.success)


def test_optimise_page_saves_the_point_picked_on_the_curve(app):
    lead = co_lead(app)
    for key, code, objective in SPREAD:
        accept(app, lead, key, code, objective)
    at = open_page("views/optimise.py", lead.user_id)
    at.radio[0].set_value("best").run()
    next(b for b in at.button if b.label == "Optimise").click().run()
    at.select_slider[0].set_value(3).run()
    assert at.subheader[0].value.startswith("3 indicators cover 3 of 23 objectives")
    at.text_input[0].input("Three")
    next(b for b in at.button if b.label == "Save 3 indicators as a new set").click().run()
    saved = {s.name: s.id for s in tx(app, cs.list_sets, actor=ADMIN)}
    assert len(tx(app, cs.members_frame, saved["Three"])) == 3


def test_optimise_page_counts_all_23_objectives_for_the_smallest_set(app):
    lead = co_lead(app)
    accept(app, lead, "sdg", "10.7.1", 6)
    at = open_page("views/optimise.py", lead.user_id)
    next(b for b in at.button if b.label == "Optimise").click().run()
    assert not at.exception, at.exception
    assert any("22 of the 23 objectives cannot be covered" in e.value and "no linked indicator" in e.value
               for e in at.error)


def test_optimise_page_explains_an_impossible_request(app):
    lead = co_lead(app)
    accept(app, lead, "sdg", "10.7.1", 6)
    at = open_page("views/optimise.py", lead.user_id)
    at.number_input[0].set_value(2).run()
    next(b for b in at.button if b.label == "Optimise").click().run()
    assert any("objective 6" in e.value for e in at.error)


def areas_extract(code, n_areas, migratory=True):
    """TEST DATA: one made-up value per area for ``code``, in the Global Database layout."""
    from tests.test_data_extracts import fixture_extract, sdg_row

    return fixture_extract([sdg_row(code, (i, f"Testland {i}"), 2018, 1.0, mig="MIGRANT" if migratory else "_T")
                            for i in range(1, n_areas + 1)])


def import_extract(engine, data, name="extract.csv"):
    from indicators_lab.catalogue.data import apply_data_import, plan_data_import
    from indicators_lab.core.access import Actor

    plan = tx(engine, plan_data_import, data, name, max_bytes=50 * 1024 * 1024)
    return tx(engine, apply_data_import, plan, actor=Actor("Lead One", "co_lead"))


def test_optimise_page_shows_readiness_beside_coverage_on_each_point(app):
    lead = co_lead(app)
    for key, code, objective in SPREAD:
        accept(app, lead, key, code, objective)
    import_extract(app, areas_extract("8.8.1", 120))  # 120 of 193: ready, with a migratory dimension
    at = open_page("views/optimise.py", lead.user_id)
    assert any("Link weights by grade: direct 1, partial 0.5, proxy 0.25" in c.value.replace("\\", "")
               for c in at.caption)
    at.radio[0].set_value("best").run()
    next(b for b in at.button if b.label == "Optimise").click().run()
    assert not at.exception, at.exception
    points = next(d.value for d in at.dataframe if "splittable by migratory status" in d.value.columns)
    assert list(points["indicators"]) == sorted(points["indicators"])
    # 8.8.1 (objective 22) is the only one splittable by migratory status: its import has the
    # dimension, and no other SPREAD indicator's metadata names the split as available.
    assert list(points["splittable by migratory status"])[-1] == 1
    assert points["with data for ≥ 50%"].is_monotonic_increasing
    assert (points["with data for ≥ 50%"] <= points["indicators"]).all()
    shown = next(c.value.replace("\\", "") for c in at.caption if "splittable by migratory status" in c.value)
    assert "with data for at least 50% of countries" in shown
    table = next(d.value for d in at.dataframe if "imported" in d.value.columns)
    assert table.loc[table["code"] == "8.8.1", "imported"].tolist() == ["120 areas · migratory split"]

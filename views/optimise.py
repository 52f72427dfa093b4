"""Optimise: the smallest set that covers every objective, or the best set of at most K."""

import plotly.graph_objects as go
import streamlit as st

from indicators_lab.catalogue.data import BRIEF_LABELS, with_availability
from indicators_lab.catalogue.frameworks import framework_names
from indicators_lab.sets import candidate_sets as cs
from indicators_lab.core.config import get_settings
from indicators_lab.core.errors import UserError
from indicators_lab.sets.optimiser import Infeasible, Request, uncovered
from indicators_lab.core.access import can
from indicators_lab.ui import state
from indicators_lab.ui.resources import act, page_session, read_or_act
from indicators_lab.ui.session import page_guard
from indicators_lab.ui.widgets import plain

SMALLEST, BEST = "smallest", "best"
MODES = {SMALLEST: "The smallest set covering every objective", BEST: "The best coverage with at most K indicators"}

db = page_session()
st.title("Optimise")
actor = page_guard("views/optimise.py")
st.caption(
    "Chooses among every indicator with an accepted link (all frameworks), exactly. "
    "Coverage counts all 23 GCM objectives. Ties go to the higher total link weight, then to Tier I."
)
state.show_flash(state.OPTIMISE_FLASH)

sets = {s.id: s.name for s in cs.list_sets(session=db, actor=actor)}
base = st.selectbox("Honour the locks of set", [None, *sets], format_func=lambda i: "No locks" if i is None else sets[i])
mode = st.radio("Ask for", list(MODES), format_func=MODES.get)
c1, c2, c3 = st.columns(3)
min_cover = c1.number_input("Each objective covered at least (M) times", 1, 10, 1)
max_size = c2.number_input("At most (K) indicators", 1, 500, 23) if mode == BEST else None
cap = c3.number_input("At most this many per framework (0 = no limit)", 0, 500, 0)
settings = get_settings()
d1, d2 = st.columns(2)
min_data = d1.slider("Each chosen indicator has data for at least this share of the 193 Member States", 0.0, 1.0,
                     0.0, 0.05, help=f"Setting INDICATORS_LAB_DATA_READY_SHARE (the scorecard's threshold) is "
                     f"{settings.data_ready_share:.0%}. From the newest data import, else the metadata's stated number.")
tiebreak = d2.checkbox("Break ties towards better data", value=settings.data_tiebreak,
                       help="Setting INDICATORS_LAB_DATA_TIEBREAK: after link weight, before Tier I.")


ready_share = settings.data_ready_share
weights = state.grade_weights()
st.caption(
    "Link weights by grade: " + ", ".join(f"{g} {w:g}" for g, w in weights.items())
    + " (chosen on the Candidate sets page). "
    f"Ready: data for at least {ready_share:.0%} of the 193 Member States (setting INDICATORS_LAB_DATA_READY_SHARE). "
    f"Ties towards better data by default: {'yes' if settings.data_tiebreak else 'no'} (setting INDICATORS_LAB_DATA_TIEBREAK)."
)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _point_label(p: dict, n_objectives: int) -> str:
    return (f"{_plural(p['size'], 'indicator')}: {p['objectives_covered']} of {n_objectives} objectives covered; "
            f"{p['data_ready']} with data for ≥ {p['ready_share']:.0%}, {p['migratory_split']} splittable by migratory status")


if st.button("Optimise", type="primary"):
    try:
        result, curve = read_or_act(cs.optimise_for_set, base, actor=actor, min_cover=int(min_cover), max_size=int(max_size) if max_size else None,
            max_per_framework=int(cap) or None, grade_weights=state.grade_weights(), curve=True,
            min_data_coverage=float(min_data), data_tiebreak=bool(tiebreak), ready_share=ready_share,
        )
        # The service puts the answer's own point in the curve, with each point's readiness.
        points = [
            {"size": int(r["size"]), "objectives_covered": int(r["objectives_covered"]),
             "weight": float(r["covered_weight"]), "chosen": list(r["chosen"]), "data_ready": int(r["data_ready"]),
             "migratory_split": int(r["migratory_split"]), "mean_data": float(r["mean_data_coverage"]),
             "ready_share": ready_share} for _, r in curve.iterrows()]
        state.put(state.OPTIMISE_RESULT, {
            "chosen": result.chosen, "method": result.method, "explanation": result.explanation,
            "objectives": len(result.objectives), "uncovered": result.uncovered, "points": points,
            "mode": mode, "min_cover": int(min_cover), "max_size": int(max_size) if max_size else None,
        })
        state.put(state.OPTIMISE_POINT, len(result.chosen))  # the answer is the point shown first
    except Infeasible as exc:
        state.pop(state.OPTIMISE_RESULT)
        st.error(f"Not possible: {plain(exc)}", icon=":material/block:")
        if mode == SMALLEST:
            st.info("Accept links for those objectives on the Mapping page, or ask for the best coverage with "
                    "at most K indicators: it covers what it can and names the rest.")
    except UserError as exc:
        state.pop(state.OPTIMISE_RESULT)
        st.error(plain(exc))

res = state.get(state.OPTIMISE_RESULT)
if res is None:
    st.stop()

n_obj = res["objectives"]
points = res["points"]
by_size = {p["size"]: p for p in points}
if state.get(state.OPTIMISE_POINT) not in by_size:
    state.put(state.OPTIMISE_POINT, len(res["chosen"]) if len(res["chosen"]) in by_size else points[-1]["size"])

if len(points) > 1:
    fig = go.Figure()
    sizes = [p["size"] for p in points]
    fig.add_trace(go.Scatter(
        x=sizes, y=[p["objectives_covered"] for p in points], mode="lines+markers+text",
        name=f"Objectives covered at least M times (of {n_obj})", marker={"symbol": "circle", "size": 9},
        line={"color": "#2171b5"}, text=[str(p["objectives_covered"]) for p in points], textposition="top center",
        hovertemplate="%{x} indicators: %{y} of " + str(n_obj) + " objectives covered<extra></extra>"))
    fig.add_trace(go.Scatter(
        x=sizes, y=[p["weight"] for p in points], mode="lines+markers", yaxis="y2",
        name="Covered weight (right axis)", marker={"symbol": "diamond-open", "size": 10},
        line={"color": "#e6550d", "dash": "dash"},
        hovertemplate="%{x} indicators: covered weight %{y:.2f}<extra></extra>"))
    fig.add_trace(go.Scatter(
        x=sizes, y=[p["data_ready"] for p in points], mode="lines+markers",
        name=f"Indicators with data for ≥ {ready_share:.0%} of countries", marker={"symbol": "square", "size": 8},
        line={"color": "#31a354"},
        hovertemplate="%{x} indicators: %{y} with data for ≥ " + f"{ready_share:.0%}" + "<extra></extra>"))
    fig.add_trace(go.Scatter(
        x=sizes, y=[p["migratory_split"] for p in points], mode="lines+markers",
        name="Indicators splittable by migratory status", marker={"symbol": "triangle-up", "size": 9},
        line={"color": "#756bb1", "dash": "dot"},
        hovertemplate="%{x} indicators: %{y} splittable by migratory status<extra></extra>"))
    picked = by_size[state.get(state.OPTIMISE_POINT)]
    fig.add_vline(x=picked["size"], line={"color": "#555", "dash": "dot"})
    fig.update_layout(height=340, margin={"l": 10, "r": 10, "t": 40, "b": 10}, title="Set size against coverage",
                      xaxis={"title": "Indicators in the set", "dtick": 1},
                      yaxis={"title": "Objectives covered / indicators", "range": [0, max(n_obj, *sizes) + 1]},
                      yaxis2={"title": "Covered weight", "overlaying": "y", "side": "right", "rangemode": "tozero",
                              "tickformat": ".1f"},
                      legend={"orientation": "h", "y": -0.25})
    st.plotly_chart(fig, width="stretch", key="ilab.optimise.curve")
    st.select_slider("Point of the curve to look at and save", [p["size"] for p in points],
                     format_func=lambda k: _point_label(by_size[k], n_obj), key=state.widget_key(state.OPTIMISE_POINT))
    st.dataframe(
        [{"indicators": p["size"], "objectives covered": p["objectives_covered"], "covered weight": round(p["weight"], 2),
          f"with data for ≥ {ready_share:.0%}": p["data_ready"], "splittable by migratory status": p["migratory_split"],
          "mean data coverage": f"{p['mean_data']:.0%}"} for p in points],
        hide_index=True, width="stretch", key="ilab.optimise.points")

point = by_size[state.get(state.OPTIMISE_POINT)]
chosen_ids = list(point["chosen"])
answer = " (the optimiser's answer)" if point["size"] == len(res["chosen"]) else ""
st.subheader(f"{point['size']} indicators cover {point['objectives_covered']} of {n_obj} objectives{answer}")
# The method in people's words (the result keeps the solver's name and status for the command line).
how = ("exact: no other set of this size does better" if res["method"].startswith("exact")
       else "found step by step (greedy): a good set, not guaranteed the best")
st.caption(f"Covered weight {point['weight']:.2f} · {point['data_ready']} of {_plural(point['size'], 'indicator')} "
           f"with data for at least {ready_share:.0%} of countries · {point['migratory_split']} splittable by migratory "
           f"status · {how}")

# Why each objective is left uncovered at the point looked at.
lk = cs.database_links(state.grade_weights(), session=db)
members = cs.members_frame(base, include_locked_out=True, session=db) if base is not None else None
lock_out = set(members.loc[members["lock"] == "out", "item_key"]) if members is not None else set()
why = uncovered(lk.assign(key=lk["item_id"])[["key", "objective", "weight"]], chosen_ids,
                Request(min_cover=res["min_cover"], lock_out=lock_out, objectives=cs.objective_numbers(session=db)))
if why:
    st.warning(f"{len(why)} of {n_obj} objectives are not covered"
               + (f" at least {res['min_cover']} times" if res["min_cover"] > 1 else "") + ":",
               icon=":material/warning:")
    st.dataframe([{"Objective": o, "Why": reason.capitalize()} for o, reason in sorted(why.items())],
                 hide_index=True, width="stretch")

items = cs.items_by_ids(chosen_ids, session=db)
explanation = res["explanation"].rename(columns={"key": "item_key"})
table = items.merge(explanation[["item_key", "objectives", "needed_for"]], on="item_key", how="left").fillna("")
names = framework_names(session=db)
table["framework"] = table["framework"].map(lambda k: names.get(k, k))
table = with_availability(table, "item_key", session=db)
st.dataframe(table[["framework", "code", "title", "tier", "objectives", "needed_for", *BRIEF_LABELS]], hide_index=True,
             width="stretch",
             column_config={"framework": "Framework", "code": "Code", "title": "Title", "tier": "Tier",
                            "objectives": "Covers objectives", "needed_for": "Objectives that need it", **BRIEF_LABELS})
if can(actor, "sets.edit"):
    with st.form(state.form_key("optimise.save")):  # cleared after success only
        name = st.text_input("Save these indicators as a new set named", max_chars=200)
        if st.form_submit_button(f"Save {len(chosen_ids)} indicators as a new set", type="primary"):
            try:
                desc = f"Optimiser: {MODES[res['mode']].lower()}, M={res['min_cover']}" + (
                    f", K={res['max_size']}" if res["max_size"] else "") + f"; point of {point['size']} indicators"
                new_id = act(cs.create_set, actor=actor, name=name, item_ids=chosen_ids, description=desc)
                state.put(state.SET_ID, new_id)
                state.clear_form("optimise.save")
                state.flash_and_rerun(state.OPTIMISE_FLASH, f"Saved '{' '.join(name.split())}' with {len(chosen_ids)} indicators.")
            except UserError as exc:
                st.error(plain(exc))

"""Optimise: the smallest set that covers every objective, or the best set of at most K."""

import plotly.graph_objects as go
import streamlit as st

from indicators_lab.sets import candidate_sets as cs
from indicators_lab.core.config import get_settings
from indicators_lab.core.errors import UserError
from indicators_lab.sets.optimiser import Infeasible
from indicators_lab.ui import state
from indicators_lab.ui.resources import act, page_session
from indicators_lab.ui.session import require_signed_in

db = page_session()
st.title("Optimise")
st.caption(
    "Chooses among every indicator with an accepted link (all frameworks), exactly (integer "
    "programme, CBC). Ties go to the higher total link weight, then to Tier I."
)
actor = require_signed_in("co_lead")
state.show_flash(state.OPTIMISE_FLASH)

sets = {s.id: s.name for s in cs.list_sets(session=db)}
base = st.selectbox("Honour the locks of set", [None, *sets], format_func=lambda i: "— no locks —" if i is None else sets[i])
mode = st.radio("Ask for", ["the smallest set covering every objective", "the best coverage with at most K indicators"])
c1, c2, c3 = st.columns(3)
min_cover = c1.number_input("Each objective covered at least (M) times", 1, 10, 1)
max_size = c2.number_input("At most (K) indicators", 1, 500, 23) if mode.startswith("the best") else None
cap = c3.number_input("At most this many per framework (0 = no limit)", 0, 500, 0)
settings = get_settings()
d1, d2 = st.columns(2)
min_data = d1.slider("Each chosen indicator has data for at least this share of the 193 Member States", 0.0, 1.0,
                     0.0, 0.05, help=f"Setting INDICATORS_LAB_DATA_READY_SHARE (the scorecard's threshold) is "
                     f"{settings.data_ready_share:.0%}. From the newest data import, else the metadata's stated number.")
tiebreak = d2.checkbox("Break ties towards better data", value=settings.data_tiebreak,
                       help="Setting INDICATORS_LAB_DATA_TIEBREAK: after link weight, before Tier I.")

if st.button("Optimise", type="primary"):
    try:
        result, curve = act(cs.optimise_for_set, base, min_cover=int(min_cover), max_size=int(max_size) if max_size else None,
            max_per_framework=int(cap) or None, grade_weights=state.grade_weights(), curve=True,
            min_data_coverage=float(min_data), data_tiebreak=bool(tiebreak),
        )
        state.put(state.OPTIMISE_RESULT, {"chosen": result.chosen, "method": result.method,
                                          "weight": result.covered_weight, "explanation": result.explanation,
                                          "curve": curve})
    except Infeasible as exc:
        state.pop(state.OPTIMISE_RESULT)
        st.error(f"Not possible: {exc}", icon=":material/block:")
    except UserError as exc:
        state.pop(state.OPTIMISE_RESULT)
        st.error(str(exc))

res = state.get(state.OPTIMISE_RESULT)
if res is None:
    st.stop()

st.subheader(f"{len(res['chosen'])} indicators ({res['method']})")
curve = res["curve"]
if curve is not None and len(curve):
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=curve["size"], y=curve["objectives_covered"], mode="lines+markers",
                             name="objectives covered ≥ M times"))
    fig.add_trace(go.Scatter(x=curve["size"], y=curve["covered_weight"], mode="lines+markers",
                             name="covered weight", yaxis="y2"))
    if "mean_data_coverage" in curve:
        fig.add_trace(go.Scatter(x=curve["size"], y=curve["mean_data_coverage"] * 23, mode="lines+markers",
                                 name="data readiness (mean share of 193, × 23)", line={"dash": "dot"}))
    fig.update_layout(height=320, margin={"l": 10, "r": 10, "t": 30, "b": 10}, title="Set size against coverage",
                      xaxis={"title": "indicators in the set"}, yaxis={"title": "objectives"},
                      yaxis2={"title": "weight", "overlaying": "y", "side": "right"})
    st.plotly_chart(fig, width="stretch")
    sizes = list(curve["size"])
    pick = st.select_slider("Pick a point on the curve", sizes, value=sizes[-1])
    point = curve[curve["size"] == pick].iloc[0]
    chosen_ids = list(point["chosen"]) if pick != len(res["chosen"]) else list(res["chosen"])
    st.caption(f"{pick} indicators: {point['objectives_covered']} of {point['objectives']} objectives covered, "
               f"weight {point['covered_weight']:g}.")
else:
    chosen_ids = list(res["chosen"])

items = cs.items_by_ids(chosen_ids, session=db)
explanation = res["explanation"].rename(columns={"key": "item_key"})
table = items.merge(explanation[["item_key", "objectives", "needed_for"]], on="item_key", how="left")
st.dataframe(table[["framework", "code", "title", "tier", "objectives", "needed_for"]], hide_index=True, width="stretch",
             column_config={"objectives": "covers objectives", "needed_for": "objectives that need it"})
if actor:
    with st.form("ilab.optimise.save"):
        name = st.text_input("Save as a new set named", max_chars=200)
        if st.form_submit_button("Save as new set", type="primary"):
            try:
                new_id = act(cs.create_set, actor=actor, name=name, item_ids=chosen_ids,
                                       description=f"Optimiser: {mode}, M={min_cover}" + (f", K={max_size}" if max_size else ""))
                state.put(state.SET_ID, new_id)
                state.flash_and_rerun(state.OPTIMISE_FLASH, f"Saved '{name.strip()}' with {len(chosen_ids)} indicators.")
            except UserError as exc:
                st.error(str(exc))

"""Optimise: the smallest set that covers every objective, or the best set of at most K."""

import plotly.graph_objects as go
import streamlit as st

from indicators_lab.catalogue.data import BRIEF_LABELS, localise_brief, with_availability
from indicators_lab.catalogue.frameworks import framework_names
from indicators_lab.sets import candidate_sets as cs
from indicators_lab.core.config import get_settings
from indicators_lab.core.errors import UserError
from indicators_lab.core.i18n import N_, _, format_percent, ngettext
from indicators_lab.sets.optimiser import Infeasible, Request, uncovered
from indicators_lab.core.access import can
from indicators_lab.ui import state
from indicators_lab.ui.resources import act, page_session, read_or_act
from indicators_lab.ui.session import page_guard
from indicators_lab.ui.widgets import plain

SMALLEST, BEST = "smallest", "best"
MODES = {SMALLEST: N_("The smallest set covering every objective"),
         BEST: N_("The best coverage with at most K indicators")}

db = page_session()
st.title(_("Optimise"))
actor = page_guard("views/optimise.py")
st.caption(_(
    "Chooses among every indicator with an accepted link (all frameworks), exactly. "
    "Coverage counts all 23 GCM objectives. Ties go to the higher total link weight, then to Tier I."
))
state.show_flash(state.OPTIMISE_FLASH)

sets = {s.id: s.name for s in cs.list_sets(session=db, actor=actor)}
base = st.selectbox(_("Honour the locks of set"), [None, *sets],
                    format_func=lambda i: _("No locks") if i is None else sets[i])
mode = st.radio(_("Ask for"), list(MODES), format_func=lambda m: _(MODES[m]))
c1, c2, c3 = st.columns(3)
min_cover = c1.number_input(_("Each objective covered at least (M) times"), 1, 10, 1)
max_size = c2.number_input(_("At most (K) indicators"), 1, 500, 23) if mode == BEST else None
cap = c3.number_input(_("At most this many per framework (0 = no limit)"), 0, 500, 0)
settings = get_settings()
d1, d2 = st.columns(2)
min_data = d1.slider(_("Each chosen indicator has data for at least this share of the 193 Member States"), 0.0, 1.0,
                     0.0, 0.05, help=_("Setting INDICATORS_LAB_DATA_READY_SHARE (the scorecard's threshold) is "
                                       "{share}. From the newest data import, else the metadata's stated number.").format(
                         share=format_percent(settings.data_ready_share)))
tiebreak = d2.checkbox(_("Break ties towards better data"), value=settings.data_tiebreak,
                       help=_("Setting INDICATORS_LAB_DATA_TIEBREAK: after link weight, before Tier I."))


ready_share = settings.data_ready_share
weights = state.grade_weights()
READY = format_percent(ready_share)
st.caption(
    _("Link weights by grade: {weights} (chosen on the Candidate sets page).").format(
        weights=", ".join(f"{_(g)} {w:g}" for g, w in weights.items()))
    + " " + _("Ready: data for at least {share} of the 193 Member States (setting INDICATORS_LAB_DATA_READY_SHARE).")
    .format(share=READY)
    + " " + _("Ties towards better data by default: {answer} (setting INDICATORS_LAB_DATA_TIEBREAK).").format(
        answer=_("yes") if settings.data_tiebreak else _("no"))
)


def _indicators(n: int) -> str:
    return ngettext("{n} indicator", "{n} indicators", n).format(n=n)


def _point_label(p: dict, n_objectives: int) -> str:
    return _("{indicators}: {covered} of {total} objectives covered; {ready} with data for ≥ {share}, "
             "{split} splittable by migratory status").format(
        indicators=_indicators(p["size"]), covered=p["objectives_covered"], total=n_objectives, ready=p["data_ready"],
        share=format_percent(p["ready_share"]), split=p["migratory_split"])


if st.button(_("Optimise"), type="primary"):
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
        st.error(_("Not possible: {reason}").format(reason=plain(exc)), icon=":material/block:")
        if mode == SMALLEST:
            st.info(_("Accept links for those objectives on the Mapping page, or ask for the best coverage with "
                      "at most K indicators: it covers what it can and names the rest."))
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
        name=_("Objectives covered at least M times (of {total})").format(total=n_obj), marker={"symbol": "circle", "size": 9},
        line={"color": "#2171b5"}, text=[str(p["objectives_covered"]) for p in points], textposition="top center",
        hovertemplate=_("{x} indicators: {y} of {total} objectives covered").format(
            x="%{x}", y="%{y}", total=n_obj) + "<extra></extra>"))
    fig.add_trace(go.Scatter(
        x=sizes, y=[p["weight"] for p in points], mode="lines+markers", yaxis="y2",
        name=_("Covered weight (right axis)"), marker={"symbol": "diamond-open", "size": 10},
        line={"color": "#e6550d", "dash": "dash"},
        hovertemplate=_("{x} indicators: covered weight {y}").format(x="%{x}", y="%{y:.2f}") + "<extra></extra>"))
    fig.add_trace(go.Scatter(
        x=sizes, y=[p["data_ready"] for p in points], mode="lines+markers",
        name=_("Indicators with data for ≥ {share} of countries").format(share=READY), marker={"symbol": "square", "size": 8},
        line={"color": "#31a354"},
        hovertemplate=_("{x} indicators: {y} with data for ≥ {share}").format(x="%{x}", y="%{y}", share=READY)
        + "<extra></extra>"))
    fig.add_trace(go.Scatter(
        x=sizes, y=[p["migratory_split"] for p in points], mode="lines+markers",
        name=_("Indicators splittable by migratory status"), marker={"symbol": "triangle-up", "size": 9},
        line={"color": "#756bb1", "dash": "dot"},
        hovertemplate=_("{x} indicators: {y} splittable by migratory status").format(x="%{x}", y="%{y}")
        + "<extra></extra>"))
    picked = by_size[state.get(state.OPTIMISE_POINT)]
    fig.add_vline(x=picked["size"], line={"color": "#555", "dash": "dot"})
    fig.update_layout(height=340, margin={"l": 10, "r": 10, "t": 40, "b": 10}, title=_("Set size against coverage"),
                      xaxis={"title": _("Indicators in the set"), "dtick": 1},
                      yaxis={"title": _("Objectives covered / indicators"), "range": [0, max(n_obj, *sizes) + 1]},
                      yaxis2={"title": _("Covered weight"), "overlaying": "y", "side": "right", "rangemode": "tozero",
                              "tickformat": ".1f"},
                      legend={"orientation": "h", "y": -0.25})
    st.plotly_chart(fig, width="stretch", key="ilab.optimise.curve")
    st.select_slider(_("Point of the curve to look at and save"), [p["size"] for p in points],
                     format_func=lambda k: _point_label(by_size[k], n_obj), key=state.widget_key(state.OPTIMISE_POINT))
    st.dataframe(
        [{_("indicators"): p["size"], _("objectives covered"): p["objectives_covered"],
          _("covered weight"): round(p["weight"], 2),
          _("with data for ≥ {share}").format(share=READY): p["data_ready"],
          _("splittable by migratory status"): p["migratory_split"],
          _("mean data coverage"): format_percent(p["mean_data"])} for p in points],
        hide_index=True, width="stretch", key="ilab.optimise.points")

point = by_size[state.get(state.OPTIMISE_POINT)]
chosen_ids = list(point["chosen"])
answer = " " + _("(the optimiser's answer)") if point["size"] == len(res["chosen"]) else ""
st.subheader(ngettext("{n} indicator covers {covered} of {total} objectives", "{n} indicators cover {covered} of {total} objectives",
                      point["size"]).format(n=point["size"], covered=point["objectives_covered"], total=n_obj) + answer)
# The method in people's words (the result keeps the solver's name and status for the command line).
how = (_("exact: no other set of this size does better") if res["method"].startswith("exact")
       else _("found step by step (greedy): a good set, not guaranteed the best"))
st.caption(_("Covered weight {weight} · {ready} of {indicators} with data for at least {share} of countries · "
             "{split} splittable by migratory status · {how}").format(
    weight=f"{point['weight']:.2f}", ready=point["data_ready"], indicators=_indicators(point["size"]), share=READY,
    split=point["migratory_split"], how=how))

# Why each objective is left uncovered at the point looked at.
lk = cs.database_links(state.grade_weights(), session=db)
members = cs.members_frame(base, include_locked_out=True, session=db) if base is not None else None
lock_out = set(members.loc[members["lock"] == "out", "item_key"]) if members is not None else set()
why = uncovered(lk.assign(key=lk["item_id"])[["key", "objective", "weight"]], chosen_ids,
                Request(min_cover=res["min_cover"], lock_out=lock_out, objectives=cs.objective_numbers(session=db)))
if why:
    st.warning((_("{n} of {total} objectives are not covered at least {m} times:") if res["min_cover"] > 1
                else _("{n} of {total} objectives are not covered:")).format(n=len(why), total=n_obj, m=res["min_cover"]),
               icon=":material/warning:")
    # The optimiser words its reasons in this run's language (the command line's stay English).
    st.dataframe([{_("Objective"): o, _("Why"): reason[:1].upper() + reason[1:]} for o, reason in sorted(why.items())],
                 hide_index=True, width="stretch")

items = cs.items_by_ids(chosen_ids, session=db)
explanation = res["explanation"].rename(columns={"key": "item_key"})
table = items.merge(explanation[["item_key", "objectives", "needed_for"]], on="item_key", how="left").fillna("")
names = framework_names(session=db)
table["framework"] = table["framework"].map(lambda k: names.get(k, k))
table = localise_brief(with_availability(table, "item_key", session=db))  # the brief's words, in this language
st.dataframe(table[["framework", "code", "title", "tier", "objectives", "needed_for", *BRIEF_LABELS]], hide_index=True,
             width="stretch",
             column_config={"framework": _("Framework"), "code": _("Code"), "title": _("Title"), "tier": _("Tier"),
                            "objectives": _("Covers objectives"), "needed_for": _("Objectives that need it"),
                            **{k: _(v) for k, v in BRIEF_LABELS.items()}})
if can(actor, "sets.edit"):
    with st.form(state.form_key("optimise.save")):  # cleared after success only
        name = st.text_input(_("Save these indicators as a new set named"), max_chars=200)
        if st.form_submit_button(ngettext("Save {n} indicator as a new set", "Save {n} indicators as a new set",
                                          len(chosen_ids)).format(n=len(chosen_ids)), type="primary"):
            try:
                desc = f"Optimiser: {MODES[res['mode']].lower()}, M={res['min_cover']}" + (
                    f", K={res['max_size']}" if res["max_size"] else "") + f"; point of {point['size']} indicators"
                new_id = act(cs.create_set, actor=actor, name=name, item_ids=chosen_ids, description=desc)
                state.put(state.SET_ID, new_id)
                state.clear_form("optimise.save")
                state.flash_and_rerun(state.OPTIMISE_FLASH, ngettext(
                    "Saved '{name}' with {n} indicator.", "Saved '{name}' with {n} indicators.", len(chosen_ids)).format(
                    name=" ".join(name.split()), n=len(chosen_ids)))
            except UserError as exc:
                st.error(plain(exc))

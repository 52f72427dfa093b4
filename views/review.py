"""Review (ExCom): one version on one screen, picture first; record a view; final approval."""

import pandas as pd
import streamlit as st

from indicators_lab.core.access import can
from indicators_lab.proposal import versions as proposals
from indicators_lab.consultation.rounds import list_rounds
from indicators_lab.core.errors import UserError
from indicators_lab.consultation.matrix import participation
from indicators_lab.ui import state, widgets
from indicators_lab.ui.resources import act, page_session
from indicators_lab.ui.session import page_guard
from indicators_lab.ui.widgets import plain

db = page_session()
st.title("Review")
actor = page_guard("views/review.py")
state.show_flash(state.REVIEW_FLASH)
versions = proposals.list_versions(session=db, actor=actor)
if not versions:
    st.info("No proposal version to review yet.")
    st.stop()
by_number = {v.number: v for v in versions}
n = st.selectbox("Version", list(by_number), index=len(by_number) - 1,
                 format_func=lambda x: f"Version {x}" + (" (approved)" if by_number[x].approved else ""))
v = by_number[n]
if v.approved:
    st.success(f"Approved by {plain(v.approved_by)} on {widgets.local_time(v.approved_at)}. This version is locked.",
               icon=":material/verified:")
st.caption(f"{plain(v.set_name)} · frozen {widgets.local_time(v.created_at)} by {plain(v.created_by)} · {plain(v.note)}")

summary = v.snapshot["summary"]
coverage = pd.DataFrame(v.snapshot["coverage"])
m = st.columns(4)
m[0].metric("Indicators", summary["items"])
m[1].metric("Objectives covered", f"{summary['objectives_covered']} / 23")
m[2].metric("Tier I", f"{summary['tier_1_share']:.0%}")
m[3].metric("Overlapping pairs", summary["overlapping_pairs"])
gaps = [int(o) for o in coverage.loc[coverage["coverage"] == 0, "objective"]]
if gaps:
    st.warning("Gaps: no indicator for objectives " + ", ".join(map(str, gaps)), icon=":material/warning:")
widgets.heatmap_grid(proposals.snapshot_heatmap(v), coverage, key=f"review.heat.{n}", height=560)
if v.snapshot["overlaps"]:
    st.warning("Possible overlaps: " + "; ".join(plain(f"{o['item_a']} / {o['item_b']} ({o['reason']})")
                                                 for o in v.snapshot["overlaps"]), icon=":material/content_copy:")

c1, c2 = st.columns(2)
with c1:
    widgets.counts_bar(v.snapshot["readiness"]["tiers"], key=f"review.tiers.{n}", title="Tier mix")
    p = v.snapshot["principles"]
    st.metric("Gender-responsive indicators", len(p["gender_responsive"]))
    st.metric("Child-sensitive indicators", len(p["child_sensitive"]))
with c2:
    rounds = [r for r in list_rounds(session=db, actor=actor) if r.set_id == v.set_id]
    st.markdown("**Consultation**")
    if not rounds:
        st.caption("No consultation round on this set.")
    for r in rounds:
        part = participation(r.id, session=db, actor=actor)
        t = part["totals"].iloc[0]
        st.caption(f"{plain(r.title)}: {t['comments']} comments, {t['unanswered']} still unanswered")
        widgets.counts_bar(dict(zip(part["constituency"]["constituency"], part["constituency"]["comments"])),
                           key=f"review.part.{n}.{r.id}", title="Comments by constituency")
        if len(part["disposition"]):
            widgets.counts_bar(dict(zip(part["disposition"]["disposition"], part["disposition"]["comments"])),
                               key=f"review.disp.{n}.{r.id}", title="Answers")

st.subheader("Views of ExCom members")
st.dataframe(proposals.views(n, session=db, actor=actor), hide_index=True, width="stretch")
if can(actor, "excom_views.record") and not v.approved:
    with st.form(f"ilab.review.view.{n}"):
        scope = st.selectbox("On", [None, *range(1, 24)], format_func=lambda o: "the whole version" if o is None else f"objective {o}")
        verdict = st.radio("Your view", list(proposals.VERDICTS), format_func=proposals.VERDICTS.get, horizontal=True)
        text = st.text_area("Comments (needed unless you approve)", max_chars=5000)
        if st.form_submit_button("Record my view", type="primary"):
            try:
                act(proposals.record_view, actor=actor, version=n, verdict=verdict, text=text, objective=scope)
                state.flash_and_rerun(state.REVIEW_FLASH, "Your view was recorded.")
            except UserError as exc:
                st.error(plain(exc))
if can(actor, "versions.freeze") and not v.approved:
    with st.form(f"ilab.review.approve.{n}"):
        st.markdown("**Record the ExCom's approval** (only the latest version; locks it)")
        note = st.text_input("Decision reference (e.g. ExCom meeting of …)")
        if st.form_submit_button("Record approval"):
            try:
                act(proposals.approve, actor=actor, version=n, note=note)
                state.flash_and_rerun(state.REVIEW_FLASH, f"Version {n} approved.")
            except UserError as exc:
                st.error(plain(exc))

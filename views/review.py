"""Review (ExCom): one version on one screen, picture first; record a view; final approval."""

import pandas as pd
import streamlit as st

from indicators_lab.core.access import can
from indicators_lab.proposal import versions as proposals
from indicators_lab.consultation.rounds import list_rounds
from indicators_lab.core.errors import UserError
from indicators_lab.consultation.matrix import participation
from indicators_lab.core.vocabulary import CONSTITUENCIES, plural
from indicators_lab.catalogue.frameworks import SHORT_NAMES
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
# Axis labels name the framework too: "SDG 10.7.1", not a bare code.
axis = {it["code"]: f"{SHORT_NAMES.get(it['framework'], it['framework'])} {it['code']}" for it in v.snapshot["items"]}
widgets.heatmap_grid(proposals.snapshot_heatmap(v).rename(columns=axis), coverage, key=f"review.heat.{n}", height=560)
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
        st.caption(f"{plain(r.title)}: {plural(int(t['comments']), 'comment')}, {int(t['unanswered'])} still unanswered")
        widgets.counts_bar(dict(zip(part["constituency"]["constituency"].map(lambda c: CONSTITUENCIES.get(c, c or "Not given")),
                                    part["constituency"]["comments"])),
                           key=f"review.part.{n}.{r.id}", title="Comments by constituency")
        if len(part["disposition"]):
            widgets.counts_bar(dict(zip(part["disposition"]["disposition"], part["disposition"]["comments"])),
                               key=f"review.disp.{n}.{r.id}", title="Answers")

st.subheader("Views of ExCom members")
current = proposals.views(n, session=db, actor=actor)
if current.empty:
    st.caption("No ExCom member has recorded a view on this version yet.")
else:
    st.markdown("**Current position of each member**")
    shown = current.assign(at=current["at"].map(widgets.local_time))
    st.dataframe(shown, hide_index=True, width="stretch",
                 column_config={"member": "Member", "on": "On", "view": "View", "text": "Comments", "at": "Recorded"})
    history = proposals.view_history(n, session=db, actor=actor)
    with st.expander(f"Every view recorded on version {n} ({len(history)})"):
        st.dataframe(history.assign(at=history["at"].map(widgets.local_time)), hide_index=True, width="stretch",
                     column_config={"member": "Member", "on": "On", "view": "View", "text": "Comments", "at": "Recorded"})
objections = proposals.outstanding_objections(n, session=db, actor=actor)
if v.approved and v.approval_objections:
    st.info(f"Approved with {len(v.approval_objections)} standing objection"
            f"{'s' if len(v.approval_objections) != 1 else ''}, acknowledged: {plain(v.objections_acknowledgement)}",
            icon=":material/gavel:")

if can(actor, "excom_views.record") and not v.approved:
    # Keyed by version and cleared after each view: the scope never carries over to another
    # version or to the next view unnoticed.
    with st.form(f"ilab.review.view.{n}", clear_on_submit=True):
        st.markdown(f"**Record your view on version {n}**")
        scope = st.selectbox("On", [None, *range(1, 24)], key=f"ilab.review.scope.{n}",
                             format_func=lambda o: "The whole version" if o is None else f"Objective {o}")
        verdict = st.radio("Your view", list(proposals.VERDICTS), format_func=proposals.VERDICTS.get, horizontal=True,
                           key=f"ilab.review.verdict.{n}")
        text = st.text_area("Comments (needed unless you approve)", max_chars=5000, key=f"ilab.review.text.{n}")
        if st.form_submit_button("Record my view", type="primary"):
            try:
                act(proposals.record_view, actor=actor, version=n, verdict=verdict, text=text, objective=scope)
                on = "the whole version" if scope is None else f"objective {scope}"
                state.flash_and_rerun(state.REVIEW_FLASH,
                                      f"Your view on {on} of version {n} was recorded: {proposals.VERDICTS[verdict]}.")
            except UserError as exc:
                st.error(plain(exc))
if can(actor, "versions.freeze") and not v.approved:
    open_rounds = [r for r in rounds if r.status == "open"]
    with st.form(f"ilab.review.approve.{n}"):
        st.markdown("**Record the ExCom's approval** (only the latest version; locks it)")
        note = st.text_input("Decision reference (e.g. ExCom meeting of …)", key=f"ilab.review.note.{n}")
        ack, ack_note = False, ""
        if objections:
            st.warning(f"{len(objections)} objection{'s' if len(objections) != 1 else ''} still "
                       f"stand{'s' if len(objections) == 1 else ''} on version {n}:", icon=":material/report:")
            for o in objections:
                st.markdown(f"- {plain(o['member'])}, on {plain(o['on'].lower())}: ")
                st.text(o["text"])
            ack = st.checkbox("I acknowledge these objections: the ExCom approved this version knowing them",
                              key=f"ilab.review.ack.{n}")
            ack_note = st.text_area("How the objections were considered (kept with the approval)", max_chars=5000,
                                    key=f"ilab.review.acknote.{n}")
        close = False
        if open_rounds:
            st.warning(f"{len(open_rounds)} consultation round{'s are' if len(open_rounds) != 1 else ' is'} still open "
                       "on this proposal: " + ", ".join(plain(r.title) for r in open_rounds) + ".", icon=":material/forum:")
            close = st.checkbox("Close them now (no more comments)", key=f"ilab.review.close.{n}")
        if st.form_submit_button("Record approval"):
            try:
                closed = act(proposals.approve, actor=actor, version=n, note=note, acknowledge_objections=ack,
                             acknowledgement=ack_note, close_rounds=close)
                message = f"Version {n} approved."
                if closed:
                    message += f" Closed {len(closed)} consultation round{'s' if len(closed) != 1 else ''}: " + ", ".join(closed) + "."
                state.flash_and_rerun(state.REVIEW_FLASH, message)
            except UserError as exc:
                st.error(plain(exc))

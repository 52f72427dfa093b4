"""Versions: freeze a set as a numbered proposal, compare versions, download the annex."""

import tempfile
from pathlib import Path

import streamlit as st

from indicators_lab.sets import candidate_sets as cs
from indicators_lab.proposal import versions as proposals
from indicators_lab.proposal.annex import FORMATS, export_version
from indicators_lab.core.errors import UserError
from indicators_lab.ui import state
from indicators_lab.ui.resources import act, get_encoder, page_session
from indicators_lab.ui.session import require_signed_in
from indicators_lab.ui.widgets import local_time

db = page_session()
st.title("Proposal versions")
actor = require_signed_in("co_lead")
state.show_flash(state.VERSIONS_FLASH)

if actor:
    sets = {s.id: s.name for s in cs.list_sets(session=db)}
    with st.expander("Freeze a set as a new version", expanded=False):
        with st.form("ilab.versions.freeze"):
            set_id = st.selectbox("Set", list(sets), format_func=lambda i: sets[i]) if sets else None
            note = st.text_area("Change note (what changed and why)", max_chars=5000)
            if st.form_submit_button("Freeze", type="primary", disabled=not sets):
                try:
                    n = act(proposals.freeze, get_encoder(), actor=actor, set_id=set_id, note=note,
                                         grade_weights=state.grade_weights())
                    state.flash_and_rerun(state.VERSIONS_FLASH, f"Froze version {n}.")
                except UserError as exc:
                    st.error(str(exc))

versions = proposals.list_versions(session=db)
if not versions:
    st.info("No version has been frozen yet.")
    st.stop()
st.dataframe([{"version": v.number, "set": v.set_name, "indicators": v.items, "frozen": local_time(v.created_at),
               "by": v.created_by, "note": v.note,
               "approved": f"{v.approved_by}, {local_time(v.approved_at)}" if v.approved else ""} for v in versions],
             hide_index=True, width="stretch")

numbers = [v.number for v in versions]
if len(numbers) > 1:
    st.subheader("Compare two versions")
    c1, c2 = st.columns(2)
    a = c1.selectbox("From", numbers, index=len(numbers) - 2)
    b = c2.selectbox("To", numbers, index=len(numbers) - 1)
    d = act(proposals.diff, a, b)
    m1, m2, m3 = st.columns(3)
    m1.metric("Added", len(d.added))
    m2.metric("Removed", len(d.removed))
    m3.metric("Regraded links", len(d.regraded))
    if d.added:
        st.markdown("**Added:** " + ", ".join(d.added))
    if d.removed:
        st.markdown("**Removed:** " + ", ".join(d.removed))
    if len(d.regraded):
        st.dataframe(d.regraded, hide_index=True, width="stretch")
    changed = d.coverage[d.coverage["change"] != 0]
    st.markdown("**Coverage per objective that changed**")
    st.dataframe(changed, hide_index=True, width="stretch")
    st.markdown("**Comments that led to the changes**")
    st.dataframe(d.reasons, hide_index=True, width="stretch")
    if actor:
        with st.form("ilab.versions.reason"):
            keys = sorted(set(d.added) | set(d.removed) | set(d.regraded["key"]))
            item_key = st.selectbox("Change", keys) if keys else None
            cid = st.number_input("Comment number (from the comment-response matrix)", 1, step=1)
            if st.form_submit_button("Link the comment to this change", disabled=not keys):
                try:
                    act(proposals.link_reason, actor=actor, version=b, item_key=item_key, comment_id=int(cid))
                    state.flash_and_rerun(state.VERSIONS_FLASH, f"Linked comment {cid} to {item_key}.")
                except UserError as exc:
                    st.error(str(exc))

st.subheader("Download the annex")
n = st.selectbox("Version", numbers, index=len(numbers) - 1, key="ilab.versions.export")
cols = st.columns(len(FORMATS))
for col, fmt in zip(cols, FORMATS):
    if col.button(f"Prepare {fmt.upper()}", key=f"ilab.versions.prep.{fmt}"):
        out = Path(tempfile.mkdtemp()) / f"annex_v{n}.{fmt}"
        st.session_state[f"ilab.versions.file.{fmt}"] = (out.name, export_version(n, fmt, out, session=db).read_bytes())
    ready = st.session_state.get(f"ilab.versions.file.{fmt}")
    if ready:
        col.download_button(f"Download {ready[0]}", ready[1], ready[0], key=f"ilab.versions.dl.{fmt}")

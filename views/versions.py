"""Versions: freeze a set as a numbered proposal, compare versions, download the annex.

Stakeholders see the approved versions and their public annex; ExCom every version and the diff;
co-leads also freeze, link comments to changes and download the full annex.
"""

import tempfile
from pathlib import Path

import streamlit as st

from indicators_lab.core.access import can
from indicators_lab.sets import candidate_sets as cs
from indicators_lab.proposal import versions as proposals
from indicators_lab.proposal.annex import FORMATS, export_version
from indicators_lab.core.errors import UserError
from indicators_lab.ui import state
from indicators_lab.ui.resources import act, get_encoder, page_session, read_or_act
from indicators_lab.ui.session import page_guard
from indicators_lab.ui.widgets import local_time, plain

# Button labels: "strategy-csv" is the disaggregation strategy sheet as CSV.
FORMAT_LABELS = {"strategy-csv": "strategy CSV"}

db = page_session()
st.title("Proposal versions")
actor = page_guard("views/versions.py")
may_freeze = can(actor, "versions.freeze")
state.show_flash(state.VERSIONS_FLASH)

if may_freeze:
    sets = {s.id: s.name for s in cs.list_sets(session=db, actor=actor)}
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
                    st.error(plain(exc))

versions = proposals.list_versions(session=db, actor=actor)
if not versions:
    st.info("No version has been frozen yet." if can(actor, "versions.read")
            else "No version has been approved yet: the annex is published once ExCom approves a version.")
    st.stop()
st.dataframe([{"version": v.number, "set": v.set_name, "indicators": v.items, "frozen": local_time(v.created_at),
               "by": v.created_by, "note": v.note,
               "approved": f"{v.approved_by}, {local_time(v.approved_at)}" if v.approved else ""} for v in versions],
             hide_index=True, width="stretch", column_config={
                 "version": "Version", "set": "Set", "indicators": "Indicators", "frozen": "Frozen", "by": "By",
                 "note": "Change note", "approved": "Approved"})

numbers = [v.number for v in versions]
if len(numbers) > 1 and can(actor, "versions.read"):
    st.subheader("Compare two versions")
    c1, c2 = st.columns(2)
    a = c1.selectbox("From", numbers, index=len(numbers) - 2, format_func=lambda x: f"Version {x}")
    b = c2.selectbox("To", numbers, index=len(numbers) - 1, format_func=lambda x: f"Version {x}")
    d = read_or_act(proposals.diff, a, b, actor=actor)
    m1, m2, m3 = st.columns(3)
    m1.metric("Added", len(d.added))
    m2.metric("Removed", len(d.removed))
    m3.metric("Regraded links", len(d.regraded))
    if d.added:
        st.markdown("**Added:** " + ", ".join(plain(k) for k in d.added))
    if d.removed:
        st.markdown("**Removed:** " + ", ".join(plain(k) for k in d.removed))
    if len(d.regraded):
        st.dataframe(d.regraded, hide_index=True, width="stretch")
    changed = d.coverage[d.coverage["change"] != 0]
    st.markdown("**Coverage per objective that changed**")
    st.dataframe(changed, hide_index=True, width="stretch")
    st.markdown("**Comments that led to the changes**")
    st.dataframe(d.reasons, hide_index=True, width="stretch")
    if may_freeze:
        with st.form("ilab.versions.reason"):
            keys = sorted(set(d.added) | set(d.removed) | set(d.regraded["key"]))
            item_key = st.selectbox("Change", keys) if keys else None
            cid = st.number_input("Comment number (from the comment-response matrix)", 1, step=1)
            if st.form_submit_button("Link the comment to this change", disabled=not keys):
                try:
                    act(proposals.link_reason, actor=actor, version=b, item_key=item_key, comment_id=int(cid))
                    state.flash_and_rerun(state.VERSIONS_FLASH, f"Linked comment {cid} to {item_key}.")
                except UserError as exc:
                    st.error(plain(exc))

st.subheader("Download the annex")
n = st.selectbox("Version", numbers, index=len(numbers) - 1, key="ilab.versions.export",
                 format_func=lambda x: f"Version {x}")
kinds = [("public", False)] + ([("full", True)] if can(actor, "annex.full.download") else [])
st.caption("The public annex has no hidden comments, no authors' names and no rationale."
           + (" The full annex has every comment with its author, hidden ones too, and the rationale."
              if len(kinds) > 1 else ""))
for kind, full in kinds:
    cols = st.columns(len(FORMATS))
    for col, fmt in zip(cols, FORMATS):
        slot = f"ilab.versions.file.{kind}.{fmt}"
        if col.button(f"Prepare {kind} {FORMAT_LABELS.get(fmt, fmt.upper())}", key=f"ilab.versions.prep.{kind}.{fmt}"):
            out = Path(tempfile.mkdtemp()) / f"annex_v{n}{'_full' if full else ''}.{fmt}"
            path = export_version(n, fmt, out, session=db, actor=actor, full=full)
            st.session_state[slot] = (n, out.name, path.read_bytes())
        ready = st.session_state.get(slot)
        if ready and ready[0] == n:
            col.download_button(f"Download {ready[1]}", ready[2], ready[1], key=f"ilab.versions.dl.{kind}.{fmt}")

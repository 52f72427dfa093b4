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
from indicators_lab.core.i18n import LANGUAGES, N_, _, current_locale
from indicators_lab.ui import state
from indicators_lab.ui.resources import act, get_encoder, page_session, read_or_act
from indicators_lab.ui.session import page_guard
from indicators_lab.ui.widgets import local_time, plain

# Button labels: "strategy-csv" is the disaggregation strategy sheet as CSV.
FORMAT_LABELS = {"strategy-csv": N_("strategy CSV")}

db = page_session()
st.title(_("Proposal versions"))
actor = page_guard("views/versions.py")
may_freeze = can(actor, "versions.freeze")
state.show_flash(state.VERSIONS_FLASH)

if may_freeze:
    sets = {s.id: s.name for s in cs.list_sets(session=db, actor=actor)}
    with st.expander(_("Freeze a set as a new version"), expanded=False):
        with st.form("ilab.versions.freeze"):
            set_id = st.selectbox(_("Set"), list(sets), format_func=sets.__getitem__) if sets else None
            note = st.text_area(_("Change note (what changed and why)"), max_chars=5000)
            if st.form_submit_button(_("Freeze"), type="primary", disabled=not sets):
                try:
                    n = act(proposals.freeze, get_encoder(), actor=actor, set_id=set_id, note=note,
                                         grade_weights=state.grade_weights())
                    state.flash_and_rerun(state.VERSIONS_FLASH, _("Froze version {n}.").format(n=n))
                except UserError as exc:
                    st.error(plain(exc))

versions = proposals.list_versions(session=db, actor=actor)
if not versions:
    st.info(_("No version has been frozen yet.") if can(actor, "versions.read")
            else _("No version has been approved yet: the annex is published once ExCom approves a version."))
    st.stop()
st.dataframe([{"version": v.number, "set": v.set_name, "indicators": v.items, "frozen": local_time(v.created_at),
               "by": v.created_by, "note": v.note,
               "approved": f"{v.approved_by}, {local_time(v.approved_at)}" if v.approved else ""} for v in versions],
             hide_index=True, width="stretch",
             column_config={"version": _("Version"), "set": _("Set"), "indicators": _("Indicators"),
                            "frozen": _("Frozen"), "by": _("By"), "note": _("Change note"), "approved": _("Approved")})

numbers = [v.number for v in versions]
if len(numbers) > 1 and can(actor, "versions.read"):
    st.subheader(_("Compare two versions"))
    c1, c2 = st.columns(2)
    version_label = _("Version {n}").format
    a = c1.selectbox(_("From"), numbers, index=len(numbers) - 2, format_func=lambda x: version_label(n=x))
    b = c2.selectbox(_("To"), numbers, index=len(numbers) - 1, format_func=lambda x: version_label(n=x))
    d = read_or_act(proposals.diff, a, b, actor=actor)
    m1, m2, m3 = st.columns(3)
    m1.metric(_("Added"), len(d.added))
    m2.metric(_("Removed"), len(d.removed))
    m3.metric(_("Regraded links"), len(d.regraded))
    if d.added:
        st.markdown("**" + _("Added:") + "** " + ", ".join(plain(k) for k in d.added))
    if d.removed:
        st.markdown("**" + _("Removed:") + "** " + ", ".join(plain(k) for k in d.removed))
    labels = {"key": _("Indicator"), "objective": _("Objective"), "grade_before": _("Grade before"),
              "grade_after": _("Grade after"), "before": _("Before"), "after": _("After"), "change": _("Change"),
              "comment_id": _("No."), "comment": _("Comment"), "organisation": _("Organisation"),
              "disposition": _("Answer"), "response": _("Response")}
    if len(d.regraded):
        st.dataframe(d.regraded, hide_index=True, width="stretch", column_config=labels)
    changed = d.coverage[d.coverage["change"] != 0]
    st.markdown("**" + _("Coverage per objective that changed") + "**")
    st.dataframe(changed, hide_index=True, width="stretch", column_config=labels)
    st.markdown("**" + _("Comments that led to the changes") + "**")
    st.dataframe(d.reasons, hide_index=True, width="stretch", column_config=labels)
    if may_freeze:
        with st.form("ilab.versions.reason"):
            keys = sorted(set(d.added) | set(d.removed) | set(d.regraded["key"]))
            item_key = st.selectbox(_("Change"), keys) if keys else None
            cid = st.number_input(_("Comment number (from the comment-response matrix)"), 1, step=1)
            if st.form_submit_button(_("Link the comment to this change"), disabled=not keys):
                try:
                    act(proposals.link_reason, actor=actor, version=b, item_key=item_key, comment_id=int(cid))
                    state.flash_and_rerun(state.VERSIONS_FLASH, _("Linked comment {id} to {change}.").format(id=cid, change=item_key))
                except UserError as exc:
                    st.error(plain(exc))

st.subheader(_("Download the annex"))
n = st.selectbox(_("Version"), numbers, index=len(numbers) - 1, key="ilab.versions.export",
                 format_func=lambda x: _("Version {n}").format(n=x))
languages = list(LANGUAGES)
annex_language = st.selectbox(_("Language of the annex"), languages, index=languages.index(current_locale()),
                              format_func=LANGUAGES.__getitem__, key="ilab.versions.language",
                              help=_("Headings, labels and indicator titles where translated; official text "
                                     "without a translation (GCM objectives, sources) stays in English, marked."))
kinds = [("public", False)] + ([("full", True)] if can(actor, "annex.full.download") else [])
st.caption(_("The public annex has no hidden comments, no authors' names and no rationale.")
           + (" " + _("The full annex has every comment with its author, hidden ones too, and the rationale.")
              if len(kinds) > 1 else ""))
PREPARE = {"public": _("Prepare public {format}"), "full": _("Prepare full {format}")}
for kind, full in kinds:
    cols = st.columns(len(FORMATS))
    for col, fmt in zip(cols, FORMATS):
        slot = f"ilab.versions.file.{kind}.{fmt}"
        if col.button(PREPARE[kind].format(format=_(FORMAT_LABELS[fmt]) if fmt in FORMAT_LABELS else fmt.upper()), key=f"ilab.versions.prep.{kind}.{fmt}"):
            suffix = "" if annex_language == "en" else f"_{annex_language}"
            out = Path(tempfile.mkdtemp()) / f"annex_v{n}{'_full' if full else ''}{suffix}.{fmt}"
            path = export_version(n, fmt, out, session=db, actor=actor, full=full, language=annex_language)
            st.session_state[slot] = (n, out.name, path.read_bytes(), annex_language)
        ready = st.session_state.get(slot)
        if ready and ready[0] == n and ready[3] == annex_language:
            col.download_button(_("Download {file}").format(file=ready[1]), ready[2], ready[1], key=f"ilab.versions.dl.{kind}.{fmt}")

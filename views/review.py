"""Review (ExCom): one version on one screen, picture first; record a view; final approval."""

import pandas as pd
import streamlit as st

from indicators_lab.core.access import can
from indicators_lab.proposal import versions as proposals
from indicators_lab.consultation.rounds import list_rounds
from indicators_lab.core.errors import UserError
from indicators_lab.consultation.matrix import participation
from indicators_lab.core.i18n import _, format_percent, ngettext
from indicators_lab.core.vocabulary import CONSTITUENCIES
from indicators_lab.catalogue.frameworks import SHORT_NAMES
from indicators_lab.ui import state, widgets
from indicators_lab.ui.resources import act, page_session
from indicators_lab.ui.session import page_guard
from indicators_lab.ui.widgets import plain



def scope_label(objective) -> str:
    """What a view is on, in words: the whole version or one objective."""
    return _("The whole version") if not objective else _("Objective {number}").format(number=objective)


def scope_name(english: str) -> str:
    """The services' English scope ("The whole version", "Objective 6") in this run's language."""
    number = english.rsplit(" ", 1)[-1]
    return scope_label(int(number) if number.isdigit() else None)


db = page_session()
st.title(_("Review"))
actor = page_guard("views/review.py")
state.show_flash(state.REVIEW_FLASH)
versions = proposals.list_versions(session=db, actor=actor)
if not versions:
    st.info(_("No proposal version to review yet."))
    st.stop()
by_number = {v.number: v for v in versions}
version_labels = {x: _("Version {n}").format(n=x) + (" " + _("(approved)") if by_number[x].approved else "")
                  for x in by_number}
n = st.selectbox(_("Version"), list(by_number), index=len(by_number) - 1, format_func=version_labels.__getitem__)
v = by_number[n]
if v.approved:
    st.success(_("Approved by {name} on {when}. This version is locked.").format(
        name=plain(v.approved_by), when=widgets.local_time(v.approved_at)),
               icon=":material/verified:")
st.caption(_("{set} · frozen {when} by {name} · {note}").format(
    set=plain(v.set_name), when=widgets.local_time(v.created_at), name=plain(v.created_by), note=plain(v.note)))

summary = v.snapshot["summary"]
coverage = pd.DataFrame(v.snapshot["coverage"])
m = st.columns(4)
m[0].metric(_("Indicators"), summary["items"])
m[1].metric(_("Objectives covered"), f"{summary['objectives_covered']} / 23")
m[2].metric(_("Tier I"), format_percent(summary["tier_1_share"]))
m[3].metric(_("Overlapping pairs"), summary["overlapping_pairs"])
gaps = [int(o) for o in coverage.loc[coverage["coverage"] == 0, "objective"]]
if gaps:
    st.warning(_("Gaps: no indicator for objectives {objectives}").format(objectives=", ".join(map(str, gaps))),
               icon=":material/warning:")
# Axis labels name the framework too: "SDG 10.7.1", not a bare code.
axis = {it["code"]: f"{SHORT_NAMES.get(it['framework'], it['framework'])} {it['code']}" for it in v.snapshot["items"]}
widgets.heatmap_grid(proposals.snapshot_heatmap(v).rename(columns=axis), coverage, key=f"review.heat.{n}", height=560)
if v.snapshot["overlaps"]:
    st.warning(_("Possible overlaps:") + " " + "; ".join(plain(f"{o['item_a']} / {o['item_b']} ({o['reason']})")
                                                 for o in v.snapshot["overlaps"]), icon=":material/content_copy:")

c1, c2 = st.columns(2)
with c1:
    widgets.counts_bar(v.snapshot["readiness"]["tiers"], key=f"review.tiers.{n}", title=_("Tier mix"))
    p = v.snapshot["principles"]
    st.metric(_("Gender-responsive indicators"), len(p["gender_responsive"]))
    st.metric(_("Child-sensitive indicators"), len(p["child_sensitive"]))
with c2:
    rounds = [r for r in list_rounds(session=db, actor=actor) if r.set_id == v.set_id]
    st.markdown("**" + _("Consultation") + "**")
    if not rounds:
        st.caption(_("No consultation round on this set."))
    for r in rounds:
        part = participation(r.id, session=db, actor=actor)
        t = part["totals"].iloc[0]
        st.caption(plain(r.title) + ": " + ngettext("{n} comment", "{n} comments", int(t["comments"])).format(
            n=int(t["comments"])) + ", " + _("{n} still unanswered").format(n=int(t["unanswered"])))
        widgets.counts_bar(dict(zip(part["constituency"]["constituency"].map(lambda c: _(CONSTITUENCIES.get(c, c or "not given"))),
                                    part["constituency"]["comments"])),
                           key=f"review.part.{n}.{r.id}", title=_("Comments by constituency"))
        if len(part["disposition"]):
            widgets.counts_bar(dict(zip(part["disposition"]["disposition"].map(_), part["disposition"]["comments"])),
                               key=f"review.disp.{n}.{r.id}", title=_("Answers"))

st.subheader(_("Views of ExCom members"))
current = proposals.views(n, session=db, actor=actor)
if current.empty:
    st.caption(_("No ExCom member has recorded a view on this version yet."))
else:
    st.markdown("**" + _("Current position of each member") + "**")
    view_columns = {"member": _("Member"), "on": _("On"), "view": _("View"), "text": _("Comments"), "at": _("Recorded")}

    def readable(df):
        return df.assign(at=df["at"].map(widgets.local_time), on=df["on"].map(scope_name), view=df["view"].map(_))

    st.dataframe(readable(current), hide_index=True, width="stretch", column_config=view_columns)
    history = proposals.view_history(n, session=db, actor=actor)
    with st.expander(_("Every view recorded on version {n} ({count})").format(n=n, count=len(history))):
        st.dataframe(readable(history), hide_index=True, width="stretch", column_config=view_columns)
objections = proposals.outstanding_objections(n, session=db, actor=actor)
if v.approved and v.approval_objections:
    st.info(ngettext("Approved with {n} standing objection, acknowledged: {note}",
                     "Approved with {n} standing objections, acknowledged: {note}", len(v.approval_objections))
            .format(n=len(v.approval_objections), note=plain(v.objections_acknowledgement)),
            icon=":material/gavel:")

if can(actor, "excom_views.record") and not v.approved:
    # Cleared after each view recorded (never after a mistake), keyed by version: the scope
    # never carries over to another version or to the next view unnoticed.
    form = f"review.view.{n}"
    with st.form(state.form_key(form)):
        st.markdown("**" + _("Record your view on version {n}").format(n=n) + "**")
        scopes = {o: scope_label(o) for o in [None, *range(1, 24)]}
        scope = st.selectbox(_("On"), list(scopes), key=state.form_key(form) + ".scope", format_func=scopes.__getitem__)
        verdict_names = {k: _(v) for k, v in proposals.VERDICTS.items()}
        verdict = st.radio(_("Your view"), list(proposals.VERDICTS), format_func=verdict_names.__getitem__,
                           horizontal=True, key=state.form_key(form) + ".verdict")
        text = st.text_area(_("Comments (needed unless you approve)"), max_chars=5000, key=state.form_key(form) + ".text")
        if st.form_submit_button(_("Record my view"), type="primary"):
            try:
                act(proposals.record_view, actor=actor, version=n, verdict=verdict, text=text, objective=scope)
                message = (_("Your view on the whole version of version {n} was recorded: {view}.") if scope is None
                           else _("Your view on objective {objective} of version {n} was recorded: {view}."))
                state.clear_form(form)
                state.flash_and_rerun(state.REVIEW_FLASH,
                                      message.format(n=n, objective=scope, view=verdict_names[verdict]))
            except UserError as exc:
                st.error(plain(exc))
if can(actor, "versions.freeze") and not v.approved:
    open_rounds = [r for r in rounds if r.status == "open"]
    with st.form(f"ilab.review.approve.{n}"):
        st.markdown("**" + _("Record the ExCom's approval") + "** " + _("(only the latest version; locks it)"))
        note = st.text_input(_("Decision reference (e.g. ExCom meeting of …)"), key=f"ilab.review.note.{n}")
        ack, ack_note = False, ""
        if objections:
            st.warning(ngettext("{count} objection still stands on version {n}:",
                                "{count} objections still stand on version {n}:", len(objections))
                       .format(count=len(objections), n=n), icon=":material/report:")
            for o in objections:
                st.markdown("- " + _("{member}, on {scope}:").format(member=plain(o["member"]),
                                                                  scope=scope_label(o["objective"]).lower()) + " ")
                st.text(o["text"])
            count = len(objections)
            ack = st.checkbox(ngettext("I acknowledge this objection: the ExCom approved this version knowing it",
                                       "I acknowledge these objections: the ExCom approved this version knowing them",
                                       count), key=f"ilab.review.ack.{n}")
            ack_note = st.text_area(ngettext("How the objection was considered (kept with the approval)",
                                             "How the objections were considered (kept with the approval)", count),
                                    max_chars=5000, key=f"ilab.review.acknote.{n}")
        close = False
        if open_rounds:
            st.warning(ngettext("{count} consultation round is still open on this proposal: {rounds}.",
                                "{count} consultation rounds are still open on this proposal: {rounds}.", len(open_rounds))
                       .format(count=len(open_rounds), rounds=", ".join(plain(r.title) for r in open_rounds)),
                       icon=":material/forum:")
            close = st.checkbox(ngettext("Close it now (no more comments)", "Close them now (no more comments)",
                                         len(open_rounds)), key=f"ilab.review.close.{n}")
        if st.form_submit_button(_("Record approval")):
            try:
                closed = act(proposals.approve, actor=actor, version=n, note=note, acknowledge_objections=ack,
                             acknowledgement=ack_note, close_rounds=close)
                message = _("Version {n} approved.").format(n=n)
                if closed:
                    message += " " + ngettext("Closed {count} consultation round: {rounds}.",
                                              "Closed {count} consultation rounds: {rounds}.", len(closed)).format(
                        count=len(closed), rounds=", ".join(closed))
                state.flash_and_rerun(state.REVIEW_FLASH, message)
            except UserError as exc:
                st.error(plain(exc))

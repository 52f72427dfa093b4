"""Candidate sets: build a draft set, see its scorecard as pictures, try changes before saving."""

import streamlit as st

from indicators_lab.sets import candidate_sets as cs
from indicators_lab.catalogue.data import BRIEF_LABELS, localise_brief, localise_source, with_availability
from indicators_lab.catalogue.frameworks import SHORT_NAMES, list_objectives
from indicators_lab.core.config import get_settings
from indicators_lab.core.errors import UserError
from indicators_lab.core.i18n import _, format_percent, ngettext
from indicators_lab.mapping.links import links_for_objective
from indicators_lab.sets.scoring import SUMMARY_LABELS
from indicators_lab.core.access import can
from indicators_lab.ui import state, widgets
from indicators_lab.ui.resources import act, get_encoder, page_session, read_or_act
from indicators_lab.ui.session import page_guard
from indicators_lab.ui.widgets import plain, show_text

db = page_session()
st.title(_("Candidate sets"))
actor = page_guard("views/candidate_sets.py")
may_edit = can(actor, "sets.edit")
encoder = get_encoder()
state.show_flash(state.SETS_FLASH)


def done(message: str) -> None:
    state.flash_and_rerun(state.SETS_FLASH, message)


sets = {s.id: s for s in cs.list_sets(session=db, actor=actor)}
if may_edit:
    with st.expander(_("New set"), expanded=not sets):
        with st.form("ilab.sets.new"):
            name = st.text_input(_("Name"), max_chars=200)
            description = st.text_area(_("Purpose (optional)"), max_chars=2000)
            if st.form_submit_button(_("Create set"), type="primary"):
                try:
                    new_id = act(cs.create_set, actor=actor, name=name, description=description)
                    state.put(state.SET_ID, new_id)
                    done(_("Created the set '{name}'.").format(name=name.strip()))
                except UserError as exc:
                    st.error(plain(exc))
if not sets:
    st.info(_("There are no candidate sets yet.") + (" " + _("Create one above.") if may_edit else ""))
    st.stop()

current = state.get(state.SET_ID)
ids = list(sets)
set_labels = {i: sets[i].name + " (" + ngettext("{n} indicator", "{n} indicators", sets[i].items).format(
    n=sets[i].items) + ")" for i in ids}
set_id = st.selectbox(_("Set"), ids, index=ids.index(current) if current in ids else 0, format_func=set_labels.__getitem__)
state.put(state.SET_ID, set_id)
if sets[set_id].description:
    show_text(sets[set_id].description)

if may_edit:
    with st.expander(_("Rename, copy or delete")):
        c1, c2, c3 = st.columns(3)
        new_name = c1.text_input(_("New name"), value=sets[set_id].name, key=f"ilab.sets.rename.{set_id}")
        if c1.button(_("Rename")):
            try:
                act(cs.rename_set, actor=actor, set_id=set_id, name=new_name)
                done(_("Renamed."))
            except UserError as exc:
                st.error(plain(exc))
        copy_name = c2.text_input(_("Name of the copy"), value=_("{name} (copy)").format(name=sets[set_id].name), key=f"ilab.sets.copy.{set_id}")
        if c2.button(_("Copy")):
            try:
                state.put(state.SET_ID, act(cs.copy_set, actor=actor, set_id=set_id, name=copy_name))
                done(_("Copied to '{name}'.").format(name=copy_name))
            except UserError as exc:
                st.error(plain(exc))
        sure = c3.checkbox(_("Yes, delete this set"), key=f"ilab.sets.sure.{set_id}")
        if c3.button(_("Delete"), disabled=not sure):
            act(cs.delete_set, actor=actor, set_id=set_id)
            state.pop(state.SET_ID)
            done(_("Deleted the set."))

with st.expander(_("Grade weights used in coverage")):
    weights = state.grade_weights()
    g1, g2, g3 = st.columns(3)
    weights = {
        "direct": g1.number_input(_("direct"), 0.0, 1.0, weights["direct"], 0.05),
        "partial": g2.number_input(_("partial"), 0.0, 1.0, weights["partial"], 0.05),
        "proxy": g3.number_input(_("proxy"), 0.0, 1.0, weights["proxy"], 0.05),
    }
    state.put(state.GRADE_WEIGHTS, weights)

members = cs.members_frame(set_id, include_locked_out=True, session=db)
inside = members[members["lock"] != "out"]
candidates = cs.linked_candidates(session=db)  # every indicator with an accepted link
def axis_labels(items) -> dict[str, str]:
    """Heatmap column labels that name the framework too: "SDG 10.7.1", not a bare code."""
    return {c: f"{SHORT_NAMES.get(f, f)} {c}" for c, f in zip(items["code"], items["framework"])}


# A keyed control, not st.tabs: after an action on the Indicators or What-if part the page
# stays there instead of jumping back to the first tab.
PARTS = {"scorecard": _("Scorecard"), "items": _("Indicators"), "whatif": _("What-if")}
part = st.segmented_control(_("Show"), list(PARTS), format_func=PARTS.__getitem__, default="scorecard",
                            key=state.widget_key(state.SETS_PART)) or "scorecard"

if part == "scorecard":
    card = read_or_act(cs.score_items, encoder, inside, weights, actor=actor)
    summary = card.summary
    m = st.columns(5)
    m[0].metric(_("Indicators"), summary["items"])
    m[1].metric(_("Objectives covered"), f"{summary['objectives_covered']} / 23")
    m[2].metric(_("Mean coverage"), format_percent(summary["mean_coverage"]))
    m[3].metric(_("Redundancy"), format_percent(summary["redundancy"]), help=_(SUMMARY_LABELS["redundancy"]))
    m[4].metric(_("Tier I"), format_percent(summary["tier_1_share"]))
    gaps = [int(o) for o in card.coverage.loc[card.coverage["coverage"] == 0, "objective"]]
    if gaps:
        st.warning(_("Objectives with no coverage: {objectives}").format(objectives=", ".join(map(str, gaps))),
                   icon=":material/warning:")
    st.markdown("**" + _("Coverage: objectives × indicators") + "** " + _("(colour = grade of the link)"))
    widgets.heatmap_grid(card.heatmap.rename(columns=axis_labels(inside)), card.coverage, key=f"heat.{set_id}")
    st.markdown("**" + _("Weighted coverage per objective") + "**")
    widgets.coverage_bars(card, key=f"bars.{set_id}")
    st.markdown("**" + _("Overlap") + "** (" + ngettext("{n} pair that may measure the same thing",
                                                        "{n} pairs that may measure the same thing",
                                                        len(card.overlaps)).format(n=len(card.overlaps)) + ")")
    if len(card.overlaps):
        st.dataframe(card.overlaps, hide_index=True, width="stretch", column_config={
            "item_a": _("Indicator"), "item_b": _("Indicator"), "similarity": _("Similarity"),
            "shared_objectives": _("Shared objectives"), "reason": _("Reason")})
    r1, r2 = st.columns(2)
    with r1:
        widgets.counts_bar(card.readiness["tiers"], key=f"tiers.{set_id}", title=_("Tier mix"))
        st.metric(_("Indicators already naming migrants"), card.readiness["names_migrants"])
    with r2:
        widgets.counts_bar(card.readiness["custodians"], key=f"cust.{set_id}", title=_("Custodian agencies"))
    p1, p2 = st.columns(2)
    p1.metric(_("Gender-responsive (by sex, women, girls)"), len(card.principles["gender_responsive"]))
    p2.metric(_("Child-sensitive (by age, children)"), len(card.principles["child_sensitive"]))
    st.markdown("**" + _("Data readiness") + "**")
    ready_share = get_settings().data_ready_share
    st.caption(_("Data for at least {share} of the 193 Member States (setting INDICATORS_LAB_DATA_READY_SHARE): "
                 "from the newest data import, else the number the SDG metadata states. Split by migratory status: a "
                 "migratory dimension in the imported data, or the metadata naming it as available. Shares are "
                 "approximate.").format(share=format_percent(ready_share)))
    per_item, per_objective = act(cs.set_readiness, list(inside["item_key"]), min_share=ready_share)
    if len(per_objective):
        st.dataframe(per_objective, hide_index=True, width="stretch",
                     column_config={"objective": _("objective"),
                                    "data_for_half": _("with data for ≥ {share}").format(share=format_percent(ready_share)),
                                    "migratory_split": _("splittable by migratory status"),
                                    "not_ready": _("without enough data")})
    if len(per_item):
        named = per_item.merge(inside[["item_key", "code"]], left_on="item_id", right_on="item_key")
        named = named.assign(**{c: named[c].map(localise_source) for c in ("data_source", "migratory_source")})
        st.dataframe(named[["code", "data_share", "data_source", "migratory_split", "migratory_source"]],
                     hide_index=True, width="stretch",
                     column_config={"code": _("Code"),
                                    "data_share": st.column_config.NumberColumn(_("share of 193 (approx.)"), format="percent"),
                                    "data_source": _("data source"), "migratory_split": _("splittable by migratory status"),
                                    "migratory_source": _("source of the split")})

if part == "items":
    members = localise_brief(with_availability(members, "item_key", session=db))  # the brief's words, in this language
    for column in ("countries_metadata", "migration_metadata"):  # the brief's words, in this language
        members[column] = members[column].map(lambda value: _(value) if isinstance(value, str) and value else value)
    st.dataframe(members[["code", "title", "framework", "tier", *BRIEF_LABELS, "lock"]],
                 hide_index=True, width="stretch",
                 column_config={"code": _("Code"), "title": _("Title"), "framework": _("Framework"), "tier": _("Tier"),
                                **{k: _(v) for k, v in BRIEF_LABELS.items()}, "lock": _("lock")})
    if may_edit and len(members):
        labels = dict(zip(members["item_key"], members["code"] + " " + members["title"].str[:90]))
        chosen = st.selectbox(_("Indicator"), list(labels), format_func=labels.get)
        b1, b2, b3, b4 = st.columns(4)
        if b1.button(_("Lock in")):
            act(cs.set_lock, actor=actor, set_id=set_id, item_id=chosen, lock="in")
            done(_("Locked in: the optimiser will keep it."))
        if b2.button(_("Lock out")):
            act(cs.set_lock, actor=actor, set_id=set_id, item_id=chosen, lock="out")
            done(_("Locked out: the optimiser will leave it out."))
        if b3.button(_("Unlock")):
            act(cs.set_lock, actor=actor, set_id=set_id, item_id=chosen, lock="")
            done(_("Unlocked."))
        if b4.button(_("Remove")):
            act(cs.remove_items, actor=actor, set_id=set_id, item_ids=[chosen])
            done(_("Removed."))
    if may_edit:
        st.markdown("**" + _("Add indicators") + "** " + _("(those with accepted links, from every framework)"))
        pool = candidates[~candidates["item_key"].isin(members["item_key"])]
        options = dict(zip(pool["item_key"], pool["framework"] + " " + pool["code"] + " " + pool["title"].str[:90]))
        picked = st.multiselect(_("Search by code or words"), list(options), format_func=options.get)
        objectives = {o.number: o.label for o in list_objectives(session=db)}
        objective_choices = {None: "—", **objectives}
        number = st.selectbox(_("…or everything linked to an objective"), list(objective_choices),
                              format_func=objective_choices.__getitem__)
        if number:
            linked = links_for_objective(number, session=db, actor=actor)
            st.dataframe(linked[["framework", "code", "title", "grade"]], hide_index=True, width="stretch",
                         column_config={"framework": _("Framework"), "code": _("Code"), "title": _("Title"),
                                        "grade": _("Grade")})
        if st.button(_("Add"), type="primary", disabled=not picked and not number):
            ids = list(picked) + (cs.items_linked_to(number, session=db) if number else [])
            n = act(cs.add_items, actor=actor, set_id=set_id, item_ids=ids)
            done(ngettext("Added {n} indicator.", "Added {n} indicators.", n).format(n=n))

if part == "whatif":
    st.caption(_("Try adding, removing or swapping indicators: every score's change shows before you save."))
    outside = candidates[~candidates["item_key"].isin(inside["item_key"])]
    add_opts = dict(zip(outside["item_key"], outside["framework"] + " " + outside["code"] + " " + outside["title"].str[:80]))
    rem_opts = dict(zip(inside["item_key"], inside["code"] + " " + inside["title"].str[:80]))
    w1, w2 = st.columns(2)
    add = w1.multiselect(_("Add"), list(add_opts), format_func=add_opts.get, key=f"ilab.whatif.add.{set_id}")
    remove = w2.multiselect(_("Remove"), list(rem_opts), format_func=rem_opts.get, key=f"ilab.whatif.rem.{set_id}")
    if add or remove:
        w = read_or_act(cs.what_if, encoder, set_id, actor=actor, add=add, remove=remove, grade_weights=weights)
        st.dataframe(w.changes.assign(score=w.changes["score"].map(_)), hide_index=True, width="stretch",
                     column_config={"score": _("Score"), "before": _("Before"), "after": _("After"),
                                    "change": _("Change")})
        if len(w.coverage_change):
            st.markdown("**" + _("Coverage per objective that changes") + "**")
            st.dataframe(w.coverage_change, hide_index=True, width="stretch", column_config={
                "objective": _("Objective"), "before": _("Before"), "after": _("After"), "change": _("Change")})
        widgets.heatmap_grid(w.after.heatmap.rename(columns={**axis_labels(candidates), **axis_labels(inside)}), w.after.coverage,
                             key=f"heat.after.{set_id}", height=480)
        if may_edit and st.button(_("Save these changes"), type="primary"):
            act(cs.replace_members, actor=actor, set_id=set_id, add=add, remove=remove)
            done(_("Saved: {added} added, {removed} removed.").format(added=len(add), removed=len(remove)))

"""Mapping: a queue of items to decide, suggested GCM objectives with reasons; co-leads decide."""

import streamlit as st

from indicators_lab.mapping import links
from indicators_lab.catalogue.data import BRIEF_LABELS, availability_brief, brief_sentence, localise_brief, with_availability
from indicators_lab.catalogue.frameworks import list_frameworks, list_objectives
from indicators_lab.core.errors import UserError
from indicators_lab.core.i18n import N_, _, format_percent, ngettext
from indicators_lab.mapping.embeddings import TYPICAL_LOAD_TIME, must_load_model
from indicators_lab.mapping.evaluation import BULK_PRECISION, held_out
from indicators_lab.mapping.learning import DEFAULT_SUGGESTIONS, MAX_SUGGESTIONS, MIN_CHANCE, MIN_DECISIONS, calibrate, supported
from indicators_lab.mapping.links import GRADES
from indicators_lab.mapping.queue import ORDERS, framework_progress, item_after, next_item, review_queue
from indicators_lab.mapping.suggestions import REVIEW_STATES, filter_overview, item_overview, suggest
from indicators_lab.ui import state
from indicators_lab.core.access import can
from indicators_lab.ui.resources import act, get_encoder, page_session, read_or_act
from indicators_lab.ui.session import page_guard
from indicators_lab.ui.widgets import EncodingProgress, plain, show_text

# The services' keys, as the page shows them.
ORDER_LABELS = {"least certain first": N_("Least certain first"), "migration-specific first": N_("Migration-specific first"),
                "catalogue order": N_("Catalogue order")}
STATE_LABELS = {"unreviewed": N_("unreviewed"), "accepted": N_("accepted"), "rejected": N_("rejected")}
GRADE_LABELS = {"direct": N_("direct"), "partial": N_("partial"), "proxy": N_("proxy")}


def _grade(g: str) -> str:
    return _(GRADE_LABELS.get(g, g))


def _status(s: str) -> str:
    return _(STATE_LABELS.get(s, s))


def _pct(value: float) -> str:
    return format_percent(value)


db = page_session()
st.title(_("Mapping"))
actor = page_guard("views/mapping.py")
may_decide = can(actor, "mapping.decide")
st.caption(_(
    "Suggestions compare each item (with its context, e.g. its SDG target) with every objective's "
    "title, commitment and lettered actions, and learn a little from co-leads' one-by-one decisions "
    "on similar items (never from bulk accepts)."
))
state.show_flash(state.MAPPING_FLASH)

frameworks = [f for f in list_frameworks(session=db) if f.item_count]
by_key = {f.key: f for f in frameworks}
key = st.selectbox(_("Framework"), list(by_key), format_func=lambda k: by_key[k].name,
                   key=state.widget_key(state.MAPPING_FRAMEWORK))
objectives = {o.number: o for o in list_objectives(session=db)}

encoder = get_encoder()
progress = EncodingProgress(must_load_model(encoder), TYPICAL_LOAD_TIME)
K = MAX_SUGGESTIONS  # the most an item shows; how many it does depends on the fitted chance
result = read_or_act(suggest, encoder, key, actor=actor, top_k=K, progress=progress)
progress.clear()
done = framework_progress(session=db, actor=actor).set_index("framework")
mine_progress = done.loc[key] if key in done.index else None
estimate = read_or_act(held_out, encoder, key)
held = estimate.quality if estimate else None
decisions = links.decisions_frame(session=db)
calibration = calibrate(result, decisions)
use_chance = calibration is not None and calibration.useful
# As many suggestions per item as the evidence supports (their fitted chance), else the first three.
shown_table = supported(result, calibration)
overview = item_overview(shown_table)

c1, c2, c3, c4 = st.columns(4)
c1.metric(_("Items"), len(overview))
c2.metric(_("Decided one by one"), 0 if mine_progress is None else int(mine_progress["decided one by one"]),
          help=_("Items with an accepted or rejected link decided one by one; {n} more were decided only by bulk "
                 "accept.").format(n=0 if mine_progress is None else int(mine_progress["bulk only"])))
c3.metric(_("Remaining"), len(overview) if mine_progress is None else int(mine_progress["remaining"]))
c4.metric(
    _("Top suggestion right"),
    "–" if result.precision_at_1 is None else _pct(result.precision_at_1),
    help=_("Share of items decided one by one whose first suggestion (before their own decisions) was "
           "an accepted objective, on {n} items; bulk accepts are left out, since they "
           "only repeat the suggestions.").format(n=result.decided_items),
)
if result.precision_at_1 is not None:
    quality = _("Top suggestion right on {n} items decided one by one: {share}.").format(
        n=result.decided_items, share=_pct(result.precision_at_1))
else:
    quality = _("Top suggestion right on {n} items decided one by one.").format(n=result.decided_items)
if held:
    quality += " " + _("Held-out estimate from the labelled crosswalk (our own reading of the GCM, not official): "
                       "top-1 {top1}, top-3 {top3} on {n} held-out items.").format(
        top1=_pct(held.top1), top3=_pct(held.top3), n=held.n)
else:
    quality += " " + _("No labelled items of this framework to estimate from.")
if calibration:
    quality += " " + (_("Chance of acceptance: a logistic regression on {n} one-by-one decisions (out-of-fold Brier "
                        "{cv} against {raw} for the raw score; shown on each suggestion).") if use_chance else
                      _("Chance of acceptance: a logistic regression on {n} one-by-one decisions (out-of-fold Brier "
                        "{cv} against {raw} for the raw score; not better, so not shown).")).format(
        n=calibration.n, cv=f"{calibration.brier_cv:.3f}", raw=f"{calibration.brier_raw:.3f}")
else:
    quality += " " + _("A chance of acceptance is fitted once there are {n} one-by-one decisions, some accepted and "
                       "some rejected.").format(n=MIN_DECISIONS)
quality += " " + (_("Each item shows the suggestions whose chance is at least {floor}: always the first, at most {most}.")
                  .format(floor=_pct(MIN_CHANCE), most=MAX_SUGGESTIONS) if use_chance else
                  _("Each item shows its first {n} suggestions until the chance is shown.").format(n=DEFAULT_SUGGESTIONS))
st.caption(quality)

# ---------------------------------------------------------------- the queue
q1, q2 = st.columns([3, 2])
order = q1.radio(_("Next item to decide"), ORDERS, horizontal=True, key=state.widget_key(state.MAPPING_ORDER),
                 format_func=lambda o: _(ORDER_LABELS[o]) if o in ORDER_LABELS else o[:1].upper() + o[1:])
advance = q2.checkbox(_("Move to the next item after a decision"), value=True,
                      key=state.widget_key(state.MAPPING_ADVANCE))
queue = review_queue(result.table, order, decided=set(decisions["item_id"]))
all_ids = set(overview["item_id"])
current = state.get(state.MAPPING_CURRENT)
if current not in all_ids:
    current = next_item(queue, None)


def _decided(message: str) -> None:
    """After a decision: move on to the next queued item (not back to the first), then rerun."""
    if advance:
        state.put(state.MAPPING_CURRENT, item_after(queue, item_id))
    state.flash_and_rerun(state.MAPPING_FLASH, message)


review = st.container(border=True)

with st.expander(_("Bulk accept above a score")):
    top = result.table[(result.table["rank"] == 1) & (result.table["decision"] == "")]
    scores = top["model_score"]
    if scores.empty:
        st.write(_("Every item has a decision."))
    else:
        # The default: the lowest text score at which the held-out labelled first suggestions are
        # right nine times in ten; without labels (or no such score), the most certain tenth.
        lo, hi = round(float(scores.min()), 2), round(float(scores.max()), 2)
        measured = estimate.threshold_for() if estimate else None
        default = round(measured if measured is not None else float(scores.quantile(0.9)), 2)
        threshold = st.slider(_("Accept every undecided first suggestion whose text score is at least"),
                              lo, max(hi, lo + 0.01), min(max(default, lo), hi), 0.01)
        st.caption(_(
            "Text score: similarity of the item's own wording to the objective, without any boost from "
            "decisions on neighbours. Remaining first suggestions score {lo}–{hi}.").format(lo=f"{lo:.2f}", hi=f"{hi:.2f}")
            + " " + (_("The default ({default}) is the lowest score at which the held-out labelled first suggestions "
                       "are right at least {share} of the time.").format(default=f"{default:.2f}", share=_pct(BULK_PRECISION))
                     if measured is not None else
                     _("The default ({default}) takes the top tenth.").format(default=f"{default:.2f}")))
        if estimate:
            right, of = estimate.right_at_or_above(threshold)
            st.caption((_("On the held-out labelled items of this framework, {of} first suggestions score at least "
                          "{threshold}; {right} of them are right.") if of else
                        _("On the held-out labelled items of this framework, {of} first suggestions score at least "
                          "{threshold}.")).format(of=of, threshold=f"{threshold:.2f}", right=right))
        bulk_grade = st.selectbox(_("Grade"), GRADES, index=GRADES.index("partial"), key="ilab.mapping.bulk.grade",
                                  format_func=_grade)
        preview = links.bulk_accept_preview(top, threshold)
        st.write(_("This would make **{n}** links ({n} of {total} undecided items).").format(n=len(preview), total=len(top)))
        if len(preview):
            sample = preview.sample(min(10, len(preview)), random_state=0).sort_values("model_score", ascending=False)
            st.caption(_("A sample of {n}:").format(n=len(sample)) if len(sample) < len(preview) else _("All of them:"))
            st.dataframe(sample[["item_code", "item_title", "objective", "model_score", "reason_ref"]],
                         hide_index=True, width="stretch", column_config={
                             "item_code": _("Code"), "item_title": _("Title"), "objective": _("Objective"),
                             "model_score": st.column_config.NumberColumn(_("Text score"), format="%.2f"),
                             "reason_ref": _("Best match")})
        if use_chance and len(preview):
            st.caption(_("Fitted chance that a co-lead would accept them: {share} on average.").format(
                share=_pct(calibration.chance(result, preview).mean())))
        if may_decide and len(preview) and st.button(
                ngettext("Accept this {n} link", "Accept these {n} links", len(preview)).format(n=len(preview)),
                type="primary"):
            res = act(links.bulk_accept, actor=actor, rows=preview, grade=bulk_grade)
            state.flash_and_rerun(state.MAPPING_FLASH, ngettext(
                "Accepted {n} link as one batch (grade {grade}).", "Accepted {n} links as one batch (grade {grade}).",
                res.count).format(n=res.count, grade=_grade(bulk_grade)))
    batches = links.bulk_batches(session=db, actor=actor)
    for b in batches.itertuples():
        left, right = st.columns([5, 1])
        show_text(_("Bulk accept by {who}, {when}: {links} links, {standing} not undone").format(
            who=b.who, when=f"{b.when:%Y-%m-%d %H:%M}", links=b.links, standing=b.standing), left)
        if may_decide and b.standing and right.button(_("Undo batch"), key=f"ilab.map.ub.{b.batch}"):
            n = act(links.undo_batch, actor=actor, batch=b.batch)
            state.flash_and_rerun(state.MAPPING_FLASH, ngettext(
                "Undid {n} link of that bulk accept.", "Undid {n} links of that bulk accept.", n).format(n=n))

with st.expander(_("Browse all items"), expanded=False):
    f1, f2, f3 = st.columns([2, 3, 2])
    states = f1.multiselect(_("Show"), REVIEW_STATES, default=["unreviewed", "accepted", "rejected"],
                            format_func=_status)
    wanted = f2.multiselect(_("Suggested for objective"), list(objectives),
                            format_func=lambda n: objectives[n].label)
    min_score = f3.slider(_("Best score at least"), 0.0, 1.0, 0.0, 0.05)
    shown = filter_overview(overview, states=states, objectives=wanted, min_score=min_score)
    st.caption(_("{shown} of {total} items. Select a row to review it above.").format(shown=len(shown), total=len(overview)))
    shown = localise_brief(with_availability(shown, "item_id", session=db))  # the brief's words, in this language
    event = st.dataframe(
        shown[["code", "title", "state", "accepted", "suggestions", *BRIEF_LABELS]].assign(
            state=shown["state"].map(_status)),
        hide_index=True, width="stretch", on_select="rerun", selection_mode="single-row",
        column_config={"code": _("Code"), "title": st.column_config.TextColumn(_("Title"), width="large"),
                       "state": _("State"), "accepted": _("Accepted objectives"),
                       "suggestions": st.column_config.TextColumn(_("Suggested objectives (score)")),
                       **{k: _(v) for k, v in BRIEF_LABELS.items()}},
        key=f"ilab.mapping.table.{key}",
    )
    rows = event.selection.rows if event is not None else []
    pick = int(shown.iloc[rows[0]]["item_id"]) if rows and rows[0] < len(shown) else None
    if pick is not None and pick != state.get(state.MAPPING_PICK):  # a new pick, not the old one again
        state.put(state.MAPPING_PICK, pick)
        current = pick

if current is None:
    review.success(_("Every item of this framework has a decision."))
    st.stop()
state.put(state.MAPPING_CURRENT, current)
item_id = int(current)
item = overview[overview["item_id"] == item_id].iloc[0]
place = list(queue["item_id"]).index(item_id) + 1 if item_id in set(queue["item_id"]) else None

with review:
    st.caption(_("Item {place} of {total} in the queue ({order})").format(
        place=place, total=len(queue), order=_(ORDER_LABELS.get(order, order)).lower()) if place else
        _("Picked from the list ({state}); {total} items in the queue").format(state=_status(item["state"]), total=len(queue)))
    st.subheader(plain(f"{item['code']} {item['title']}"))
    st.caption(plain(brief_sentence(availability_brief([item_id], session=db).iloc[0])))
    mine = shown_table[shown_table["item_id"] == item_id]
    chances = mine["chance"] if use_chance else None
    for r in mine.itertuples():
        obj = objectives[r.objective]
        with st.container(border=True):
            head, score = st.columns([5, 1])
            head.markdown(f"**{r.rank}\\. {plain(obj.label)}**" + (f" — *{plain(_status(r.decision))}*" if r.decision else ""))
            score.metric(_("score"), f"{r.score:.2f}", label_visibility="collapsed")
            st.caption(_("Best match: {match}").format(match=plain(r.reason_ref)) + (
                " · " + _("chance a co-lead accepts: {share}").format(share=_pct(chances.loc[r.Index]))
                if chances is not None else ""))
            show_text(r.reason_text)
            if r.boost_reason:
                st.caption(plain(f"{'+' if r.boost > 0 else '−'}{abs(r.boost):.2f}: {r.boost_reason}"))
            if may_decide:
                a, b, c, d = st.columns([2, 3, 1, 1])
                grade = a.selectbox(_("Grade"), GRADES, key=f"ilab.map.g.{item_id}.{r.objective}", format_func=_grade)
                why = b.text_input(_("Rationale"), key=f"ilab.map.w.{item_id}.{r.objective}", max_chars=2000)
                action = r.reason_ref.split("(")[1].rstrip(")") if "(" in r.reason_ref else None
                if c.button(_("Accept"), key=f"ilab.map.a.{item_id}.{r.objective}", type="primary"):
                    act(links.decide, actor=actor, item_id=item_id, objective=int(r.objective),
                        status="accepted", grade=grade, rationale=why, action_letter=action,
                        score=float(r.score))
                    _decided(_("Accepted {code} → objective {number}.").format(code=item["code"], number=r.objective))
                if d.button(_("Reject"), key=f"ilab.map.r.{item_id}.{r.objective}"):
                    act(links.decide, actor=actor, item_id=item_id, objective=int(r.objective),
                        status="rejected", rationale=why, score=float(r.score))
                    _decided(_("Rejected {code} → objective {number}.").format(code=item["code"], number=r.objective))

    if may_decide:
        with st.form(f"ilab.map.manual.{item_id}"):
            st.markdown("**" + _("Add a link that was not suggested") + "**")
            m1, m2, m3 = st.columns([3, 1, 1])
            number = m1.selectbox(_("Objective"), list(objectives), format_func=lambda n: objectives[n].label)
            letter = m2.text_input(_("Action letter (optional)"), max_chars=2, placeholder=_("e.g. c"))
            grade = m3.selectbox(_("Grade"), GRADES, format_func=_grade)
            why = st.text_input(_("Rationale"), max_chars=2000)
            if st.form_submit_button(_("Add link")):
                try:
                    act(links.decide, actor=actor, item_id=item_id, objective=number, status="accepted",
                        grade=grade, rationale=why, action_letter=letter or None, origin="manual")
                    _decided(_("Linked {code} → objective {number}.").format(code=item["code"], number=number))
                except UserError as exc:
                    st.error(plain(exc))

    decided = [lk for lk in links.item_links(item_id, session=db, actor=actor) if lk.status != "undecided"]
    if decided:
        st.markdown("**" + _("Decisions on this item") + "**")
        for lk in decided:
            left, right = st.columns([5, 1])
            grade = f" ({_grade(lk.grade)})" if lk.grade else ""
            action = ", " + _("action {number}({letter})").format(number=lk.objective, letter=lk.action_letter) \
                if lk.action_letter else ""
            show_text(_("Objective {number}").format(number=lk.objective)
                      + f": {_status(lk.status)}{grade}{action} — {lk.decided_by}", left)
            if may_decide and right.button(_("Undo"), key=f"ilab.map.u.{lk.id}"):
                try:
                    act(links.undo, actor=actor, link_id=lk.id)
                    state.flash_and_rerun(state.MAPPING_FLASH, _("Undid the last change to objective {number}.").format(
                        number=lk.objective))
                except UserError as exc:
                    st.error(plain(exc))

    hist = links.history(item_id, session=db, actor=actor)
    with st.expander(ngettext("History ({n} change)", "History ({n} changes)", len(hist)).format(n=len(hist))):
        st.dataframe(hist.drop(columns=["link_id"]), hide_index=True, width="stretch")

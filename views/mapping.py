"""Mapping: a queue of items to decide, suggested GCM objectives with reasons; co-leads decide."""

import streamlit as st

from indicators_lab.mapping import links
from indicators_lab.catalogue.data import BRIEF_LABELS, availability_brief, brief_sentence, with_availability
from indicators_lab.catalogue.frameworks import list_frameworks, list_objectives
from indicators_lab.core.errors import UserError
from indicators_lab.mapping.embeddings import TYPICAL_LOAD_TIME, must_load_model
from indicators_lab.mapping.evaluation import held_out
from indicators_lab.mapping.learning import MIN_DECISIONS, calibrate
from indicators_lab.mapping.links import GRADES
from indicators_lab.mapping.queue import ORDERS, framework_progress, item_after, next_item, review_queue
from indicators_lab.mapping.suggestions import REVIEW_STATES, filter_overview, item_overview, suggest
from indicators_lab.ui import state
from indicators_lab.core.access import can
from indicators_lab.ui.resources import act, get_encoder, page_session, read_or_act
from indicators_lab.ui.session import page_guard
from indicators_lab.ui.widgets import EncodingProgress, plain, show_text

db = page_session()
st.title("Mapping")
actor = page_guard("views/mapping.py")
may_decide = can(actor, "mapping.decide")
st.caption(
    "Suggestions compare each item (with its context, e.g. its SDG target) with every objective's "
    "title, commitment and lettered actions, and learn a little from co-leads' one-by-one decisions "
    "on similar items (never from bulk accepts)."
)
state.show_flash(state.MAPPING_FLASH)

frameworks = [f for f in list_frameworks(session=db) if f.item_count]
by_key = {f.key: f for f in frameworks}
key = st.selectbox("Framework", list(by_key), format_func=lambda k: by_key[k].name,
                   key=state.widget_key(state.MAPPING_FRAMEWORK))
objectives = {o.number: o for o in list_objectives(session=db)}

encoder = get_encoder()
progress = EncodingProgress(must_load_model(encoder), TYPICAL_LOAD_TIME)
K = 3
result = read_or_act(suggest, encoder, key, actor=actor, top_k=K, progress=progress)
progress.clear()
overview = item_overview(result.table)
done = framework_progress(session=db, actor=actor).set_index("framework")
mine_progress = done.loc[key] if key in done.index else None
estimate = read_or_act(held_out, encoder, key)
held = estimate.quality if estimate else None
decisions = links.decisions_frame(session=db)
calibration = calibrate(result, decisions)
use_chance = calibration is not None and calibration.useful

c1, c2, c3, c4 = st.columns(4)
c1.metric("Items", len(overview))
c2.metric("Decided one by one", 0 if mine_progress is None else int(mine_progress["decided one by one"]),
          help="Items with an accepted or rejected link decided one by one; "
          f"{0 if mine_progress is None else int(mine_progress['bulk only'])} more were decided only by bulk accept.")
c3.metric("Remaining", len(overview) if mine_progress is None else int(mine_progress["remaining"]))
c4.metric(
    "Top suggestion right",
    "–" if result.precision_at_1 is None else f"{result.precision_at_1:.0%}",
    help="Share of items decided one by one whose first suggestion (before their own decisions) was "
    f"an accepted objective, on {result.decided_items} items; bulk accepts are left out, since they "
    "only repeat the suggestions.",
)
st.caption(
    f"Top suggestion right on {result.decided_items} items decided one by one"
    + (f": {result.precision_at_1:.0%}." if result.precision_at_1 is not None else ".")
    + (f" Held-out estimate from the labelled crosswalk (our own reading of the GCM, not official): "
       f"top-1 {held.top1:.0%}, top-3 {held.top3:.0%} on {held.n} held-out items."
       if held else " No labelled items of this framework to estimate from.")
    + (f" Chance of acceptance: a logistic regression on {calibration.n} one-by-one decisions "
       f"(out-of-fold Brier {calibration.brier_cv:.3f} against {calibration.brier_raw:.3f} for the raw score"
       + ("; shown on each suggestion)." if use_chance else "; not better, so not shown).")
       if calibration else f" A chance of acceptance is fitted once there are {MIN_DECISIONS} one-by-one "
       "decisions, some accepted and some rejected.")
)

# ---------------------------------------------------------------- the queue
q1, q2 = st.columns([3, 2])
order = q1.radio("Next item to decide", ORDERS, horizontal=True, key=state.widget_key(state.MAPPING_ORDER),
                 format_func=lambda o: o[:1].upper() + o[1:])
advance = q2.checkbox("Move to the next item after a decision", value=True,
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

with st.expander("Bulk accept above a score"):
    top = result.table[(result.table["rank"] == 1) & (result.table["decision"] == "")]
    scores = top["model_score"]
    if scores.empty:
        st.write("Every item has a decision.")
    else:
        # The default accepts only the most certain tenth of the remaining first suggestions.
        lo, hi = round(float(scores.min()), 2), round(float(scores.max()), 2)
        default = round(float(scores.quantile(0.9)), 2)
        threshold = st.slider("Accept every undecided first suggestion whose text score is at least",
                              lo, max(hi, lo + 0.01), min(max(default, lo), hi), 0.01)
        st.caption(
            "Text score: similarity of the item's own wording to the objective, without any boost from "
            f"decisions on neighbours. Remaining first suggestions score {lo:.2f}–{hi:.2f}; "
            f"the default ({default:.2f}) takes the top tenth."
        )
        if estimate:
            right, of = estimate.right_at_or_above(threshold)
            st.caption(
                f"On the held-out labelled items of this framework, {of} first suggestions score at least "
                f"{threshold:.2f}" + (f"; {right} of them are right." if of else ".")
            )
        bulk_grade = st.selectbox("Grade", GRADES, index=GRADES.index("partial"), key="ilab.mapping.bulk.grade")
        preview = links.bulk_accept_preview(top, threshold)
        st.write(f"This would make **{len(preview)}** links ({len(preview)} of {len(top)} undecided items).")
        if len(preview):
            sample = preview.sample(min(10, len(preview)), random_state=0).sort_values("model_score", ascending=False)
            st.caption(f"A sample of {len(sample)}:" if len(sample) < len(preview) else "All of them:")
            st.dataframe(sample[["item_code", "item_title", "objective", "model_score", "reason_ref"]],
                         hide_index=True, width="stretch", column_config={
                             "item_code": "Code", "item_title": "Title", "objective": "Objective",
                             "model_score": st.column_config.NumberColumn("Text score", format="%.2f"),
                             "reason_ref": "Best match"})
        if use_chance and len(preview):
            st.caption(f"Fitted chance that a co-lead would accept them: {calibration.chance(result, preview).mean():.0%} on average.")
        if may_decide and len(preview) and st.button(f"Accept these {len(preview)} links", type="primary"):
            res = act(links.bulk_accept, actor=actor, rows=preview, grade=bulk_grade)
            state.flash_and_rerun(state.MAPPING_FLASH, f"Accepted {res.count} links as one batch (grade {bulk_grade}).")
    batches = links.bulk_batches(session=db, actor=actor)
    for b in batches.itertuples():
        left, right = st.columns([5, 1])
        show_text(f"Bulk accept by {b.who}, {b.when:%Y-%m-%d %H:%M}: {b.links} links, {b.standing} not undone", left)
        if may_decide and b.standing and right.button("Undo batch", key=f"ilab.map.ub.{b.batch}"):
            n = act(links.undo_batch, actor=actor, batch=b.batch)
            state.flash_and_rerun(state.MAPPING_FLASH, f"Undid {n} links of that bulk accept.")

with st.expander("Browse all items", expanded=False):
    f1, f2, f3 = st.columns([2, 3, 2])
    states = f1.multiselect("Show", REVIEW_STATES, default=["unreviewed", "accepted", "rejected"])
    wanted = f2.multiselect("Suggested for objective", list(objectives),
                            format_func=lambda n: objectives[n].label)
    min_score = f3.slider("Best score at least", 0.0, 1.0, 0.0, 0.05)
    shown = filter_overview(overview, states=states, objectives=wanted, min_score=min_score)
    st.caption(f"{len(shown)} of {len(overview)} items. Select a row to review it above.")
    shown = with_availability(shown, "item_id", session=db)
    event = st.dataframe(
        shown[["code", "title", "state", "accepted", "suggestions", *BRIEF_LABELS]],
        hide_index=True, width="stretch", on_select="rerun", selection_mode="single-row",
        column_config={"code": "Code", "title": st.column_config.TextColumn("Title", width="large"),
                       "state": "State", "accepted": "Accepted objectives",
                       "suggestions": st.column_config.TextColumn("Suggested objectives (score)"), **BRIEF_LABELS},
        key=f"ilab.mapping.table.{key}",
    )
    rows = event.selection.rows if event is not None else []
    pick = int(shown.iloc[rows[0]]["item_id"]) if rows and rows[0] < len(shown) else None
    if pick is not None and pick != state.get(state.MAPPING_PICK):  # a new pick, not the old one again
        state.put(state.MAPPING_PICK, pick)
        current = pick

if current is None:
    review.success("Every item of this framework has a decision.")
    st.stop()
state.put(state.MAPPING_CURRENT, current)
item_id = int(current)
item = overview[overview["item_id"] == item_id].iloc[0]
place = list(queue["item_id"]).index(item_id) + 1 if item_id in set(queue["item_id"]) else None

with review:
    st.caption(f"Item {place} of {len(queue)} in the queue ({order})" if place else
               f"Picked from the list ({item['state']}); {len(queue)} items in the queue")
    st.subheader(plain(f"{item['code']} {item['title']}"))
    st.caption(plain(brief_sentence(availability_brief([item_id], session=db).iloc[0])))
    mine = result.table[result.table["item_id"] == item_id]
    chances = calibration.chance(result, mine) if use_chance else None
    for r in mine.itertuples():
        obj = objectives[r.objective]
        with st.container(border=True):
            head, score = st.columns([5, 1])
            head.markdown(f"**{r.rank}\\. {plain(obj.label)}**" + (f" — *{plain(r.decision)}*" if r.decision else ""))
            score.metric("score", f"{r.score:.2f}", label_visibility="collapsed")
            st.caption(f"Best match: {plain(r.reason_ref)}" + (
                f" · chance a co-lead accepts: {chances.loc[r.Index]:.0%}" if chances is not None else ""))
            show_text(r.reason_text)
            if r.boost_reason:
                st.caption(plain(f"{'+' if r.boost > 0 else '−'}{abs(r.boost):.2f}: {r.boost_reason}"))
            if may_decide:
                a, b, c, d = st.columns([2, 3, 1, 1])
                grade = a.selectbox("Grade", GRADES, key=f"ilab.map.g.{item_id}.{r.objective}")
                why = b.text_input("Rationale", key=f"ilab.map.w.{item_id}.{r.objective}", max_chars=2000)
                action = r.reason_ref.split("(")[1].rstrip(")") if "(" in r.reason_ref else None
                if c.button("Accept", key=f"ilab.map.a.{item_id}.{r.objective}", type="primary"):
                    act(links.decide, actor=actor, item_id=item_id, objective=int(r.objective),
                        status="accepted", grade=grade, rationale=why, action_letter=action,
                        score=float(r.score))
                    _decided(f"Accepted {item['code']} → objective {r.objective}.")
                if d.button("Reject", key=f"ilab.map.r.{item_id}.{r.objective}"):
                    act(links.decide, actor=actor, item_id=item_id, objective=int(r.objective),
                        status="rejected", rationale=why, score=float(r.score))
                    _decided(f"Rejected {item['code']} → objective {r.objective}.")

    if may_decide:
        with st.form(f"ilab.map.manual.{item_id}"):
            st.markdown("**Add a link that was not suggested**")
            m1, m2, m3 = st.columns([3, 1, 1])
            number = m1.selectbox("Objective", list(objectives), format_func=lambda n: objectives[n].label)
            letter = m2.text_input("Action letter (optional)", max_chars=2, placeholder="e.g. c")
            grade = m3.selectbox("Grade", GRADES)
            why = st.text_input("Rationale", max_chars=2000)
            if st.form_submit_button("Add link"):
                try:
                    act(links.decide, actor=actor, item_id=item_id, objective=number, status="accepted",
                        grade=grade, rationale=why, action_letter=letter or None, origin="manual")
                    _decided(f"Linked {item['code']} → objective {number}.")
                except UserError as exc:
                    st.error(plain(exc))

    decided = [lk for lk in links.item_links(item_id, session=db, actor=actor) if lk.status != "undecided"]
    if decided:
        st.markdown("**Decisions on this item**")
        for lk in decided:
            left, right = st.columns([5, 1])
            grade = f" ({lk.grade})" if lk.grade else ""
            action = f", action {lk.objective}({lk.action_letter})" if lk.action_letter else ""
            show_text(f"Objective {lk.objective}: {lk.status}{grade}{action} — {lk.decided_by}", left)
            if may_decide and right.button("Undo", key=f"ilab.map.u.{lk.id}"):
                try:
                    act(links.undo, actor=actor, link_id=lk.id)
                    state.flash_and_rerun(state.MAPPING_FLASH, f"Undid the last change to objective {lk.objective}.")
                except UserError as exc:
                    st.error(plain(exc))

    hist = links.history(item_id, session=db, actor=actor)
    with st.expander(f"History ({len(hist)} changes)"):
        st.dataframe(hist.drop(columns=["link_id"]), hide_index=True, width="stretch")

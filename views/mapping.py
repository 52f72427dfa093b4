"""Mapping: suggested GCM objectives for each item, with reasons; co-leads decide."""

import streamlit as st

from indicators_lab.mapping import links
from indicators_lab.catalogue.availability import metadata_badges
from indicators_lab.catalogue.data import data_badges
from indicators_lab.catalogue.frameworks import list_frameworks, list_objectives
from indicators_lab.core.errors import UserError
from indicators_lab.mapping.embeddings import TYPICAL_LOAD_TIME, must_load_model
from indicators_lab.mapping.links import GRADES
from indicators_lab.mapping.suggestions import REVIEW_STATES, filter_overview, item_overview, suggest
from indicators_lab.ui import state
from indicators_lab.ui.resources import act, get_encoder, page_session
from indicators_lab.ui.session import require_signed_in
from indicators_lab.ui.widgets import EncodingProgress

db = page_session()
st.title("Mapping")
st.caption(
    "Suggestions compare each item (with its context, e.g. its SDG target) with every objective's "
    "title, commitment and lettered actions, and learn from co-leads' decisions on similar items."
)
actor = require_signed_in("co_lead")

state.show_flash(state.MAPPING_FLASH)

frameworks = [f for f in list_frameworks(session=db) if f.item_count]
by_key = {f.key: f for f in frameworks}
key = st.selectbox("Framework", list(by_key), format_func=lambda k: by_key[k].name,
                   key=state.widget_key(state.MAPPING_FRAMEWORK))
objectives = {o.number: o for o in list_objectives(session=db)}

encoder = get_encoder()
progress = EncodingProgress(must_load_model(encoder), TYPICAL_LOAD_TIME)
K = 3
result = act(suggest, encoder, key, top_k=K, progress=progress)
progress.clear()
overview = item_overview(result.table)

c1, c2, c3 = st.columns(3)
c1.metric("Items", len(overview))
c2.metric("Reviewed", int((overview["state"] != "unreviewed").sum()))
c3.metric(
    "Top suggestion right",
    "–" if result.precision_at_1 is None else f"{result.precision_at_1:.0%}",
    help="Share of items with an accepted link whose first suggestion (before their own decisions) "
    f"was an accepted objective; measured on {result.decided_items} decided items.",
)

f1, f2, f3 = st.columns([2, 3, 2])
states = f1.multiselect("Show", REVIEW_STATES, default=["unreviewed", "accepted", "rejected"])
wanted = f2.multiselect("Suggested for objective", list(objectives),
                        format_func=lambda n: objectives[n].label)
min_score = f3.slider("Best score at least", 0.0, 1.0, 0.0, 0.05)
shown = filter_overview(overview, states=states, objectives=wanted, min_score=min_score)
st.caption(f"{len(shown)} of {len(overview)} items. Select a row to review it.")
badges = metadata_badges(list(shown["item_id"]), session=db)
imported = data_badges(list(shown["item_id"]), session=db)
shown = shown.assign(data=[" · ".join(badges[int(i)]) if int(i) in badges else "" for i in shown["item_id"]],
                     imported=[imported.get(int(i), "") for i in shown["item_id"]])
event = st.dataframe(
    shown[["code", "title", "state", "accepted", "suggestions", "data", "imported"]],
    hide_index=True, width="stretch", on_select="rerun", selection_mode="single-row",
    column_config={"title": st.column_config.TextColumn(width="large"),
                   "suggestions": st.column_config.TextColumn("suggested objectives (score)"),
                   "data": st.column_config.TextColumn(
                       "data (metadata)", help="Countries stated · split by migratory status, from the official SDG metadata"),
                   "imported": st.column_config.TextColumn(
                       "data (imported)", help="Areas with data since 2015 in the newest data import, and whether it has a migratory-status dimension")},
    key=f"ilab.mapping.table.{key}",
)

with st.expander("Bulk accept above a score"):
    threshold = st.slider("Accept every undecided suggestion with score at least", 0.3, 1.0, 0.6, 0.01)
    bulk_grade = st.selectbox("Grade", GRADES, key="ilab.mapping.bulk.grade")
    rank1_only = st.checkbox("Only each item's first suggestion", value=True)
    candidates = result.table if not rank1_only else result.table[result.table["rank"] == 1]
    preview = links.bulk_accept_preview(candidates, threshold)
    st.write(f"This would accept **{len(preview)}** links:")
    st.dataframe(preview[["item_code", "item_title", "objective", "score", "reason_ref"]],
                 hide_index=True, width="stretch")
    if actor and len(preview) and st.button(f"Accept these {len(preview)} links", type="primary"):
        n = act(links.bulk_accept, actor=actor, rows=preview, grade=bulk_grade)
        state.flash_and_rerun(state.MAPPING_FLASH, f"Accepted {n} links.")

if shown.empty:
    st.stop()
rows = event.selection.rows if event is not None else []
st.divider()
# Labels from whole columns: two .iloc lookups per option cost ~0.3 s of every rerun.
labels = [f"{code} {title[:120]}" for code, title in zip(shown["code"], shown["title"])]
position = st.selectbox(
    "Item to review", range(len(shown)), index=rows[0] if rows else 0, format_func=labels.__getitem__,
)
item = shown.iloc[position]
item_id = int(item["item_id"])
st.subheader(f"{item['code']} {item['title']}")
mine = result.table[result.table["item_id"] == item_id]

for r in mine.itertuples():
    obj = objectives[r.objective]
    with st.container(border=True):
        head, score = st.columns([5, 1])
        head.markdown(f"**{r.rank}. {obj.label}**" + (f" — *{r.decision}*" if r.decision else ""))
        score.metric("score", f"{r.score:.2f}", label_visibility="collapsed")
        st.caption(f"Best match: {r.reason_ref}")
        st.text(r.reason_text)
        if actor:
            a, b, c, d = st.columns([2, 3, 1, 1])
            grade = a.selectbox("Grade", GRADES, key=f"ilab.map.g.{item_id}.{r.objective}")
            why = b.text_input("Rationale", key=f"ilab.map.w.{item_id}.{r.objective}", max_chars=2000)
            action = r.reason_ref.split("(")[1].rstrip(")") if "(" in r.reason_ref else None
            if c.button("Accept", key=f"ilab.map.a.{item_id}.{r.objective}", type="primary"):
                act(links.decide, actor=actor, item_id=item_id, objective=int(r.objective),
                             status="accepted", grade=grade, rationale=why, action_letter=action,
                             score=float(r.score))
                state.flash_and_rerun(state.MAPPING_FLASH, f"Accepted {item['code']} → objective {r.objective}.")
            if d.button("Reject", key=f"ilab.map.r.{item_id}.{r.objective}"):
                act(links.decide, actor=actor, item_id=item_id, objective=int(r.objective),
                             status="rejected", rationale=why, score=float(r.score))
                state.flash_and_rerun(state.MAPPING_FLASH, f"Rejected {item['code']} → objective {r.objective}.")

if actor:
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
                state.flash_and_rerun(state.MAPPING_FLASH, f"Linked {item['code']} → objective {number}.")
            except UserError as exc:
                st.error(str(exc))

decided = [lk for lk in links.item_links(item_id, session=db) if lk.status != "undecided"]
if decided:
    st.markdown("**Decisions on this item**")
    for lk in decided:
        left, right = st.columns([5, 1])
        grade = f" ({lk.grade})" if lk.grade else ""
        action = f", action {lk.objective}({lk.action_letter})" if lk.action_letter else ""
        left.write(f"Objective {lk.objective}: {lk.status}{grade}{action} — {lk.decided_by}")
        if actor and right.button("Undo", key=f"ilab.map.u.{lk.id}"):
            act(links.undo, actor=actor, link_id=lk.id)
            state.flash_and_rerun(state.MAPPING_FLASH, f"Undid the last change to objective {lk.objective}.")

hist = links.history(item_id, session=db)
with st.expander(f"History ({len(hist)} changes)"):
    st.dataframe(hist.drop(columns=["link_id"]), hide_index=True, width="stretch")

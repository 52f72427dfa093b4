"""Consultation: read the set under consultation in plain language and comment."""

import streamlit as st

from indicators_lab.consultation import rounds as con
from indicators_lab.catalogue.frameworks import list_objectives
from indicators_lab.core.errors import UserError
from indicators_lab.proposal.strategy import round_strategy
from indicators_lab.ui import state
from indicators_lab.ui.resources import act, page_session
from indicators_lab.ui.session import page_guard
from indicators_lab.ui.widgets import local_time, plain, show_text

db = page_session()
st.title("Consultation")
actor = page_guard("views/consultation.py")
state.show_flash(state.CONSULT_FLASH)

rounds = {r.id: r for r in con.open_rounds_for(actor, session=db)}
if not rounds:
    st.info("There is no consultation open for you right now.")
    st.stop()
rid = st.selectbox("Open consultation", list(rounds), format_func=lambda i: rounds[i].title,
                   key=state.widget_key(state.CONSULT_ROUND))
r = rounds[rid]
st.caption(f"Open until {local_time(r.closes_at)}. On {plain(r.subject)}"
           + (", with its indicators as they were when the round opened." if r.set_id else "."))
if r.purpose:
    show_text(r.purpose)


def done(message: str) -> None:
    state.flash_and_rerun(state.CONSULT_FLASH, message)


def show_thread(comments, key: str) -> None:
    """Comments as plain text (never HTML or Markdown), replies indented, with actions."""
    for c in comments:
        box = st.container(border=True)
        if c.parent_id:
            box.caption(f"↳ reply to comment {c.parent_id}")
        meta = plain(c.author_name) + (f", {plain(c.organisation)}" if c.organisation else "")
        meta += f" · {con.CONSTITUENCIES.get(c.constituency, c.constituency)} · {local_time(c.created_at)}"
        if c.stance:
            meta += f" · {con.STANCES[c.stance]}"
        if c.edited:
            meta += " · edited"
        box.caption(meta)
        if c.hidden:
            box.caption(f"Hidden: {plain(c.hidden_reason)}" if c.hidden_reason else "Hidden by the co-leads.")
        show_text(c.text, box)
        if c.ratings:
            box.caption(" · ".join(f"{k.replace('_', ' ')} {v}/5" for k, v in c.ratings.items()))
        if c.disposition:
            box.caption(f"Co-leads' answer: {con.DISPOSITIONS[c.disposition]}")
            show_text(c.response, box)
        a, b, e = box.columns(3)
        with a.popover("Reply"):
            text = st.text_area("Your reply", key=f"ilab.c.reply.{key}.{c.id}", max_chars=con.MAX_COMMENT)
            if st.button("Send reply", key=f"ilab.c.replyb.{key}.{c.id}"):
                try:
                    act(con.post_comment, actor=actor, round_id=rid, parent_id=c.id, text=text)
                    done("Your reply was posted.")
                except UserError as exc:
                    st.error(plain(exc))
        with b.popover("Report"):
            why = st.text_input("Why? (optional)", key=f"ilab.c.rep.{key}.{c.id}")
            if st.button("Report this comment", key=f"ilab.c.repb.{key}.{c.id}"):
                try:
                    act(con.report_comment, actor=actor, comment_id=c.id, reason=why)
                    done("Thank you: the co-leads will look at it.")
                except UserError as exc:
                    st.error(plain(exc))
        if c.mine:
            with e.popover("Edit"):
                text = st.text_area("Your comment", c.text, key=f"ilab.c.edit.{key}.{c.id}", max_chars=con.MAX_COMMENT)
                if st.button("Save", key=f"ilab.c.editb.{key}.{c.id}"):
                    try:
                        act(con.edit_comment, actor=actor, comment_id=c.id, text=text)
                        done("Your comment was updated.")
                    except UserError as exc:
                        st.error(plain(exc))


def comment_form(key: str, *, item_id=None, objective=None, stances=True, strategy=False) -> None:
    with st.form(f"ilab.c.form.{key}", clear_on_submit=True):
        stance = st.radio("Your view", ["", *con.STANCES], format_func=lambda s: con.STANCES.get(s, "No stance"),
                          horizontal=True) if stances else ""
        text = st.text_area("Your comment", max_chars=con.MAX_COMMENT)
        ratings = {}
        with st.expander("Optional ratings (1 = low, 5 = high)"):
            cols = st.columns(len(con.RATINGS))
            for col, name in zip(cols, con.RATINGS):
                value = col.selectbox(name.replace("_", " "), ["", 1, 2, 3, 4, 5], key=f"ilab.c.rt.{key}.{name}")
                if value != "":
                    ratings[name] = value
        if st.form_submit_button("Post comment", type="primary"):
            try:
                act(con.post_comment, actor=actor, round_id=rid, item_id=item_id, objective=objective,
                                 stance=stance, ratings=ratings, text=text, strategy=strategy)
                done("Your comment was posted.")
            except UserError as exc:
                st.error(plain(exc))


def strategy_part() -> None:
    """The version's strategy for improving disaggregated migration data, objective by objective:
    its indicators, whether each can be split by migratory status today, the gaps, the co-leads'
    proposed actions, and comments on them."""
    st.caption("For each GCM objective: can its indicators be split by migratory status today, what is missing, "
               "and what the co-leads propose to do about it (who, by when). Comment on an objective's strategy.")
    table = round_strategy(rid, session=db, actor=actor)
    objectives = {o.number: o for o in list_objectives(session=db)}
    gaps = table[table["gap"] != ""].groupby("objective").size().to_dict()
    number = st.selectbox("Objective", list(objectives), key="ilab.c.strategy.objective",
                          format_func=lambda n: objectives[n].label + (
                              f" ({gaps[n]} gap{'s' if gaps[n] != 1 else ''})" if gaps.get(n) else ""))
    for row in table[table["objective"] == number].itertuples():
        box = st.container(border=True)
        box.markdown("**" + (plain(f"{row.code} {row.title}") if row.key else "No indicator yet") + "**")
        if row.key:
            box.caption(plain(f"Split by migratory status today: {row.split_today} ({row.data})"))
        if row.gap:
            box.caption(plain(f"Gap: {row.gap}"))
        if row.action:
            box.caption("Proposed action:")
            show_text(row.action, box)
            who = " · ".join(x for x in (row.who and f"Who: {row.who}", row.by_when and f"By when: {row.by_when}") if x)
            if who:
                box.caption(plain(who))
        elif row.gap:
            box.caption("No action proposed yet.")
    show_thread(con.thread(actor=actor, round_id=rid, objective=number, strategy=True, session=db), f"s{number}")
    comment_form(f"s{number}", objective=number, strategy=True)


# A keyed control, not st.tabs: the part a person comments on stays selected after they post.
PARTS = {"items": "Indicators", "objectives": "Objectives", "set": "The set as a whole"}
if r.version is not None:  # a frozen version carries a disaggregation strategy
    PARTS["strategy"] = "Strategy for disaggregated data"
part = st.segmented_control("Comment on", list(PARTS), format_func=PARTS.get, default="items",
                            key=state.widget_key(state.CONSULT_PART)) or "items"
if part == "items":
    items = con.set_items(rid, session=db, actor=actor)
    if not items:
        st.info("This round is not about a particular set of indicators: comment on objectives or overall.")
    else:
        labels = {i["item_id"]: f"{i['code']} {i['title'][:110]}" for i in items}
        chosen = st.selectbox("Indicator", list(labels), format_func=labels.get)
        entry = next(i for i in items if i["item_id"] == chosen)
        st.info(plain(entry["help"]), icon=":material/help:")
        show_thread(con.thread(actor=actor, round_id=rid, item_id=chosen, session=db), f"i{chosen}")
        comment_form(f"i{chosen}", item_id=chosen)
elif part == "objectives":
    objectives = {o.number: o for o in list_objectives(session=db)}
    number = st.selectbox("Objective", list(objectives), format_func=lambda n: objectives[n].label)
    st.caption("Comment on how well the set covers this objective.")
    show_thread(con.thread(actor=actor, round_id=rid, objective=number, session=db), f"o{number}")
    comment_form(f"o{number}", objective=number)
elif part == "strategy" and "strategy" in PARTS:  # a round on a set has no strategy part
    strategy_part()
else:
    show_thread(con.thread(actor=actor, round_id=rid, whole_set=True, session=db), "set")
    comment_form("set")

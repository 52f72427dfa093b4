"""Comment-response matrix: every comment with its answer; answer, moderate, see themes."""

import plotly.graph_objects as go
import streamlit as st

from indicators_lab.consultation import rounds as con
from indicators_lab.consultation import matrix
from indicators_lab.core.errors import UserError
from indicators_lab.consultation.themes import themes
from indicators_lab.core.access import can
from indicators_lab.core.vocabulary import CONSTITUENCIES, plural
from indicators_lab.ui import state
from indicators_lab.ui.resources import act, get_encoder, page_session, read_or_act
from indicators_lab.ui.session import page_guard
from indicators_lab.ui.widgets import count_axis, plain, show_text

PAGE_SIZE = 50
db = page_session()
st.title("Comment-response matrix")
actor = page_guard("views/matrix.py")
can_answer = can(actor, "comments.answer")
state.show_flash(state.MATRIX_FLASH)

rounds = {r.id: r for r in con.list_rounds(session=db, actor=actor)}
if not rounds:
    st.info("No consultation rounds yet.")
    st.stop()
rid = st.selectbox("Round", list(rounds), format_func=lambda i: f"{rounds[i].title} ({rounds[i].status})")

f1, f2, f3, f4 = st.columns(4)
code = f1.text_input("Indicator code", placeholder="e.g. 10.7.1")
objective = f2.selectbox("Objective", [None, *range(1, 24)], format_func=lambda o: "All" if o is None else f"Objective {o}")
constituency = f3.selectbox("Constituency", [None, *con.CONSTITUENCIES],
                            format_func=lambda c: "All" if c is None else con.CONSTITUENCIES[c])
disposition = f4.selectbox("Answer", [None, "unanswered", *con.DISPOSITIONS],
                           format_func=lambda d: {None: "All", "unanswered": "Still unanswered"}.get(d) or con.DISPOSITIONS[d])
only_strategy = st.checkbox("Only comments on the disaggregation strategy",
                            help="Comments on a version's strategy for an objective (its gaps and proposed actions).")
filt = matrix.MatrixFilter(round_id=rid, indicator_code=code.strip() or None, objective=objective,
                           constituency=constituency, disposition=disposition, strategy=only_strategy)
_, unanswered = matrix.matrix_page(actor=actor, filt=matrix.MatrixFilter(round_id=rid, disposition="unanswered"), page_size=1, session=db)
page_no = st.session_state.get(state.widget_key(state.MATRIX_PAGE), 1)
rows, total = matrix.matrix_page(actor=actor, filt=filt, page=page_no, page_size=PAGE_SIZE, session=db)
pages = max(1, -(-total // PAGE_SIZE))
m1, m2, m3 = st.columns([1, 1, 2])
m1.metric("Comments shown", total)
m2.metric("Still unanswered (round)", unanswered)
m3.number_input(f"Page (of {pages})", 1, pages, key=state.widget_key(state.MATRIX_PAGE))
# What a co-lead reads and answers comes first; who and where after (the export keeps its order).
FIRST = ["comment", "disposition", "response"]
shown = rows[FIRST + [c for c in rows.columns if c not in FIRST and c != "round_id"]]
st.dataframe(shown, hide_index=True, width="stretch",
             column_config={"comment": st.column_config.TextColumn("Comment", width="large"),
                            "disposition": "Answer", "response": st.column_config.TextColumn("Response", width="medium"),
                            "comment_id": "No.", "reply_to": "Reply to", "created_at": "Posted", "author": "Author",
                            "organisation": "Organisation", "constituency": "Constituency", "framework": "Framework",
                            "indicator_code": "Indicator", "indicator_title": "Indicator title",
                            "objective": "Objective", "about": "About", "stance": "Stance", "hidden": "Hidden", "responder": "Answered by"})

if can_answer and len(rows):
    st.subheader("Answer or moderate a comment")
    ids = list(rows["comment_id"])
    cid = st.selectbox("Comment", ids, format_func=lambda i: f"#{i}: {rows.set_index('comment_id').loc[i, 'comment'][:100]}")
    current = rows.set_index("comment_id").loc[cid]
    show_text(current["comment"])
    with st.form(f"ilab.matrix.respond.{cid}"):
        keys = list(con.DISPOSITIONS)
        default = next((k for k, v in con.DISPOSITIONS.items() if v == current["disposition"]), keys[0])
        disp = st.selectbox("Disposition", keys, index=keys.index(default), format_func=con.DISPOSITIONS.get)
        text = st.text_area("Response", current["response"], max_chars=con.MAX_COMMENT)
        if st.form_submit_button("Save answer", type="primary"):
            try:
                act(con.respond, actor=actor, comment_id=int(cid), disposition=disp, text=text)
                state.flash_and_rerun(state.MATRIX_FLASH, f"Answered comment {cid}.")
            except UserError as exc:
                st.error(plain(exc))
    with st.form(f"ilab.matrix.moderate.{cid}"):
        hidden = bool(current["hidden"])
        reason = st.text_input("Reason (kept with the decision)")
        if st.form_submit_button("Restore" if hidden else "Hide"):
            try:
                act(con.moderate, actor=actor, comment_id=int(cid), hide=not hidden, reason=reason)
                state.flash_and_rerun(state.MATRIX_FLASH, f"Comment {cid} {'restored' if hidden else 'hidden'}.")
            except UserError as exc:
                st.error(plain(exc))

st.subheader("Participation")
part = matrix.participation(rid, session=db, actor=actor)
p1, p2 = st.columns(2)
for col, key, title in [(p1, "constituency", "Comments by constituency"), (p2, "objective", "Comments by objective")]:
    df = part[key]
    labels = [f"Objective {x}" if key == "objective" else str(x) for x in df[key]]
    fig = go.Figure(go.Bar(x=labels, y=df["comments"], marker_color="#2171b5"))
    fig.update_layout(height=300, title=title, margin={"l": 10, "r": 10, "t": 40, "b": 10}, xaxis={"type": "category"},
                      yaxis=count_axis(df["comments"].max() if len(df) else 0))
    col.plotly_chart(fig, width="stretch", key=f"part.{key}")
st.caption("Near-identical comments (a campaign) are counted once here.")

if can(actor, "themes.run"):
    st.subheader("Themes")
    t1, t2 = st.columns(2)
    theme_obj = t1.selectbox("Objective", [None, *range(1, 24)], format_func=lambda o: "Any objective" if o is None else f"Objective {o}",
                             key="ilab.matrix.theme.obj")
    if t2.button("Group comments by meaning"):
        try:
            found = read_or_act(themes, get_encoder(), actor=actor, round_id=rid, objective=theme_obj)
        except UserError as exc:
            st.info(plain(exc))
            found = []
        else:
            if not found:
                st.info("No comments to group, or no two comments close enough to form a theme.")
        for th in found:
            with st.container(border=True):
                st.markdown(f"**{plural(th.size, 'comment')}** from {plural(th.voices, 'distinct voice')}"
                            + (f" · {th.campaign_copies} near-identical copies (campaign)" if th.campaign_copies else ""))
                st.caption(", ".join(f"{plain(CONSTITUENCIES.get(k, k or 'Not given'))}: {v}" for k, v in th.constituencies.items()))
                show_text(th.representative)

st.subheader("Export")
e1, e2 = st.columns(2)
if e1.button("Prepare the matrix for download"):
    st.session_state["ilab.matrix.export"] = {"round": rid, **{
        fmt: matrix.export_bytes(actor=actor, round_id=rid, fmt=fmt, session=db) for fmt in ("xlsx", "csv")}}
ready = st.session_state.get("ilab.matrix.export")
if ready and ready["round"] == rid:
    e2.download_button("Download XLSX", ready["xlsx"], f"round_{rid}_matrix.xlsx")
    e2.download_button("Download CSV", ready["csv"], f"round_{rid}_matrix.csv", "text/csv")

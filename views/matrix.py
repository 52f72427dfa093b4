"""Comment-response matrix: every comment with its answer; answer, moderate, see themes."""

import plotly.graph_objects as go
import streamlit as st

from indicators_lab.consultation import rounds as con
from indicators_lab.consultation import matrix
from indicators_lab.consultation.languages import COMMENT_LANGUAGES
from indicators_lab.core.errors import UserError
from indicators_lab.consultation.themes import themes
from indicators_lab.core.access import can
from indicators_lab.core.i18n import N_, _, format_number, ngettext
from indicators_lab.ui import state
from indicators_lab.ui.resources import act, get_encoder, page_session, read_or_act
from indicators_lab.ui.session import page_guard
from indicators_lab.ui.widgets import count_axis, plain, show_text

PAGE_SIZE = 50
db = page_session()
st.title(_("Comment-response matrix"))
actor = page_guard("views/matrix.py")
can_answer = can(actor, "comments.answer")
state.show_flash(state.MATRIX_FLASH)

# Choice labels made in this run's language (a format_func may also be called outside the run).
ROUND_STATUS = {"open": _("open"), "closed": _("closed"), "not yet open": _("not yet open")}
constituency_names = {k: _(v) for k, v in con.CONSTITUENCIES.items()}
disposition_names = {k: _(v) for k, v in con.DISPOSITIONS.items()}
language_names = {k: _(v) for k, v in COMMENT_LANGUAGES.items()}
ALL = _("all")
N_("not given")  # the constituency label of comments without one (consultation.matrix, themes)

rounds = {r.id: r for r in con.list_rounds(session=db, actor=actor)}
if not rounds:
    st.info(_("No consultation rounds yet."))
    st.stop()
round_labels = {i: f"{r.title} ({ROUND_STATUS.get(r.status, r.status)})" for i, r in rounds.items()}
rid = st.selectbox(_("Round"), list(rounds), format_func=round_labels.__getitem__)

f1, f2, f3, f4, f5 = st.columns(5)
code = f1.text_input(_("Indicator code"), placeholder=_("e.g. 10.7.1"))
objective_labels = {None: ALL, **{o: _("Objective {n}").format(n=o) for o in range(1, 24)}}
objective = f2.selectbox(_("Objective"), list(objective_labels), format_func=objective_labels.__getitem__)
constituency_labels = {None: ALL, **constituency_names}
constituency = f3.selectbox(_("Constituency"), list(constituency_labels), format_func=constituency_labels.__getitem__)
disposition_labels = {None: ALL, "unanswered": _("Still unanswered"), **disposition_names}
disposition = f4.selectbox(_("Answer"), list(disposition_labels), format_func=disposition_labels.__getitem__)
language_labels = {None: ALL, **language_names}
language = f5.selectbox(_("Language of the comment"), list(language_labels), format_func=language_labels.__getitem__,
                        key="ilab.matrix.language",
                        help=_("Detected from each comment's text when it was posted or imported (offline). "
                               "Too short to tell: not determined."))
only_strategy = st.checkbox(_("Only comments on the disaggregation strategy"),
                            help=_("Comments on a version's strategy for an objective (its gaps and proposed actions)."))
filt = matrix.MatrixFilter(round_id=rid, indicator_code=code.strip() or None, objective=objective,
                           constituency=constituency, disposition=disposition, language=language,
                           strategy=only_strategy)
_rows, unanswered = matrix.matrix_page(actor=actor, filt=matrix.MatrixFilter(round_id=rid, disposition="unanswered"),
                                       page_size=1, session=db)
page_no = st.session_state.get(state.widget_key(state.MATRIX_PAGE), 1)
rows, total = matrix.matrix_page(actor=actor, filt=filt, page=page_no, page_size=PAGE_SIZE, session=db)
pages = max(1, -(-total // PAGE_SIZE))
m1, m2, m3 = st.columns([1, 1, 2])
m1.metric(_("Comments shown"), format_number(total))
m2.metric(_("Still unanswered (round)"), format_number(unanswered))
m3.number_input(_("Page (of {pages})").format(pages=pages), 1, pages, key=state.widget_key(state.MATRIX_PAGE))
# What a co-lead reads and answers comes first; who and where after (the export keeps its order).
FIRST = ["comment", "language", "disposition", "response"]
shown = rows[FIRST + [c for c in rows.columns if c not in FIRST and c != "round_id"]]
shown = shown.assign(language=shown["language"].map(lambda c: language_names.get(c, c)))
st.dataframe(shown, hide_index=True, width="stretch",
             column_config={"comment": st.column_config.TextColumn(_("Comment"), width="large"),
                            "language": _("Language"),
                            "disposition": _("Answer"), "response": st.column_config.TextColumn(_("Response"), width="medium"),
                            "comment_id": _("No."), "reply_to": _("Reply to"), "created_at": _("Posted"),
                            "author": _("Author"), "organisation": _("Organisation"), "constituency": _("Constituency"),
                            "framework": _("Framework"), "indicator_code": _("Indicator"),
                            "indicator_title": _("Indicator title"), "objective": _("Objective"), "about": _("About"),
                            "stance": _("Stance"),
                            "hidden": _("Hidden"), "responder": _("Answered by")})

if can_answer and len(rows):
    st.subheader(_("Answer or moderate a comment"))
    ids = list(rows["comment_id"])
    by_id = rows.set_index("comment_id")
    comment_labels = {i: f"#{i}: {by_id.loc[i, 'comment'][:100]}" for i in ids}
    cid = st.selectbox(_("Comment"), ids, format_func=comment_labels.__getitem__)
    current = by_id.loc[cid]
    show_text(current["comment"])
    with st.form(f"ilab.matrix.respond.{cid}"):
        keys = list(con.DISPOSITIONS)
        default = next((k for k, v in con.DISPOSITIONS.items() if v == current["disposition"]), keys[0])
        disp = st.selectbox(_("Disposition"), keys, index=keys.index(default), format_func=disposition_names.__getitem__)
        text = st.text_area(_("Response"), current["response"], max_chars=con.MAX_COMMENT)
        if st.form_submit_button(_("Save answer"), type="primary"):
            try:
                act(con.respond, actor=actor, comment_id=int(cid), disposition=disp, text=text)
                state.flash_and_rerun(state.MATRIX_FLASH, _("Answered comment {id}.").format(id=cid))
            except UserError as exc:
                st.error(plain(exc))
    with st.form(f"ilab.matrix.moderate.{cid}"):
        hidden = bool(current["hidden"])
        reason = st.text_input(_("Reason (kept with the decision)"))
        if st.form_submit_button(_("Restore") if hidden else _("Hide")):
            try:
                act(con.moderate, actor=actor, comment_id=int(cid), hide=not hidden, reason=reason)
                done = _("Comment {id} restored.") if hidden else _("Comment {id} hidden.")
                state.flash_and_rerun(state.MATRIX_FLASH, done.format(id=cid))
            except UserError as exc:
                st.error(plain(exc))

st.subheader(_("Participation"))
part = matrix.participation(rid, session=db, actor=actor)
p1, p2, p3 = st.columns(3)
part["constituency"] = part["constituency"].assign(constituency=part["constituency"]["constituency"].map(
    lambda label: _(label)))
part["language"] = part["language"].assign(language=part["language"]["language"].map(
    lambda c: language_names.get(c, c)))
for col, key, title in [(p1, "constituency", _("Comments by constituency")), (p2, "objective", _("Comments by objective")),
                        (p3, "language", _("Comments by language"))]:
    df = part[key]
    labels = [f"Objective {x}" if key == "objective" else str(x) for x in df[key]]
    fig = go.Figure(go.Bar(x=labels, y=df["comments"], marker_color="#2171b5"))
    fig.update_layout(height=300, title=title, margin={"l": 10, "r": 10, "t": 40, "b": 10}, xaxis={"type": "category"},
                      yaxis=count_axis(df["comments"].max() if len(df) else 0))
    col.plotly_chart(fig, width="stretch", key=f"part.{key}")
if len(part["language"]):
    st.caption(_("Comments per language: {counts}.").format(counts=", ".join(
        f"{name} {format_number(n)}" for name, n in zip(part["language"]["language"], part["language"]["comments"]))))
st.caption(_("Near-identical comments (a campaign) are counted once here."))

if can(actor, "themes.run"):
    st.subheader(_("Themes"))
    st.caption(_("Comments are grouped within each language, so no language's comments are lost in another's themes. "
                 "The shipped language model (all-MiniLM-L6-v2) was trained on English: themes of comments in other "
                 "languages are rougher; read those comments in the matrix too (filter by language above)."))
    t1, t2, t3 = st.columns(3)
    theme_objectives = {None: _("Any objective"), **{o: _("Objective {n}").format(n=o) for o in range(1, 24)}}
    theme_obj = t1.selectbox(_("Objective"), list(theme_objectives), format_func=theme_objectives.__getitem__,
                             key="ilab.matrix.theme.obj")
    theme_languages = {None: _("every language"), **language_names}
    theme_lang = t2.selectbox(_("Language of the comments"), list(theme_languages), format_func=theme_languages.__getitem__,
                              key="ilab.matrix.theme.lang")
    if t3.button(_("Group comments by meaning")):
        try:
            found = read_or_act(themes, get_encoder(), actor=actor, round_id=rid, objective=theme_obj,
                                language=theme_lang)
        except UserError as exc:
            st.info(plain(exc))
            found = []
        else:
            if not found:
                st.info(_("No comments to group, or no two comments close enough to form a theme."))
        current_language = None
        for th in found:
            if th.language != current_language:
                current_language = th.language
                count = sum(1 for t in found if t.language == th.language)
                st.markdown("**" + plain(language_names.get(th.language, th.language)) + "** · "
                            + ngettext("{n} theme", "{n} themes", count).format(n=count))
            with st.container(border=True):
                line = (ngettext("**{n} comment**", "**{n} comments**", th.size).format(n=th.size) + " · "
                        + ngettext("{n} distinct voice", "{n} distinct voices", th.voices).format(n=th.voices))
                if th.campaign_copies:
                    line += " · " + ngettext("{n} near-identical copy (campaign)", "{n} near-identical copies (campaign)",
                                             th.campaign_copies).format(n=th.campaign_copies)
                st.markdown(line)
                st.caption(", ".join(f"{plain(_(k))}: {v}" for k, v in th.constituencies.items()))
                show_text(th.representative)

st.subheader(_("Export"))
e1, e2 = st.columns(2)
export_language = language_labels[language] if language else None
if e1.button(_("Prepare the matrix for download") if not language
             else _("Prepare the matrix for download ({language} comments only)").format(language=export_language)):
    st.session_state["ilab.matrix.export"] = {"round": rid, "language": language, **{
        fmt: matrix.export_bytes(actor=actor, round_id=rid, fmt=fmt, language=language, session=db)
        for fmt in ("xlsx", "csv")}}
ready = st.session_state.get("ilab.matrix.export")
if ready and ready["round"] == rid and ready.get("language") == language:
    suffix = f"_{language}" if language else ""
    e2.download_button(_("Download XLSX"), ready["xlsx"], f"round_{rid}_matrix{suffix}.xlsx")
    e2.download_button(_("Download CSV"), ready["csv"], f"round_{rid}_matrix{suffix}.csv", "text/csv")

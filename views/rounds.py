"""Rounds: co-leads open, extend and close consultation rounds; offline template and import."""

from datetime import datetime, time, timedelta, timezone

import streamlit as st

from indicators_lab.sets import candidate_sets as cs
from indicators_lab.consultation import rounds as con
from indicators_lab.core.config import get_settings
from indicators_lab.core.errors import UserError
from indicators_lab.consultation.matrix import import_comments, template_xlsx
from indicators_lab.proposal.versions import list_versions
from indicators_lab.core.vocabulary import plural
from indicators_lab.ui import state
from indicators_lab.ui.resources import act, page_session, upload_limit_mb
from indicators_lab.ui.session import page_guard
from indicators_lab.ui.widgets import local_time, plain

db = page_session()
st.title("Consultation rounds")
actor = page_guard("views/rounds.py")
state.show_flash(state.ROUNDS_FLASH)

sets = {s.id: s.name for s in cs.list_sets(session=db, actor=actor)}
drafts = {v.number: v for v in list_versions(session=db, actor=actor) if not v.approved}
subjects = {**{("version", n): f"Version {n}: {v.set_name} (frozen {local_time(v.created_at)})" for n, v in reversed(drafts.items())},
            **{("set", i): f"Set '{name}' as it is now (its indicators are kept as they are when the round opens)"
               for i, name in sets.items()},
            ("none", None): "No indicators (a general consultation)"}
with st.expander("Open a new round", expanded=False):
    with st.form(state.form_key("rounds.new")):  # cleared after success only
        title = st.text_input("Title", max_chars=300)
        purpose = st.text_area("Purpose (shown to stakeholders)", max_chars=5000)
        subject = st.selectbox("Under consultation", list(subjects), format_func=subjects.get,
                               help="Participants see the indicators as they are when the round opens, even if the set "
                                    "changes later. Freeze a version on the Versions page to consult on it.")
        st.caption("Times are in UTC; everyone sees them in their own time zone.")
        c1, c2, c3, c4 = st.columns(4)
        today = datetime.now(timezone.utc).date()
        open_day = c1.date_input("Opens (UTC)", today)
        open_time = c2.time_input("at", time(0, 0))
        close_day = c3.date_input("Closes (UTC)", today + timedelta(days=30))
        close_time = c4.time_input("at ", time(23, 59))
        who = st.multiselect("Open to (empty = everyone)", list(con.CONSTITUENCIES), format_func=con.CONSTITUENCIES.get)
        threshold = st.number_input("Hide a comment after this many reports", 1, 50, 3)
        if st.form_submit_button("Open round", type="primary"):
            try:
                rid = act(con.create_round, actor=actor, title=title, purpose=purpose,
                    set_id=subject[1] if subject[0] == "set" else None,
                    version=subject[1] if subject[0] == "version" else None,
                    opens_at=datetime.combine(open_day, open_time, timezone.utc),
                    closes_at=datetime.combine(close_day, close_time, timezone.utc),
                    constituencies=who, report_threshold=int(threshold))
                state.clear_form("rounds.new")
                state.flash_and_rerun(state.ROUNDS_FLASH, f"Opened round {rid}: {' '.join(title.split())}.")
            except UserError as exc:
                st.error(plain(exc))

rounds = con.list_rounds(session=db, actor=actor)
if not rounds:
    st.info("No rounds yet.")
    st.stop()
for r in rounds:
    with st.container(border=True):
        st.markdown(f"**{plain(r.title)}** — *{r.status}*")
        st.caption(f"Round {r.id} · on {plain(r.subject)} · {local_time(r.opens_at)} → {local_time(r.closes_at)}"
                   + (" · open to: " + ", ".join(con.CONSTITUENCIES[c] for c in r.constituencies) if r.constituencies else ""))
        c1, c2, c3 = st.columns(3)
        extra = c1.number_input("Extend by days", 1, 365, 7, key=f"ilab.rounds.ext.{r.id}")
        if c1.button("Extend", key=f"ilab.rounds.extb.{r.id}"):
            act(con.set_round_close, actor=actor, round_id=r.id,
                                closes_at=max(r.closes_at, datetime.now(timezone.utc)) + timedelta(days=int(extra)))
            state.flash_and_rerun(state.ROUNDS_FLASH, f"Round {r.id} extended.")
        if r.status == "open" and c2.button("Close now", key=f"ilab.rounds.close.{r.id}"):
            act(con.close_round_now, actor=actor, round_id=r.id)
            state.flash_and_rerun(state.ROUNDS_FLASH, f"Round {r.id} closed.")
        c3.download_button("Offline template (XLSX)", template_xlsx(r.id, session=db, actor=actor), f"round_{r.id}_template.xlsx",
                           key=f"ilab.rounds.tpl.{r.id}")
        f = st.file_uploader("Import filled templates (CSV/XLSX)", type=["csv", "xlsx"], key=f"ilab.rounds.imp.{r.id}", max_upload_size=upload_limit_mb())
        if f is not None and st.button("Import", key=f"ilab.rounds.impb.{r.id}"):
            try:
                n = act(import_comments, actor=actor, data=f.getvalue(), filename=f.name, round_id=r.id,
                                    max_bytes=get_settings().max_upload_bytes)
                state.flash_and_rerun(state.ROUNDS_FLASH, f"Imported {plural(n, 'comment')} into round {r.id}.")
            except UserError as exc:
                st.error(f"Nothing was imported. {plain(exc)}")

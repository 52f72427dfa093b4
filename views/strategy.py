"""Strategy for improving disaggregated migration data: per objective, which indicators of a
version can be split by migratory status today, the gaps, and the co-leads' proposed actions."""

import streamlit as st

from indicators_lab.core.errors import UserError
from indicators_lab.core.exports import neutralise_frame
from indicators_lab.core.i18n import _, ngettext
from indicators_lab.proposal import versions as proposals
from indicators_lab.proposal.strategy import TITLE, localise, save_action, strategy_table
from indicators_lab.ui import state
from indicators_lab.ui.resources import act, page_session
from indicators_lab.core.access import can
from indicators_lab.ui.session import page_guard
from indicators_lab.ui.widgets import plain

db = page_session()
st.title(_(TITLE))
actor = page_guard("views/strategy.py")
st.caption(_(
    "IMRF Progress Declaration para 70(b). Split today: the imported data carry a migratory-status, citizenship "
    "or country-of-birth dimension, or the UN SDG metadata names the split as available (sources quoted). "
    "Proposed actions are kept per version; an approved version's strategy is closed."
))
state.show_flash(state.STRATEGY_FLASH)

versions = proposals.list_versions(session=db, actor=actor)
if not versions:
    st.info(_("No version has been frozen yet: freeze a candidate set on the Versions page first."))
    st.stop()
numbers = [v.number for v in versions]
number = st.selectbox(_("Version"), numbers, index=len(numbers) - 1,
                      format_func=lambda n: _("Version {number}").format(number=n))
v = proposals.visible_version(number, session=db, actor=actor)
table = strategy_table(v, session=db)
indicators = table[table["key"] != ""]
c1, c2, c3 = st.columns(3)
c1.metric(_("Indicator-objective pairs"), len(indicators))
c2.metric(_("Split by migratory status today"), int((indicators["split_today"] == "yes").sum()))
all_gaps = int((table["gap"] != "").sum())
c3.metric(_("Gaps with a proposed action"), int(((table["gap"] != "") & (table["action"] != "")).sum()),
          help=ngettext("of {n} gap", "of {n} gaps", all_gaps).format(n=all_gaps))
# The CSV keeps the service's English values and column names (as the annex does).
st.download_button(_("Download as CSV"), neutralise_frame(table).to_csv(index=False).encode("utf-8"), file_name=f"strategy_version_{number}.csv",
                   mime="text/csv")

for objective, rows in table.groupby("objective", sort=True):
    gaps = int((rows["gap"] != "").sum())
    said = int(rows["strategy_comments"].max())
    heard = ngettext(", {n} comment in consultation", ", {n} comments in consultation", said).format(n=said) \
        if said else ""
    with st.expander(_("Objective {number}: {title}").format(number=objective, title=plain(rows.iloc[0]["objective_title"]))
                     + " — " + ngettext("{n} gap", "{n} gaps", gaps).format(n=gaps) + heard):
        # The gaps and readings in the reader's language (the CSV above keeps the service's English).
        shown = localise(rows)[["code", "title", "split_today", "metadata", "data", "countries", "gap", "action", "who",
                                "by_when"]]
        st.dataframe(shown,
                     hide_index=True, width="stretch",
                     column_config={"code": _("code"), "title": _("title"), "split_today": _("split today"),
                                    "metadata": _("metadata"), "data": _("source"),
                                    "countries": _("countries with data"), "gap": _("gap"), "action": _("action"),
                                    "who": _("who"), "by_when": _("by when")})

if can(actor, "versions.freeze") and not v.approved:
    gaps = table[table["gap"] != ""]
    if len(gaps):
        st.subheader(_("Propose an action on a gap"))
        labels = {i: _("Objective {number}").format(number=r.objective) + ": "
                  + (f"{r.code} {r.title[:80]}" if r.key else _("no indicator"))
                  for i, r in gaps.iterrows()}
        with st.form("ilab.strategy.action"):
            pick = st.selectbox(_("Gap"), list(labels), format_func=labels.get)
            row = gaps.loc[pick]
            action = st.text_area(_("Proposed action"), value=row["action"], max_chars=5000)
            w1, w2 = st.columns(2)
            who = w1.text_input(_("Who"), value=row["who"], max_chars=300)
            by_when = w2.text_input(_("By when"), value=row["by_when"], max_chars=100)
            if st.form_submit_button(_("Save"), type="primary"):
                try:
                    act(save_action, actor=actor, version=number, objective=int(row["objective"]),
                        item_key=row["key"], action=action, who=who, by_when=by_when)
                    state.flash_and_rerun(state.STRATEGY_FLASH, _("Saved the proposed action."))
                except UserError as exc:
                    st.error(plain(exc))

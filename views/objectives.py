"""GCM objectives: title, commitment, lettered actions; and the guiding principles."""

import streamlit as st

from indicators_lab.catalogue.frameworks import list_objectives, list_principles
from indicators_lab.core.i18n import DEFAULT, _, current_locale
from indicators_lab.mapping.links import links_for_objective
from indicators_lab.ui import state
from indicators_lab.ui.resources import page_session
from indicators_lab.ui.session import page_guard
from indicators_lab.ui.widgets import plain

db = page_session()
st.title(_("GCM objectives"))
actor = page_guard("views/objectives.py")
if current_locale() != DEFAULT:
    # The sources hold no French or Spanish text of the Compact: never a machine guess as official text.
    st.info(_("The Global Compact's objectives, commitments, actions and guiding principles are shown in "
              "English, the official text in the shipped sources: no translation of them is available here."),
            icon=":material/translate:")

objectives = list_objectives(session=db)
by_number = {o.number: o for o in objectives}
labels = {n: o.label for n, o in by_number.items()}
number = st.selectbox(
    _("Objective"),
    options=list(by_number),
    format_func=labels.__getitem__,
    key=state.widget_key(state.OBJECTIVE_NUMBER),
)
obj = by_number[number]

st.header(_("Objective {number}").format(number=obj.number))
st.subheader(plain(obj.title))
if obj.text_incomplete:
    # The note on how the text was gathered is for maintainers (SOURCES.md), not for readers.
    st.warning(_("Part of this objective's text is missing here; read it in full in A/RES/73/195."),
               icon=":material/warning:")

st.markdown("**" + _("Commitment") + "**" + (" " + _("(para. {n})").format(n=obj.commitment_paragraph)
                                             if obj.commitment_paragraph else ""))
if obj.commitment:
    st.text(obj.commitment)
    st.caption(_("Source: Global Compact for Safe, Orderly and Regular Migration (A/RES/73/195)"))
else:
    st.text(_("Not available in the shipped sources."))

st.markdown("**" + _("Actions") + f"** ({len(obj.actions)})")
for a in obj.actions:
    st.markdown(f"**{obj.number}{plain(a.label)}**")
    st.text(a.text)
    if a.text_incomplete:
        st.caption(_("Part of this action's text is missing here."))

linked = links_for_objective(obj.number, session=db, actor=actor)
st.markdown("**" + _("Linked indicators") + "** (" + _("{n}, from every framework").format(n=len(linked)) + ")")
if len(linked):
    st.dataframe(linked, hide_index=True, width="stretch", column_config={
        "framework": _("Framework"), "code": _("Code"), "title": _("Title"), "grade": _("Grade"),
        "action": _("Action"), "rationale": _("Rationale"), "decided_by": _("Decided by")})
else:
    st.caption(_("No accepted links yet: co-leads add them on the Mapping page."))

with st.expander(_("Guiding principles (A/RES/73/195, para. 15)")):
    for p in list_principles(session=db):
        st.markdown(f"**{plain(f'({p.code}) {p.name}')}**")
        st.text(p.text)

"""GCM objectives: title, commitment, lettered actions; and the guiding principles."""

import streamlit as st

from indicators_lab.catalogue.frameworks import list_objectives, list_principles
from indicators_lab.mapping.links import links_for_objective
from indicators_lab.ui import state
from indicators_lab.ui.resources import page_session
from indicators_lab.ui.session import page_guard
from indicators_lab.ui.widgets import plain

db = page_session()
st.title("GCM objectives")
actor = page_guard("views/objectives.py")

objectives = list_objectives(session=db)
by_number = {o.number: o for o in objectives}
number = st.selectbox(
    "Objective",
    options=list(by_number),
    format_func=lambda n: by_number[n].label,
    key=state.widget_key(state.OBJECTIVE_NUMBER),
)
obj = by_number[number]

st.header(f"Objective {obj.number}")
st.subheader(plain(obj.title))
if obj.text_incomplete:
    # The note on how the text was gathered is for maintainers (SOURCES.md), not for readers.
    st.warning("Part of this objective's text is missing here; read it in full in A/RES/73/195.",
               icon=":material/warning:")

st.markdown("**Commitment**" + (f" (para. {obj.commitment_paragraph})" if obj.commitment_paragraph else ""))
if obj.commitment:
    st.text(obj.commitment)
    st.caption("Source: Global Compact for Safe, Orderly and Regular Migration (A/RES/73/195)")
else:
    st.text("Not available in the shipped sources.")

st.markdown(f"**Actions** ({len(obj.actions)})")
for a in obj.actions:
    st.markdown(f"**{obj.number}{plain(a.label)}**")
    st.text(a.text)
    if a.text_incomplete:
        st.caption("Part of this action's text is missing here.")

linked = links_for_objective(obj.number, session=db, actor=actor)
st.markdown(f"**Linked indicators** ({len(linked)}, from every framework)")
if len(linked):
    st.dataframe(linked, hide_index=True, width="stretch")
else:
    st.caption("No accepted links yet: co-leads add them on the Mapping page.")

with st.expander("Guiding principles (A/RES/73/195, para. 15)"):
    for p in list_principles(session=db):
        st.markdown(f"**{plain(f'({p.code}) {p.name}')}**")
        st.text(p.text)

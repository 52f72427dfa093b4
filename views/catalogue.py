"""Catalogue: choose a framework, search and filter its items, read one item in full."""

import streamlit as st

from indicators_lab.catalogue.frameworks import (
    apply_filters,
    filter_options,
    get_item,
    items_frame,
    list_frameworks,
    search_items,
)
from indicators_lab.ui import state
from indicators_lab.ui.resources import page_session
from indicators_lab.ui.session import page_guard
from indicators_lab.ui.widgets import plain, show_text

FILTER_LABELS = {
    "goal": "SDG goal",
    "target": "SDG target",
    "tier": "Tier",
    "custodian": "Custodian agency",
    "domain": "10.7.2 domain",
    "dimension": "MGI dimension",
    "level": "Level",
}

db = page_session()
st.title("Catalogue")
page_guard("views/catalogue.py")

frameworks = list_frameworks(session=db)
by_key = {f.key: f for f in frameworks}
key = st.selectbox(
    "Framework",
    options=list(by_key),
    format_func=lambda k: f"{by_key[k].name} ({by_key[k].item_count} items)",
    key=state.widget_key(state.CATALOGUE_FRAMEWORK),
)
fw = by_key[key]
if fw.is_partial:
    st.warning(f"**Partial framework.** {plain(fw.gaps)}", icon=":material/warning:")
with st.expander("About this framework: source, licence, known gaps"):
    st.markdown(f"**Key:** {plain(fw.key)}")
    show_text(fw.description)
    st.markdown("**Source**")
    st.text(fw.source or "Imported by a user")
    st.markdown("**Licence**")
    st.text(fw.licence or "Not stated")
    if fw.gaps:
        st.markdown("**Known gaps**")
        st.text(fw.gaps)
    if "scoring" in fw.meta:
        st.markdown("**Scoring rules**")
        st.json(fw.meta["scoring"], expanded=False)

df = items_frame(key, session=db)
query = st.text_input(
    "Search by code or words", key=state.widget_key(state.CATALOGUE_QUERY),
    placeholder="e.g. 10.7 or remittance or migrant",
)
options = filter_options(df)
selected = {}
if options:
    cols = st.columns(len(options))
    for col, (name, values) in zip(cols, options.items()):
        selected[name] = col.multiselect(FILTER_LABELS.get(name, name), values, key=f"ilab.catalogue.filter.{key}.{name}")

shown = apply_filters(search_items(df, query), selected)
st.caption(f"{len(shown)} of {len(df)} items")
visible = [c for c in ["code", "title", "level", "tier", "custodian", "target", "domain", "dimension", "parent_code"]
           if c in shown and (shown[c] != "").any()]
event = st.dataframe(
    shown[visible],
    hide_index=True,
    width="stretch",
    on_select="rerun",
    selection_mode="single-row",
    column_config={"title": st.column_config.TextColumn("title", width="large")},
    key=f"ilab.catalogue.table.{key}",
)

rows = event.selection.rows if event is not None else []
if rows:
    code = shown.iloc[rows[0]]["code"]
    item = get_item(key, code, session=db)
    st.subheader(plain(f"{item['code']} {item['title']}"))
    if item.get("former_title"):
        st.caption(f"Former title: {plain(item['former_title'])}")
    if not item["in_current_version"]:
        st.warning("This item is no longer in the current version of the framework.")
    if item["description"]:
        show_text(item["description"])
    attrs = dict(item["attributes"] or {})
    if attrs:
        st.markdown("**Details**")
        st.dataframe(
            {"field": list(attrs), "value": [str(v) for v in attrs.values()]},
            hide_index=True, width="stretch",
        )
else:
    st.info("Select a row to see the item in full.", icon=":material/touch_app:")

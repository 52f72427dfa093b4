"""Catalogue: choose a framework, search and filter its items, read one item in full."""

import streamlit as st

from indicators_lab.catalogue.availability import metadata_availability
from indicators_lab.catalogue.data import with_availability
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

FIELD_NAMES = {"also_codes": "Also listed as", "custodians": "Custodian agencies", "partner": "Partner agencies",
               "target_titles": "SDG targets", "initial_tier": "Tier when first classified",
               "gender_specific_iaeg": "Gender-specific (IAEG-SDGs)", "gender_specific_unw": "Gender-specific (UN Women)"}


def _field_name(key: str) -> str:
    name = FIELD_NAMES.get(key) or key.replace("_", " ")
    return name[:1].upper() + name[1:]


def _plain(value) -> str:
    """A detail as people read it: lists joined, pairs as 'key: value', yes/no for flags."""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, dict):
        return "; ".join(f"{k}: {_plain(v)}" for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return ", ".join(_plain(v) for v in value)
    return str(value)


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
    st.caption(f"Short name in files and the command line: {plain(fw.key)}")
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
        rules = fw.meta["scoring"]
        if isinstance(rules, dict):
            st.dataframe({"Rule": [_field_name(k) for k in rules], "Value": [_plain(v) for v in rules.values()]},
                         hide_index=True, width="stretch")
        else:
            st.text(_plain(rules))

df = items_frame(key, session=db)
query = st.text_input(
    "Search by code or words", key=state.widget_key(state.CATALOGUE_QUERY),
    placeholder="e.g. 10.7 or remittances or migrant workers",
    help="Finds every word in the code, title, SDG target, description or domain, whatever the case, accents "
         "or word form (remittances finds remittance costs).",
)
options = filter_options(df)
selected = {}
if options:
    cols = st.columns(len(options))
    for col, (name, values) in zip(cols, options.items()):
        selected[name] = col.multiselect(FILTER_LABELS.get(name, name), values, key=f"ilab.catalogue.filter.{key}.{name}")

shown = apply_filters(search_items(df, query), selected)
st.caption(f"{len(shown)} of {len(df)} items")
visible = [c for c in ["code", "title", "matched", "level", "tier", "custodian", "target", "domain", "dimension",
                       "parent_code"] if c in shown and (shown[c] != "").any()]
if "attributes" in shown and any("metadata_coverage" in (a or {}) for a in shown["attributes"]):
    # The same brief as on the Mapping, Candidate sets and Optimise pages: metadata and imported data.
    shown = with_availability(shown, "id", session=db)
    visible += ["countries_metadata", "migration_metadata", "imported", "data_source"]
event = st.dataframe(
    shown[visible],
    hide_index=True,
    width="stretch",
    on_select="rerun",
    selection_mode="single-row",
    column_config={"code": "Code", "title": st.column_config.TextColumn("Title", width="large"),
                   "matched": "Matched in", "level": "Level", "tier": "Tier", "custodian": "Custodian",
                   "target": "SDG target", "domain": "Domain", "dimension": "Dimension", "parent_code": "Part of",
                   "countries_metadata": st.column_config.TextColumn(
                       "Countries (metadata)", help="Number of countries the official metadata states (quoted in the item's detail)."),
                   "migration_metadata": st.column_config.TextColumn(
                       "Migratory split (metadata)", help="What the metadata says about a split by migratory status, citizenship, country of birth or nationality."),
                   "imported": st.column_config.TextColumn(
                       "Data (imported)", help="Areas with a value since 2015 in the newest data import covering the indicator (Data availability page), and whether it has a migratory-status dimension."),
                   "data_source": "Data source"},
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
    attrs = {k: v for k, v in dict(item["attributes"] or {}).items() if v not in (None, "", [], {})}
    coverage = attrs.pop("metadata_coverage", None)
    if coverage:
        av = metadata_availability({"metadata_coverage": coverage})
        st.markdown("**Data availability (UN SDG global metadata)**")
        c1, c2 = st.columns(2)
        c1.metric("Countries stated", av.countries.label)
        c2.metric("Split by migratory status", av.migration_status)
        if av.countries.quote:
            st.caption("Countries, from the sentence:")
            st.text(av.countries.quote)
        for reading in av.migration:
            st.caption(plain(f"{reading.term}: {reading.status} (from the {reading.section} text):"))
            st.text(reading.quote)
        for rec in av.records:
            with st.expander(f"Metadata text as published: {plain(rec.part)}"):
                for label, text in (("Data availability", rec.data_availability),
                                    ("Disaggregation", rec.disaggregation), ("Text", rec.full_text)):
                    if text:
                        st.markdown(f"**{label}**")
                        st.text(text)
                if not rec.data_availability and not rec.full_text:
                    st.caption("Data availability: not stated in the metadata.")
                if not rec.disaggregation and not rec.full_text:
                    st.caption("Disaggregation: not stated in the metadata.")
                for lang, texts in rec.translations.items():
                    st.markdown(f"**{lang.upper()}**")
                    for text in texts.values():
                        if text:
                            st.text(text)
                st.caption(plain(f"Source: {rec.source}"))
    elif key == "sdg":
        st.caption("Data availability: the shipped metadata has no COVERAGE text for this indicator (not stated).")
    if attrs:
        st.markdown("**Details**")
        st.dataframe(
            {"Detail": [_field_name(k) for k in attrs], "Value": [_plain(v) for v in attrs.values()]},
            hide_index=True, width="stretch",
        )
else:
    st.info("Select a row to see the item in full.", icon=":material/touch_app:")

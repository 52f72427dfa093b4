"""Catalogue: choose a framework, search and filter its items, read one item in full."""

import streamlit as st

from indicators_lab.catalogue.availability import metadata_availability
from indicators_lab.catalogue.data import localise_brief, with_availability
from indicators_lab.catalogue.frameworks import (
    apply_filters,
    filter_options,
    get_item,
    items_frame,
    list_frameworks,
    search_items,
)
from indicators_lab.catalogue.translations import localise, translation
from indicators_lab.core.i18n import N_, _, current_locale, format_number, ngettext
from indicators_lab.ui import state
from indicators_lab.ui.resources import page_session
from indicators_lab.ui.session import page_guard
from indicators_lab.ui.widgets import plain, show_text

FILTER_LABELS = {
    "goal": N_("SDG goal"),
    "target": N_("SDG target"),
    "tier": N_("Tier"),
    "custodian": N_("Custodian agency"),
    "partner": N_("Partner agency"),
    "domain": N_("10.7.2 domain"),
    "dimension": N_("MGI dimension"),
    "level": N_("Level"),
}

FIELD_NAMES = {"also_codes": N_("Also listed as"), "custodians": N_("Custodian agencies"),
               "partner": N_("Partner agencies"), "target_titles": N_("SDG targets"),
               "initial_tier": N_("Tier when first classified"),
               "gender_specific_iaeg": N_("Gender-specific (IAEG-SDGs)"),
               "gender_specific_unw": N_("Gender-specific (UN Women)")}
# Where a search matched (catalogue.frameworks.SEARCH_FIELDS), as people read it.
# Sections of the metadata a reading comes from (catalogue.availability).
SECTION_NAMES = (N_("disaggregation"), N_("data availability"), N_("text"))
MATCHED_NAMES = {"code": N_("code"), "repeat code": N_("repeat code"), "title": N_("title"),
                 "former title": N_("former title"), "target": N_("target"), "description": N_("description"),
                 "domain": N_("domain")}


def _field_name(key: str) -> str:
    if key in FIELD_NAMES:
        return _(FIELD_NAMES[key])
    name = key.replace("_", " ")  # an imported file's own column name: shown as it is
    return name[:1].upper() + name[1:]


def _plain(value) -> str:
    """A detail as people read it: lists joined, pairs as 'key: value', yes/no for flags."""
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, dict):
        return "; ".join(f"{k}: {_plain(v)}" for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return ", ".join(_plain(v) for v in value)
    return str(value)


def _matched(value: str) -> str:
    return ", ".join(_(MATCHED_NAMES.get(part.strip(), part.strip())) for part in value.split(",") if part.strip())


db = page_session()
st.title(_("Catalogue"))
page_guard("views/catalogue.py")
lang = current_locale()

frameworks = list_frameworks(session=db)
by_key = {f.key: f for f in frameworks}
# Labels made now, in this run's language (a format_func may be called outside the run).
labels = {k: f.name + " (" + ngettext("{n} item", "{n} items", f.item_count).format(n=format_number(f.item_count)) + ")"
          for k, f in by_key.items()}
key = st.selectbox(
    _("Framework"),
    options=list(by_key),
    format_func=labels.__getitem__,
    key=state.widget_key(state.CATALOGUE_FRAMEWORK),
)
fw = by_key[key]
if fw.is_partial:
    st.warning("**" + _("Partial framework.") + f"** {plain(fw.gaps)}", icon=":material/warning:")
with st.expander(_("About this framework: source, licence, known gaps")):
    st.caption(_("Short name in files and the command line: {key}").format(key=plain(fw.key)))
    if lang != "en":
        st.caption(_("The framework's description, source and gaps are in English (no translation)."))
    show_text(fw.description)
    st.markdown("**" + _("Source") + "**")
    st.text(fw.source or _("Imported by a user"))
    st.markdown("**" + _("Licence") + "**")
    st.text(fw.licence or _("Not stated"))
    if fw.gaps:
        st.markdown("**" + _("Known gaps") + "**")
        st.text(fw.gaps)
    if "scoring" in fw.meta:
        st.markdown("**" + _("Scoring rules") + "**")
        rules = fw.meta["scoring"]
        if isinstance(rules, dict):
            st.dataframe({_("Rule"): [_field_name(k) for k in rules], _("Value"): [_plain(v) for v in rules.values()]},
                         hide_index=True, width="stretch")
        else:
            st.text(_plain(rules))

df = items_frame(key, session=db)
query = st.text_input(
    _("Search by code or words"), key=state.widget_key(state.CATALOGUE_QUERY),
    placeholder=_("e.g. 10.7 or remittances or migrant workers"),
    help=_("Finds every word in the code, title, SDG target, description or domain, whatever the case, accents "
           "or word form (remittances finds remittance costs), in English and in the French and Spanish titles."),
)
options = filter_options(df)
selected = {}
if options:
    cols = st.columns(len(options))
    for col, (name, values) in zip(cols, options.items()):
        selected[name] = col.multiselect(_(FILTER_LABELS[name]) if name in FILTER_LABELS else _field_name(name), values,
                                         key=f"ilab.catalogue.filter.{key}.{name}")

shown = localise(apply_filters(search_items(df, query), selected), lang)
st.caption(_("{shown} of {total} items").format(shown=format_number(len(shown)), total=format_number(len(df))))
untranslated = int((shown["title_language"] == "en").sum()) if lang != "en" else 0
if untranslated and untranslated == len(shown):
    st.caption(_("Titles are in English: the sources have no translation of this framework."))
elif untranslated:
    st.caption(ngettext("{n} title is in English (marked EN): the sources have no translation of it.",
                        "{n} titles are in English (marked EN): the sources have no translation of them.",
                        untranslated).format(n=untranslated))
    shown = shown.assign(title=[("[EN] " + t) if tl == "en" else t
                                for t, tl in zip(shown["title"], shown["title_language"])])
if "matched" in shown:
    shown = shown.assign(matched=shown["matched"].map(_matched))
visible = [c for c in ["code", "title", "matched", "level", "tier", "custodian", "target", "domain", "dimension",
                       "parent_code"] if c in shown and (shown[c] != "").any()]
if "attributes" in shown and any("metadata_coverage" in (a or {}) for a in shown["attributes"]):
    # The same brief as on the Mapping, Candidate sets and Optimise pages: metadata and imported data.
    shown = localise_brief(with_availability(shown, "id", session=db))  # the brief's words, in this language
    visible += ["countries_metadata", "migration_metadata", "imported", "data_source"]
event = st.dataframe(
    shown[visible],
    hide_index=True,
    width="stretch",
    on_select="rerun",
    selection_mode="single-row",
    column_config={"code": _("Code"), "title": st.column_config.TextColumn(_("Title"), width="large"),
                   "matched": _("Matched in"), "level": _("Level"), "tier": _("Tier"), "custodian": _("Custodian"),
                   "target": _("SDG target"), "domain": _("Domain"), "dimension": _("Dimension"),
                   "parent_code": _("Part of"),
                   "countries_metadata": st.column_config.TextColumn(
                       _("Countries (metadata)"),
                       help=_("Number of countries the official metadata states (quoted in the item's detail).")),
                   "migration_metadata": st.column_config.TextColumn(
                       _("Migratory split (metadata)"),
                       help=_("What the metadata says about a split by migratory status, citizenship, country of "
                              "birth or nationality.")),
                   "imported": st.column_config.TextColumn(
                       _("Data (imported)"),
                       help=_("Areas with a value since 2015 in the newest data import covering the indicator (Data "
                              "availability page), and whether it has a migratory-status dimension.")),
                   "data_source": _("Data source")},
    key=f"ilab.catalogue.table.{key}",
)

rows = event.selection.rows if event is not None else []
if rows:
    code = shown.iloc[rows[0]]["code"]
    item = get_item(key, code, session=db)
    attributes = dict(item["attributes"] or {})
    title = translation(attributes, "title", lang)
    st.subheader(plain(f"{item['code']} {title or item['title']}"))
    if title:
        st.caption(_("English title: {title}").format(title=plain(item["title"])))
    elif lang != "en":
        st.caption(_("Shown in English: the sources have no translation of this title."))
    target = translation(attributes, "target_title", lang)
    if target:
        st.caption(_("Target {code}: {title}").format(code=plain(attributes.get("target", "")), title=plain(target)))
    if item.get("former_title"):
        st.caption(_("Former title: {title}").format(title=plain(item["former_title"])))
    if not item["in_current_version"]:
        st.warning(_("This item is no longer in the current version of the framework."))
    if item["description"]:
        show_text(item["description"])
    attrs = {k: v for k, v in attributes.items() if v not in (None, "", [], {}) and k != "translations"}
    coverage = attrs.pop("metadata_coverage", None)
    if coverage:
        av = metadata_availability({"metadata_coverage": coverage})
        st.markdown("**" + _("Data availability (UN SDG global metadata)") + "**")
        if lang != "en":
            st.caption(_("The metadata is quoted as published (in English, with French or Spanish where published)."))
        c1, c2 = st.columns(2)
        c1.metric(_("Countries stated"), _(av.countries.label))
        c2.metric(_("Split by migratory status"), _(av.migration_status))
        if av.countries.quote:
            st.caption(_("Countries, from the sentence:"))
            st.text(av.countries.quote)
        for reading in av.migration:
            st.caption(_("{term}: {status} (from the {section} text):").format(
                term=plain(reading.term), status=_(reading.status), section=_(reading.section)))
            st.text(reading.quote)
        for rec in av.records:
            with st.expander(_("Metadata text as published: {part}").format(part=plain(rec.part))):
                for label, text in ((_("Data availability"), rec.data_availability),
                                    (_("Disaggregation"), rec.disaggregation), (_("Text"), rec.full_text)):
                    if text:
                        st.markdown(f"**{label}**")
                        st.text(text)
                if not rec.data_availability and not rec.full_text:
                    st.caption(_("Data availability: not stated in the metadata."))
                if not rec.disaggregation and not rec.full_text:
                    st.caption(_("Disaggregation: not stated in the metadata."))
                for code_, texts in rec.translations.items():
                    st.markdown(f"**{plain(code_.upper())}**")  # a key of the shipped metadata, shown as text
                    for text in texts.values():
                        if text:
                            st.text(text)
                st.caption(_("Source: {source}").format(source=plain(rec.source)))
    elif key == "sdg":
        st.caption(_("Data availability: the shipped metadata has no COVERAGE text for this indicator (not stated)."))
    if attrs:
        st.markdown("**" + _("Details") + "**")
        st.dataframe(
            {_("Detail"): [_field_name(k) for k in attrs], _("Value"): [_plain(v) for v in attrs.values()]},
            hide_index=True, width="stretch",
        )
else:
    st.info(_("Select a row to see the item in full."), icon=":material/touch_app:")

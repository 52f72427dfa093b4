"""Data availability: import a data extract, see per indicator how many countries have data and
whether the data can be split by migratory status."""

import streamlit as st

from indicators_lab.catalogue.data import SHARE_NOTE, apply_data_import, current_figures, list_imports, plan_data_import
from indicators_lab.catalogue.extracts import SINCE
from indicators_lab.core.config import get_settings
from indicators_lab.core.errors import UserError
from indicators_lab.core.i18n import _, format_number
from indicators_lab.ui import state
from indicators_lab.ui.resources import act, page_session
from indicators_lab.core.access import can
from indicators_lab.ui.session import page_guard
from indicators_lab.ui.widgets import plain

db = page_session()
settings = get_settings()
st.title(_("Data availability"))
actor = page_guard("views/data_availability.py")
st.markdown(_(
    "Import a **data extract** to count, per SDG indicator, the countries or areas with data: a UN SDG "
    "Global Database download (CSV or XLSX: *Indicator*, *GeoAreaCode*, *GeoAreaName*, *TimePeriod*, "
    "*Value*, dimension columns such as *[Sex]*) or an open-sdg national platform file "
    "(*indicator_8-8-1.csv*: *Year*, disaggregation columns, *Value*). A newer import replaces the "
    "figures of the indicators it covers; every import is kept with its date. Large extracts: use "
    "`python -m indicators_lab import-data PATH`."
))
st.caption(_(SHARE_NOTE))
state.show_flash(state.DATA_FLASH)

figures = current_figures(session=db)
imports = list_imports(session=db, actor=actor)
if imports:
    latest = imports[0]
    message = (_("Latest import: {file}, {when} UTC by {name} ({n} indicators).") if latest.imported_by
               else _("Latest import: {file}, {when} UTC ({n} indicators)."))
    st.info(message.format(file=plain(latest.filename), when=f"{latest.imported_at:%Y-%m-%d %H:%M}",
                           name=plain(latest.imported_by or ""), n=latest.indicators), icon=":material/event:")
if len(figures):
    shown = figures.assign(imported=figures["imported_at"].map(lambda t: f"{t:%Y-%m-%d}"))
    st.dataframe(
        shown[["code", "areas_since_2015", "areas_two_years", "share_approx", "median_latest_year",
               "dimensions", "migratory_dimensions", "imported", "filename"]],
        hide_index=True, width="stretch",
        column_config={
            "code": _("Code"),
            "areas_since_2015": st.column_config.NumberColumn(_("areas with data since {year}").format(year=SINCE)),
            "areas_two_years": st.column_config.NumberColumn(_("with ≥ 2 years (trend)")),
            "share_approx": st.column_config.NumberColumn(_("share of 193 (approx.)"), format="percent"),
            "median_latest_year": st.column_config.NumberColumn(_("median latest year"), format="%d"),
            "dimensions": _("dimensions"),
            "migratory_dimensions": _("migratory-status dimensions"),
            "imported": _("imported"), "filename": _("file"),
        },
    )
else:
    st.caption(_("No data extract has been imported yet."))

if not can(actor, "framework.import"):
    st.caption(_("Co-leads import data extracts here."))
    st.stop()

upload = st.file_uploader(_("Data extract"), type=["csv", "xlsx"])
c1, c2 = st.columns(2)
indicator = c1.text_input(_("Indicator code (open-sdg files whose name does not say it)"), max_chars=20)
area = c2.text_input(_("Reporting country (open-sdg files)"), max_chars=100)
if upload is not None and st.button(_("Check the file"), type="primary"):
    try:
        summary = plan_data_import(upload.getvalue(), upload.name, max_bytes=settings.max_extract_bytes,
                                   indicator=indicator.strip() or None, area=area.strip() or None, session=db)
        state.put(state.DATA_PLAN, summary)
    except UserError as exc:
        state.pop(state.DATA_PLAN)
        st.error(_("The file was not imported.") + " " + plain(exc), icon=":material/error:")

summary = state.get(state.DATA_PLAN)
if summary is not None:
    st.subheader(_("Preview"))
    st.markdown(f"**{plain(summary.filename)}** ({plain(summary.layout)}): " + _(
        "{read} rows read, {valued} with a value, {n} indicators. Nothing is stored until you confirm.").format(
        read=format_number(summary.rows_read), valued=format_number(summary.rows_with_value), n=len(summary.figures)))
    for note in summary.notes:
        st.caption(plain(note))
    st.dataframe(
        [{_("Code"): f.code, _("areas with data since {year}").format(year=SINCE): f.areas_since_2015,
          _("with ≥ 2 years (trend)"): f.areas_two_years, _("median latest year"): f.median_latest_year,
          _("dimensions"): ", ".join(d.name for d in f.dimensions),
          _("migratory-status dimensions"): ", ".join(f.migratory_dimensions)}
         for f in summary.figures.values()],
        hide_index=True, width="stretch")
    skip = False
    if summary.problem_count:
        st.warning(_("{n} rows have problems and would be left out (the first {listed} are listed).").format(
            n=format_number(summary.problem_count), listed=len(summary.problems)), icon=":material/warning:")
        st.dataframe([{_("row"): p.row, _("problem"): p.message} for p in summary.problems],
                     hide_index=True, width="stretch")
        skip = st.checkbox(_("Import without the rows listed"))
    b1, b2 = st.columns(2)
    if b1.button(_("Confirm import"), type="primary", disabled=bool(summary.problem_count) and not skip):
        try:
            act(apply_data_import, summary, actor=actor, skip_bad_rows=skip)
            state.pop(state.DATA_PLAN)
            state.flash_and_rerun(state.DATA_FLASH, _("Imported {file}: figures for {n} indicators.").format(
                file=plain(summary.filename), n=len(summary.figures)))
        except UserError as exc:
            st.error(plain(exc))
    if b2.button(_("Cancel")):
        state.pop(state.DATA_PLAN)
        st.rerun()

if imports:
    with st.expander(_("All imports ({n})").format(n=len(imports))):
        st.dataframe([{_("when"): f"{i.imported_at:%Y-%m-%d %H:%M}", _("file"): i.filename,
                       **({_("by"): i.imported_by} if i.imported_by else {}),
                       _("layout"): i.layout, _("rows read"): i.rows_read, _("rows used"): i.rows_used,
                       _("rows left out"): i.rows_skipped, _("indicators"): i.indicators} for i in imports],
                     hide_index=True, width="stretch")

"""Data availability: import a data extract, see per indicator how many countries have data and
whether the data can be split by migratory status."""

import streamlit as st

from indicators_lab.catalogue.data import SHARE_NOTE, apply_data_import, current_figures, list_imports, plan_data_import
from indicators_lab.catalogue.extracts import SINCE
from indicators_lab.core.config import get_settings
from indicators_lab.core.errors import UserError
from indicators_lab.ui import state
from indicators_lab.ui.resources import act, page_session
from indicators_lab.core.access import can
from indicators_lab.ui.session import page_guard
from indicators_lab.ui.widgets import plain
from indicators_lab.core.vocabulary import plural

db = page_session()
settings = get_settings()
st.title("Data availability")
actor = page_guard("views/data_availability.py")
st.markdown(
    "Import a **data extract** to count, per SDG indicator, the countries or areas with data: a UN SDG "
    "Global Database download (CSV or XLSX: *Indicator*, *GeoAreaCode*, *GeoAreaName*, *TimePeriod*, "
    "*Value*, dimension columns such as *[Sex]*) or an open-sdg national platform file "
    "(*indicator_8-8-1.csv*: *Year*, disaggregation columns, *Value*). A newer import replaces the "
    "figures of the indicators it covers; every import is kept with its date. Large extracts: use "
    "`python -m indicators_lab import-data PATH`."
)
st.caption(SHARE_NOTE)
state.show_flash(state.DATA_FLASH)

figures = current_figures(session=db)
imports = list_imports(session=db, actor=actor)
if imports:
    latest = imports[0]
    by = f" by {plain(latest.imported_by)}" if latest.imported_by else ""
    st.info(f"Latest import: {plain(latest.filename)}, {latest.imported_at:%Y-%m-%d %H:%M} UTC{by} "
            f"({plural(latest.indicators, 'indicator')}).", icon=":material/event:")
if len(figures):
    shown = figures.assign(imported=figures["imported_at"].map(lambda t: f"{t:%Y-%m-%d}"))
    st.dataframe(
        shown[["code", "areas_since_2015", "areas_two_years", "share_approx", "median_latest_year",
               "dimensions", "migratory_dimensions", "imported", "filename"]],
        hide_index=True, width="stretch",
        column_config={
            "areas_since_2015": st.column_config.NumberColumn(f"areas with data since {SINCE}"),
            "areas_two_years": st.column_config.NumberColumn("with ≥ 2 years (trend)"),
            "share_approx": st.column_config.NumberColumn("share of 193 (approx.)", format="percent"),
            "median_latest_year": st.column_config.NumberColumn("median latest year", format="%d"),
            "migratory_dimensions": "migratory-status dimensions",
        },
    )
else:
    st.caption("No data extract has been imported yet.")

if not can(actor, "framework.import"):
    st.caption("Co-leads import data extracts here.")
    st.stop()

upload = st.file_uploader("Data extract", type=["csv", "xlsx"])
c1, c2 = st.columns(2)
indicator = c1.text_input("Indicator code (open-sdg files whose name does not say it)", max_chars=20)
area = c2.text_input("Reporting country (open-sdg files)", max_chars=100)
if upload is not None and st.button("Check the file", type="primary"):
    try:
        summary = plan_data_import(upload.getvalue(), upload.name, max_bytes=settings.max_extract_bytes,
                                   indicator=indicator.strip() or None, area=area.strip() or None, session=db)
        state.put(state.DATA_PLAN, summary)
    except UserError as exc:
        state.pop(state.DATA_PLAN)
        st.error(f"The file was not imported. {plain(exc)}", icon=":material/error:")

summary = state.get(state.DATA_PLAN)
if summary is not None:
    st.subheader("Preview")
    st.markdown(f"**{plain(summary.filename)}** ({summary.layout}): {summary.rows_read:,} rows read, "
                f"{summary.rows_with_value:,} with a value, {plural(len(summary.figures), 'indicator')}. "
                "Nothing is stored until you confirm.")
    for note in summary.notes:
        st.caption(plain(note))
    st.dataframe(
        [{"code": f.code, "areas since 2015": f.areas_since_2015, "with ≥ 2 years": f.areas_two_years,
          "median latest year": f.median_latest_year, "dimensions": ", ".join(d.name for d in f.dimensions),
          "migratory-status dimensions": ", ".join(f.migratory_dimensions)}
         for f in summary.figures.values()],
        hide_index=True, width="stretch")
    skip = False
    if summary.problem_count:
        st.warning(f"{summary.problem_count:,} rows have problems and would be left out "
                   f"(the first {len(summary.problems)} are listed).", icon=":material/warning:")
        st.dataframe([{"row": p.row, "problem": p.message} for p in summary.problems],
                     hide_index=True, width="stretch")
        skip = st.checkbox("Import without the rows listed")
    b1, b2 = st.columns(2)
    if b1.button("Confirm import", type="primary", disabled=bool(summary.problem_count) and not skip):
        try:
            act(apply_data_import, summary, actor=actor, skip_bad_rows=skip)
            state.pop(state.DATA_PLAN)
            state.flash_and_rerun(state.DATA_FLASH, f"Imported {summary.filename}: figures for "
                                  f"{plural(len(summary.figures), 'indicator')}.")
        except UserError as exc:
            st.error(plain(exc))
    if b2.button("Cancel"):
        state.pop(state.DATA_PLAN)
        st.rerun()

if imports:
    with st.expander(f"All imports ({len(imports)})"):
        st.dataframe([{"when": f"{i.imported_at:%Y-%m-%d %H:%M}", "file": i.filename,
                       **({"by": i.imported_by} if i.imported_by else {}), "layout": i.layout, "rows read": i.rows_read, "rows used": i.rows_used,
                       "rows left out": i.rows_skipped, "indicators": i.indicators} for i in imports],
                     hide_index=True, width="stretch")

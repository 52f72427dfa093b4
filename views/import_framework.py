"""Import a framework: upload, preview what will be created, then confirm."""

import streamlit as st

from indicators_lab.catalogue.frameworks import framework_keys
from indicators_lab.core.config import get_settings
from indicators_lab.core.errors import UserError
from indicators_lab.core.i18n import _, ngettext
from indicators_lab.catalogue.importing import apply_import, plan_import
from indicators_lab.ui import state
from indicators_lab.ui.resources import act, page_session, upload_limit_mb
from indicators_lab.ui.session import page_guard
from indicators_lab.ui.widgets import plain

db = page_session()
settings = get_settings()
st.title(_("Import a framework"))
actor = page_guard("views/import_framework.py")
st.markdown(_(
    "Upload a **CSV** or **XLSX** file with one row per indicator and at least a **code** and a "
    "**title** column (also accepted: *indicator code*, *id*; *indicator*, *name*, *question*). "
    "Optional: *description*, *parent* (or *domain*, *dimension*), *level*, and the title in French or "
    "Spanish (*title_fr*, *title_es*); any other column is kept as a detail of the item. Limit: {mb} MB. "
    "Formulas are not run: XLSX cells are read as stored values.").format(mb=f"{settings.max_upload_mb:g}"))

done = state.pop(state.IMPORT_DONE)
if done:
    st.success(plain(done), icon=":material/check_circle:")

update = st.toggle(_("Update an existing framework (keeps every link already made)"))
if update:
    key = st.selectbox(_("Framework to update"), [k for k in framework_keys(session=db) if k != "gcm"])
    name = None
else:
    key = st.text_input(_("Key of the new framework"), placeholder=_("e.g. national-2025"), max_chars=64)
    name = st.text_input(_("Name"), placeholder=_("e.g. National SDG indicator framework 2025"))
upload = st.file_uploader(_("File"), type=["csv", "xlsx"], max_upload_size=upload_limit_mb())

if upload is not None and st.button(_("Check the file"), type="primary"):
    try:
        plan = plan_import(
            upload.getvalue(), upload.name, key=key or "", name=name, update=update,
            max_bytes=settings.max_upload_bytes, session=db)
        state.put(state.IMPORT_PLAN, plan)
    except UserError as exc:
        state.pop(state.IMPORT_PLAN)
        st.error(_("The file was not imported.") + " " + plain(exc), icon=":material/error:")

plan = state.get(state.IMPORT_PLAN)
if plan is not None:
    st.subheader(_("Preview"))
    st.markdown(_("This will **{summary}**. Nothing is stored until you confirm.").format(summary=plain(plan.summary())))
    st.caption(
        _("Columns used: {columns}").format(columns=", ".join(f"{f} ← '{plain(h)}'" for f, h in plan.columns.items()))
        + (("; " + _("kept as details: {columns}").format(columns=", ".join(plain(c) for c in plan.extra_columns)))
           if plan.extra_columns else "")
    )
    change = {"new": _("new"), "changed": _("changed"), "unchanged": _("unchanged")}
    preview = [
        {"code": r["code"], "title": r["title"], "parent": r["parent_code"] or "",
         "change": change["new"] if r["code"] in plan.creates
         else (change["changed"] if r["code"] in plan.updates else change["unchanged"])}
        for r in plan.rows[:500]
    ]
    st.dataframe(preview, hide_index=True, width="stretch", column_config={
        "code": _("Code"), "title": _("Title"), "parent": _("Part of"), "change": _("Change")})
    c1, c2 = st.columns(2)
    if c1.button(_("Confirm import"), type="primary"):
        try:
            total = act(apply_import, plan, actor=actor)
            state.pop(state.IMPORT_PLAN)
            state.put(state.IMPORT_DONE, _("Imported '{key}': {summary}.").format(key=plan.key, summary=plan.summary())
                      + " " + ngettext("It now has {n} item.", "It now has {n} items.", total).format(n=total))
            st.rerun()
        except UserError as exc:
            st.error(plain(exc))
    if c2.button(_("Cancel")):
        state.pop(state.IMPORT_PLAN)
        st.rerun()

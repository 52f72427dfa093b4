"""Made for a finger on a phone: the one place that styles Streamlit for touch (tap targets of at
least 44 px, as the common mobile guidelines ask; long words wrap instead of overflowing), and
the two small browser helpers of the comment form (a draft kept in the browser across a reload;
the comment just posted brought into view).

The helpers run in a same-origin frame of height 0 (like the sign-in cookie writer) and only
touch this app's own page: nothing of what a user typed is ever put into the HTML or script."""

from __future__ import annotations

import json
import secrets

import streamlit as st

MIN_TAP = 44  # px: WCAG 2.5.5 (AAA) and Apple's guideline; Material asks for 48 dp
DRAFT_PREFIX = "ilab.draft."  # localStorage keys of comment drafts (dropped at sign-out)

_CSS = f"""<style>
/* Every tap target of the page itself at least {MIN_TAP} px high (and wide, for icon buttons). */
[data-testid="stMain"] button,
[data-testid="stMain"] [data-testid="stPageLink"] a,
[data-testid="stMain"] [data-testid="stTextInputRootElement"],
[data-testid="stMain"] [data-baseweb="input"],
[data-testid="stMain"] [data-baseweb="select"] > div,
[data-testid="stMain"] summary {{ min-height: {MIN_TAP}px; }}
[data-testid="stMain"] button {{ min-width: {MIN_TAP}px; }}
[data-testid="stMain"] [data-testid="stTextInputRootElement"] {{ height: auto; }}
[data-testid="stMain"] input:not([type="checkbox"]):not([type="radio"]) {{ min-height: {MIN_TAP}px; }}
/* Codes, addresses and long words wrap rather than run off a narrow screen. */
[data-testid="stMain"] [data-testid="stMarkdownContainer"],
[data-testid="stMain"] [data-testid="stText"],
[data-testid="stMain"] [data-testid="stCaptionContainer"] {{ overflow-wrap: anywhere; }}
[data-testid="stMain"] [data-testid="stText"] {{ white-space: pre-wrap; }}
/* Link and button labels wrap onto a second line rather than end in "…" on a phone. */
[data-testid="stMain"] [data-testid="stPageLink"] a *,
[data-testid="stMain"] button [data-testid="stMarkdownContainer"] * {{
  white-space: normal; text-overflow: clip; overflow: visible; }}
/* The frames of the browser helpers below run unseen. */
[class*="st-key-ilab-script-"] {{ display: none; }}
/* Less empty space above the title on a phone, so the form or the first card is seen at once. */
@media (max-width: 640px) {{
  [data-testid="stMainBlockContainer"] {{ padding-top: 3.5rem; padding-left: 1rem; padding-right: 1rem; }}
  [data-testid="stMain"] h1 {{ font-size: 1.75rem; }}
}}
</style>"""


def touch_friendly() -> None:
    """Style this run's page for touch (app.py, once per run). The style element goes in the sidebar
    (it applies to the whole page from there): one more element at the top of the main area would
    shift every element of the page by one, and the mapping queue then lost a click."""
    st.sidebar.html(_CSS)


def _run(script: str) -> None:
    """Run ``script`` in a hidden frame of this origin (a new frame each time it changes); the
    frame takes no room on the page (its container is not displayed, which does not stop it)."""
    html = f"<script>{script}</script><!-- {secrets.token_hex(4)} -->"
    with st.container(key=f"ilab-script-{secrets.token_hex(4)}"):
        if hasattr(st, "iframe"):
            st.iframe(html, height="content")
        else:  # pragma: no cover - older Streamlit
            import streamlit.components.v1 as components

            components.html(html, height=0)


def keep_draft(key: str, *, label: str, within: str, forget: bool = False) -> None:
    """Keep what is typed in the comment box labelled ``label``, inside the container keyed
    ``within`` (the subject's form), in this browser's localStorage under ``key`` (person, round
    and subject), and put it back after a reload; ``forget`` drops it (the comment was posted).
    Drawn before the form, so a posted form's draft is gone first. Only that subject's box is
    watched: while a rerun replaces one subject's form by another's, the outgoing script never
    touches the incoming box (nor puts one subject's draft into another's)."""
    _run(f"""
const KEY = {json.dumps(DRAFT_PREFIX + key)}, LABEL = {json.dumps(label)}, FORGET = {json.dumps(forget)};
const WITHIN = {json.dumps(".st-key-" + within)};
const page = window.parent, store = page.localStorage;
if (FORGET) store.removeItem(KEY);
const setValue = Object.getOwnPropertyDescriptor(page.HTMLTextAreaElement.prototype, "value").set;
function watch() {{
  const box = page.document.querySelector(
    '[data-testid="stMain"] ' + WITHIN + ' [data-testid="stForm"] textarea[aria-label="' + LABEL + '"]');
  if (!box) return;
  if (box.dataset.ilabDraft !== KEY) {{
    box.dataset.ilabDraft = KEY;  // this box is kept under this key from now on
    delete box.dataset.ilabEmptied;
    box.addEventListener("input", () => {{
      if (box.dataset.ilabDraft !== KEY) return;
      // Kept at once, not at the next tick: a box typed in just before a rerun takes it away
      // (another part chosen) keeps its text for when the person comes back to that subject.
      if (box.value) {{ delete box.dataset.ilabEmptied; store.setItem(KEY, box.value); return; }}
      store.removeItem(KEY);  // emptied by the person: no draft left, and none put back
      box.dataset.ilabEmptied = "1";
    }});
  }}
  const saved = store.getItem(KEY);
  if (!box.value && saved && !FORGET && !box.dataset.ilabEmptied) {{
    // After a reload (also when Streamlit redraws the box empty while the page settles).
    setValue.call(box, saved);  // as if typed, so that Streamlit sends it with the form
    box.dispatchEvent(new Event("input", {{ bubbles: true }}));
  }} else if (box.value) {{
    store.setItem(KEY, box.value);  // also what was typed before this frame loaded
  }}
}}
watch();
setInterval(watch, 300);
""")


POSTED = '[data-testid="stAlertContentSuccess"]'  # the confirmation beside a comment just posted


def bring_into_view(selector: str = POSTED, *, block: str = "center") -> None:
    """Scroll the page so that the last element of the main area matching the CSS ``selector`` (a
    constant of ours, never user text) is in view: in the middle, or at the top (``block="start"``)."""
    _run(f"""
const find = () => [...window.parent.document.querySelectorAll(
  '[data-testid="stMain"] ' + {json.dumps(selector)})].pop();
for (const ms of [50, 400, 1000]) setTimeout(() => {{
  const el = find();
  if (el) el.scrollIntoView({{ block: {json.dumps(block)} }});
}}, ms);
""")

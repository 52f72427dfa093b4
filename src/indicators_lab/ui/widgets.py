"""Shared pictures and pickers (plotly figures drawn with st.plotly_chart), and the one way to
show text that a user or a file supplied (``plain`` / ``show_text``)."""

from __future__ import annotations

import re
import string

from typing import TYPE_CHECKING

import streamlit as st

from indicators_lab.core.i18n import _

if TYPE_CHECKING:  # pandas and plotly load with the first chart, not with every page (home needs neither)
    import pandas as pd

    from indicators_lab.sets.scoring import Scorecard

_ESCAPES = str.maketrans({ch: "\\" + ch for ch in string.punctuation})
# GFM turns bare addresses into links after the Markdown is parsed, so escapes do not stop it:
# an invisible word joiner inside "http://", "www." and before "@" does.
_AUTOLINK = re.compile(r"(?i)(https?|ftp|www|mailto)(?=[:.])|(?=@)")
WORD_JOINER = "\u2060"


def plain(text: object) -> str:
    """``text`` (typed by a user or read from a file) made safe to put in anything Streamlit renders
    as Markdown (st.markdown, captions, st.info/st.error, headers, widget, metric, expander and tab
    labels): every ASCII punctuation mark is backslash-escaped, so links, images, emphasis, HTML,
    ``:icons:`` and ``$maths$`` show as typed, and no address becomes a link. Options of a selectbox
    are not Markdown: pass them raw."""
    text = _AUTOLINK.sub(lambda m: (m.group(1) or "") + WORD_JOINER, " ".join(str(text).split()))
    return text.translate(_ESCAPES)


def show_text(text: object, container=None) -> None:
    """A block of user- or file-supplied text, shown exactly as typed (st.text: no Markdown, no HTML)."""
    (container or st).text(str(text))


GRADE_SCALE = [[0.0, "#dbe9f6"], [0.25, "#9ecae1"], [0.5, "#4292c6"], [1.0, "#08306b"]]


def coverage_heatmap(card: Scorecard, *, key: str, height: int | None = None) -> None:
    """Objectives × indicators, coloured by grade weight; uncovered objectives marked with ⚠."""
    heatmap_grid(card.heatmap, card.coverage, key=key, height=height)


def heatmap_grid(grid: pd.DataFrame, coverage: pd.DataFrame, *, key: str, height: int | None = None) -> None:
    if grid.shape[1] == 0:
        st.info(_("No indicators in this set yet."))
        return
    import plotly.graph_objects as go

    covered = coverage.set_index("objective")["coverage"]
    labels = [f"{'⚠ ' if covered[o] == 0 else ''}" + _("Obj {n}").format(n=o) for o in grid.index]
    fig = go.Figure(go.Heatmap(
        z=grid.values, x=[str(c) for c in grid.columns], y=labels, colorscale=GRADE_SCALE, zmin=0, zmax=1,
        hoverongaps=False, colorbar={"title": _("Grade"), "tickvals": [0.25, 0.5, 1], "ticktext": [_("proxy"), _("partial"), _("direct")]},
        hovertemplate="%{y} × %{x}: " + _("weight") + " %{z}<extra></extra>",
    ))
    fig.update_yaxes(autorange="reversed")
    fig.update_layout(height=height or 620, margin={"l": 10, "r": 10, "t": 10, "b": 10}, xaxis={"type": "category"})
    st.plotly_chart(fig, key=key, width="stretch")


def coverage_bars(card: Scorecard, *, key: str) -> None:
    import plotly.graph_objects as go

    cov = card.coverage
    colours = ["#c0392b" if c == 0 else "#2171b5" for c in cov["coverage"]]
    fig = go.Figure(go.Bar(x=[f"{o}" for o in cov["objective"]], y=cov["coverage"], marker_color=colours,
                           customdata=cov[["items", "action_share"]],
                           hovertemplate=_("Objective %{x}: coverage %{y:.2f}, %{customdata[0]} items, "
                                           "%{customdata[1]:.0%} of actions") + "<extra></extra>"))
    fig.update_layout(height=260, margin={"l": 10, "r": 10, "t": 10, "b": 10}, yaxis={"range": [0, 1], "title": _("Coverage")},
                      xaxis={"title": _("Objective"), "type": "category"})
    st.plotly_chart(fig, key=key, width="stretch")


def count_axis(largest) -> dict:
    """A plotly axis for counts: whole-number ticks only (no "0.5 comments")."""
    import math

    return {"dtick": max(1, math.ceil(float(largest or 0) / 5)), "tickformat": "d", "rangemode": "tozero"}


def counts_bar(counts: dict, *, key: str, title: str) -> None:
    if not counts:
        st.caption(_("None."))
        return
    import pandas as pd
    import plotly.graph_objects as go

    s = pd.Series(counts).sort_values()
    fig = go.Figure(go.Bar(x=s.values, y=[str(i) for i in s.index], orientation="h", marker_color="#2171b5"))
    fig.update_layout(height=max(160, 26 * len(s)), margin={"l": 10, "r": 10, "t": 30, "b": 10}, title=title,
                      xaxis=count_axis(s.max()))
    st.plotly_chart(fig, key=key, width="stretch")


def local_time(dt) -> str:
    """A UTC time shown in the viewer's own time zone (from the browser), with the zone named."""
    from zoneinfo import ZoneInfo

    from indicators_lab.core.i18n import DEFAULT, current_locale, format_datetime

    tz_name = getattr(st.context, "timezone", None) or "UTC"
    if not isinstance(tz_name, str):  # AppTest's context is a mock
        tz_name = "UTC"
    try:
        zone = ZoneInfo(tz_name)
    except Exception:  # an unknown zone name from the browser: fall back to UTC
        zone, tz_name = ZoneInfo("UTC"), "UTC"
    if dt.tzinfo is None:  # stored as UTC (SQLite gives it back without its zone)
        from datetime import timezone

        dt = dt.replace(tzinfo=timezone.utc)
    if current_locale() != DEFAULT:  # month names and order of the person's language
        return f"{format_datetime(dt, 'd MMM y HH:mm', tzinfo=zone)} ({tz_name})"
    return dt.astimezone(zone).strftime(f"%d %b %Y %H:%M ({tz_name})")


class EncodingProgress:
    """A ``(done, total)`` callback for services that may encode texts: first says the language
    model is loading (if it has to, with how long that takes), then shows a bar with counts.
    ``clear()`` removes both once the service returns."""

    def __init__(self, model_must_load: bool, typical_load_time: str) -> None:
        self._must_load = model_must_load
        self._load_time = typical_load_time
        self._notice = None
        self._bar = None

    def __call__(self, done: int, total: int) -> None:
        if total == 0:
            return
        if self._bar is None:
            if self._must_load:
                self._notice = st.info(
                    "Loading the language model (once per server start; it typically takes "
                    f"{self._load_time}), then encoding the new texts…", icon=":material/hourglass_top:")
            self._bar = st.progress(0.0)
        elif self._notice is not None:  # the first chunk is encoded: the model has loaded
            self._notice.empty()
            self._notice = None
        self._bar.progress(done / total, text=f"Encoding {done} of {total} new texts")

    def clear(self) -> None:
        for element in (self._notice, self._bar):
            if element is not None:
                element.empty()
        self._notice = self._bar = None

"""Showing a chart: with its Swedish text alternative, and readable in the viewer's theme.

Every page draws its Plotly figures through :func:`show` instead of ``st.plotly_chart``:

- the chart gets ``alt`` (a screen reader's description) from
  :func:`kompetens.present.chart_text.describe`, built from the figure's own data;
- in a dark theme (the browser's setting, or the one chosen in the app menu;
  ``st.context.theme.type``) the figure's background is transparent and its text, grid
  and value-label halos are light-on-dark. The figure object itself is not changed
  (pages cache figures), a dark copy of its spec is drawn instead.
"""

from __future__ import annotations

from typing import Any

import plotly.graph_objects as go
import streamlit as st

from kompetens.present.chart_text import describe

#: Colours on Streamlit's dark background (#0E1117 and its own dark greys).
DARK_TEXT = "#E6E6E6"
DARK_GRID = "#3A3F4B"
DARK_LINE = "#6B7080"
DARK_HALO = "0 0 3px #0E1117, 0 0 3px #0E1117, 0 0 3px #0E1117"
TRANSPARENT = "rgba(0,0,0,0)"


def dark_theme() -> bool:
    """Whether the viewer sees the dark theme (unknown before the browser said: light)."""
    theme = getattr(st.context, "theme", None)
    return getattr(theme, "type", None) == "dark"


def for_dark(fig: go.Figure) -> dict[str, Any]:
    """A copy of ``fig``'s spec that reads on a dark background (the figure is left as it is)."""
    spec = fig.to_dict()
    layout = spec.setdefault("layout", {})
    layout["paper_bgcolor"] = TRANSPARENT
    layout["plot_bgcolor"] = TRANSPARENT
    layout["font"] = {**layout.get("font", {}), "color": DARK_TEXT}
    for key, axis in list(layout.items()):
        if key.startswith(("xaxis", "yaxis")) and isinstance(axis, dict):
            axis["gridcolor"] = DARK_GRID
            axis["linecolor"] = DARK_LINE
            axis["tickcolor"] = DARK_LINE
    for annotation in layout.get("annotations", []):
        font = annotation.setdefault("font", {})
        font.setdefault("color", DARK_TEXT)
    for trace in spec.get("data", []):
        for part in ("line", "marker"):  # black (the current state's colour) vanishes on dark
            style = trace.get(part)
            if isinstance(style, dict) and str(style.get("color", "")).upper() == "#000000":
                style["color"] = DARK_TEXT
        textfont = trace.get("textfont")
        if isinstance(textfont, dict) and "shadow" in textfont:
            textfont["shadow"] = DARK_HALO
            textfont["color"] = DARK_TEXT
    legend = layout.get("legend")
    if isinstance(legend, dict):
        legend["bgcolor"] = TRANSPARENT
    return spec


def show(fig: go.Figure, **kwargs: Any):
    """``st.plotly_chart(fig, **kwargs)`` with a text alternative, in the viewer's theme.

    Returns what ``st.plotly_chart`` returns (the selection state for ``on_select``).
    """
    drawn: go.Figure | dict[str, Any] = for_dark(fig) if dark_theme() else fig
    return st.plotly_chart(drawn, alt=describe(fig), **kwargs)

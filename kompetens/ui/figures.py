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
from kompetens.present.formatting import plotly_text

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
    drawn = plain_texts(for_dark(fig) if dark_theme() else fig.to_dict())
    return st.plotly_chart(drawn, alt=describe(fig), **kwargs)


#: The trace fields that carry data (unit and area names): drawn as text, never as HTML.
DATA_TEXT_FIELDS = ("x", "y", "name", "text", "hovertext", "labels")


def plain_texts(spec: dict[str, Any]) -> dict[str, Any]:
    """``spec`` with every string in its traces' data fields escaped (``plotly_text``).

    Templates (``hovertemplate``, ``texttemplate``) keep their markup; the values they
    insert are escaped, so a unit named ``<a href=…>`` shows those characters.
    """
    for trace in spec.get("data", []):
        for field in DATA_TEXT_FIELDS:
            value = trace.get(field)
            if isinstance(value, str):
                trace[field] = plotly_text(value)
            elif value is not None and not isinstance(value, dict | bytes):
                try:
                    items = list(value)
                except TypeError:
                    continue
                if any(isinstance(v, str) for v in items):
                    trace[field] = [plotly_text(v) if isinstance(v, str) else v for v in items]
    return spec

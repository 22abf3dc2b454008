"""A chart's text alternative: a short Swedish summary of what the figure shows.

Screen readers cannot read a Plotly chart, and a reader who cannot tell its colours apart
misses what the lines say. :func:`describe` reads the figure's own data (the traces the
chart helpers in :mod:`kompetens.present.charts` build) and says, in one or two sentences,
what kind of chart it is and its extremes or its start and end:

    ``Stapeldiagram, 12 staplar: högst Ekskolan 92,0 %, lägst Björkskolan 55,0 %.``
    ``Linjediagram 2019–2025: Enheten från 70,0 % till 75,0 %. Streckad linje: mål.``

Values are the chart's own Swedish labels (value labels, hover texts) where it has them, so
a hidden value reads ``..`` here too and never as a number; otherwise they are formatted with
:func:`kompetens.present.formatting.fmt_number`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import plotly.graph_objects as go

from kompetens.present.formatting import fmt_number

HIDDEN = ".."
#: Series named in a line chart's summary; more are counted, not named.
MAX_SERIES = 5


def _as_list(values: Any) -> list:
    return [] if values is None else list(values)


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return None if math.isnan(value) else float(value)


def _texts(trace: Any, count: int) -> list[str] | None:
    """The trace's own Swedish value texts (value labels or hover texts), if it has one per point."""
    for attribute in ("text", "customdata"):
        values = _as_list(getattr(trace, attribute, None))
        if len(values) == count and all(isinstance(v, str) for v in values):
            return [v.strip() for v in values]
    return None


def _value_text(trace: Any, values: list, index: int) -> str:
    texts = _texts(trace, len(values))
    if texts is not None and texts[index]:
        return texts[index]
    number = _number(values[index])
    if number is None:
        return HIDDEN
    return fmt_number(number, 0 if abs(number) >= 100 or number.is_integer() else 1)


def _is_target(trace: Any) -> bool:
    """A target line: dashed and without hover (``charts`` draws targets that way)."""
    line = getattr(trace, "line", None)
    dash = getattr(line, "dash", None) if line is not None else None
    return dash == "dash" and getattr(trace, "hoverinfo", None) == "skip"


def _title(fig: go.Figure) -> str:
    title = fig.layout.title
    text = getattr(title, "text", None) if title is not None else None
    return f"{text}. " if text else ""


def _bars(fig: go.Figure, bars: Sequence[Any]) -> str:
    main = max(bars, key=lambda t: len(_as_list(t.x)))
    horizontal = getattr(main, "orientation", None) == "h"
    labels = _as_list(main.y if horizontal else main.x)
    values = _as_list(main.x if horizontal else main.y)
    if len(bars) > 1:  # stacked: the parts, and the bars they stack into
        parts = [str(t.name) for t in bars if t.name]
        return f"Staplat stapeldiagram, {len(labels)} staplar" + (
            f", delar: {', '.join(parts)}." if parts else "."
        )
    texts = _texts(main, len(values)) or [""] * len(values)
    # A hidden bar may be drawn with a stand-in length; its label says "..".
    numbers = [(None if texts[i] == HIDDEN else _number(v), i) for i, v in enumerate(values)]
    shown = [(v, i) for v, i in numbers if v is not None]
    text = f"Stapeldiagram, {len(labels)} staplar"
    if not shown:
        return text + ", alla värden dolda (..)."
    high = max(shown)[1]
    low = min(shown)[1]
    text += f": högst {labels[high]} {_value_text(main, values, high)}"
    if low != high:
        text += f", lägst {labels[low]} {_value_text(main, values, low)}"
    if hidden := len(numbers) - len(shown):
        text += f"; {hidden} dolda (..)"
    return text + "."


def _lines(fig: go.Figure, lines: Sequence[Any], target: bool) -> str:
    xs = [x for t in lines for x in _as_list(t.x)]
    span = f" {xs[0]}–{xs[-1]}" if xs and xs[0] != xs[-1] else ""
    parts = []
    for trace in lines[:MAX_SERIES]:
        values = _as_list(trace.y)
        points = [i for i, v in enumerate(values) if _number(v) is not None]
        name = str(trace.name) if trace.name else "Serien"
        if not points:
            parts.append(f"{name}: inga visade värden")
        elif len(points) == 1:
            parts.append(f"{name}: {_value_text(trace, values, points[0])}")
        else:
            first, last = points[0], points[-1]
            parts.append(
                f"{name} från {_value_text(trace, values, first)} ({_as_list(trace.x)[first]}) "
                f"till {_value_text(trace, values, last)} ({_as_list(trace.x)[last]})"
            )
    if len(lines) > MAX_SERIES:
        parts.append(f"och {len(lines) - MAX_SERIES} till")
    text = f"Linjediagram{span}: " + "; ".join(parts) + "."
    return text + (" Streckad linje: mål." if target else "")


def _facet_names(fig: go.Figure) -> list[str]:
    return [str(a.text) for a in fig.layout.annotations or () if getattr(a, "text", None)]


def describe(fig: go.Figure) -> str:
    """The figure in one or two Swedish sentences (see the module docstring)."""
    traces = list(fig.data)
    if not traces:
        return "Diagram utan data."
    kinds = {t.type for t in traces}
    if "heatmap" in kinds:
        heat = next(t for t in traces if t.type == "heatmap")
        rows, columns = len(set(_as_list(heat.y))), len(set(_as_list(heat.x)))
        return f"{_title(fig)}Värmekarta, {rows} rader och {columns} kolumner."
    bars = [t for t in traces if t.type == "bar"]
    if bars:
        target = any(_is_target(t) for t in traces) or bool(fig.layout.shapes)
        return _title(fig) + _bars(fig, bars) + (" Streckad linje: mål." if target else "")
    scatters = [t for t in traces if t.type == "scatter" and not _is_target(t)]
    target = any(_is_target(t) for t in traces)
    markers_only = scatters and all(getattr(t, "mode", None) == "markers" for t in scatters)
    if markers_only:
        count = sum(len(_as_list(t.x)) for t in scatters)
        axes = [
            getattr(getattr(axis, "title", None), "text", None)
            for axis in (fig.layout.xaxis, fig.layout.yaxis)
        ]
        against = f": {axes[1]} mot {axes[0]}" if all(axes) else ""
        return f"{_title(fig)}Punktdiagram, {count} punkter{against}."
    facets = _facet_names(fig)
    if len(facets) == len(scatters) > 1:  # small multiples: each panel's title has its latest value
        return (
            f"{_title(fig)}Linjediagram per {len(facets)} delar, senaste värden: "
            + "; ".join(facets)
            + "."
            + (" Streckad linje: mål." if target else "")
        )
    return _title(fig) + _lines(fig, scatters, target)

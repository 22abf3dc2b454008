"""One Plotly look for every chart in Kompetens (pages, briefs and exports).

Charts are built from *aggregated* frames handed over by the query layer
(one row per unit, area or period) — never from raw staff rows. Suppressed
values arrive as nulls with ``suppressed = True``; charts leave a gap and say
``..`` in the hover text rather than drawing a number that must not be seen.

Colours: the Okabe–Ito palette, which stays distinguishable for the common
forms of colour blindness; one colour per ARUBA phase.
"""

from __future__ import annotations

from collections.abc import Sequence

import plotly.graph_objects as go
import plotly.io as pio
import polars as pl

OKABE_ITO = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#56B4E9", "#CC79A7", "#F0E442", "#000000")

PHASE_COLOURS: dict[str, str] = {
    "current_state": "#000000",
    "attrahera": "#E69F00",
    "rekrytera": "#56B4E9",
    "utveckla": "#009E73",
    "behalla": "#0072B2",
    "avveckla": "#D55E00",
    "support_need": "#CC79A7",
}
TARGET_COLOUR = "#D55E00"
#: Published comparison lines on a trend (Kolada), by comparison kind: pages and briefs alike.
COMPARISON_LINE_STYLES: dict[str, dict] = {
    "national": {"color": "#555555", "dash": "dot", "width": 2},
    "municipality_group": {"color": "#CC79A7", "dash": "dashdot", "width": 2},
}
COMPARISON_LINE_DEFAULT = {"color": "#777777", "dash": "dash", "width": 2}
CONTEXT_GREY = "#8C8C8C"
#: Traffic-light colours (Okabe-Ito): bluish green, yellow, vermillion. Yellow and vermillion
#: differ in lightness too, so they stay apart for red-green colour-blind viewers (orange and
#: vermillion did not); the symbol (``core.labels.TARGET_STATUS_SYMBOLS``) goes with the colour.
STATUS_COLOURS = {"green": "#009E73", "yellow": "#F0E442", "red": "#D55E00", None: CONTEXT_GREY}

TEMPLATE_NAME = "kompetens"

pio.templates[TEMPLATE_NAME] = go.layout.Template(
    layout=go.Layout(
        # Swedish separators: decimal comma, (no-break) space for thousands.
        separators=",\u00a0",
        font={"family": "Source Sans Pro, Arial, sans-serif", "size": 15, "color": "#1F1F1F"},
        title={"font": {"size": 18}, "x": 0, "xanchor": "left"},
        colorway=list(OKABE_ITO),
        paper_bgcolor="white",
        plot_bgcolor="white",
        xaxis={
            "showgrid": False,
            "linecolor": "#BDBDBD",
            "ticks": "outside",
            "tickcolor": "#BDBDBD",
        },
        yaxis={"gridcolor": "#E6E6E6", "zeroline": False},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0},
        margin={"l": 10, "r": 10, "t": 50, "b": 10},
        hoverlabel={"font": {"size": 14}},
    )
)


#: The fixed scales of survey answers (registry units): bars and axes span the scale, not 0..max.
SCALES: dict[str, tuple[float, float]] = {"score_5": (1.0, 5.0), "score_100": (0.0, 100.0)}

#: A white halo around value labels, so a target line drawn behind them never crosses the digits.
LABEL_HALO = "0 0 3px white, 0 0 3px white, 0 0 3px white"


def _finite(values) -> list[float]:
    return [float(v) for v in values if v is not None and v == v]


def axis_format(unit: str, values=None) -> dict:
    """Plotly axis settings for an indicator unit; Swedish labels on a share axis.

    Plotly's own percent format writes ``80%`` (no space) and, with whole percent on a
    narrow range, the same label twice; a share axis gets tick values and Swedish
    texts (``80 %``, ``9,5 %``) from ``formatting.share_ticks`` over ``values`` (the
    numbers the axis must cover). Other units use the layout's Swedish separators.
    """
    if unit == "share":
        from kompetens.present.formatting import share_ticks

        # Nothing to show (every value hidden): 0–100 %, still in Swedish.
        shown = _finite(values or []) or [0.0, 1.0]
        tickvals, ticktext = share_ticks(min(shown), max(shown))
        return {"tickmode": "array", "tickvals": tickvals, "ticktext": ticktext}
    if unit in ("count", "fte"):
        return {"tickformat": ",.0f", "hoverformat": ",.1f" if unit == "fte" else ",.0f"}
    if unit == "score_5":
        return {"tickformat": ",.1f", "hoverformat": ",.2f"}
    return {"tickformat": ",.1f", "hoverformat": ",.1f"}


def bar_range(unit: str, values, target: float | None = None) -> list[float] | None:
    """The value axis of ranked bars: the survey's scale (1–5, 0–100), else zero to the top plus room.

    Bars of a 1–5 answer drawn from 0 all look alike; drawn from 1 the differences show.
    """
    shown = _finite([*list(values), target])
    if unit in SCALES:
        low, high = SCALES[unit]
        return [low, max([high, *shown])]
    if not shown:
        return None
    top = max(shown)
    return [min(0.0, *shown), top * 1.18 if top > 0 else 1.0]


def _hover_values(values: Sequence[float | None], unit: str) -> list[str]:
    from kompetens.present.formatting import fmt_value

    return [fmt_value(v, unit) for v in values]


def trend(
    frame: pl.DataFrame,
    *,
    x: str,
    y: str,
    unit: str,
    colour: str = OKABE_ITO[0],
    series: str | None = None,
    target: str | None = None,
    title: str | None = None,
    height: int = 360,
) -> go.Figure:
    """A line chart of one or more series over periods, with an optional target line.

    ``frame``: one row per period (and series). Nulls (suppressed or missing) break the line.
    """
    fig = go.Figure(layout={"template": TEMPLATE_NAME, "height": height, "title": title})
    groups = (
        frame.partition_by(series, maintain_order=True, as_dict=True) if series else {("",): frame}
    )
    for index, (key, part) in enumerate(groups.items()):
        name = str(key[0]) if series else (title or y)
        fig.add_trace(
            go.Scatter(
                x=part[x].to_list(),
                y=part[y].to_list(),
                mode="lines+markers",
                name=name,
                line={
                    "color": colour if not series else OKABE_ITO[index % len(OKABE_ITO)],
                    "width": 3,
                },
                customdata=_hover_values(part[y].to_list(), unit),
                hovertemplate="%{x}: %{customdata}<extra>" + name + "</extra>",
                connectgaps=False,
            )
        )
    if target and target in frame.columns and frame[target].drop_nulls().len():
        fig.add_trace(
            go.Scatter(
                x=frame[x].to_list(),
                y=frame[target].to_list(),
                mode="lines",
                name="Mål",
                line={"color": TARGET_COLOUR, "dash": "dash", "width": 2},
                hoverinfo="skip",
            )
        )
    covered = frame[y].to_list() + (
        frame[target].to_list() if target and target in frame.columns else []
    )
    fig.update_yaxes(**axis_format(unit, covered))
    fig.update_xaxes(type="category")
    return fig


def ranked_bars(
    frame: pl.DataFrame,
    *,
    label: str,
    value: str,
    unit: str,
    target: float | None = None,
    colour: str = OKABE_ITO[0],
    title: str | None = None,
    suppressed: str | None = "suppressed",
    highlight: str | None = None,
    key_column: str | None = None,
) -> go.Figure:
    """Horizontal bars sorted by value (suppressed units listed at the bottom as '..').

    The value axis spans the indicator's scale (``bar_range``: 1–5 for a survey
    answer) and its labels are Swedish. The dashed target line is drawn *behind*
    the bars, and value labels sit inside the bars' ends, so the line never covers
    a number. Each bar's ``customdata`` is its ``key_column`` value (a unit id, for
    click-through), else its label.
    """
    ordered = frame.sort(value, descending=False, nulls_last=False)
    labels = ordered[label].to_list()
    values = ordered[value].to_list()
    colours = [colour if lab != highlight else TARGET_COLOUR for lab in labels]
    text = _hover_values(values, unit)
    if suppressed and suppressed in ordered.columns:
        text = [".." if s else t for s, t in zip(ordered[suppressed].to_list(), text, strict=True)]
    axis_range = bar_range(unit, values, target)
    base = axis_range[0] if axis_range and unit in SCALES else 0
    fig = go.Figure(
        go.Bar(
            # On a scale (1–5) the bars start at its bottom, not at zero.
            x=[v - base if v is not None else 0 for v in values],
            base=base if base else None,
            y=labels,
            orientation="h",
            marker_color=colours,
            text=text,
            # Labels inside the bar's end (white), outside only when the bar is too short: a
            # target line behind the bars is then hidden wherever a label sits on a bar (also in
            # a brief's SVG, which draws no text shadow); outside labels get a white halo.
            textposition="auto",
            insidetextanchor="end",
            insidetextfont={"color": "white"},
            outsidetextfont={"color": "#1F1F1F", "shadow": LABEL_HALO},
            cliponaxis=False,
            customdata=ordered[key_column].to_list() if key_column else labels,
            hovertemplate="%{y}: %{text}<extra></extra>",
        ),
        layout={
            "template": TEMPLATE_NAME,
            "title": title,
            "height": max(300, 22 * len(labels) + 80),
        },
    )
    if target is not None:
        vertical_line(fig, target, "Mål", layer="below")
    fig.update_xaxes(**axis_format(unit, axis_range or values))
    if axis_range:
        fig.update_xaxes(range=axis_range)
    fig.update_yaxes(type="category", automargin=True)
    return fig


def scatter_with_fit(
    frame: pl.DataFrame,
    *,
    x: str,
    y: str,
    size: str,
    label: str,
    x_title: str,
    y_title: str,
    y_unit: str = "share",
    fit: tuple[float, float] | None = None,
) -> go.Figure:
    """Bubble scatter (e.g. socio-economic index vs certified share, bubble = teacher FTE) with a fitted line."""
    sizes = frame[size].fill_null(0).to_list()
    largest = max(sizes) if sizes else 1
    fig = go.Figure(
        go.Scatter(
            x=frame[x].to_list(),
            y=frame[y].to_list(),
            mode="markers",
            marker={
                "size": [8 + 32 * (s / largest if largest else 0) for s in sizes],
                "color": OKABE_ITO[0],
                "opacity": 0.7,
                "line": {"color": "white", "width": 1},
            },
            text=frame[label].to_list(),
            customdata=_hover_values(frame[y].to_list(), y_unit),
            hovertemplate="%{text}<br>"
            + x_title
            + ": %{x:,.2f}<br>"
            + y_title
            + ": %{customdata}<extra></extra>",
            name="Skolor",
        ),
        layout={"template": TEMPLATE_NAME, "height": 420},
    )
    if fit is not None and frame.height:
        slope, intercept = fit
        xs = [frame[x].min(), frame[x].max()]
        fig.add_trace(
            go.Scatter(
                x=xs,
                y=[intercept + slope * v for v in xs],
                mode="lines",
                line={"color": TARGET_COLOUR, "width": 2},
                name="Anpassad linje",
                hoverinfo="skip",
            )
        )
    fig.update_xaxes(title=x_title)
    fig.update_yaxes(title=y_title, **axis_format(y_unit, frame[y].to_list()))
    return fig


def stacked_contributions(
    frame: pl.DataFrame, *, label: str, component: str, contribution: str, title: str | None = None
) -> go.Figure:
    """Stacked horizontal bars: what drives each unit's support-need score."""
    fig = go.Figure(layout={"template": TEMPLATE_NAME, "barmode": "stack", "title": title})
    order = (
        frame.group_by(label)
        .agg(pl.col(contribution).sum().alias("_total"))
        .sort("_total")[label]
        .to_list()
    )
    for index, (key, part) in enumerate(
        frame.partition_by(component, maintain_order=True, as_dict=True).items()
    ):
        fig.add_trace(
            go.Bar(
                x=part[contribution].to_list(),
                y=part[label].to_list(),
                orientation="h",
                name=str(key[0]),
                marker_color=OKABE_ITO[index % len(OKABE_ITO)],
                hovertemplate="%{y}: %{x:,.2f}<extra>" + str(key[0]) + "</extra>",
            )
        )
    fig.update_yaxes(categoryorder="array", categoryarray=order, automargin=True)
    # The legend sits above the bars; on a narrow screen it wraps to two names a row, so the
    # top margin makes room for that many rows (it covered the first bars at 800 px).
    legend_rows = -(-len(fig.data) // 2)
    top = 30 + 24 * legend_rows
    fig.update_layout(height=max(320, 24 * len(order) + 50 + top), margin={"t": top})
    return fig


def coverage_heatmap(
    frame: pl.DataFrame, *, row: str, column: str, value: str, title: str | None = None
) -> go.Figure:
    """Data coverage (0..1) per row (unit) and column (month); grey = nothing, blue = complete."""
    pivot = frame.pivot(on=column, index=row, values=value, aggregate_function="first").sort(row)
    columns = [c for c in pivot.columns if c != row]
    fig = go.Figure(
        go.Heatmap(
            z=pivot.select(columns).to_numpy(),
            x=columns,
            y=pivot[row].to_list(),
            colorscale=[[0, "#F2F2F2"], [0.5, "#56B4E9"], [1, "#0072B2"]],
            zmin=0,
            zmax=1,
            text=[[_coverage_text(v) for v in row] for row in pivot.select(columns).rows()],
            hovertemplate="%{y} · %{x}: %{text}<extra></extra>",
            colorbar={
                "title": "Täckning",
                "tickmode": "array",
                "tickvals": [0, 0.25, 0.5, 0.75, 1],
                "ticktext": ["0 %", "25 %", "50 %", "75 %", "100 %"],
            },
        ),
        layout={
            "template": TEMPLATE_NAME,
            "title": title,
            "height": max(320, 14 * pivot.height + 120),
        },
    )
    fig.update_yaxes(type="category", automargin=True)
    fig.update_xaxes(type="category")
    return fig


def _coverage_text(value: float | None) -> str:
    from kompetens.present.formatting import fmt_percent

    return fmt_percent(value, decimals=0)


def sparkline(values: Sequence[float | None], *, colour: str = OKABE_ITO[0]) -> go.Figure:
    """A tiny line with no axes, for cards on the dialogue page."""
    fig = go.Figure(
        go.Scatter(
            y=list(values), mode="lines", line={"color": colour, "width": 2}, hoverinfo="skip"
        ),
        layout={
            "template": TEMPLATE_NAME,
            "height": 60,
            "margin": {"l": 0, "r": 0, "t": 0, "b": 0},
            "showlegend": False,
        },
    )
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return fig


def stacked_bars(
    frame: pl.DataFrame,
    *,
    x: str,
    stack: str,
    value: str,
    unit: str,
    suppressed: str | None = "suppressed",
    labels: dict[str, str] | None = None,
    title: str | None = None,
    height: int = 380,
) -> go.Figure:
    """Vertical bars per ``x`` (e.g. year) stacked by ``stack`` (e.g. staff category).

    ``frame``: one row per x × stack value, aggregated and suppressed by the
    query layer. A hidden cell draws nothing; its x gets a ``..`` note above
    the bar, and its hover says ``..``, so a gap never looks like a zero.
    """
    fig = go.Figure(layout={"template": TEMPLATE_NAME, "barmode": "stack", "title": title})
    xs = frame[x].unique(maintain_order=True).to_list()
    hidden = (
        frame[suppressed].fill_null(False).to_list()
        if suppressed and suppressed in frame.columns
        else [False] * frame.height
    )
    frame = frame.with_columns(pl.Series("_hidden", hidden, dtype=pl.Boolean))
    for index, (key, part) in enumerate(
        frame.partition_by(stack, maintain_order=True, as_dict=True).items()
    ):
        name = (labels or {}).get(str(key[0]), str(key[0]))
        values = [None if h else v for v, h in zip(part[value], part["_hidden"], strict=True)]
        text = [
            ".." if h else t
            for t, h in zip(_hover_values(values, unit), part["_hidden"], strict=True)
        ]
        fig.add_trace(
            go.Bar(
                x=part[x].to_list(),
                y=values,
                name=name,
                marker_color=OKABE_ITO[index % len(OKABE_ITO)],
                customdata=text,
                hovertemplate="%{x}: %{customdata}<extra>" + name + "</extra>",
            )
        )
    for x_value in frame.filter(pl.col("_hidden"))[x].unique(maintain_order=True).to_list():
        fig.add_annotation(
            x=x_value,
            y=1,
            yref="paper",
            text="..",
            showarrow=False,
            font={"color": CONTEXT_GREY},
            hovertext="Delvis dolt: färre än 5 personer",
        )
    fig.update_layout(height=height)
    totals = frame.filter(~pl.col("_hidden")).group_by(x).agg(pl.col(value).sum())[value].to_list()
    fig.update_yaxes(**axis_format(unit, [0.0, *totals]))
    fig.update_xaxes(type="category", categoryorder="array", categoryarray=xs)
    return fig


def unit_spread(
    frame: pl.DataFrame,
    *,
    value: str,
    label: str,
    unit: str,
    colour: str = OKABE_ITO[0],
    reference: float | None = None,
    reference_label: str = "Organisationen",
    target: float | None = None,
    title: str | None = None,
    height: int = 240,
) -> go.Figure:
    """The spread of unit values: a horizontal box with every (visible) unit as a point.

    ``frame``: one row per unit with a visible value (suppressed units left
    out by the caller). ``reference`` (the organisation's or area's value) is
    a grey line, ``target`` a dashed one.
    """
    values = frame[value].to_list()
    fig = go.Figure(
        go.Box(
            x=values,
            name="",
            boxpoints="all",
            jitter=0.5,
            pointpos=0,
            marker={"color": colour, "size": 8, "opacity": 0.75},
            line={"color": colour},
            fillcolor="rgba(0,0,0,0.03)",
            text=frame[label].to_list(),
            customdata=_hover_values(values, unit),
            hovertemplate="%{text}: %{customdata}<extra></extra>",
            orientation="h",
        ),
        layout={
            "template": TEMPLATE_NAME,
            "title": title,
            "height": height,
            "showlegend": False,
        },
    )
    if reference is not None:
        vertical_line(fig, reference, reference_label, colour=CONTEXT_GREY, dash="solid")
    if target is not None:
        vertical_line(fig, target, "Mål", position="bottom")
    fig.update_xaxes(**axis_format(unit, [*values, reference, target]))
    fig.update_yaxes(visible=False)
    return fig


def vertical_line(
    fig: go.Figure,
    x: float,
    label: str,
    *,
    colour: str = TARGET_COLOUR,
    dash: str = "dash",
    position: str = "top",
    layer: str = "above",
) -> go.Figure:
    """A labelled vertical line (a target or a reference value) across the plot.

    The same look as ``add_vline`` at a third of its cost (it matters with a
    dozen charts on one page): one shape and one annotation, no autorange pass.
    """
    fig.add_shape(
        type="line",
        x0=x,
        x1=x,
        y0=0,
        y1=1,
        yref="paper",
        line={"color": colour, "dash": dash, "width": 2},
        layer=layer,
    )
    fig.add_annotation(
        x=x,
        y=1 if position == "top" else 0,
        yref="paper",
        text=label,
        showarrow=False,
        yanchor="bottom",  # above the plot at the top, just inside it at the bottom
        font={"color": colour, "size": 12},
    )
    return fig


def _fast_hover(
    values: Sequence[float | None], suppressed: Sequence[bool] | None, unit: str
) -> list[str]:
    """Hover texts like ``_hover_values`` (``72,3 %``, ``..`` when suppressed) without babel per value.

    Shares are formatted directly (babel costs ~0.3 ms a value: 0.2 s for six monthly areas).
    """
    from kompetens.present.formatting import MISSING, NBSP, SUPPRESSED

    hidden = list(suppressed) if suppressed is not None else [False] * len(values)
    if unit != "share":
        texts = _hover_values(values, unit)
        return [SUPPRESSED if h else t for h, t in zip(hidden, texts, strict=True)]
    out = []
    for value, h in zip(values, hidden, strict=True):
        if h:
            out.append(SUPPRESSED)
        elif value is None:
            out.append(MISSING)
        else:
            out.append(f"{value * 100:.1f}".replace(".", ",").replace("-", "\u2212") + f"{NBSP}%")
    return out


def facet_title(name: str, ys: list, hidden: list | None, xs: list, unit: str) -> str:
    """A panel's title with its latest shown value: ``Norr: 9,7 % (2025)``; ``..`` when hidden."""
    for index in range(len(ys) - 1, -1, -1):
        is_hidden = bool(hidden[index]) if hidden is not None else False
        if is_hidden or ys[index] is not None:
            text = _fast_hover([ys[index]], [is_hidden], unit)[0]
            return f"{name}: {text} ({xs[index]})"
    return name


_TEMPLATE_JSON: dict | None = None


def _template_json() -> dict:
    global _TEMPLATE_JSON
    if _TEMPLATE_JSON is None:
        _TEMPLATE_JSON = pio.templates[TEMPLATE_NAME].to_plotly_json()
    return _TEMPLATE_JSON


def facet_trends(
    frame: pl.DataFrame,
    *,
    facet: str,
    x: str,
    y: str,
    unit: str,
    target: str | None = None,
    colour: str = OKABE_ITO[0],
    columns: int = 3,
    height_per_row: int = 220,
) -> go.Figure:
    """Small multiples: one trend per facet (e.g. per area), one shared y axis, target dashed.

    Built from plain dicts and not re-validated: ``make_subplots``, the
    ``update_*`` calls and validation cost about a quarter of a second per
    figure, a page's whole budget. Nulls (suppressed or missing) break the
    lines; a ``suppressed`` column makes the hover text say ``..``.
    """
    facets = frame[facet].unique(maintain_order=True).to_list()
    rows = max(1, -(-len(facets) // columns))
    h_gap = 0.2 / columns
    # Room between rows for the x tick labels above the next row's titles.
    v_gap = 0.45 / rows if rows > 1 else 0.0
    width = (1 - h_gap * (columns - 1)) / columns
    height = (1 - v_gap * (rows - 1)) / rows
    y_format = axis_format(unit, frame[y].to_list() + (frame[target].to_list() if target else []))
    data: list[dict] = []
    annotations: list[dict] = []
    layout: dict = {
        "template": _template_json(),
        "height": height_per_row * rows + 40,
        "showlegend": False,
        "margin": {"l": 10, "r": 10, "t": 40, "b": 10},
    }
    for index, value in enumerate(facets):
        row, col = divmod(index, columns)
        suffix = "" if index == 0 else str(index + 1)
        x_ref, y_ref = f"x{suffix}", f"y{suffix}"
        left = col * (width + h_gap)
        top = 1 - row * (height + v_gap)
        layout[f"xaxis{suffix}"] = {
            "domain": [round(left, 6), round(min(1.0, left + width), 6)],
            "anchor": y_ref,
            "type": "category",
            "nticks": 6,
            "showgrid": False,
            "linecolor": "#BDBDBD",
            "ticks": "outside",
            "tickcolor": "#BDBDBD",
        }
        layout[f"yaxis{suffix}"] = {
            "domain": [round(max(0.0, top - height), 6), round(top, 6)],
            "anchor": x_ref,
            "showticklabels": col == 0,
            "gridcolor": "#E6E6E6",
            "zeroline": False,
            **y_format,
            **({"matches": "y"} if index else {}),
        }
        part = frame.filter(pl.col(facet) == value)
        xs = part[x].to_list()
        ys = part[y].to_list()
        hidden = part["suppressed"].to_list() if "suppressed" in part.columns else None
        data.append(
            {
                "type": "scatter",
                "x": xs,
                "y": ys,
                "xaxis": x_ref,
                "yaxis": y_ref,
                # Markers only when few periods (years); monthly lines stay legible without them.
                "mode": "lines+markers" if len(xs) <= 24 else "lines",
                "line": {"color": colour, "width": 2},
                "customdata": _fast_hover(ys, hidden, unit),
                "hovertemplate": "%{x}: %{customdata}<extra>" + str(value) + "</extra>",
            }
        )
        if target and part[target].drop_nulls().len():
            data.append(
                {
                    "type": "scatter",
                    "x": xs,
                    "y": part[target].to_list(),
                    "xaxis": x_ref,
                    "yaxis": y_ref,
                    "mode": "lines",
                    "line": {"color": TARGET_COLOUR, "dash": "dash", "width": 1.5},
                    "hoverinfo": "skip",
                }
            )
        annotations.append(
            {
                "text": facet_title(str(value), ys, hidden, xs, unit),
                "x": left + width / 2,
                "y": top,
                "xref": "paper",
                "yref": "paper",
                "xanchor": "center",
                "yanchor": "bottom",
                "showarrow": False,
                "font": {"size": 15},
            }
        )
    layout["annotations"] = annotations
    return go.Figure({"data": data, "layout": layout}, _validate=False)

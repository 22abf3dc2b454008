"""Rekrytera smart's chart: per subject, the qualified posts lost at exits beside the hires.

Input grain: one row per subject (``query.lost_and_hired_by_subject``), in the frame's order
(largest loss first). Both sides are in posts: lost qualified teaching hours per week over 18
(``lost_posts``) against filled requisitions (``hires``) and those filled by a certified person
(``certified_hires``). A hidden figure (``..``) draws no bar; its subject gets a ``..`` note.
"""

from __future__ import annotations

import plotly.graph_objects as go
import polars as pl

from kompetens.present.charts import CONTEXT_GREY, OKABE_ITO, TEMPLATE_NAME, axis_format
from kompetens.present.formatting import fmt_number

#: (column, hidden column, legend name, colour) of each bar, top to bottom within a subject.
BARS: tuple[tuple[str, str, str, str], ...] = (
    ("lost_posts", "lost_suppressed", "Förlorat: behöriga tjänster", OKABE_ITO[3]),
    ("certified_hires", "hires_suppressed", "Anställda med behörighet", OKABE_ITO[2]),
    ("hires", "hires_suppressed", "Tillsatta tjänster, alla", CONTEXT_GREY),
)


def lost_and_hired_bars(frame: pl.DataFrame, *, title: str | None = None) -> go.Figure:
    """Horizontal grouped bars per subject (rows: ``subject_name``), in posts."""
    names = frame["subject_name"].to_list()
    fig = go.Figure(layout={"template": TEMPLATE_NAME, "barmode": "group", "title": title})
    values_drawn: list[float] = [0.0]
    # Plotly draws the first trace lowest within a group: add them bottom-up.
    for column, hidden, name, colour in reversed(BARS):
        hide = frame[hidden].fill_null(False).to_list()
        values = [None if h else v for v, h in zip(frame[column].to_list(), hide, strict=True)]
        values_drawn += [v for v in values if v is not None]
        text = [".." if h else fmt_number(v, 1) for v, h in zip(values, hide, strict=True)]
        fig.add_trace(
            go.Bar(
                y=names,
                x=values,
                name=name,
                orientation="h",
                marker_color=colour,
                customdata=text,
                hovertemplate="%{y}: %{customdata}<extra>" + name + "</extra>",
            )
        )
    hidden_any = (frame["lost_suppressed"] | frame["hires_suppressed"]).fill_null(False)
    for subject in frame.filter(hidden_any)["subject_name"].to_list():
        fig.add_annotation(
            y=subject,
            x=1,
            xref="paper",
            xanchor="right",
            text="..",
            showarrow=False,
            font={"color": CONTEXT_GREY},
            hovertext="Delvis dolt: färre än 5 personer",
        )
    fig.update_yaxes(type="category", categoryorder="array", categoryarray=names[::-1])
    fig.update_xaxes(**axis_format("hours", values_drawn))
    fig.update_layout(
        height=max(320, 34 * len(names) + 140),
        legend={"traceorder": "reversed"},
        xaxis_title="Tjänster (18 undervisningstimmar i veckan = en tjänst)",
    )
    return fig

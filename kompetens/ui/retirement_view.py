"""The retirement timeline on the Prognos page: people reaching the retirement age per year and category.

Grain of what is shown: one scope (the organisation, an area or a unit) × staff category ×
year ahead (``query.projection.retirement_timeline``); counts in people, '..' where
suppressed. The chart stacks the visible categories per year; the table has every cell.
"""

from __future__ import annotations

import plotly.graph_objects as go
import polars as pl
import streamlit as st

from kompetens.core.labels import STAFF_CATEGORY_LABELS, label
from kompetens.present import charts
from kompetens.present.formatting import fmt_number
from kompetens.query import projection as qp
from kompetens.ui import components

ALL_LABEL = "Alla kategorier"


def category_label(code: str) -> str:
    return ALL_LABEL if code == "all" else label(STAFF_CATEGORY_LABELS, code)


def scope_timeline(timeline: pl.DataFrame, level: str, scope_id: str) -> pl.DataFrame:
    """One scope's rows of the timeline."""
    return timeline.filter((pl.col("level") == level) & (pl.col("scope_id") == scope_id))


def timeline_table(rows: pl.DataFrame) -> pl.DataFrame:
    """Categories as rows ('Alla kategorier' last), years as columns, Swedish text ('..' hidden)."""
    if rows.height == 0:
        return pl.DataFrame({"Personalkategori": []}, schema={"Personalkategori": pl.String})
    text = rows.with_columns(
        pl.when(pl.col("suppressed"))
        .then(pl.lit(".."))
        .otherwise(pl.col("retirements").map_elements(fmt_number, return_dtype=pl.String))
        .alias("_text"),
        (pl.col("staff_category") == "all").alias("_last"),
        pl.col("staff_category")
        .map_elements(category_label, return_dtype=pl.String)
        .alias("Personalkategori"),
        pl.col("year").cast(pl.String),
    )
    wide = text.pivot(on="year", index=["_last", "Personalkategori"], values="_text")
    return wide.sort("_last", "Personalkategori").drop("_last")


def timeline_chart(rows: pl.DataFrame, title: str) -> go.Figure:
    """Stacked bars: the visible categories' retirements per year (hidden cells left out)."""
    fig = go.Figure(layout={"template": charts.TEMPLATE_NAME, "height": 340, "title": title})
    parts = rows.filter((pl.col("staff_category") != "all") & ~pl.col("suppressed"))
    for i, code in enumerate(sorted(parts["staff_category"].unique().to_list())):
        part = parts.filter(pl.col("staff_category") == code).sort("year")
        if part["retirements"].sum() == 0:
            continue
        fig.add_trace(
            go.Bar(
                x=[str(y) for y in part["year"].to_list()],
                y=part["retirements"].to_list(),
                name=category_label(code),
                marker_color=charts.OKABE_ITO[i % len(charts.OKABE_ITO)],
                hovertemplate="%{x}: %{y}<extra>" + category_label(code) + "</extra>",
            )
        )
    fig.update_layout(barmode="stack", legend={"orientation": "h", "y": -0.15, "x": 0})
    fig.update_xaxes(type="category")
    fig.update_yaxes(title="Personer")
    return fig


def show_timeline(cur, scope, level: str, scope_id: str, name: str, area, unit) -> None:
    """The section: the caption with the age, the chart, the table and its downloads."""
    from kompetens.ui import figures

    timeline = qp.retirement_timeline(cur, scope, area=area, unit=unit)
    rows = scope_timeline(timeline, level, scope_id)
    if rows.height == 0:
        components.empty_state("Det finns ingen personal att räkna pensionsavgångar för.")
        return
    age = int(timeline["retirement_age"][0])
    st.caption(
        f"Personal i dag som når pensionsåldern {age} år, per år och personalkategori (de som "
        "redan har passerat den räknas första året). Övriga avgångar ingår inte. Pensionsåldern "
        "ändras under Admin → Inställningar eller med `kompetens settings --retirement-age`."
    )
    if rows["suppressed"].any():
        st.caption("'..' = färre än 5 personer, eller en siffra som skulle röja en dold.")
    fig = timeline_chart(rows, f"Pensionsavgångar – {name}")
    if fig.data:
        figures.show(fig, key="retirement_timeline")
    else:  # nothing visible to draw: every count hidden or zero
        st.caption("Inget diagram: alla synliga antal är noll eller dolda.")
    table = timeline_table(rows)
    st.dataframe(table, hide_index=True)
    components.download_buttons(table, f"Pensionsavgångar {name}", key="prognos_retirements")

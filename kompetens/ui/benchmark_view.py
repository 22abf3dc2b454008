"""External benchmarks on the pages: a comparison caption for a card, the Behörighet
reconciliation table and a trend chart's national / similar-municipalities lines.

Every external number names its source and year and links to the source's page. Names
from the sources (a group's title, a school's name) are text, never Markdown. Values the
source masked are shown as the source shows them (``..``, ``~100``, Kolada's status);
our own small-number rule never applies to them.

The render functions take the page's cursor and scope and call ``query.benchmarks``
(scope enforced there); the text builders (``comparison_text``, ``reconciliation_display``)
are pure and tested on their own.
"""

from __future__ import annotations

import plotly.graph_objects as go
import polars as pl
import streamlit as st

from kompetens.external.schema import kolada_page_url
from kompetens.indicators.registry import get
from kompetens.present import charts
from kompetens.present.formatting import fmt_number, fmt_value, md_text
from kompetens.query import benchmarks
from kompetens.ui.components import progress_bar

DEMO_NOTE = (
    "Jämförelsevärdena är demodata: fiktiva värden för den fiktiva demokommunen, "
    "inte hämtade från Kolada eller Skolverket."
)
#: A year later than any data: "the latest published".
_LATEST = 9999


def _year(year: str | int | None) -> int:
    if year is None or year == "":
        return _LATEST
    return int(str(year)[:4])


def _shown(row: dict, indicator) -> str:
    """The number as we format it, or the source's own text when it published no number."""
    if row["value"] is None:
        return md_text(row["source_value"] or "–")
    return fmt_value(row["value"], indicator)


def comparison_text(comparisons: pl.DataFrame, indicator_id: str) -> str:
    """One Markdown line: each comparison's label (linked to the source's page), value and year,
    then the source and its measure. Empty string when there are no comparisons.

    ``comparisons``: ``query.benchmarks.external_comparisons``.
    """
    if comparisons.is_empty():
        return ""
    indicator = get(indicator_id)
    parts = []
    for row in comparisons.iter_rows(named=True):
        label = row["label"]
        if row["comparison_kind"] in ("own_municipality", "school_unit"):
            label = f"{label} ({md_text(row['comparison_name'])})"
        parts.append(f"[{label}]({row['source_url']}) {_shown(row, indicator)} ({row['year']})")
    sources = dict.fromkeys(
        f"{row['source_name']}, nyckeltal {md_text(row['measure_id'])}"
        for row in comparisons.iter_rows(named=True)
    )
    demo = " *Demodata.*" if comparisons["is_demo"].any() else ""
    return " · ".join(parts) + ". Källa: " + "; ".join(sources) + "." + demo


def card_comparison(
    column, cur, scope, indicator_id: str, year: str | int | None, unit_id: str | None = None
) -> None:
    """Under a headline card: own municipality, similar municipalities and national, with source."""
    text = comparison_text(
        benchmarks.external_comparisons(cur, scope, indicator_id, _year(year), unit_id),
        indicator_id,
    )
    if text:
        column.caption(text)


# ---- Behörighet: our share beside Skolverket's ----------------------------------------------

RECONCILIATION_LABELS = {
    "unit_name": "Enhet",
    "ours": "Vår andel (HR)",
    "official": "Skolverkets andel",
    "difference": "Skillnad (p.e.)",
    "flag": "> 10 p.e.",
    "official_period": "Läsår",
    "area": "Område",
    "school_unit_code": "Skolenhetskod",
    "source_url": "Källa",
}
#: Column widths (pixels) and tooltips: the nine columns fit the page at 1400 px (905 px in all);
#: narrower windows scroll the table sideways with the unit's name pinned, the two shares, their
#: difference and the flag first (at 800 px these are what shows without scrolling).
_RECONCILIATION_COLUMNS: dict[str, tuple[int, str | None]] = {
    "unit_name": (160, None),
    "ours": (95, "Vår beräkning från HR-data i oktober: en flagga per person."),
    "official": (115, "Skolverkets officiella andel, viktad med undervisningstid; markeringar som Skolverket visar dem."),
    "difference": (90, "Vår andel minus Skolverkets, i procentenheter (p.e.)."),
    "flag": (75, "Skiljer sig mer än 10 procentenheter från Skolverket."),
    "official_period": (65, "Skolverkets läsår (mätt den 15 oktober)."),
    "area": (110, None),
    "school_unit_code": (100, "Skolverkets kod för skolenheten."),
    "source_url": (95, "Skolenhetens sida hos Skolverket."),
}  # fmt: skip


def reconciliation_column_config() -> dict:
    """The table's column configuration: narrow fixed widths, tooltips, the unit pinned, a link."""
    config = {}
    for key, (width, help_text) in _RECONCILIATION_COLUMNS.items():
        label = RECONCILIATION_LABELS[key]
        if key == "source_url":
            config[label] = st.column_config.LinkColumn(
                label, width=width, help=help_text, display_text="Skolverket"
            )
        else:
            config[label] = st.column_config.TextColumn(
                label, width=width, help=help_text, pinned=key == "unit_name" or None
            )
    return config


def reconciliation_display(table: pl.DataFrame) -> pl.DataFrame:
    """The reconciliation as the page shows it: Swedish headers (``RECONCILIATION_LABELS``) and
    formats, Skolverket's masks as published, our hidden shares as ``..``, a flag column."""
    if table.is_empty():
        return pl.DataFrame(schema={label: pl.String for label in RECONCILIATION_LABELS.values()})
    rows = []
    for row in table.iter_rows(named=True):
        if row["official_share"] is not None and (row["official_text"] or "")[:1].isdigit():
            official = fmt_value(row["official_share"], "share")
        else:
            official = row["official_text"] or "–"  # Skolverket's own mark, as published
        rows.append(
            {
                "unit_name": row["unit_name"],
                "area": row["area"],
                "school_unit_code": row["school_unit_code"],
                "ours": fmt_value(row["our_share"], "share", suppressed=row["our_suppressed"]),
                "official": official,
                "official_period": row["official_period"] or "–",
                "difference": "–"
                if row["difference"] is None
                else fmt_number(row["difference"] * 100, decimals=1),
                "flag": "⚠ Ja" if row["flagged"] else "",
                "source_url": row["source_url"],
            }
        )
    return pl.DataFrame(rows, schema={k: pl.String for k in RECONCILIATION_LABELS}).rename(
        RECONCILIATION_LABELS
    )


def reconciliation_table(
    cur, scope, year: str | int | None, area: str | None = None, staff_category: str = "teacher"
) -> None:
    """The Behörighet section: per school unit our HR-based share beside Skolverket's official one.

    Only for teachers (``staff_category='teacher'``): Skolverket publishes no per-unit share for
    preschool teachers. Nothing is drawn when Skolverket has no value for the year.
    """
    if year is None or year == "" or staff_category != "teacher":
        return
    table = benchmarks.certification_reconciliation(cur, scope, _year(year), area=area)
    if table["official_text"].drop_nulls().is_empty():
        return  # nothing from Skolverket for the year: no section
    st.subheader("Vår andel jämfört med Skolverkets officiella")
    st.caption(
        f"Andel lärare med legitimation och behörighet per skolenhet: vår beräkning från HR-data "
        f"(oktober {_year(year)}) bredvid Skolverkets officiella statistik för läsåret som börjar "
        f"hösten {_year(year)} (mätt den 15 oktober). Skolverkets markeringar visas som Skolverket "
        "visar dem (`..` för få, `.` uppgift saknas, `~100` nära 100 %, `*` skyddat)."
    )
    shown = reconciliation_display(table)
    with st.container(key="skolverket_check"):
        st.dataframe(shown, hide_index=True, column_config=reconciliation_column_config())
    flagged = int(table["flagged"].sum())
    if flagged:
        reasons = "\n".join(f"- {reason}" for reason in benchmarks.RECONCILIATION_REASONS)
        st.warning(
            f"{flagged} {'enhet skiljer' if flagged == 1 else 'enheter skiljer'} sig mer än 10 "
            "procentenheter från Skolverket. Troliga skäl:\n" + reasons,
            icon=":material/rule:",
        )
    if table["is_demo"].any():
        st.caption(DEMO_NOTE)


# ---- Trend charts: the national and similar-municipalities lines ------------------------------


def trend_caption(lines: list[pl.DataFrame], kpi: str) -> str:
    """Under the chart: each line's name (with its line style) and years, linked to Kolada.

    ``lines``: one ``query.benchmarks.external_trend`` frame per comparison, as drawn. Each link
    opens Kolada's page on the KPI and that comparison's id (every year).
    """
    styles = {"national": "prickad", "municipality_group": "streckprickad"}
    parts = []
    for part in lines:
        kind, place = part["comparison_kind"][0], part["comparison_id"][0]
        first, last = part["year"].min(), part["year"].max()
        years = str(first) if first == last else f"{first}–{last}"
        name = part["label"][0]
        if kind == "municipality_group" and part["comparison_name"][0]:
            name = f"{name} ({md_text(part['comparison_name'][0])})"
        parts.append(
            f"{name} ({styles.get(kind, 'streckad')} linje): "
            f"[Kolada {md_text(kpi)}, {years}]({kolada_page_url(kpi, place, None)})"
        )
    demo = " *Demodata.*" if any(part["is_demo"].any() for part in lines) else ""
    return "Jämförelselinjer – " + " · ".join(parts) + "." + demo


#: The label of the switch that shows or hides a trend chart's national / group lines.
TREND_TOGGLE = "Visa riket och liknande kommuner (Kolada)"


def trend_lines(
    fig: go.Figure,
    cur,
    scope,
    indicator_id: str,
    period_type: str = "year",
    key: str = "benchmark_lines",
) -> go.Figure:
    """The trend chart with the national and similar-municipalities lines added (and a caption).

    Returns a copy when lines are added: ``fig`` itself (pages cache their figures) is left
    as it is. Optional: a switch (``TREND_TOGGLE``, on by default, ``key`` per chart) turns
    them off. Only years already on the chart's axis get a point, so the lines never stretch
    it. Monthly and rolling charts get nothing: the sources publish yearly values.
    """
    if period_type != "year":
        return fig
    lines = benchmarks.external_trend(cur, scope, indicator_id)
    if lines.is_empty():
        return fig
    on_axis = {str(x) for trace in fig.data for x in (trace.x or ())}
    if lines.filter(pl.col("year").cast(pl.String).is_in(list(on_axis))).is_empty():
        return fig
    if not st.toggle(TREND_TOGGLE, value=True, key=key):
        return fig
    fig = go.Figure(fig)
    indicator = get(indicator_id)
    added = []
    for (kind,), part in lines.partition_by(
        "comparison_kind", as_dict=True, maintain_order=True
    ).items():
        part = part.filter(pl.col("year").cast(pl.String).is_in(list(on_axis)))
        if part.is_empty():
            continue
        label = part["label"][0]
        name = f"{label} (Kolada)"
        fig.add_trace(
            go.Scatter(
                x=part["year"].cast(pl.String).to_list(),
                y=part["value"].to_list(),
                mode="lines+markers",
                name=name,
                line=charts.COMPARISON_LINE_STYLES.get(kind, charts.COMPARISON_LINE_DEFAULT),
                customdata=[fmt_value(v, indicator) for v in part["value"].to_list()],
                hovertemplate="%{x}: %{customdata}<extra>"
                + name
                + ", "
                + indicator.kolada_id
                + "</extra>",
            )
        )
        added.append(part)
    if added:
        st.caption(trend_caption(added, indicator.kolada_id))
    return fig


# ---- The fetch button (HR and admin) ----------------------------------------------------------


def fetch_button(ctx) -> None:
    """A button that fetches the benchmarks live, with a progress bar; only for roles with Import.

    ``ctx``: the page's ``ui.context.PageContext``. Offline it fails within seconds with the
    fetch's Swedish message; the rest of the page is unaffected and nothing is written.
    """
    from kompetens.external.errors import ExternalRejected, FetchFailed
    from kompetens.external.fetch import fetch_benchmarks
    from kompetens.ui.components import may_import
    from kompetens.ui.context import writing

    if not may_import(ctx.viewer):
        return
    st.subheader("Jämförelsevärden")
    st.caption(
        "Riket, liknande kommuner och skolenheternas officiella värden hämtas från Koladas och "
        "Skolverkets öppna API:er (kräver internet). Inställningar: `kompetens benchmarks settings`."
    )
    if not st.button(
        "Hämta jämförelsevärden från Kolada och Skolverket", icon=":material/download:"
    ):
        return
    holder = st.empty()
    progress = progress_bar("Hämtar jämförelsevärden …", holder)
    try:
        with writing(ctx.db_path, "hämtning av jämförelsevärden") as conn:
            result = fetch_benchmarks(
                conn, progress=progress, user=getattr(ctx.viewer, "email", None)
            )
    except (FetchFailed, ExternalRejected) as failed:
        holder.empty()
        st.error(md_text(str(failed)), icon=":material/cloud_off:")
        return
    holder.empty()
    st.success(md_text(str(result)), icon=":material/check_circle:")

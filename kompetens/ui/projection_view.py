"""Helpers of the Prognos page (``views/prognos.py``): scope choice, scenario controls, the fan
chart, the 'what it takes' table and the backtest, all from ``kompetens.query.projection``.

Grain of what is drawn: one scope (the organisation, an area or a unit) × the two certified
shares × year (the start year and 1–5 years ahead). Shares are fractions 0–1 in the frames
and Swedish percentages on screen (``present.formatting``).
"""

from __future__ import annotations

from dataclasses import dataclass

import plotly.graph_objects as go
import polars as pl
import streamlit as st

from kompetens import query
from kompetens.analysis.projection import INDICATORS, UNCERTAIN_BELOW, Scenario
from kompetens.analysis.projection_rates import RATE_LABELS
from kompetens.analysis.projection_solve import LEVERS
from kompetens.core.labels import STAFF_CATEGORY_LABELS, label
from kompetens.present import charts
from kompetens.present.formatting import fmt_number, fmt_percent
from kompetens.query import projection as qp
from kompetens.ui import components

ORG_LABEL = "Hela organisationen"
#: Slider keys (bound to the address, so a link reopens the same scenario).
KEYS = {
    "scope": "prognos_scope",
    "turnover": "prognos_omsattning",
    "own_hire_share": "prognos_egen_andel",
    "hire_share": "prognos_behoriga_nyanstallda",
    "places": "prognos_platser",
    "age": "prognos_pensionsalder",
    "growth": "prognos_tillvaxt",
}
#: −10 to +10 in half steps (percentage points or percent), for the signed sliders.
HALF_STEPS: list[float] = [x / 2 for x in range(-20, 21)]
BAND_COLOUR = "rgba(0, 114, 178, 0.18)"
BASELINE_COLOUR = charts.CONTEXT_GREY


@dataclass(frozen=True)
class Choice:
    """The scope a user looks at: ``level`` org | area | unit, its id, name, area and units."""

    level: str
    scope_id: str
    name: str
    area: str | None
    units: frozenset[str] | None  # the units the scenario's levers act on (None = all)

    @property
    def key(self) -> str:
        """The scope box's key: ``org``, ``area:<area>`` or ``unit:<unit id>`` (saved scenarios use it)."""
        return "org" if self.level == "org" else f"{self.level}:{self.scope_id}"


def scope_options(cur, scope) -> list[tuple[str, str]]:
    """(key, label) of every scope the viewer may choose: the org (if allowed), areas, units."""
    options: list[tuple[str, str]] = []
    if scope.level == "org":
        options.append(("org", ORG_LABEL))
    for area in query.areas(cur, scope)["area"].to_list():
        options.append((f"area:{area}", area))
    for row in query.units(cur, scope).iter_rows(named=True):
        options.append((f"unit:{row['unit_id']}", f"{row['unit_name']} ({row['area']})"))
    return options


def choose_scope(cur, scope, sidebar_area: str | None) -> Choice | None:
    """The scope select box (default: the sidebar's area, else the first option)."""
    options = scope_options(cur, scope)
    if not options:
        return None
    keys = [k for k, _ in options]
    labels = dict(options)
    default = f"area:{sidebar_area}" if sidebar_area and f"area:{sidebar_area}" in keys else keys[0]
    chosen = st.selectbox(
        "Visa prognosen för",
        keys,
        index=keys.index(default),
        format_func=lambda k: labels[k],
        key=KEYS["scope"],
        bind="query-params",
    )
    units = query.units(cur, scope)
    if chosen == "org":
        return Choice("org", "org", ORG_LABEL, None, None)
    level, _, ident = chosen.partition(":")
    if level == "area":
        members = frozenset(units.filter(pl.col("area") == ident)["unit_id"].to_list())
        return Choice("area", ident, ident, ident, members)
    row = units.filter(pl.col("unit_id") == ident).row(0, named=True)
    return Choice("unit", ident, row["unit_name"], row["area"], frozenset([ident]))


def signed(value: float) -> str:
    """'+1,5', '−2,0', '0' (Swedish decimal comma and minus sign)."""
    if value == 0:
        return "0"
    return ("+" if value > 0 else "") + fmt_number(value, 1)


def scenario_controls(stored_age: int, choice: Choice, name: str | None = None) -> Scenario:
    """The scenario sliders; the levers act on the chosen scope's units. ``name``: a saved one's."""
    cols = st.columns(2)
    turnover = cols[0].select_slider(
        "Personalomsättning (övriga avgångar), förändring i procentenheter",
        options=HALF_STEPS,
        value=0.0,
        format_func=signed,
        key=KEYS["turnover"],
        bind="query-params",
        help="Läggs till den observerade takten för behöriga och obehöriga.",
    )
    own = cols[1].toggle(
        "Egen andel behöriga bland nyanställda",
        value=False,
        key=KEYS["own_hire_share"],
        bind="query-params",
    )
    hire_share = cols[1].slider(
        "Andel behöriga bland nyanställda (%)",
        min_value=0,
        max_value=100,
        value=50,
        step=5,
        key=KEYS["hire_share"],
        bind="query-params",
        disabled=not own,
        help="Av: den observerade andelen för varje enhet och personalkategori.",
    )
    places = cols[0].slider(
        "Extra platser på behörighetsgivande utbildning per år",
        min_value=0,
        max_value=100,
        value=0,
        step=1,
        key=KEYS["places"],
        bind="query-params",
        help="Fördelas på enheterna i urvalet efter antalet obehöriga.",
    )
    age = cols[1].slider(
        "Pensionsålder",
        min_value=60,
        max_value=72,
        value=int(stored_age),
        step=1,
        key=KEYS["age"],
        bind="query-params",
    )
    growth = cols[0].select_slider(
        "Tjänster per år, förändring (%)",
        options=HALF_STEPS,
        value=0.0,
        format_func=signed,
        key=KEYS["growth"],
        bind="query-params",
        help="T.ex. färre barn i förskolan: negativ förändring, som nås genom färre nyanställningar.",
    )
    return Scenario(
        name=name or "Eget scenario",
        turnover_delta=turnover / 100,
        certified_hire_share=hire_share / 100 if own else None,
        extra_path_places=float(places),
        retirement_age=None if age == stored_age else int(age),
        fte_growth=growth / 100,
        applies_to=choice.units,
    )


def is_baseline(scenario: Scenario) -> bool:
    """Whether the sliders are all at the observed pace."""
    return (
        scenario.turnover_delta == 0
        and scenario.certified_hire_share is None
        and scenario.extra_path_places == 0
        and scenario.retirement_age is None
        and scenario.fte_growth == 0
    )


def scope_rows(frame: pl.DataFrame, choice: Choice, indicator_id: str) -> pl.DataFrame:
    """The chosen scope's rows of one share, by year."""
    return frame.filter(
        (pl.col("level") == choice.level)
        & (pl.col("scope_id") == choice.scope_id)
        & (pl.col("indicator_id") == indicator_id)
    ).sort("year")


def fan_chart(
    rows: pl.DataFrame, baseline: pl.DataFrame | None, title: str, height: int = 380
) -> go.Figure:
    """The fan: the 80 % band, the median, the target and (with a scenario) the baseline median.

    ``rows``: one scope's rows of one share (``year, median, low80, high80, target``).
    """
    years = [str(y) for y in rows["year"].to_list()]
    fig = go.Figure(layout={"template": charts.TEMPLATE_NAME, "height": height, "title": title})
    low, high, median = rows["low80"].to_list(), rows["high80"].to_list(), rows["median"].to_list()
    fig.add_trace(
        go.Scatter(
            x=years,
            y=high,
            mode="lines",
            name="80 % av utfallen, övre gräns",
            line={"width": 0},
            hoverinfo="skip",
            showlegend=False,
        )
    )
    fig.add_trace(
        go.Scatter(
            x=years,
            y=low,
            mode="lines",
            line={"width": 0},
            fill="tonexty",
            fillcolor=BAND_COLOUR,
            name="80 % av utfallen",
            customdata=[
                f"{fmt_percent(lo)}–{fmt_percent(hi)}" for lo, hi in zip(low, high, strict=True)
            ],
            hovertemplate="%{x}: %{customdata}<extra>80 % av utfallen</extra>",
        )
    )
    if baseline is not None and baseline.height:
        fig.add_trace(
            go.Scatter(
                x=[str(y) for y in baseline["year"].to_list()],
                y=baseline["median"].to_list(),
                mode="lines",
                name="Nuvarande takt",
                line={"color": BASELINE_COLOUR, "dash": "dot", "width": 2},
                customdata=[fmt_percent(v) for v in baseline["median"].to_list()],
                hovertemplate="%{x}: %{customdata}<extra>Nuvarande takt</extra>",
            )
        )
    fig.add_trace(
        go.Scatter(
            x=years,
            y=median,
            mode="lines+markers",
            name="Prognos (median)",
            line={"color": charts.OKABE_ITO[0], "width": 3},
            customdata=[fmt_percent(v) for v in median],
            hovertemplate="%{x}: %{customdata}<extra>Prognos (median)</extra>",
        )
    )
    if rows["target"].drop_nulls().len():
        fig.add_trace(
            go.Scatter(
                x=years,
                y=rows["target"].to_list(),
                mode="lines",
                name="Mål",
                line={"color": charts.TARGET_COLOUR, "dash": "dash", "width": 2},
                hoverinfo="skip",
            )
        )
    covered = [v for v in low + high + rows["target"].to_list() if v is not None]
    fig.update_yaxes(**charts.axis_format("share", covered))
    fig.update_xaxes(type="category")
    # The legend under the plot: above it, it ran into the title on a narrow screen.
    fig.update_layout(
        legend={"orientation": "h", "yanchor": "top", "y": -0.12, "x": 0},
        margin={"l": 10, "r": 10, "t": 50, "b": 10},
    )
    return fig


def outlook_sentence(rows: pl.DataFrame, scenario_name: str) -> str:
    """E.g. 'Med nuvarande takt: 68,0 % (61,2–74,1 %) år 2031, mål 80 %.'"""
    last = rows.filter(pl.col("step") == rows["step"].max()).row(0, named=True)
    target = f", mål {fmt_percent(last['target'], 0)}" if last["target"] is not None else ""
    lead = "Med nuvarande takt" if scenario_name == "Nuvarande takt" else "Med scenariot"
    return (
        f"{lead}: {fmt_percent(last['median'])} ({fmt_percent(last['low80'])}–"
        f"{fmt_percent(last['high80'])}) år {last['year']}{target}."
    )


def year_table(rows: pl.DataFrame) -> pl.DataFrame:
    """The fan as a table for screen readers and the download (Swedish headings, '..' kept)."""
    return rows.select(
        pl.col("year").cast(pl.String).alias("År"),
        pl.col("median")
        .map_elements(fmt_percent, return_dtype=pl.String)
        .alias("Prognos (median)"),
        pl.col("low80").map_elements(fmt_percent, return_dtype=pl.String).alias("Lägre (10 %)"),
        pl.col("high80").map_elements(fmt_percent, return_dtype=pl.String).alias("Högre (90 %)"),
        pl.col("target")
        .map_elements(lambda v: fmt_percent(v, 0), return_dtype=pl.String)
        .alias("Mål"),
    )


def show_scope(
    frame: pl.DataFrame, baseline: pl.DataFrame | None, choice: Choice, scenario: Scenario
) -> None:
    """One fan chart per share the scope has, with its sentence and its caveats."""
    from kompetens.ui import figures

    shown = 0
    for indicator_id in INDICATORS:
        rows = scope_rows(frame, choice, indicator_id)
        if rows.height == 0:
            continue
        shown += 1
        name = components.indicator_name(indicator_id)
        st.subheader(name)
        if rows["suppressed"].any():
            st.info(
                f"{name}: färre än 5 personer (eller en siffra som annars skulle röja en dold): "
                "prognosen visas inte (..).",
                icon=":material/visibility_off:",
            )
            continue
        base_rows = None if baseline is None else scope_rows(baseline, choice, indicator_id)
        st.markdown(
            outlook_sentence(rows, scenario.name if not is_baseline(scenario) else "Nuvarande takt")
        )
        if rows["uncertain"].any():
            n = rows["n_start"].max()
            st.caption(
                f"Osäkert: prognosen vilar på {fmt_number(n)} personer (färre än "
                f"{UNCERTAIN_BELOW}). Bandet är brett och kan hoppa mellan åren."
            )
        figures.show(
            fan_chart(rows, base_rows, f"{name} – {choice.name}"), key=f"fan_{indicator_id}"
        )
        if base_rows is not None and base_rows.height:
            st.caption("Scenariot bredvid nuvarande takt (median och 80 %-band):")
            st.dataframe(comparison_table(rows, base_rows), hide_index=True)
        with st.expander("Som tabell"):
            st.dataframe(year_table(rows), hide_index=True)
    if shown == 0:
        components.empty_state("Det finns ingen andel behöriga att göra en prognos för i urvalet.")


def rates_table(rates: pl.DataFrame, choice: Choice) -> pl.DataFrame:
    """The rates behind the chosen scope, in Swedish: one row per unit × category × rate."""
    if rates.height == 0:
        return rates
    if choice.level == "unit":
        rates = rates.filter(pl.col("unit_id") == choice.scope_id)
    elif choice.level == "area":
        rates = rates.filter(pl.col("area") == choice.scope_id)
    pct = lambda c: pl.col(c).map_elements(fmt_percent, return_dtype=pl.String)  # noqa: E731
    return rates.sort("unit_name", "staff_category", "rate").select(
        pl.col("unit_name").alias("Enhet"),
        pl.col("staff_category")
        .map_elements(lambda c: label(STAFF_CATEGORY_LABELS, c), return_dtype=pl.String)
        .alias("Personalkategori"),
        pl.col("rate").replace_strict(RATE_LABELS).alias("Takt"),
        pct("value").alias("Används"),
        pct("own_rate").alias("Enhetens egen"),
        pct("area_rate").alias("Områdets"),
        pl.col("weight")
        .map_elements(lambda w: fmt_percent(w, 0), return_dtype=pl.String)
        .alias("Vikt på enhetens egen"),
        pl.col("exposure")
        .map_elements(lambda n: fmt_number(n), return_dtype=pl.String)
        .alias("Underlag (personår)"),
        pl.col("years").alias("År"),
    )


WHAT_LABELS = {
    "unit_name": "Enhet / område",
    "lever": "Åtgärd",
    "current_share": "I dag",
    "expected_share": "Nuvarande takt",
    "target": "Mål",
    "today_per_year": "I dag per år",
    "needed_per_year": "Behövs per år",
    "sentence": "Svar",
}


def what_table(table: pl.DataFrame) -> pl.DataFrame:
    """The solver's table for the screen and the download (shares as fractions, formatted by the exporter)."""
    if table.height == 0:
        return table
    return table.with_columns(pl.col("lever").replace_strict(LEVERS)).select(
        *WHAT_LABELS, "suppressed"
    )


def backtest_years(years: list[int]) -> list[int]:
    """Years a backtest can start from, newest first: one earlier year (for the rates), one later."""
    return sorted(years[1:-1], reverse=True)


def default_backtest_year(choices: list[int]) -> int | None:
    """Three years back when there is that much history (so three years are compared), else the oldest."""
    if not choices:
        return None
    return choices[2] if len(choices) > 2 else choices[-1]


def backtest_summary(result) -> list[tuple[str, str]]:
    """(label, value) of the backtest's figures, in Swedish."""

    def pp(level: str) -> str:
        v = result.mae_pp.get(level)
        return ".." if v is None else fmt_number(v, 1)

    cov = ".." if result.coverage is None else fmt_percent(result.coverage, 0)
    return [
        ("Organisationen, medelfel (procentenheter)", pp("org")),
        ("Områden, medelfel (procentenheter)", pp("area")),
        ("Enheter, medelfel (procentenheter)", pp("unit")),
        ("Utfall inom 80 %-bandet", cov),
    ]


#: Excel formats of the 'what it takes' download (``present.exports.EXCEL_FORMATS`` keys).
WHAT_FORMATS = {
    "current_share": "share",
    "expected_share": "share",
    "target": "share",
    "today_per_year": "fte",
    "needed_per_year": "fte",
}
WHAT_NUMBERS = list(WHAT_FORMATS)


def what_it_takes_section(cur, scope, choice: Choice, start_year: int, frame: pl.DataFrame) -> None:
    """Target, year and share inputs; the table per lever and its downloads."""
    present = [i for i in INDICATORS if scope_rows(frame, choice, i).height] or list(INDICATORS)
    cols = st.columns(3)
    indicator_id = cols[0].selectbox(
        "Andel", present, format_func=components.indicator_name, key="prognos_what_indicator"
    )
    rows = scope_rows(frame, choice, indicator_id)
    years = list(range(start_year + 1, start_year + 6))
    year = cols[1].selectbox("År", years, index=len(years) - 1, key="prognos_what_year")
    default_target = rows.filter(pl.col("year") == year)["target"].drop_nulls()
    default = int(round(default_target[0] * 100)) if default_target.len() else 80
    target = cols[2].number_input(
        "Mål (%)", min_value=1, max_value=100, value=default, step=1, key="prognos_what_target"
    )
    area = choice.area if choice.level != "org" else None
    unit = choice.scope_id if choice.level == "unit" else None
    with st.spinner("Räknar ut vad som krävs …"):
        table = qp.what_it_takes(
            cur, scope, indicator_id, target / 100, int(year), area=area, unit=unit
        )
    if table.height == 0:
        components.empty_state("Ingen enhet i urvalet har den här andelen.")
        return
    area_rows = table.filter(pl.col("level") == "area")
    for sentence in area_rows["sentence"].unique(maintain_order=True).to_list():
        st.markdown(f"- {components_md(sentence)}")
    shown = what_table(table)
    st.dataframe(screen_table(shown), hide_index=True)
    components.download_buttons(
        shown,
        f"Vad som krävs {components.indicator_name(indicator_id)} {year}",
        key="prognos_what",
        labels=WHAT_LABELS,
        formats=WHAT_FORMATS,
        suppressible=WHAT_NUMBERS,
    )


def screen_table(shown: pl.DataFrame) -> pl.DataFrame:
    """The 'what it takes' table as Swedish text ('..' where suppressed)."""

    def text(column: str, fmt) -> pl.Expr:
        return (
            pl.when(pl.col("suppressed"))
            .then(pl.lit(".."))
            .otherwise(pl.col(column).map_elements(fmt, return_dtype=pl.String))
            .alias(column)
        )

    return (
        shown.with_columns(
            [text(c, fmt_percent) for c in ("current_share", "expected_share")]
            + [pl.col("target").map_elements(lambda v: fmt_percent(v, 0), return_dtype=pl.String)]
            + [text(c, lambda v: fmt_number(v, 1)) for c in ("today_per_year", "needed_per_year")]
        )
        .drop("suppressed")
        .rename(WHAT_LABELS)
    )


def components_md(text: str) -> str:
    """A sentence with names in it, escaped for Markdown (names are text, never markup)."""
    from kompetens.present.formatting import md_text

    return md_text(text)


def comparison_table(rows: pl.DataFrame, base_rows: pl.DataFrame) -> pl.DataFrame:
    """The scenario beside the observed pace, per year: medians, bands and the difference.

    ``rows`` and ``base_rows``: one scope's rows of one share (``year, median, low80,
    high80``). Columns in Swedish; the difference in percentage points.
    """

    def band(frame: pl.DataFrame, name: str) -> pl.DataFrame:
        return frame.select(
            "year",
            pl.col("median").alias(f"_{name}"),
            pl.struct("median", "low80", "high80")
            .map_elements(
                lambda r: (
                    f"{fmt_percent(r['median'])} ({fmt_percent(r['low80'])}–"
                    f"{fmt_percent(r['high80'])})"
                ),
                return_dtype=pl.String,
            )
            .alias(name),
        )

    joined = band(base_rows, "Nuvarande takt").join(band(rows, "Scenario"), on="year")
    return joined.sort("year").select(
        pl.col("year").cast(pl.String).alias("År"),
        "Nuvarande takt",
        "Scenario",
        ((pl.col("_Scenario") - pl.col("_Nuvarande takt")) * 100)
        .map_elements(lambda v: _signed_pp(v), return_dtype=pl.String)
        .alias("Skillnad (procentenheter)"),
    )


def _signed_pp(value: float | None) -> str:
    if value is None:
        return ".."
    if abs(value) < 0.05:
        return "0,0"
    return ("+" if value > 0 else "") + fmt_number(value, 1)

"""View logic of the ARUBA page, as pure functions of query-layer frames (no Streamlit, no SQL).

The page reads frames from ``kompetens.query`` and hands them to these
functions to pick the value of a year, combine two trends, rank and
summarise units, and turn figures into Swedish tables; everything here is
tested in ``tests/test_page_aruba.py`` without a browser.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

import polars as pl

from kompetens import query
from kompetens.core.labels import (
    PHASE_LABELS,
    SCHOOL_FORM_LABELS,
    STAFF_CATEGORY_LABELS,
    VARIANT_LABELS,
)
from kompetens.indicators import registry
from kompetens.present import charts
from kompetens.present.formatting import fmt_value
from kompetens.query.aruba import HIRE_EXTENSION, HIRE_EXTERNAL
from kompetens.ui.catalogue import source_labels

#: What each phase asks (domain brief), shown under the phase's heading.
PHASE_QUESTIONS: dict[str, str] = {
    "attrahera": "Vill människor arbeta hos oss? Arbetsgivarvarumärke, praktikanter och sökande.",
    "rekrytera": "Tillsätter vi tjänsterna, snabbt och med behörig personal?",
    "utveckla": "Växer våra medarbetare? Kompetensutveckling, introduktion och vägar till behörighet.",
    "behalla": "Stannar medarbetarna, och mår de bra? Personalomsättning, sjukfrånvaro och engagemang.",
    "avveckla": "Ser vi avgångarna komma, placerar vi övertaliga först och lär vi oss av dem som slutar?",
}


T = TypeVar("T")


def phase_label(phase: str) -> str:
    """The Swedish name of an ARUBA phase id (``behalla`` -> ``Behålla``)."""
    return PHASE_LABELS[phase]


#: Indicators whose ``all`` row is a plain total (100 %): shown as a distribution over this dimension instead.
DISTRIBUTION_INDICATORS: dict[str, str] = {"exit_reasons": "reason"}

#: A registry indicator (the page's sections take them whole).
Indicator = registry.Indicator
#: The Avveckla phase's forecast, drawn per staff category below the phase's indicators.
FORECAST_INDICATOR = "retirement_forecast_5y"

#: The tabs after a phase's indicators: the Avveckla phase's forecast and redundancy rule, and
#: every phase's table of all units.
FORECAST_TAB = "Pensionsprognos"
REDUNDANCY_TAB = "Övertaliga och öppna tjänster"
UNITS_TAB = "Alla enheter"
#: Lost qualified teaching hours beside hires per subject (``ui.recruit_smart_view``).
RECRUIT_SMART_TAB = "Rekrytera smart"


def tab_labels(phase: str, indicators: list[registry.Indicator]) -> list[str]:
    """The ARUBA page's tabs for a phase: one per indicator, then the phase's own sections."""
    extra = [FORECAST_TAB, REDUNDANCY_TAB, RECRUIT_SMART_TAB] if phase == "avveckla" else []
    return [ind.name_sv for ind in indicators] + extra + [UNITS_TAB]


#: How many units the ranking chart shows before it keeps only the weakest.
RANKING_LIMIT = 15


def trend_period_type(indicator: registry.Indicator, monthly: bool) -> str:
    """The period type of a trend: yearly, or the finest monthly type the indicator has."""
    if monthly:
        for pt in ("month", "rolling_12m"):
            if pt in indicator.period_types:
                return pt
    return "year"


def trend_breakdown(indicator: registry.Indicator, school_form: str | None) -> str:
    """The breakdown that answers the sidebar's school-form filter (``all`` when the indicator has none)."""
    if school_form is not None and "school_form" in indicator.breakdowns:
        return f"school_form={school_form}"
    return "all"


def indicator(indicator_id: str) -> Indicator:
    """The registry's declaration of an indicator (names, unit, direction, breakdowns)."""
    return registry.get(indicator_id)


def trend_lines(indicator: Indicator, breakdown: str, label: str) -> dict[str, str]:
    """The lines of an indicator's trend: line label -> breakdown to read.

    An indicator whose registry entry has the ``variant`` breakdown (turnover: with and
    without retirements) draws its own definition and each variant, when the trend is
    not narrowed to a school form; any other trend is one line called ``label``.
    """
    if breakdown == "all" and "variant" in indicator.breakdowns:
        return {
            name: "all" if variant == "all" else f"variant={variant}"
            for variant, name in VARIANT_LABELS.items()
        }
    return {label: breakdown}


def trend_figure(indicator: Indicator, frame: pl.DataFrame, colour: str):
    """The trend chart of one indicator from ``combine_series``: its lines and the target.

    A single line is drawn in the phase's colour; several lines keep the palette's colours.
    """
    fig = charts.trend(
        frame, x="period", y="value", unit=indicator.unit, series="serie", target="target"
    )
    if frame["serie"].n_unique() == 1:
        fig.update_traces(line_color=colour, selector={"mode": "lines+markers"})
    if indicator.number_format == "decimal_2":
        fig.update_yaxes(tickformat=",.2f")
    axis = y_range(frame, indicator.unit)
    if axis:
        # The ticks cover the whole axis from zero, not only the values' range.
        fig.update_yaxes(range=axis, **charts.axis_format(indicator.unit, axis))
    fig.update_layout(height=320, title=None)
    return fig


def ranking_figures(
    indicator: Indicator,
    values: pl.DataFrame,
    *,
    colour: str,
    target: float | None,
    reference: float | None,
    reference_label: str,
):
    """(ranking chart, spread chart or None, how many units the ranking shows when cut to the weak end).

    ``values``: ``query.unit_values`` rows of one indicator and period.
    """
    ranked, limited = ranking(values, indicator)
    # The axis spans the indicator's scale (1–5 for a survey answer); the target line is drawn
    # behind the value labels.
    fig = charts.ranked_bars(
        ranked,
        label="unit_name",
        value="value",
        unit=indicator.unit,
        colour=colour,
        target=target,
        # Each bar carries its unit id: a click opens the unit (``components.unit_page_click``).
        key_column="unit_id" if "unit_id" in ranked.columns else None,
    )
    fig.update_layout(margin={"t": 30, "r": 70})
    if not limited:
        return fig, None, None
    # The ranking shows only the weak end: draw every visible unit so the whole spread is seen.
    spread_fig = charts.unit_spread(
        visible_units(values),
        value="value",
        label="unit_name",
        unit=indicator.unit,
        colour=colour,
        reference=reference,
        reference_label=reference_label,
        target=target,
    )
    return fig, spread_fig, ranked.height


def combine_series(series: dict[str, pl.DataFrame]) -> pl.DataFrame:
    """Several trends (``query.series`` frames) as one frame with a ``serie`` label column, for one chart."""
    parts = [
        frame.select("period", "value", "suppressed", "target").with_columns(
            pl.lit(label).alias("serie")
        )
        for label, frame in series.items()
    ]
    if not parts:
        return pl.DataFrame(
            schema={
                "period": pl.String,
                "value": pl.Float64,
                "suppressed": pl.Boolean,
                "target": pl.Float64,
                "serie": pl.String,
            }
        )
    return pl.concat(parts, how="vertical_relaxed")


def has_visible(frame: pl.DataFrame) -> bool:
    """Whether a query frame (``value``, ``suppressed``) has at least one value that may be shown."""
    return frame.filter(~pl.col("suppressed") & pl.col("value").is_not_null()).height > 0


def hidden_trend_text(frame: pl.DataFrame) -> str:
    """Said instead of an empty chart when every value of a trend is hidden or missing."""
    hidden = frame.filter(pl.col("suppressed"))["period"].unique().sort().to_list()
    if not hidden:
        return "Inga värden att visa i trenden."
    return f"Alla värden är dolda (`..`, färre än 5 personer) – perioder med data: {', '.join(hidden)}."


def y_range(frame: pl.DataFrame, unit: str) -> list[float] | None:
    """A y axis from zero for shares and counts (a level is read against zero), with room above.

    Scores (1–5, 0–100) keep Plotly's own range, where the differences matter.
    """
    if unit not in ("share", "count", "fte", "days", "hours", "ratio"):
        return None
    tops = [frame[c].max() for c in ("value", "target") if c in frame.columns]
    top = max((t for t in tops if t is not None), default=None)
    if top is None or top <= 0:
        return None
    return [0.0, float(top) * 1.15]


@dataclass(frozen=True)
class YearValue:
    """One scope's figure for the chosen period, with the year before and the target."""

    period: str
    value: float | None
    suppressed: bool
    previous: float | None
    change: float | None
    target: float | None
    status: str | None
    found: bool  # False: no figure at all for the period


def value_at(series: pl.DataFrame, period: str, indicator_id: str) -> YearValue:
    """The figure of ``series`` (a ``query.series`` frame) for ``period`` and its change from a year earlier.

    A period without a figure falls back to the newest earlier one (a flow
    such as first-year retention is known only a year later); ``period`` of
    the result says which was used.
    """
    earlier = series.filter(pl.col("period") <= period).sort("period")
    if earlier.height == 0:
        return YearValue(period, None, False, None, None, None, None, False)
    row = earlier.row(-1, named=True)
    period = row["period"]
    before = series.filter(pl.col("period") == query.previous_period(period))
    prev = before.row(0, named=True) if before.height else None
    value = row["value"]
    previous = prev["value"] if prev else None
    change = value - previous if value is not None and previous is not None else None
    target = row["target"]
    return YearValue(
        period=period,
        value=value,
        suppressed=bool(row["suppressed"]),
        previous=previous,
        change=change,
        target=target,
        status=query.traffic_light(value, target, indicator_id),
        found=True,
    )


def card_row(indicator_id: str, year_value: YearValue) -> dict:
    """The mapping ``components.headline_card`` expects."""
    return {
        "indicator_id": indicator_id,
        "value": year_value.value,
        "suppressed": year_value.suppressed,
        "change": year_value.change,
        "target": year_value.target,
        "status": year_value.status,
        "period": year_value.period,
    }


@dataclass(frozen=True)
class Spread:
    """How unit values spread for one indicator and period (visible values only)."""

    n_units: int
    n_hidden: int
    minimum: float | None
    median: float | None
    maximum: float | None


def spread(unit_values: pl.DataFrame) -> Spread:
    """Min, median and max of the visible unit values of one indicator (``query.unit_values`` rows)."""
    visible = unit_values.filter(~pl.col("suppressed") & pl.col("value").is_not_null())["value"]
    hidden = unit_values.filter(pl.col("suppressed")).height
    if visible.len() == 0:
        return Spread(unit_values.height, hidden, None, None, None)
    return Spread(unit_values.height, hidden, visible.min(), visible.median(), visible.max())  # type: ignore[arg-type]


def visible_units(unit_values: pl.DataFrame) -> pl.DataFrame:
    """The unit rows with a shown value (hidden and missing ones left out), for the spread chart."""
    return unit_values.filter(~pl.col("suppressed") & pl.col("value").is_not_null())


def spread_text(s: Spread, indicator: registry.Indicator) -> str:
    """``Spridning mellan 3 enheter: lägst 5,0 % · median 5,0 % · högst 8,0 % (2 dolda ..)`` in Swedish."""
    if s.n_units == 0:
        return "Inga enhetsvärden för perioden."
    if s.minimum is None:
        if s.n_units == 1:
            return "Enhetens värde är dolt (`..`) – för få personer."
        return f"Alla {s.n_units} enheters värden är dolda (`..`) – för få personer."
    if s.n_units == 1:
        return f"En enhet: {fmt_value(s.minimum, indicator)}"
    text = (
        f"Spridning mellan {s.n_units} enheter: lägst {fmt_value(s.minimum, indicator)} · "
        f"median {fmt_value(s.median, indicator)} · högst {fmt_value(s.maximum, indicator)}"
    )
    if s.n_hidden:
        text += f" ({s.n_hidden} dolda `..`)"
    return text


def ranking_caption(shown: int, indicator: registry.Indicator) -> str:
    """What a limited ranking shows, in words that fit the indicator's direction."""
    side = "högst" if indicator.direction != "higher_is_better" else "lägst"
    return f"De {shown} enheterna med {side} värde visas; alla enheter finns på fliken {UNITS_TAB}."


def ranking(
    unit_values: pl.DataFrame, indicator: registry.Indicator, limit: int = RANKING_LIMIT
) -> tuple[pl.DataFrame, bool]:
    """Units for the ranking chart: ``(frame, limited)``.

    Up to ``limit`` units: all of them, hidden ones included (shown as ``..``).
    More: the ``limit`` visible units on the weak side of the indicator's
    direction (lowest when higher is better, highest otherwise), so the
    chart stays legible; the full list is in the table.
    """
    keys = [c for c in ("unit_id", "school_form") if c in unit_values.columns]
    frame = unit_values.select(*keys, "unit_name", "area", "value", "suppressed")
    if frame.height <= limit:
        return frame, False
    visible = frame.filter(~pl.col("suppressed") & pl.col("value").is_not_null())
    weakest_first = visible.sort("value", descending=indicator.direction != "higher_is_better")
    return weakest_first.head(limit), True


_MEMO: dict[tuple, tuple[tuple, object]] = {}
MEMO_SIZE = 512


def memo_by_identity(key: tuple, sources: tuple, build: Callable[[], T]) -> T:
    """``build()`` once per ``key`` and *these* source objects.

    The query layer hands out the same immutable frame for as long as the
    data are unchanged, so a chart or table built from it can be kept: a new
    import yields new frames and so a miss. The memo holds the sources, so
    their ids cannot be reused while an entry lives. Plotly figures cost
    10–50 ms each to build; a phase has up to 21 of them.
    """
    full_key = (key, tuple(id(s) for s in sources))
    hit = _MEMO.get(full_key)
    if hit is not None and all(a is b for a, b in zip(hit[0], sources, strict=True)):
        return hit[1]  # type: ignore[return-value]
    value = build()
    if len(_MEMO) >= MEMO_SIZE:
        _MEMO.clear()
    _MEMO[full_key] = (sources, value)
    return value


def unit_table(
    wide: pl.DataFrame, indicators: list[registry.Indicator]
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """A phase's unit table (from ``query.unit_table``) as ``(screen, download)`` frames.

    Screen: Swedish strings (``5,4 %``, ``..``) under Swedish headings.
    Download: numbers with a ``<heading>_suppressed`` companion, so the
    export writes ``..`` exactly where the screen does. (Formatting costs
    ~0.1 ms a cell, so the result is memoised on the query frame.)
    """
    key = ("unit_table", tuple(ind.id for ind in indicators))
    return memo_by_identity(key, (wide,), lambda: _unit_table(wide, indicators))


def _unit_table(
    wide: pl.DataFrame, indicators: list[registry.Indicator]
) -> tuple[pl.DataFrame, pl.DataFrame]:
    base = [
        pl.col("unit_name").alias("Enhet"),
        pl.col("area").alias("Område"),
        pl.col("school_form").replace(SCHOOL_FORM_LABELS).alias("Skolform"),
    ]
    screen_cols, download_cols = list(base), list(base)
    for ind in indicators:
        if ind.id not in wide.columns:
            continue
        hidden = pl.col(f"{ind.id}__suppressed").fill_null(False)
        screen_cols.append(
            pl.struct(pl.col(ind.id), hidden.alias("h"))
            .map_elements(
                lambda r, ind=ind: fmt_value(r[ind.id], ind, suppressed=bool(r["h"])),
                return_dtype=pl.String,
            )
            .alias(ind.name_sv)
        )
        download_cols += [
            pl.col(ind.id).alias(ind.name_sv),
            hidden.alias(f"{ind.name_sv}_suppressed"),
        ]
    return wide.select(screen_cols), wide.select(download_cols)


def rows_of_period(frame: pl.DataFrame, period: str) -> pl.DataFrame:
    """The rows of a per-period query frame (``breakdown_series``) for one period."""
    return frame.filter(pl.col("period") == period)


def distribution_table(frame: pl.DataFrame, labels: dict[str, str], unit: str) -> pl.DataFrame:
    """A ``query.breakdown``/``breakdown_series`` frame as a Swedish table (category label, value or ``..``)."""
    return frame.select(
        pl.col("category").replace_strict(labels, default=pl.col("category")).alias("Kategori"),
        pl.struct("value", "suppressed")
        .map_elements(
            lambda r: fmt_value(r["value"], unit, suppressed=bool(r["suppressed"])),
            return_dtype=pl.String,
        )
        .alias("Värde"),
    )


def matches_table(matches: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """``query.redundancy_matches`` as ``(screen, download)`` frames with Swedish headings and ``..``."""
    frame = matches.with_columns(
        pl.when(pl.col("level") == "org")
        .then(pl.lit("Hela organisationen"))
        .otherwise(pl.col("area"))
        .alias("Nivå"),
        pl.col("category")
        .replace_strict(STAFF_CATEGORY_LABELS, default=pl.col("category"))
        .alias("Personalkategori"),
    )

    def as_text(col: str, hidden: str | None) -> pl.Expr:
        cond = pl.col(hidden) if hidden else pl.lit(False)
        return (
            pl.when(cond)
            .then(pl.lit(".."))
            .when(pl.col(col).is_null())
            .then(pl.lit("–"))
            .otherwise(pl.col(col).cast(pl.Int64).cast(pl.String))
        )

    screen = frame.select(
        "Nivå",
        "Personalkategori",
        as_text("redundant_unplaced", "redundant_suppressed").alias("Övertaliga ej placerade"),
        as_text("open_vacancies", "vacancies_suppressed").alias("Öppna tjänster i kategorin"),
        as_text("placeable", None).replace({"–": ".."}).alias("Kan placeras nu"),
    )
    download = frame.select(
        "Nivå",
        "Personalkategori",
        pl.col("redundant_unplaced").alias("Övertaliga ej placerade"),
        pl.col("redundant_suppressed").alias("Övertaliga ej placerade_suppressed"),
        pl.col("open_vacancies").alias("Öppna tjänster i kategorin"),
        pl.col("vacancies_suppressed").alias("Öppna tjänster i kategorin_suppressed"),
        pl.col("placeable").alias("Kan placeras nu"),
        (pl.col("redundant_suppressed") | pl.col("vacancies_suppressed")).alias(
            "Kan placeras nu_suppressed"
        ),
    )
    return screen, download


def matches_summary(matches: pl.DataFrame) -> str | None:
    """One Swedish sentence on the organisation rows: how many could be placed in open posts now."""
    org = matches.filter(pl.col("level") == "org")
    if org.height == 0:
        return None
    placeable = org.filter(pl.col("placeable") > 0)
    if placeable.height == 0:
        if org["vacancies_suppressed"].any() or org["redundant_suppressed"].any():
            return (
                "Matchningen kan inte visas i siffror: antalet övertaliga eller öppna tjänster i "
                "kategorin är färre än 5 och visas som `..`. Stäm av listan med HR innan någon "
                "anställs externt i dessa kategorier."
            )
        if org["open_vacancies"].is_null().all():
            return "Uppgift om öppna tjänster saknas – importera rekryteringsfilen för att matcha."
        return "Inga öppna tjänster finns just nu i de kategorier som har övertaliga."
    parts = [
        f"{STAFF_CATEGORY_LABELS.get(c, c).lower()}: {int(n)}"
        for c, n in zip(placeable["category"], placeable["placeable"], strict=True)
    ]
    return (
        "Regeln: övertaliga erbjuds öppna tjänster i sin kategori innan någon anställs externt. "
        f"Kan placeras nu – {', '.join(parts)}."
    )


def missing_text(
    indicator: registry.Indicator, period: str, *, importer: bool = True
) -> tuple[str, str]:
    """(what is missing, how to get it) for an indicator without figures, naming the files that
    feed it. ``importer``: the viewer's role has the Import page (else HR is named instead)."""
    files = ", ".join(f"**{s}**" for s in source_labels(indicator))
    how = (
        "Importera dem på sidan **Import** (eller bygg demodata med `uv run kompetens demo`)."
        if importer
        else "HR importerar dem – kontakta HR om de saknas."
    )
    return (
        f"Inga värden för {indicator.name_sv.lower()} {period}.",
        f"Nyckeltalet räknas fram ur filerna {files}. {how}",
    )


def first_period(series: pl.DataFrame) -> str:
    """The oldest period of a ``query.series`` frame."""
    return str(series["period"].min())


def only_later_text(indicator: registry.Indicator, period: str, first: str) -> str:
    """Said when an indicator has figures, but none for ``period`` or before it."""
    return (
        f"Inga värden för {indicator.name_sv.lower()} {period} eller tidigare – det första "
        f"värdet gäller {first}. Välj ett senare år i sidopanelen."
    )


# ---- HR's lists for the redundancy rule (query.redundant_people, placement_match, ...) ------

#: How a flagged hire is described (``query.hires_despite_redundancy``'s ``hire_kind``).
HIRE_KIND_LABELS: dict[str, str] = {
    HIRE_EXTERNAL: "Extern nyanställning",
    HIRE_EXTENSION: "Förlängd visstidsanställning (räknas som nyanställning)",
}


def _category(col: str = "category") -> pl.Expr:
    return pl.col(col).replace_strict(STAFF_CATEGORY_LABELS, default=pl.col(col))


def people_table(people: pl.DataFrame) -> pl.DataFrame:
    """``query.redundant_people`` with Swedish headings (one row per person, pseudonymised)."""
    return people.select(
        pl.col("area").alias("Område"),
        pl.col("unit_name").alias("Enhet"),
        _category().alias("Personalkategori"),
        pl.col("notice_date").cast(pl.String).alias("Varsel om övertalighet"),
        pl.col("employee_id").alias("Person (id)"),
    )


def placement_table(match: pl.DataFrame) -> pl.DataFrame:
    """``query.placement_match`` with Swedish headings: exact counts per level and category."""
    return match.select(
        pl.when(pl.col("level") == "org")
        .then(pl.lit("Hela organisationen"))
        .otherwise(pl.col("area"))
        .alias("Nivå"),
        _category().alias("Personalkategori"),
        pl.col("redundant_unplaced").alias("Övertaliga ej placerade"),
        pl.col("open_vacancies").alias("Öppna tjänster i kategorin"),
        pl.col("placeable").alias("Kan placeras nu"),
    )


def flagged_hires_table(hires: pl.DataFrame) -> pl.DataFrame:
    """``query.hires_despite_redundancy`` with Swedish headings, per unit and date."""
    return hires.select(
        pl.col("area").alias("Område"),
        pl.col("unit_name").alias("Enhet"),
        _category().alias("Personalkategori"),
        pl.col("hire_date").cast(pl.String).alias("Datum"),
        pl.col("hire_kind")
        .replace_strict(HIRE_KIND_LABELS, default=pl.col("hire_kind"))
        .alias("Anställning"),
        pl.col("employee_id").alias("Person (id)"),
        pl.col("redundant_unplaced").alias("Övertaliga i kategorin den dagen"),
    )


def flagged_hires_summary(hires: pl.DataFrame) -> str:
    """One Swedish sentence: how many hires broke the rule, in how many units."""
    if hires.height == 0:
        return "Inga anställningar i kategorier med oplacerade övertaliga."
    units = hires["unit_id"].n_unique()
    extensions = hires.filter(pl.col("hire_kind") == HIRE_EXTENSION).height
    return (
        f"{hires.height} anställningar i {units} enheter gjordes i en kategori där övertaliga "
        f"ännu inte var placerade (varav {extensions} förlängda visstidsanställningar)."
    )

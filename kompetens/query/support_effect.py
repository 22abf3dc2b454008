"""Before and after support: a unit's related key figures in the year before and the year after.

For each unit that received support on a topic (an effort in progress or done, linked to a
request on that topic), the key figures related to the topic (``TOPIC_INDICATORS``, declared
once here) over the twelve months before the month the support started and the twelve
months after it, beside the same figures of similar units that got no support at all (same
school form and need band) over the same months. It says what *followed* the support, never
what it *caused*: the units chose to ask, and the comparison units differ in ways no band
captures (docs/support-follow-up.md, "Before and after support").

Windows (month indexes as in ``query.periods``; ``s`` = the month of the first effort's
start date on that topic): before = months ``s-12 .. s-1``, after = ``s+1 .. s+12``; the
support month itself is in neither. A window's value:

- an indicator with monthly figures: the mean of the unit's *visible* monthly values in the
  window, when at least ``MIN_MONTHS`` months have one (a hidden month is left out, never
  estimated: the mean is made of figures anyone in scope can already see); hidden (``..``)
  when fewer months are visible because the others are hidden;
- an indicator with only rolling-twelve-month figures: the figure at the window's last
  month (it covers exactly the window); hidden when that figure is hidden.

Need band: the quarter of the organisation's ranked units the unit's support-need rank
falls in (``query.support_need`` at month ``s-1``, the month before the support; band 1 is
the "high need" of ``support_register.need_versus_support``); an unranked unit has no band
and no comparison group.

Comparison group of a supported unit: the other units of its school form in its band at
``s-1`` with no support effort (of any kind, linked or proactive, not declined) overlapping
``s-12 .. s+12``, that have a visible value in both windows. Its means are shown when at
least ``MIN_COMPARISON_UNITS`` units qualify; otherwise null.

Privacy and scope: values come from the suppressed key-figure slices (``query.slices``), so
a hidden figure stays hidden. A scope sees the rows of its own units only (a principal: the
own unit; ``unit_id`` outside the scope raises ``ScopeError``); the comparison group is
drawn from the whole organisation but only its mean over at least three units is returned,
never a unit of it.
"""

from __future__ import annotations

import datetime as dt

import duckdb
import polars as pl

from kompetens.access.scope import Scope
from kompetens.core import store
from kompetens.core.labels import PHASE_LABELS
from kompetens.indicators import registry
from kompetens.query.cache import _cached
from kompetens.query.slices import _check_scope, _unit_frame, _unit_rows
from kompetens.query.support_index import support_need
from kompetens.query.support_register import HIGH_NEED_SHARE

WINDOW_MONTHS = 12
#: A monthly indicator's window needs at least this many monthly values (else no value).
MIN_MONTHS = 6
#: The comparison group's means are shown only over at least this many units.
MIN_COMPARISON_UNITS = 3
#: Need bands: quarters of the ranked units; band 1 is the top quarter ("high need").
NEED_BANDS = 4
#: Effort statuses that count as support received (a planned or declined effort does not).
RECEIVED = ("in_progress", "done")

#: ARUBA phase -> the key figures that may follow support on it, declared once. Only
#: indicators with monthly or rolling-twelve-month unit figures can be compared by window.
TOPIC_INDICATORS: dict[str, tuple[str, ...]] = {
    "attrahera": ("applicants_per_vacancy", "qualified_applicants_per_vacancy"),
    "rekrytera": (
        "certified_teacher_share",
        "temporary_teacher_share",
        "unfilled_vacancy_share",
        "time_to_fill_days",
        "certified_hire_share",
    ),
    "utveckla": (
        "on_certification_path_share",
        "in_certification_programme",
        "development_hours_per_fte",
        "onboarding_completion",
    ),
    "behalla": ("sick_leave_rate", "long_sick_leave_share", "unit_turnover_rate", "turnover_rate"),
    "avveckla": ("redundant_staff_unplaced", "open_vacancies_for_redundant"),
}
#: Topic (as the register spells it) -> ARUBA phase: the phases themselves and the default
#: topics that belong to one. A topic not here (Elevhälsa, Juridik, IT) has no related figures.
TOPIC_PHASES: dict[str, str] = {PHASE_LABELS[p]: p for p in TOPIC_INDICATORS} | {
    "Rekrytering": "rekrytera",
    "Kompetensutveckling": "utveckla",
    "Arbetsmiljö": "behalla",
}

SCHEMA: dict[str, pl.DataType] = {
    "unit_id": pl.String(),
    "unit_name": pl.String(),
    "area": pl.String(),
    "school_form": pl.String(),
    "topic": pl.String(),
    "support_start": pl.Date(),
    "need_band": pl.Int64(),
    "indicator_id": pl.String(),
    "before": pl.Float64(),
    "before_suppressed": pl.Boolean(),
    "before_months": pl.Int64(),
    "after": pl.Float64(),
    "after_suppressed": pl.Boolean(),
    "after_months": pl.Int64(),
    "change": pl.Float64(),
    "comparison_units": pl.Int64(),
    "comparison_before": pl.Float64(),
    "comparison_after": pl.Float64(),
    "comparison_change": pl.Float64(),
}


def related_indicators(topic: str) -> tuple[str, ...]:
    """The key figures related to a topic (empty for a topic without an ARUBA phase)."""
    phase = TOPIC_PHASES.get(topic)
    return TOPIC_INDICATORS.get(phase, ()) if phase else ()


def _period_type(indicator_id: str) -> str | None:
    types = registry.get(indicator_id).period_types
    return "month" if "month" in types else "rolling_12m" if "rolling_12m" in types else None


def _month(index: int) -> str:
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def _month_of(col: str) -> pl.Expr:
    return pl.col(col).dt.year().cast(pl.Int64) * 12 + pl.col(col).dt.month().cast(pl.Int64) - 1


def _bands(conn, anchors: list[int], weights) -> pl.DataFrame:
    """``unit_id, s, need_band`` for every ranked unit at the month before each anchor ``s``."""
    parts = []
    cutoffs = [k / NEED_BANDS for k in range(1, NEED_BANDS)]
    for s in anchors:
        need = support_need(conn, Scope.everything(), weights=weights, period=_month(s - 1))
        ranked = need.filter(pl.col("rank").is_not_null())
        n = ranked.height
        if n == 0:
            continue
        # band 1 = the top quarter as in need_versus_support: rank <= max(1, round(n × 0.25))
        limits = [max(1, round(n * c)) if c == HIGH_NEED_SHARE else round(n * c) for c in cutoffs]
        band = pl.lit(1, dtype=pl.Int64)
        for limit in limits:
            band = band + (pl.col("rank") > limit).cast(pl.Int64)
        parts.append(
            ranked.select("unit_id", pl.lit(s, dtype=pl.Int64).alias("s"), band.alias("need_band"))
        )
    if not parts:
        return pl.DataFrame(schema={"unit_id": pl.String, "s": pl.Int64, "need_band": pl.Int64})
    return pl.concat(parts)


def _windows(cur, ctx, indicator_id: str, pairs: pl.DataFrame) -> pl.DataFrame:
    """Window values of ``pairs`` (``unit_id, s``): ``unit_id, s, window, value, hidden, months``."""
    period_type = _period_type(indicator_id)
    rows = _unit_rows(cur, ctx, indicator_id, period_type).select(
        pl.col("scope_id").alias("unit_id"), "_m", "value", "suppressed"
    )
    spans = pl.concat(
        [
            pairs.with_columns(
                pl.lit("before").alias("window"),
                (pl.col("s") - WINDOW_MONTHS).alias("_a"),
                (pl.col("s") - 1).alias("_b"),
            ),
            pairs.with_columns(
                pl.lit("after").alias("window"),
                (pl.col("s") + 1).alias("_a"),
                (pl.col("s") + WINDOW_MONTHS).alias("_b"),
            ),
        ]
    )
    monthly = period_type == "month"
    inside = (
        pl.col("_m").is_between(pl.col("_a"), pl.col("_b"))
        if monthly
        else pl.col("_m") == pl.col("_b")
    )
    found = (
        spans.join(rows, on="unit_id", how="inner")
        .filter(inside)
        .group_by("unit_id", "s", "window")
        .agg(
            pl.col("suppressed").any().alias("hidden"),
            pl.col("value").is_not_null().sum().cast(pl.Int64).alias("n"),
            pl.col("value").mean().alias("mean"),
        )
    )
    need = MIN_MONTHS if monthly else 1
    enough = pl.col("n") >= need
    return found.select(
        "unit_id",
        "s",
        "window",
        pl.when(enough).then(pl.col("mean")).alias("value"),
        (pl.col("hidden") & ~enough).alias("hidden"),
        (pl.col("n") * (1 if monthly else WINDOW_MONTHS)).alias("months"),
    )


def before_after(
    conn: duckdb.DuckDBPyConnection,
    scope: Scope,
    *,
    unit_id: str | None = None,
    weights: dict[str, float] | None = None,
) -> pl.DataFrame:
    """The related key figures before and after support, beside similar units without support.

    Grain: one row per supported unit in the scope × topic × related indicator (``SCHEMA``):
    the unit and its school form, the topic, ``support_start`` (the first effort's start
    date), ``need_band`` (1–4 at the month before, 1 = highest need), the indicator, the
    window values ``before`` / ``after`` (the indicator's unit: a share 0–1, days, …; null
    when hidden, ``*_suppressed`` then true, or when too few months: ``*_months``),
    ``change`` = after − before, and the comparison group's ``comparison_units``,
    ``comparison_before``, ``comparison_after``, ``comparison_change`` (null when fewer than
    ``MIN_COMPARISON_UNITS`` units qualify). See the module docstring for the windows.
    """
    w = tuple(sorted((weights or {}).items()))

    def compute(cur, ctx):
        units = _unit_frame(cur, ctx)
        if unit_id is not None:
            _check_scope(scope, units, "unit", unit_id)
        visible = scope.visible_units(units).select("unit_id")
        if unit_id is not None:
            visible = visible.filter(pl.col("unit_id") == unit_id)
        supported = store.frame(
            cur,
            """SELECT e.unit_id, r.topic, min(e.start_date) AS support_start
            FROM current_support_effort e
            JOIN current_support_request r ON r.request_id = e.request_id
            WHERE e.status IN (?, ?) GROUP BY ALL""",
            list(RECEIVED),
        )
        if supported.height == 0:
            return pl.DataFrame(schema=SCHEMA)
        supported = (
            supported.cast({"support_start": pl.Date})
            .join(visible, on="unit_id", how="semi")
            .filter(pl.col("topic").is_in(list(TOPIC_PHASES)))
            .with_columns(_month_of("support_start").alias("s"))
        )
        if supported.height == 0:
            return pl.DataFrame(schema=SCHEMA)
        anchors = sorted(supported["s"].unique().to_list())
        bands = _bands(conn, anchors, dict(w) or None)
        forms = units.select("unit_id", "unit_name", "area", "school_form")
        # Every effort not declined, as months: a unit with one overlapping s-12 .. s+12 is
        # not "without support".
        spans = store.frame(
            cur,
            """SELECT unit_id, start_date, coalesce(end_date, start_date) AS end_date
            FROM current_support_effort WHERE status <> 'declined'""",
        ).select(
            "unit_id",
            _month_of("start_date").alias("_from"),
            _month_of("end_date").alias("_to"),
        )
        # Candidates: for each supported row, the same form's units in the same band at s-1.
        rows = supported.join(forms, on="unit_id").join(bands, on=["unit_id", "s"], how="left")
        candidates = (
            rows.select("unit_id", "topic", "s", "school_form", "need_band")
            .join(forms.select(pl.col("unit_id").alias("peer"), "school_form"), on="school_form")
            .filter(pl.col("peer") != pl.col("unit_id"))
            .join(
                bands.rename({"unit_id": "peer", "need_band": "peer_band"}),
                on=["peer", "s"],
                how="inner",
            )
            .filter(pl.col("peer_band") == pl.col("need_band"))
        )
        busy = (
            candidates.select("peer", "s")
            .unique()
            .join(spans, left_on="peer", right_on="unit_id")
            .filter(
                (pl.col("_from") <= pl.col("s") + WINDOW_MONTHS)
                & (pl.col("_to") >= pl.col("s") - WINDOW_MONTHS)
            )
            .select("peer", "s")
            .unique()
        )
        candidates = candidates.join(busy, on=["peer", "s"], how="anti")
        pairs = pl.concat(
            [
                rows.select("unit_id", "s"),
                candidates.select(pl.col("peer").alias("unit_id"), "s"),
            ]
        ).unique()
        out = []
        for topic_rows in rows.partition_by("topic"):
            topic = topic_rows["topic"][0]
            for indicator_id in related_indicators(topic):
                if _period_type(indicator_id) is None:
                    continue
                values = _windows(cur, ctx, indicator_id, pairs)
                wide = (
                    values.pivot(
                        on="window", index=["unit_id", "s"], values=["value", "hidden", "months"]
                    )
                    if values.height
                    else pl.DataFrame(schema={"unit_id": pl.String, "s": pl.Int64})
                )
                for col, dtype in (
                    ("value_before", pl.Float64),
                    ("value_after", pl.Float64),
                    ("hidden_before", pl.Boolean),
                    ("hidden_after", pl.Boolean),
                    ("months_before", pl.Int64),
                    ("months_after", pl.Int64),
                ):
                    if col not in wide.columns:
                        wide = wide.with_columns(pl.lit(None, dtype=dtype).alias(col))
                peers = (
                    candidates.filter(pl.col("topic") == topic)
                    .join(wide, left_on=["peer", "s"], right_on=["unit_id", "s"], how="inner")
                    .filter(
                        pl.col("value_before").is_not_null() & pl.col("value_after").is_not_null()
                    )
                    .group_by("unit_id", "s")
                    .agg(
                        pl.len().cast(pl.Int64).alias("comparison_units"),
                        pl.col("value_before").mean().alias("comparison_before"),
                        pl.col("value_after").mean().alias("comparison_after"),
                    )
                )
                enough = pl.col("comparison_units") >= MIN_COMPARISON_UNITS
                own = (
                    topic_rows.join(wide, on=["unit_id", "s"], how="left")
                    .join(peers, on=["unit_id", "s"], how="left")
                    .with_columns(
                        pl.lit(indicator_id).alias("indicator_id"),
                        pl.col("hidden_before", "hidden_after").fill_null(False),
                        pl.col("months_before", "months_after", "comparison_units").fill_null(0),
                    )
                    .with_columns(
                        pl.when(enough)
                        .then(pl.col("comparison_before"))
                        .alias("comparison_before"),
                        pl.when(enough).then(pl.col("comparison_after")).alias("comparison_after"),
                    )
                    .select(
                        "unit_id",
                        "unit_name",
                        "area",
                        "school_form",
                        "topic",
                        "support_start",
                        "need_band",
                        "indicator_id",
                        pl.col("value_before").alias("before"),
                        pl.col("hidden_before").alias("before_suppressed"),
                        pl.col("months_before").alias("before_months"),
                        pl.col("value_after").alias("after"),
                        pl.col("hidden_after").alias("after_suppressed"),
                        pl.col("months_after").alias("after_months"),
                        (pl.col("value_after") - pl.col("value_before")).alias("change"),
                        "comparison_units",
                        "comparison_before",
                        "comparison_after",
                        (pl.col("comparison_after") - pl.col("comparison_before")).alias(
                            "comparison_change"
                        ),
                    )
                )
                # A figure the unit has nothing of in either window is left out.
                seen = (
                    (pl.col("before_months") + pl.col("after_months") > 0)
                    | pl.col("before_suppressed")
                    | pl.col("after_suppressed")
                )
                out.append(own.filter(seen).cast(SCHEMA))
        if not out:
            return pl.DataFrame(schema=SCHEMA)
        order = {ind: i for i, ind in enumerate(i for t in TOPIC_INDICATORS.values() for i in t)}
        return (
            pl.concat(out)
            .with_columns(
                pl.col("indicator_id").replace_strict(order, return_dtype=pl.Int64).alias("_o")
            )
            .sort("area", "unit_name", "topic", "_o")
            .drop("_o")
        )

    return _cached("support_before_after", conn, (scope, unit_id, w), compute)


def window_dates(support_start: dt.date) -> tuple[tuple[dt.date, dt.date], tuple[dt.date, dt.date]]:
    """The before and after windows of a support start date as (first day, last day) pairs."""
    s = support_start.year * 12 + support_start.month - 1

    def first(i: int) -> dt.date:
        return dt.date(i // 12, i % 12 + 1, 1)

    def last(i: int) -> dt.date:
        return first(i + 1) - dt.timedelta(days=1)

    return (first(s - WINDOW_MONTHS), last(s - 1)), (first(s + 1), last(s + WINDOW_MONTHS))

"""The allocation model read from the store, scoped: today's parameters against a scenario.

The model (``kompetens.analysis.allocation``) always runs over every unit, since the pot is
shared between all of them; only then are the rows cut to the caller's scope, so a narrow scope
sees exactly the amounts a wide one sees for the same units. An explicit request for a unit
outside the scope raises ``ScopeError``. Amounts are money, not people: nothing is suppressed.

Grain of what is returned: one row per visible unit (the comparison, the explanation) or per
visible unit × year (the series). Amounts in kronor, shares as fractions. The inputs are cached
on the database's stamp (``query.cache``); the model itself runs per call (milliseconds).
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import polars as pl

from kompetens.access.scope import Scope, ScopeError
from kompetens.analysis import allocation as al
from kompetens.core import store
from kompetens.query.cache import _cached
from kompetens.query.certification import certification_units
from kompetens.query.slices import _unit_frame
from kompetens.query.support_index import support_need

#: The school form whose row carries the upper-secondary floor.
UPPER_SECONDARY = "gymnasieskola"


@dataclass(frozen=True)
class Inputs:
    """The model's inputs as stored (current rows), and the units' names and areas."""

    pupils: pl.DataFrame
    index: pl.DataFrame
    parameters: pl.DataFrame
    units: pl.DataFrame

    @property
    def years(self) -> list[int]:
        return sorted(set(self.parameters["year"].to_list()))


def _inputs(conn: duckdb.DuckDBPyConnection) -> Inputs:
    """Every current row of the three allocation kinds (cached on the database's stamp)."""

    def compute(cur, ctx):
        return Inputs(
            pupils=store.frame(
                cur,
                "SELECT unit_id, year, school_form, grade_band, pupils FROM current_pupil_count",
            ),
            index=store.frame(
                cur,
                "SELECT unit_id, year, index, parents_post_secondary_pct, migration_background_pct, "
                "low_income_pct FROM current_socioeconomic_index",
            ),
            parameters=store.frame(
                cur,
                "SELECT year, school_form, pot, floor, index_scale, compensatory_share_pct, "
                "smoothing_years, cap_pct FROM current_allocation_parameters",
            ),
            units=_unit_frame(cur, ctx).select("unit_id", "unit_name", "area"),
        )

    return _cached("allocation_inputs", conn, (), compute)


def has_data(conn: duckdb.DuckDBPyConnection) -> bool:
    """Whether pupils, an index and a pot are all imported."""
    data = _inputs(conn)
    return min(data.pupils.height, data.index.height, data.parameters.height) > 0


def decided_parameters(
    conn: duckdb.DuckDBPyConnection, year: int | None = None
) -> al.AllocationParameters:
    """The model as decided for ``year`` (default the latest): the compulsory floor (the
    grundskola row's, else the lowest non-upper-secondary floor), the upper-secondary floor (the
    gymnasieskola row's; none without one), the longest smoothing and the cap given."""
    params = _inputs(conn).parameters
    if params.height == 0:
        return al.AllocationParameters()
    year = year if year is not None else int(params["year"].max())
    rows = params.filter(pl.col("year") == year)
    floors = dict(rows.select("school_form", "floor").iter_rows())
    others = [f for form, f in floors.items() if form not in al.UPPER_SECONDARY_FORMS]
    floor = floors.get("grundskola", min(others) if others else 0.0)
    smoothing = rows["smoothing_years"].drop_nulls()
    cap = rows["cap_pct"].drop_nulls()
    return al.AllocationParameters(
        floor=float(floor),
        upper_secondary_floor=floors.get(UPPER_SECONDARY),
        smoothing_years=int(smoothing.max()) if len(smoothing) else 1,
        cap=float(cap.max()) / 100 if len(cap) else None,
    )


def _run(data: Inputs, params: al.AllocationParameters) -> pl.DataFrame:
    return al.allocate(
        data.pupils, data.index.select("unit_id", "year", "index"), data.parameters, params
    )


def _visible(frame: pl.DataFrame, scope: Scope, units: pl.DataFrame) -> pl.DataFrame:
    visible = scope.visible_units(units).select("unit_id", "unit_name", "area")
    return frame.join(visible, on="unit_id", how="inner")


@dataclass(frozen=True)
class Scenario:
    """Today's model against a scenario for the latest year, cut to a scope.

    ``comparison``: one row per visible unit (``analysis.allocation.compare`` columns plus
    ``unit_name``, ``area``); ``series``: one row per visible unit × year with ``amount_today``
    and ``amount_scenario`` (kronor); ``variation_*``: the yearly variation (standard deviation
    of the yearly change in kronor per pupil) of the visible units without smoothing or cap
    (``unsmoothed``), as decided (``today``) and in the scenario; ``pot``: the year's pots summed
    (kronor); ``undistributed``: the part of the year's pots the scenario shares with no unit,
    in the school forms where no unit is above the floor (kronor, over the whole organisation).
    """

    year: int
    today: al.AllocationParameters
    scenario: al.AllocationParameters
    comparison: pl.DataFrame
    series: pl.DataFrame
    variation_unsmoothed: float | None
    variation_today: float | None
    variation_scenario: float | None
    pot: float
    undistributed: float = 0.0


def scenario(
    conn: duckdb.DuckDBPyConnection, scope: Scope, params: al.AllocationParameters
) -> Scenario | None:
    """The scenario ``params`` against the model as decided (None without allocation data)."""
    if not has_data(conn):
        return None
    data = _inputs(conn)
    year = max(data.years)
    today = decided_parameters(conn, year)
    result_today = _run(data, today)
    result_scenario = _run(data, params)
    plain = al.AllocationParameters(
        floor=today.floor, upper_secondary_floor=today.upper_secondary_floor
    )
    result_plain = _run(data, plain)
    comparison = _visible(al.compare(result_today, result_scenario, year), scope, data.units)
    ids = comparison["unit_id"].to_list()
    series = (
        al.unit_totals(result_today)
        .select("unit_id", "year", amount_today="amount")
        .join(
            al.unit_totals(result_scenario).select("unit_id", "year", amount_scenario="amount"),
            on=["unit_id", "year"],
            how="full",
            coalesce=True,
        )
        .filter(pl.col("unit_id").is_in(ids))
        .sort("unit_id", "year")
    )

    def variation(result: pl.DataFrame) -> float | None:
        return al.yearly_variation(result.filter(pl.col("unit_id").is_in(ids)))

    return Scenario(
        year=year,
        today=today,
        scenario=params,
        comparison=comparison.sort("difference", "unit_id"),
        series=series,
        variation_unsmoothed=variation(result_plain),
        variation_today=variation(result_today),
        variation_scenario=variation(result_scenario),
        pot=float(data.parameters.filter(pl.col("year") == year)["pot"].sum()),
        undistributed=float(data.parameters.filter(pl.col("year") == year)["pot"].sum())
        - float(result_scenario.filter(pl.col("year") == year)["amount"].sum()),
    )


def unit_explanation(
    conn: duckdb.DuckDBPyConnection, scope: Scope, unit_id: str, year: int | None = None
) -> pl.DataFrame:
    """How one unit's amount was calculated under the model as decided, school form by school form.

    Grain: one row per school form of the unit in ``year`` (default the latest), with the
    model's columns (``analysis.allocation.RESULT_COLUMNS``) and the school form's ``pot`` and
    summed ``total_weight`` beside them, and the index components of that year. ``ScopeError``
    for a unit outside the scope.
    """
    data = _inputs(conn)
    if scope.visible_units(data.units).filter(pl.col("unit_id") == unit_id).height == 0:
        raise ScopeError(f"enheten {unit_id} ingår inte i din behörighet")
    if not has_data(conn):
        return pl.DataFrame()
    year = year if year is not None else max(data.years)
    result = _run(data, decided_parameters(conn, year)).filter(pl.col("year") == year)
    totals = result.group_by("school_form").agg(total_weight=pl.col("weight").sum())
    pots = data.parameters.filter(pl.col("year") == year).select("school_form", "pot")
    components = data.index.filter(pl.col("year") == year).drop("year", "index")
    return (
        result.filter(pl.col("unit_id") == unit_id)
        .join(totals, on="school_form", how="left")
        .join(pots, on="school_form", how="left")
        .join(components, on="unit_id", how="left")
        .sort("school_form")
    )


def competence_link(conn: duckdb.DuckDBPyConnection, scope: Scope) -> pl.DataFrame:
    """Does the money reach the units that lack certified teachers? One row per visible school
    unit with an allocation in the latest year: ``index`` (that year's), ``amount_per_pupil``
    (kronor per pupil, the model as decided), ``certified_share`` (fraction; null where the
    key figure is hidden, fewer than 5 people), the certified share's ``period`` (the allocation
    year, or the year before when that year has no figure yet) and the support-need ``score``
    (0–100). The key figures come through the query layer, scoped and suppressed.
    """
    if not has_data(conn):
        return pl.DataFrame()
    data = _inputs(conn)
    year = max(data.years)
    result = al.unit_totals(_run(data, decided_parameters(conn, year))).filter(
        pl.col("year") == year
    )
    index = data.index.filter(pl.col("year") == year).select("unit_id", "index")
    shares = pl.DataFrame()
    period = str(year)
    for candidate in (year, year - 1):
        shares = certification_units(conn, scope, "teacher", str(candidate))
        if shares.height:
            period = str(candidate)
            break
    certified = (
        shares.select(
            "unit_id",
            certified_share=pl.when(~pl.col("share_suppressed")).then(pl.col("share")),
        )
        if shares.height
        else pl.DataFrame(schema={"unit_id": pl.String, "certified_share": pl.Float64})
    )
    scores = support_need(conn, scope).select("unit_id", "score")
    return (
        _visible(result.select("unit_id", "amount_per_pupil"), scope, data.units)
        .join(index, on="unit_id", how="left")
        .join(certified, on="unit_id", how="left")
        .join(scores, on="unit_id", how="left")
        .with_columns(period=pl.lit(period))
        .sort("unit_name", "unit_id")
    )


def segregation_by_year(conn: duckdb.DuckDBPyConnection, scope: Scope) -> pl.DataFrame:
    """Pedagogical segregation against the allocation, year by year, over the visible units.

    Grain: one row per allocation year with teacher key figures: ``units_above`` and
    ``share_above`` (the units above the floor, that receive compensatory money: how many with a
    visible certified share, and their mean share, a fraction) and the same ``_below`` for the
    others, and ``gap`` (below − above, percentage points as a fraction: positive when the
    units that receive money have fewer certified teachers). Hidden shares are left out.
    """
    if not has_data(conn):
        return pl.DataFrame()
    data = _inputs(conn)
    result = al.unit_totals(_run(data, decided_parameters(conn))).select(
        "unit_id", "year", receives=pl.col("amount") > 0
    )
    rows = []
    for year in data.years:
        shares = certification_units(conn, scope, "teacher", str(year))
        if shares.height == 0:
            continue
        joined = shares.filter(~pl.col("share_suppressed")).join(
            result.filter(pl.col("year") == year), on="unit_id", how="inner"
        )
        above = joined.filter(pl.col("receives"))["share"]
        below = joined.filter(~pl.col("receives"))["share"]
        share_above = float(above.mean()) if len(above) else None
        share_below = float(below.mean()) if len(below) else None
        rows.append(
            {
                "year": year,
                "units_above": len(above),
                "share_above": share_above,
                "units_below": len(below),
                "share_below": share_below,
                "gap": None
                if share_above is None or share_below is None
                else share_below - share_above,
            }
        )
    schema = {
        "year": pl.Int64,
        "units_above": pl.Int64,
        "share_above": pl.Float64,
        "units_below": pl.Int64,
        "share_below": pl.Float64,
        "gap": pl.Float64,
    }
    return pl.DataFrame(rows, schema=schema)

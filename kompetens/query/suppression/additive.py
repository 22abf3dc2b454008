"""The additive equations between key-figure cells: what a published total lets one subtract.

Grain: membership rows ``_eq, _cell, _role`` (one per cell and equation it
belongs to; ``_role`` is ``total`` or ``part``). Three families:

1. hierarchy, per indicator x period type x period x breakdown: an area row =
   its unit rows, the organisation row = its area rows (plus unit rows whose
   area has no area row);
2. breakdowns, per scope: the ``all`` row = the rows of one dimension
   (``staff_category=...``), except alternative definitions (``variant=``) and
   sub-indices (``measure=``); and a nested dimension's rows = the rows of its
   parent value (``NESTED_DIMENSIONS``: ``subject=MA`` = the ``subject_grades=MA:...`` rows);
3. time, for flows that have months (sick leave): a year = its 12 months, a
   rolling 12 months = the 12 months ending in it (only when all 12 are there,
   or all since the series' first month).

An equation holds for the numerator, the denominator and ``n_individuals``
(headcounts only about: a person in two units counts once above) and, for
counts, the value. ``_n_adds`` says where ``n_individuals`` takes part: not in
the equations of a dimension whose values share people
(``OVERLAPPING_DIMENSIONS``), nor over months (``time_equations``).
"""

from __future__ import annotations

import polars as pl

#: Breakdown dimensions whose values are alternative definitions of the whole,
#: not parts of it (``variant=excl_retirement``): they are not summed to ``all``.
#: ``measure=hme_motivation`` is a sub-index of HME, not a share of the total.
NON_ADDITIVE_DIMENSIONS: frozenset[str] = frozenset({"variant", "measure"})

#: Dimensions whose values are parts of another dimension's value: ``subject_grades=MA:7-9`` is
#: the part of ``subject=MA`` taught in years 7-9 (the parent value is the text before ``:``).
NESTED_DIMENSIONS: dict[str, str] = {"subject_grades": "subject"}

#: Dimensions whose values are not disjoint groups of people: a teacher teaches several subjects,
#: so a scope's teachers (``n`` of its ``all`` row) are far fewer than the sum over its
#: ``subject=`` rows (demo: 35 against 118), or over its ``subject_grades=`` rows. The hours add
#: up; the headcount does not, and an equation that does not hold recovers nothing. This is the
#: ``all`` = parts equation only: within one subject (the nested equation, ``subject=MA`` = its
#: ``subject_grades=MA:...`` rows) ``n`` is kept, as in the demo a teacher teaches a subject in
#: one stage, and there it does add up.
OVERLAPPING_DIMENSIONS: frozenset[str] = frozenset({"subject", "subject_grades"})

_GROUP = ["indicator_id", "period_type", "period"]
_SEP = "\x1f"


def _with_area(df: pl.DataFrame, unit_areas: pl.DataFrame | dict[str, str] | None) -> pl.DataFrame:
    """Attach ``_area`` (the area of a unit row; null for other levels)."""
    if "area" in df.columns:
        return df.with_columns(
            pl.when(pl.col("level") == "unit")
            .then(pl.col("area").cast(pl.String))
            .otherwise(None)
            .alias("_area")
        )
    if unit_areas is None:
        return df.with_columns(pl.lit(None, dtype=pl.String).alias("_area"))
    if isinstance(unit_areas, dict):
        unit_areas = pl.DataFrame(
            {"unit_id": list(unit_areas), "area": list(unit_areas.values())},
            schema={"unit_id": pl.String, "area": pl.String},
        )
    mapping = unit_areas.select(
        pl.col("unit_id").cast(pl.String).alias("_unit"),
        pl.col("area").cast(pl.String).alias("_area_of_unit"),
    ).unique("_unit", keep="first", maintain_order=True)
    # A looked-up column beside the others, not a join: a join copies every column of the
    # whole table (at 50,000 staff 4 million rows, held to the end of the mask beside the
    # caller's frame)
    return df.with_columns(
        pl.when(pl.col("level") == "unit")
        .then(
            pl.col("scope_id")
            .cast(pl.String)
            .replace_strict(
                mapping["_unit"], mapping["_area_of_unit"], default=None, return_dtype=pl.String
            )
        )
        .otherwise(None)
        .alias("_area")
    )


def _key(*cols: str | pl.Expr) -> pl.Expr:
    return pl.concat_str([pl.col(c) if isinstance(c, str) else c for c in cols], separator=_SEP)


def equations(cells: pl.DataFrame) -> pl.DataFrame:
    """Membership of cells in additive equations: one row per (equation, cell, role, ``_n_adds``).

    ``cells`` needs ``_cell`` (row id), ``_area`` and the key-figure key columns.
    Role is ``total`` or ``part``; only equations with a total and at least one
    part are returned (nothing can be subtracted otherwise).
    """
    # One lazy plan, collected once: built eagerly, every step's frame (most of them keyed by
    # strings) was held at once (at 50,000 staff +3.0 GB over the cells)
    base = (
        cells.lazy()
        .select("_cell", "_area", "level", "scope_id", "breakdown", *_GROUP)
        .with_columns(_key(*_GROUP, "breakdown").alias("_g"))
    )
    area_rows = base.filter(pl.col("level") == "area")
    has_area_row = area_rows.select(
        pl.col("_g"), pl.col("scope_id").alias("_area"), pl.lit(True).alias("_has")
    )

    units = base.filter(pl.col("level") == "unit").join(
        has_area_row, on=["_g", "_area"], how="left"
    )
    unit_parts_area = units.filter(pl.col("_has").fill_null(False)).select(
        pl.col("_cell"),
        _key("_g", pl.lit("area"), "_area").alias("_eq"),
        pl.lit("part").alias("_role"),
    )
    # A unit whose area has no area row (or no known area) sums straight into the organisation.
    unit_parts_org = units.filter(~pl.col("_has").fill_null(False)).select(
        pl.col("_cell"), _key("_g", pl.lit("org")).alias("_eq"), pl.lit("part").alias("_role")
    )
    area_totals = area_rows.select(
        pl.col("_cell"),
        _key("_g", pl.lit("area"), "scope_id").alias("_eq"),
        pl.lit("total").alias("_role"),
    )
    area_parts_org = area_rows.select(
        pl.col("_cell"), _key("_g", pl.lit("org")).alias("_eq"), pl.lit("part").alias("_role")
    )
    org_totals = base.filter(pl.col("level") == "org").select(
        pl.col("_cell"), _key("_g", pl.lit("org")).alias("_eq"), pl.lit("total").alias("_role")
    )

    # Breakdown equations: the 'all' row of a scope = its rows of one dimension.
    split = base.filter(pl.col("breakdown") != "all").with_columns(
        pl.col("breakdown").str.split_exact("=", 1).struct.field("field_0").alias("_dim")
    )
    parts = split.filter(
        ~pl.col("_dim").is_in(list(NON_ADDITIVE_DIMENSIONS)) & pl.col("_dim").is_not_null()
    )
    scope_key = _key(*_GROUP, "level", "scope_id")
    part_rows = parts.select(
        pl.col("_cell"),
        _key(scope_key, pl.lit("dim"), "_dim").alias("_eq"),
        pl.lit("part").alias("_role"),
        ~pl.col("_dim").is_in(list(OVERLAPPING_DIMENSIONS)).alias("_n_adds"),
    )
    dims = parts.select(scope_key.alias("_s"), pl.col("_dim")).unique()
    all_rows = base.filter(pl.col("breakdown") == "all").select(
        pl.col("_cell"), scope_key.alias("_s")
    )
    total_rows = all_rows.join(dims, on="_s", how="inner").select(
        pl.col("_cell"),
        _key("_s", pl.lit("dim"), "_dim").alias("_eq"),
        pl.lit("total").alias("_role"),
        ~pl.col("_dim").is_in(list(OVERLAPPING_DIMENSIONS)).alias("_n_adds"),
    )

    # Nested equations: a parent row (subject=MA) of a scope = its nested rows (subject_grades=MA:..).
    nested_parts = parts.filter(pl.col("_dim").is_in(list(NESTED_DIMENSIONS))).with_columns(
        pl.concat_str(
            pl.col("_dim").replace_strict(NESTED_DIMENSIONS, default=None),
            pl.lit("="),
            pl.col("breakdown")
            .str.split_exact("=", 1)
            .struct.field("field_1")
            .str.extract(r"^([^:]*):"),
        ).alias("_parent")
    )
    nested_rows = nested_parts.select(
        pl.col("_cell"),
        _key(scope_key, pl.lit("nest"), "_parent").alias("_eq"),
        pl.lit("part").alias("_role"),
    )
    parents = nested_parts.select(scope_key.alias("_s"), "_parent").unique()
    nested_totals = (
        base.select(pl.col("_cell"), scope_key.alias("_s"), pl.col("breakdown").alias("_parent"))
        .join(parents, on=["_s", "_parent"], how="inner")
        .select(
            pl.col("_cell"),
            _key("_s", pl.lit("nest"), "_parent").alias("_eq"),
            pl.lit("total").alias("_role"),
        )
    )

    members = pl.concat(
        [
            frame
            if "_n_adds" in frame.collect_schema().names()
            else frame.with_columns(pl.lit(True).alias("_n_adds"))
            for frame in (
                nested_rows,
                nested_totals,
                unit_parts_area,
                unit_parts_org,
                area_totals,
                area_parts_org,
                org_totals,
                part_rows,
                total_rows,
            )
        ],
        how="vertical",
    )
    shape = members.group_by("_eq").agg(
        (pl.col("_role") == "total").sum().alias("_totals"),
        (pl.col("_role") == "part").sum().alias("_parts"),
    )
    valid = shape.filter((pl.col("_totals") >= 1) & (pl.col("_parts") >= 1)).select("_eq")
    return members.join(valid, on="_eq", how="semi").collect()


def time_equations(cells: pl.DataFrame, month_flows: frozenset[str] | set[str]) -> pl.DataFrame:
    """Months -> year and months -> rolling 12 months, for the indicators in ``month_flows``.

    ``cells`` needs ``_cell`` and the key columns. An equation is kept only
    when all 12 months it needs are there, or, for a series that starts inside
    the window (a new unit), every month from its first one.
    """
    empty = pl.DataFrame(schema={"_eq": pl.String, "_cell": pl.UInt32, "_role": pl.String})
    flows = cells.filter(pl.col("indicator_id").is_in(list(month_flows)))
    if flows.height == 0:
        return empty
    series = _key("indicator_id", "level", "scope_id", "breakdown")
    month_no = (
        pl.col("period").str.slice(0, 4).cast(pl.Int64, strict=False) * 12
        + pl.col("period").str.slice(5, 2).cast(pl.Int64, strict=False)
        - 1
    )
    months = flows.filter(pl.col("period_type") == "month").select(
        pl.col("_cell").cast(pl.UInt32).alias("_part"), series.alias("_s"), month_no.alias("_m")
    )
    totals = flows.filter(pl.col("period_type").is_in(["year", "rolling_12m"])).select(
        pl.col("_cell").cast(pl.UInt32),
        series.alias("_s"),
        pl.col("period_type").alias("_pt"),
        pl.when(pl.col("period_type") == "year")
        .then(pl.col("period").cast(pl.Int64, strict=False) * 12 + 11)
        .otherwise(month_no)
        .alias("_end"),
    )
    members = totals.join(months, on="_s").filter(
        (pl.col("_m") <= pl.col("_end")) & (pl.col("_m") > pl.col("_end") - 12)
    )
    # A series that starts inside a window (a new unit) sums the months it has.
    first = months.group_by("_s").agg(pl.col("_m").min().alias("_first"))
    complete = (
        members.group_by("_cell", "_s", "_end")
        .agg(pl.len().alias("_k"))
        .join(first, on="_s")
        .filter(
            pl.col("_k") == pl.col("_end") - pl.max_horizontal("_first", pl.col("_end") - 11) + 1
        )
    )
    members = members.join(complete.select("_cell"), on="_cell", how="semi")
    if members.height == 0:
        return empty
    # named by the series and the total's period type and last month, not by row number, so
    # the numbering of equations does not depend on the order of the rows
    name = _key(pl.lit("time"), "_s", "_pt", pl.col("_end").cast(pl.String))
    heads = members.select(name.alias("_eq"), "_cell", pl.lit("total").alias("_role")).unique()
    parts = members.select(
        name.alias("_eq"), pl.col("_part").alias("_cell"), pl.lit("part").alias("_role")
    )
    return pl.concat([heads, parts])

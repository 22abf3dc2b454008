"""'What would it take' and the backtest of the projection (``kompetens.analysis.projection``).

**What would it take** (``solve_table``): for a target share and a year, each lever
is solved on its own, per unit, on the deterministic projection (bisection: the
projected share rises monotonically with each lever):

- ``certified_hires``: the share of the unit's hires who are certified, reported as
  certified hires per year (mean over the years up to the target year);
- ``path_places``: extra certification-path completions per year (people), beside
  today's expected completions;
- ``turnover``: a reduction of the certified staff's other-exit rate, in percentage
  points (fewer uncertified leavers would lower the share, so only the certified
  staff's turnover is a lever).

A unit already at the target needs nothing (0); a unit the lever cannot bring to
the target is marked ``reachable = False``. An area's answer sums its units'
needs per year (each unit reaching the target is enough for the area too); for
the turnover lever the area's answer is the certified-heads-weighted mean
reduction. Grain of the table: level (unit | area) × scope_id × indicator_id × lever.

**Backtest** (``backtest``): the model is fitted on what was known at the
reference month of a past year (rates from the transitions up to it), run to the
newest year, and compared with the shares that were observed: the error in
percentage points (median − observed) per level and the share of scope-years
whose observed share fell inside the 80 % band.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from kompetens.analysis import projection as pm
from kompetens.present.formatting import fmt_number, fmt_percent

#: The levers, with the Swedish words of the sentence.
LEVERS: dict[str, str] = {
    "certified_hires": "Behöriga nyanställningar per år",
    "path_places": "Extra platser på behörighetsgivande utbildning per år",
    "turnover": "Lägre personalomsättning bland behöriga (procentenheter)",
}
SOLVE_SCHEMA = {
    "level": pl.String,
    "scope_id": pl.String,
    "area": pl.String,
    "indicator_id": pl.String,
    "lever": pl.String,
    "year": pl.Int64,
    "target": pl.Float64,
    "current_share": pl.Float64,
    "expected_share": pl.Float64,
    "today_per_year": pl.Float64,
    "needed_per_year": pl.Float64,
    "reachable": pl.Boolean,
    "units_unreachable": pl.Int64,
    "units_below": pl.Int64,
    "sentence": pl.String,
    "suppressed": pl.Boolean,
}
_ITERATIONS = 40


def _unit_index(model: pm.Model) -> tuple[pl.DataFrame, np.ndarray]:
    """The units of the model (``unit_id, area, indicator_id``) and each cell's unit row."""
    units = (
        model.cells.group_by("unit_id", maintain_order=True)
        .agg(pl.col("area").first(), pl.col("indicator_id").first())
        .with_row_index("u")
    )
    idx = model.cells.join(units.select("unit_id", "u"), on="unit_id").sort("cell")["u"].to_numpy()
    return units, idx


def _unit_sums(values: np.ndarray, idx: np.ndarray, n_units: int) -> np.ndarray:
    return np.bincount(idx, weights=values, minlength=n_units)


def _shares(
    model: pm.Model, prm: pm.Params, step: int, idx: np.ndarray, n_units: int
) -> tuple[np.ndarray, pm.Path]:
    path = pm.expected_path(model, prm, step)
    num = _unit_sums(path.c[step] * model.fte_c, idx, n_units)
    den = num + _unit_sums(path.u[step] * model.fte_u, idx, n_units)
    return np.divide(num, den, out=np.full(n_units, np.nan), where=den > 0), path


def _lever_params(
    model: pm.Model, base: pm.Params, lever: str, x: np.ndarray, idx: np.ndarray
) -> pm.Params:
    """Parameters with the unit lever values ``x`` applied to every cell of each unit."""
    per_cell = x[idx]
    if lever == "certified_hires":
        return pm.Params(
            base.q_c,
            base.q_u,
            base.p,
            np.maximum(base.h, per_cell),
            base.extra,
            base.growth,
            base.rc,
            base.ru,
        )
    if lever == "path_places":
        u0 = model.u0
        unit_u = _unit_sums(u0, idx, x.size)
        weight = np.divide(u0, unit_u[idx], out=np.zeros_like(u0), where=unit_u[idx] > 0)
        return pm.Params(
            base.q_c,
            base.q_u,
            base.p,
            base.h,
            base.extra + per_cell * weight,
            base.growth,
            base.rc,
            base.ru,
        )
    if lever == "turnover":
        return pm.Params(
            np.maximum(base.q_c - per_cell, 0.0),
            base.q_u,
            base.p,
            base.h,
            base.extra,
            base.growth,
            base.rc,
            base.ru,
        )
    raise ValueError(f"unknown lever {lever!r}")


def _bounds(
    model: pm.Model, base: pm.Params, lever: str, idx: np.ndarray, n_units: int
) -> np.ndarray:
    """The largest lever value per unit (all hires certified; every uncertified person; no exits)."""
    if lever == "certified_hires":
        return np.ones(n_units)
    if lever == "path_places":
        return np.maximum(_unit_sums(model.u0, idx, n_units), 0.0)
    return (
        np.maximum(
            np.bincount(idx, weights=base.q_c, minlength=n_units)
            / np.maximum(np.bincount(idx, minlength=n_units), 1),
            0.0,
        )
        + 1.0
    )  # q_c - x is clipped at 0, so 1 (plus any rate) removes every exit


def solve(
    model: pm.Model, target: float, year: int, lever: str, scenario: pm.Scenario | None = None
) -> pl.DataFrame:
    """The smallest lever value per unit that brings its expected share to ``target`` in ``year``.

    Grain: one row per unit of the model. Columns ``unit_id, area, indicator_id,
    value`` (the lever's own unit: a certified share of hires 0–1, extra completions
    per year, or a reduction of the certified exit rate as a fraction), ``reached``
    (the share at the solution ≥ target), ``expected_share`` (without the lever),
    ``current_share`` (start).
    """
    step = year - model.start_year
    if step < 1:
        raise ValueError("målåret måste ligga efter prognosens startår")
    units, idx = _unit_index(model)
    n_units = units.height
    base = pm.params(model, scenario or pm.Scenario(), step)
    baseline, _ = _shares(model, base, step, idx, n_units)
    current_num = _unit_sums(model.c0 * model.fte_c, idx, n_units)
    current_den = current_num + _unit_sums(model.u0 * model.fte_u, idx, n_units)
    current = np.divide(
        current_num, current_den, out=np.full(n_units, np.nan), where=current_den > 0
    )
    start = np.zeros(n_units)
    if lever == "certified_hires":
        start = np.bincount(idx, weights=base.h, minlength=n_units) / np.maximum(
            np.bincount(idx, minlength=n_units), 1
        )
    high = _bounds(model, base, lever, idx, n_units)
    top, _ = _shares(model, _lever_params(model, base, lever, high, idx), step, idx, n_units)
    done = ~(baseline < target - 1e-12)
    reachable = done | (top >= target - 1e-12)
    lo, hi = start.copy(), high.copy()
    for _ in range(_ITERATIONS):
        mid = (lo + hi) / 2
        got, _ = _shares(model, _lever_params(model, base, lever, mid, idx), step, idx, n_units)
        ok = got >= target - 1e-12
        hi = np.where(ok, mid, hi)
        lo = np.where(ok, lo, mid)
    value = np.where(done, start if lever == "certified_hires" else 0.0, hi)
    value = np.where(reachable, value, np.nan)
    return units.drop("u").with_columns(
        pl.Series("value", value),
        pl.Series("reached", reachable),
        pl.Series("expected_share", baseline),
        pl.Series("current_share", current),
    )


def _per_year(
    model: pm.Model, prm: pm.Params, step: int, lever: str, idx: np.ndarray, n_units: int
) -> np.ndarray:
    """The lever's yearly amount per unit under ``prm``: certified hires, completions, or the certified exit rate."""
    path = pm.expected_path(model, prm, step)
    if lever == "certified_hires":
        return _unit_sums(path.hires_c.mean(axis=0), idx, n_units)
    if lever == "path_places":
        return _unit_sums(path.completions.mean(axis=0), idx, n_units)
    c = np.maximum(model.c0, 0.0)
    weighted = _unit_sums(prm.q_c * c, idx, n_units)
    return np.divide(
        weighted,
        _unit_sums(c, idx, n_units),
        out=np.zeros(n_units),
        where=_unit_sums(c, idx, n_units) > 0,
    )


def solve_table(
    model: pm.Model,
    target: float,
    year: int,
    hidden: pl.DataFrame | None = None,
    names: dict[str, str] | None = None,
    indicator_id: str | None = None,
) -> pl.DataFrame:
    """Every lever for every unit, and the area sums, with a plain Swedish sentence (``SOLVE_SCHEMA``).

    ``today_per_year`` / ``needed_per_year``: certified hires per year, completions
    per year (today's expected; the extra needed), or the certified exit rate in
    percentage points (today's; the reduction needed). ``hidden``: the
    (level, scope_id, indicator_id) whose figures are suppressed: their numbers are
    null. ``names``: unit and area names for the sentences (default: the ids).
    ``indicator_id``: only the rows of one share (the target is that share's).
    """
    names = names or {}
    step = year - model.start_year
    units, idx = _unit_index(model)
    n_units = units.height
    base = pm.params(model, pm.Scenario(), step)
    parts = []
    for lever in LEVERS:
        got = solve(model, target, year, lever)
        today = _per_year(model, base, step, lever, idx, n_units)
        value = got["value"].fill_nan(None).to_numpy().astype(np.float64)
        if lever == "certified_hires":
            solved = _lever_params(model, base, lever, np.nan_to_num(value), idx)
            needed = np.where(
                np.isnan(value), np.nan, _per_year(model, solved, step, lever, idx, n_units)
            )
        elif lever == "path_places":
            needed = value
        else:
            needed = value * 100.0
            today = today * 100.0
        parts.append(
            got.select(
                "unit_id", "area", "indicator_id", "current_share", "expected_share", "reached"
            ).with_columns(
                pl.lit(lever).alias("lever"),
                pl.Series("today_per_year", today),
                pl.Series("needed_per_year", needed).fill_nan(None),
            )
        )
    per_unit = (
        pl.concat(parts)
        .rename({"unit_id": "scope_id", "reached": "reachable"})
        .with_columns(
            pl.lit("unit").alias("level"),
            pl.lit(0, dtype=pl.Int64).alias("units_unreachable"),
            (pl.col("expected_share") < target - 1e-12).cast(pl.Int64).alias("units_below"),
        )
    )
    heads = pl.DataFrame({"scope_id": units["unit_id"], "_c": _unit_sums(model.c0, idx, n_units)})
    per_area = (
        per_unit.join(heads, on="scope_id", how="left")
        .group_by("area", "indicator_id", "lever")
        .agg(
            pl.when(pl.col("lever").first() == "turnover")
            .then(
                (pl.col("needed_per_year") * pl.col("_c")).sum()
                / pl.col("_c").filter(pl.col("needed_per_year").is_not_null()).sum()
            )
            .otherwise(pl.col("needed_per_year").sum())
            .alias("needed_per_year"),
            pl.when(pl.col("lever").first() == "turnover")
            .then((pl.col("today_per_year") * pl.col("_c")).sum() / pl.col("_c").sum())
            .otherwise(pl.col("today_per_year").sum())
            .alias("today_per_year"),
            (~pl.col("reachable")).sum().cast(pl.Int64).alias("units_unreachable"),
            (pl.col("expected_share") < target - 1e-12).sum().cast(pl.Int64).alias("units_below"),
        )
        .with_columns(
            pl.lit("area").alias("level"),
            pl.col("area").alias("scope_id"),
            (pl.col("units_unreachable") == 0).alias("reachable"),
        )
    )
    area_shares = pm.project(model, years=step, draws=0).filter(pl.col("level") == "area")
    per_area = per_area.join(
        area_shares.filter(pl.col("step") == 0).select(
            pl.col("scope_id"), "indicator_id", pl.col("expected").alias("current_share")
        ),
        on=["scope_id", "indicator_id"],
        how="left",
    ).join(
        area_shares.filter(pl.col("step") == step).select(
            pl.col("scope_id"), "indicator_id", pl.col("expected").alias("expected_share")
        ),
        on=["scope_id", "indicator_id"],
        how="left",
    )
    table = pl.concat(
        [
            per_unit.with_columns(
                pl.lit(year).alias("year"), pl.lit(target).alias("target")
            ).select([c for c in SOLVE_SCHEMA if c not in ("sentence", "suppressed")]),
            per_area.with_columns(
                pl.lit(year).alias("year"), pl.lit(target).alias("target")
            ).select([c for c in SOLVE_SCHEMA if c not in ("sentence", "suppressed")]),
        ],
        how="vertical_relaxed",
    )
    if hidden is not None and hidden.height:
        flag = hidden.with_columns(pl.lit(True).alias("_hidden"))
        table = (
            table.join(flag, on=["level", "scope_id", "indicator_id"], how="left")
            .with_columns(
                [
                    pl.when(pl.col("_hidden")).then(None).otherwise(pl.col(c)).alias(c)
                    for c in (
                        "current_share",
                        "expected_share",
                        "today_per_year",
                        "needed_per_year",
                    )
                ]
            )
            .with_columns(pl.col("_hidden").fill_null(False))
        )
    else:
        table = table.with_columns(pl.lit(False).alias("_hidden"))
    if indicator_id is not None:
        table = table.filter(pl.col("indicator_id") == indicator_id)
    table = table.with_columns(
        [pl.col(c).fill_nan(None) for c, t in SOLVE_SCHEMA.items() if t == pl.Float64]
    )
    sentences = [sentence(row, names) for row in table.iter_rows(named=True)]
    return (
        table.with_columns(pl.Series("sentence", sentences, dtype=pl.String))
        .rename({"_hidden": "suppressed"})
        .cast(SOLVE_SCHEMA)
        .select(list(SOLVE_SCHEMA))
        .sort(
            "level",
            "area",
            "scope_id",
            "indicator_id",
            "lever",
            descending=[True, False, False, False, False],
        )
    )


def sentence(row: dict, names: dict[str, str]) -> str:
    """One plain Swedish sentence for a row of ``solve_table``."""
    who = names.get(row["scope_id"], row["scope_id"])
    goal = f"För att nå {fmt_percent(row['target'], 0)} år {row['year']}"
    if row.get("_hidden"):
        return f"{who}: för få personer för att visa ett svar (..)."
    lever, need, today = row["lever"], row["needed_per_year"], row["today_per_year"]
    if (
        row["level"] == "unit"
        and row["expected_share"] is not None
        and row["expected_share"] >= row["target"]
    ):
        return f"{who} når {fmt_percent(row['target'], 0)} år {row['year']} i nuvarande takt."
    if need is None:
        what = {
            "certified_hires": "även om alla nyanställda är behöriga",
            "path_places": "även om alla obehöriga blir behöriga",
            "turnover": "även om ingen behörig slutar",
        }[lever]
        return f"{goal} räcker det inte för {who} {what}."
    partial = (
        f" ({row['units_unreachable']} enheter når inte målet med detta)"
        if row["level"] == "area" and row["units_unreachable"]
        else ""
    )
    if row["level"] == "area" and row["units_below"] == 0:
        return (
            f"Alla enheter i {who} når {fmt_percent(row['target'], 0)} år {row['year']} "
            "i nuvarande takt."
        )
    if row["level"] == "area":
        goal = (
            f"För att varje enhet i {who} ska nå {fmt_percent(row['target'], 0)} år {row['year']}"
        )
        if lever == "certified_hires":
            return (
                f"{goal} behöver enheterna tillsammans i genomsnitt {fmt_number(need, 0)} behöriga "
                f"nyanställningar per år (i dag {fmt_number(today, 0)}){partial}."
            )
        if lever == "path_places":
            return (
                f"{goal} behöver enheterna tillsammans {fmt_number(need, 0)} fler platser per år på "
                f"behörighetsgivande utbildning (i dag blir {fmt_number(today, 0)} behöriga per år)"
                f"{partial}."
            )
        return (
            f"{goal} behöver personalomsättningen bland behöriga sjunka med i genomsnitt "
            f"{fmt_number(need, 1)} procentenheter (i dag {fmt_number(today, 1)} %){partial}."
        )
    if lever == "certified_hires":
        return (
            f"{goal} behöver {who} i genomsnitt {fmt_number(need, 0)} behöriga nyanställningar "
            f"per år (i dag {fmt_number(today, 0)})."
        )
    if lever == "path_places":
        return (
            f"{goal} behöver {who} {fmt_number(need, 0)} fler platser per år på "
            f"behörighetsgivande utbildning (i dag blir {fmt_number(today, 0)} behöriga per år)."
        )
    return (
        f"{goal} behöver personalomsättningen bland behöriga i {who} sjunka med "
        f"{fmt_number(need, 1)} procentenheter (i dag {fmt_number(today, 1)} %)."
    )


# --------------------------------------------------------------------------------------------
# Backtest
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Backtest:
    """The backtest's result. ``rows``: level × scope_id × indicator_id × year with ``median,
    low80, high80, actual`` (fractions), ``error_pp`` (median − actual, percentage points) and
    ``covered`` (actual within the band). ``mae_pp``: mean absolute error per level;
    ``coverage``: share of all rows covered (0–1); ``counts``: rows per level."""

    from_year: int
    to_year: int
    rows: pl.DataFrame
    mae_pp: dict[str, float | None]
    coverage: float | None
    counts: dict[str, int]

    def coverage_by_level(self) -> dict[str, float | None]:
        """Per level (org, area, unit): the share of its rows inside the 80 % band (0–1; None
        without rows)."""
        out: dict[str, float | None] = {}
        for level in ("org", "area", "unit"):
            covered = self.rows.filter(pl.col("level") == level)["covered"]
            out[level] = float(covered.mean()) if covered.len() else None
        return out

    def line(self) -> str:
        """``backtest: org MAE X.X pp, area MAE X.X pp, unit MAE X.X pp, band coverage NN %``."""

        def pp(level: str) -> str:
            v = self.mae_pp.get(level)
            return "na" if v is None else f"{v:.1f}"

        cov = "na" if self.coverage is None else f"{self.coverage * 100:.0f}"
        return (
            f"backtest: org MAE {pp('org')} pp, area MAE {pp('area')} pp, "
            f"unit MAE {pp('unit')} pp, band coverage {cov} %"
        )


def observed_shares(snapshots: pl.DataFrame, units: pl.DataFrame) -> pl.DataFrame:
    """The observed shares per level × scope_id × indicator_id × year (FTE sums, as the key figures)."""
    rows = pm.classify(snapshots, units).with_columns(
        pl.when(pl.col("certified")).then(pl.col("fte")).otherwise(0.0).alias("_num")
    )
    parts = []
    for level, scope in (
        ("unit", pl.col("unit_id")),
        ("area", pl.col("area")),
        ("org", pl.lit("org")),
    ):
        parts.append(
            rows.group_by(
                pl.lit(level).alias("level"), scope.alias("scope_id"), "indicator_id", "year"
            ).agg((pl.col("_num").sum() / pl.col("fte").sum()).alias("actual"))
        )
    return pl.concat(parts, how="vertical_relaxed").with_columns(pl.col("year").cast(pl.Int64))


def backtest(
    snapshots: pl.DataFrame,
    units: pl.DataFrame,
    retirement_age: int,
    from_year: int,
    draws: int = pm.DRAWS,
    min_people: int = 5,
) -> Backtest:
    """Fit at ``from_year``, project to the newest snapshot year, compare (module docstring).

    Scopes whose figure rested on fewer than ``min_people`` people at the start are
    left out (their figures are suppressed everywhere).
    """
    years = sorted(snapshots["year"].unique().to_list())
    if from_year not in years:
        raise ValueError(f"det finns ingen ögonblicksbild för {from_year}")
    last = years[-1]
    if last <= from_year:
        raise ValueError(f"det finns inga senare år än {from_year} att jämföra med")
    model = pm.build_model(snapshots, units, retirement_age, start_year=from_year)
    projected = pm.project(model, years=min(last - from_year, 10), draws=draws)
    actual = observed_shares(snapshots.filter(pl.col("year") > from_year), units)
    rows = (
        projected.filter((pl.col("step") >= 1) & (pl.col("n_start") >= min_people))
        .join(actual, on=["level", "scope_id", "indicator_id", "year"], how="inner")
        .filter(pl.col("median").is_not_null() & pl.col("actual").is_not_null())
        .with_columns(
            ((pl.col("median") - pl.col("actual")) * 100).alias("error_pp"),
            (
                (pl.col("actual") >= pl.col("low80") - 1e-12)
                & (pl.col("actual") <= pl.col("high80") + 1e-12)
            ).alias("covered"),
        )
        .select(
            "level",
            "scope_id",
            "indicator_id",
            "year",
            "median",
            "low80",
            "high80",
            "actual",
            "error_pp",
            "covered",
        )
        .sort("level", "scope_id", "indicator_id", "year")
    )
    mae: dict[str, float | None] = {}
    counts: dict[str, int] = {}
    for level in ("org", "area", "unit"):
        part = rows.filter(pl.col("level") == level)
        counts[level] = part.height
        mae[level] = float(part["error_pp"].abs().mean()) if part.height else None
    coverage = float(rows["covered"].mean()) if rows.height else None
    return Backtest(from_year, last, rows, mae, coverage, counts)

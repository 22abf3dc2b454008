"""Pandas baselines for the indicator benchmark (issue 3).

Two straightforward pandas implementations of ``certified_teacher_share``,
``turnover_rate`` and ``sick_leave_rate``, written the way an analyst would:
merges, ``groupby(...).agg`` / ``nunique`` / ``sum``, boolean masks and
``concat``, with Python loops only over the handful of levels, breakdowns and
period types (never over rows or months).

* ``pandas_three`` – a *subset* of the figures (no breakdowns, no rolling
  windows, no retirement variant, no n_individuals); only its organisation
  level is checked against Kompetens.
* ``pandas_same_figures`` – exactly the key-figure rows the Kompetens pipelines
  (``kompetens.indicators.pipelines``) produce for those three indicators: the
  same levels, scopes, period types, periods, breakdowns, numerator,
  denominator, value and n_individuals. ``compare_key_figures`` checks that
  row by row (``tests/test_pandas_baseline.py`` and the benchmark use it).

The frames are pandas frames converted from the Polars frames of
``kompetens.indicators.engine.load_frames`` (dates as ``datetime64[ns]``,
``employee_id`` a 64-bit hash).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

UNKNOWN_AREA = "(okänt område)"
NOT_SCHOOL = ("forskola", "central")
LEVELS = ("unit", "area", "org")
SCOPE_COLUMN = {"unit": "unit_id", "area": "area", "org": None}
KEYS = ["level", "scope_id", "breakdown"]
KF_KEY_COLUMNS = ["indicator_id", "level", "scope_id", "period_type", "period", "breakdown"]
KF_COLUMNS = [*KF_KEY_COLUMNS, "numerator", "denominator", "value", "n_individuals"]


# ---- the subset baseline -------------------------------------------------------------------


def pandas_three(staff, events, sick, units):
    """certified share, turnover and sick leave the straightforward pandas way (frames are pandas)."""
    staff = staff.merge(units, on="unit_id", how="left")
    staff["month"] = staff["snapshot_date"].dt.to_period("M")
    latest = staff.groupby("month")["snapshot_date"].transform("max")
    staff = staff[staff["snapshot_date"] == latest]

    # certified_teacher_share per unit / area / org and month
    t = staff[
        (staff["staff_category"] == "teacher") & ~staff["school_form"].isin(["forskola", "central"])
    ].copy()
    t["cert_fte"] = t["fte"].where(t["licensed"].fillna(False) & t["qualified"].fillna(False), 0.0)
    cert = []
    for level, key in (("unit", "unit_id"), ("area", "area"), ("org", None)):
        keys = [key, "month"] if key else ["month"]
        g = (
            t.groupby(keys)
            .agg(num=("cert_fte", "sum"), den=("fte", "sum"), n=("employee_id", "nunique"))
            .reset_index()
        )
        g["value"] = g["num"] / g["den"]
        g["level"] = level
        g["scope_id"] = g[key] if key else "org"
        cert.append(g[["level", "scope_id", "month", "value", "n"]])
    cert = pd.concat(cert)

    # turnover_rate per unit / area / org and calendar year
    perm = staff[staff["employment_type"] == "permanent"].copy()
    perm["year"] = perm["month"].dt.year
    months_per_year = staff.groupby(staff["month"].dt.year)["month"].nunique()
    ex = events[
        (events["event_type"] == "exit") & (events["employment_type"] == "permanent")
    ].merge(units, on="unit_id", how="left")
    ex["year"] = ex["event_date"].dt.year
    turnover = []
    for level, key in (("unit", "unit_id"), ("area", "area"), ("org", None)):
        keys = [key, "year", "month"] if key else ["year", "month"]
        heads = perm.groupby(keys)["employee_id"].nunique().reset_index(name="heads")
        heads = heads.groupby(keys[:-1])["heads"].sum().reset_index()
        heads["avg"] = heads["heads"] / heads["year"].map(months_per_year)
        exits = (
            ex.drop_duplicates([*(k for k in [key] if k), "employee_id", "event_date"])
            .groupby(keys[:-1])
            .size()
            .reset_index(name="exits")
        )
        g = heads.merge(exits, on=keys[:-1], how="left").fillna({"exits": 0})
        g["value"] = g["exits"] / g["avg"]
        g["level"] = level
        g["scope_id"] = g[key] if key else "org"
        turnover.append(g[["level", "scope_id", "year", "value"]])
    turnover = pd.concat(turnover)

    # sick_leave_rate per unit / area / org, month and year
    s = sick.merge(units, on="unit_id", how="left")
    s["year"] = s["month"].dt.year
    sick_out = []
    for level, key in (("unit", "unit_id"), ("area", "area"), ("org", None)):
        for period in ("month", "year"):
            keys = [key, period] if key else [period]
            g = s.groupby(keys)[["sick_hours", "scheduled_hours"]].sum().reset_index()
            g["value"] = g["sick_hours"] / g["scheduled_hours"]
            g["level"] = level
            sick_out.append(g)
    sick_out = pd.concat(sick_out)
    return cert, turnover, sick_out


# ---- the same figures as Kompetens ---------------------------------------------------------


def pandas_same_figures(staff, events, sick, units, reference_month: int = 10):
    """The Kompetens key-figure rows of the three indicators, in pandas.

    Returns ``{"certified_teacher_share": df, "turnover_rate": df,
    "sick_leave_rate": df}``, each with the columns of ``KF_COLUMNS``.
    """
    units = _units(units)
    base = _snapshot_base(staff)
    grid = np.sort(base["m"].unique())  # the snapshot months
    people = _with_units(base, units)
    figures = {
        "certified_teacher_share": _certified_share(people, reference_month),
        "turnover_rate": _turnover(_prepare_events(events, base, units), people, grid),
        "sick_leave_rate": _sick_leave(sick, units, people, grid),
    }
    return _leave_out_unfinished_years(figures, int(grid.max()) if len(grid) else None)


def _leave_out_unfinished_years(figures: dict, last_month: int | None) -> dict:
    """As the engine does (``pipelines.block.finished_years_expr``): an indicator declared
    ``unfinished_year="leave_out"`` has no year rows for a year the staff snapshots have
    not reached December of (``last_month``: the newest snapshot, ``y * 12 + month - 1``)."""
    if last_month is None:
        return figures
    from kompetens.indicators import registry

    last_finished = (last_month + 1) // 12 - 1
    out = {}
    for name, frame in figures.items():
        declared = getattr(registry.REGISTRY.get(name), "unfinished_year", None)
        if declared != "leave_out":
            out[name] = frame
            continue
        years = pd.to_numeric(frame["period"], errors="coerce")
        late = (frame["period_type"] == "year") & (years > last_finished)
        out[name] = frame[~late].reset_index(drop=True)
    return out


def _month(dates: pd.Series) -> pd.Series:
    """Month index year * 12 + month - 1 (labels are made at the end)."""
    return dates.dt.year * 12 + dates.dt.month - 1


def _month_label(m: pd.Series) -> pd.Series:
    return (m // 12).astype(str) + "-" + (m % 12 + 1).astype(str).str.zfill(2)


def _units(units: pd.DataFrame) -> pd.DataFrame:
    units = units[["unit_id", "area", "school_form"]].drop_duplicates("unit_id", keep="last")
    return units.fillna({"area": UNKNOWN_AREA, "school_form": "unknown"})


def _with_units(frame: pd.DataFrame, units: pd.DataFrame) -> pd.DataFrame:
    """Area and school form of each row's unit (unknown units: the unknown area)."""
    out = frame.merge(units, on="unit_id", how="left")
    return out.fillna({"area": UNKNOWN_AREA, "school_form": "unknown"})


def _snapshot_base(staff: pd.DataFrame) -> pd.DataFrame:
    """Rows of each month's latest snapshot date, with the month index ``m``."""
    staff = staff.assign(m=_month(staff["snapshot_date"]))
    latest = staff.groupby("m")["snapshot_date"].transform("max")
    base = staff[staff["snapshot_date"] == latest]
    return base.assign(licensed=base["licensed"].eq(True), qualified=base["qualified"].eq(True))


def _combos(dims: tuple[str, ...]) -> list[tuple[str, str | None]]:
    """(level, breakdown dimension) pairs; a unit has one school form, so no unit x school_form."""
    return [
        (level, dim)
        for level in LEVELS
        for dim in (None, *dims)
        if not (level == "unit" and dim == "school_form")
    ]


def _per_level(frame: pd.DataFrame, dims: tuple[str, ...], aggregate) -> pd.DataFrame:
    """``aggregate(frame, keys)`` for every level x breakdown, labelled with level/scope_id/breakdown.

    ``keys`` are the scope column (none for the organisation), the breakdown
    column (none for ``all``) and the month ``m``; ``aggregate`` returns a frame
    with those columns and its measures.
    """
    parts = []
    for level, dim in _combos(dims):
        scope = SCOPE_COLUMN[level]
        keys = [k for k in (scope, dim) if k] + ["m"]
        g = aggregate(frame, keys)
        g["level"] = level
        g["scope_id"] = g[scope] if scope else "org"
        g["breakdown"] = "all" if dim is None else dim + "=" + g[dim].fillna("unknown").astype(str)
        parts.append(g.drop(columns=[k for k in (scope, dim) if k]))
    return pd.concat(parts, ignore_index=True)


def _distinct_people(name: str):
    def aggregate(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
        return frame.groupby(keys, dropna=False)["employee_id"].nunique().reset_index(name=name)

    return aggregate


def _latest_and_all(monthly: pd.DataFrame) -> pd.DataFrame:
    """Month rows: the ``all`` breakdown for every month, every breakdown for the latest month."""
    rows = monthly[(monthly["breakdown"] == "all") | (monthly["m"] == monthly["m"].max())]
    return rows.assign(period_type="month", period=_month_label(rows["m"]))


def _flow_periods(monthly: pd.DataFrame, sums: list[str], grid: np.ndarray, span=None):
    """Sum monthly columns to calendar years and to rolling 12-month windows (``all`` only).

    ``months``: snapshot months in the period. Windows end at every month from
    ``first + 11`` to ``last`` of ``span`` (default: the snapshot months).
    """
    if span is None:
        span = (int(grid[0]), int(grid[-1])) if len(grid) else None
    years = (
        monthly.assign(y=monthly["m"] // 12)
        .groupby([*KEYS, "y"], dropna=False)[sums]
        .sum()
        .reset_index()
    )
    years["months"] = years["y"].map(pd.Series(grid // 12).value_counts()).fillna(0)
    years = years.assign(period_type="year", period=years["y"].astype(str)).drop(columns="y")
    if span is None or span[1] - span[0] < 11:
        return years
    first, last = span
    # each month counts in the windows ending in it and in the 11 months after it
    windows = monthly[monthly["breakdown"] == "all"].merge(
        pd.DataFrame({"k": range(12)}), how="cross"
    )
    windows["e"] = windows["m"] + windows["k"]
    windows = windows[windows["e"].between(first + 11, last)]
    rolling = windows.groupby([*KEYS, "e"], dropna=False)[sums].sum().reset_index()
    rolling["months"] = np.searchsorted(grid, rolling["e"], side="right") - np.searchsorted(
        grid, rolling["e"] - 12, side="right"
    )
    rolling = rolling.assign(period_type="rolling_12m", period=_month_label(rolling["e"]))
    return pd.concat([years, rolling.drop(columns="e")], ignore_index=True)


def _finish(frame: pd.DataFrame, indicator_id: str) -> pd.DataFrame:
    """Key-figure columns; rows without a finite value are dropped."""
    frame = frame[np.isfinite(frame["value"])]
    return frame.assign(
        indicator_id=indicator_id,
        numerator=frame["numerator"].astype("float64"),
        denominator=frame["denominator"].astype("float64"),
        n_individuals=frame["n_individuals"].astype("int64"),
    )[KF_COLUMNS].reset_index(drop=True)


def _certified_share(people: pd.DataFrame, reference_month: int) -> pd.DataFrame:
    """Certified teachers' FTE / teachers' FTE in school units; n = distinct teachers."""
    t = people[(people["staff_category"] == "teacher") & ~people["school_form"].isin(NOT_SCHOOL)]
    fte = t["fte"].fillna(0.0)
    t = t.assign(fte=fte, cert_fte=fte.where(t["licensed"] & t["qualified"], 0.0))

    def aggregate(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
        return (
            frame.groupby(keys, dropna=False)
            .agg(
                numerator=("cert_fte", "sum"),
                denominator=("fte", "sum"),
                n_individuals=("employee_id", "nunique"),
            )
            .reset_index()
        )

    monthly = _per_level(t, ("school_form",), aggregate)
    monthly = monthly[monthly["denominator"] > 0]
    monthly = monthly.assign(value=monthly["numerator"] / monthly["denominator"])
    years = monthly[monthly["m"] % 12 == reference_month - 1]
    years = years.assign(period_type="year", period=(years["m"] // 12).astype(str))
    return _finish(pd.concat([_latest_and_all(monthly), years]), "certified_teacher_share")


def _prepare_events(events: pd.DataFrame, base: pd.DataFrame, units: pd.DataFrame) -> pd.DataFrame:
    """Events with month and unit attributes; a missing staff category / employment type
    is taken from the person's snapshot row in the same unit that month, else the month before."""
    ev = events.assign(m=_month(events["event_date"]))
    missing = ev["staff_category"].isna() | ev["employment_type"].isna()
    if missing.any():
        on = ["employee_id", "unit_id", "m"]
        wanted = ev.loc[missing, on].drop_duplicates()
        attrs = base.loc[
            base["employee_id"].isin(wanted["employee_id"]),
            [*on, "staff_category", "employment_type"],
        ].rename(columns={"staff_category": "_cat", "employment_type": "_type"})
        found = (
            pd.concat(
                [
                    wanted.merge(attrs, on=on).assign(_lag=0),
                    wanted.merge(attrs.assign(m=attrs["m"] + 1), on=on).assign(_lag=1),
                ]
            )
            .sort_values("_lag", kind="stable")
            .drop_duplicates(on)
            .drop(columns="_lag")
        )
        ev = ev.merge(found, on=on, how="left")
        ev["staff_category"] = ev["staff_category"].fillna(ev["_cat"])
        ev["employment_type"] = ev["employment_type"].fillna(ev["_type"])
        ev = ev.drop(columns=["_cat", "_type"])
    return _with_units(ev, units)


def _turnover(ev: pd.DataFrame, people: pd.DataFrame, grid: np.ndarray) -> pd.DataFrame:
    """Exits of permanent employees / average permanent headcount, per year and rolling 12 months.

    Average headcount = monthly distinct permanent persons summed over the period /
    snapshot months in the period; n_individuals = its floor. An exit is one
    (employee, date) per scope. Breakdowns: all, staff category, school form, and
    ``variant=excl_retirement`` (retirements not counted) next to ``all``.
    """
    dims = ("staff_category", "school_form")
    heads = _per_level(
        people[people["employment_type"] == "permanent"], dims, _distinct_people("perm_p")
    )
    ex = ev[(ev["event_type"] == "exit") & (ev["employment_type"] == "permanent")]
    ex = ex.assign(not_retirement=ex["reason"] != "retirement")

    def exits(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
        per_exit = (
            frame.groupby([*keys, "employee_id", "event_date"], dropna=False)["not_retirement"]
            .max()
            .reset_index()
        )
        return (
            per_exit.groupby(keys, dropna=False)
            .agg(exit_perm=("not_retirement", "size"), exit_perm_excl_ret=("not_retirement", "sum"))
            .reset_index()
        )

    monthly = heads.merge(_per_level(ex, dims, exits), on=[*KEYS, "m"], how="outer")
    sums = ["perm_p", "exit_perm", "exit_perm_excl_ret"]
    monthly[sums] = monthly[sums].fillna(0)
    periods = _flow_periods(monthly, sums, grid)
    periods = periods[periods["months"] > 0]
    # calendar years only when the snapshots cover all of them
    full_years = [str(y) for y in range(grid[0] // 12, grid[-1] // 12 + 1)
                  if y * 12 >= grid[0] and y * 12 + 11 <= grid[-1]] if len(grid) else []  # fmt: skip
    periods = periods[(periods["period_type"] != "year") | periods["period"].isin(full_years)]
    periods = periods.assign(avg_perm=periods["perm_p"] / periods["months"])
    periods = periods[periods["avg_perm"] > 0]
    periods = periods.assign(
        denominator=periods["avg_perm"], n_individuals=np.floor(periods["avg_perm"])
    )
    every = periods.assign(
        numerator=periods["exit_perm"], value=periods["exit_perm"] / periods["avg_perm"]
    )
    variant = periods[periods["breakdown"] == "all"]
    variant = variant.assign(
        breakdown="variant=excl_retirement",
        numerator=variant["exit_perm_excl_ret"],
        value=variant["exit_perm_excl_ret"] / variant["avg_perm"],
    )
    return _finish(pd.concat([every, variant]), "turnover_rate")


def _sick_leave(
    sick: pd.DataFrame, units: pd.DataFrame, people: pd.DataFrame, grid: np.ndarray
) -> pd.DataFrame:
    """Sick hours / scheduled hours per month, year and rolling 12 months (all + school form);
    n_individuals = floor of the average headcount over the period's snapshots with staff
    (0 if none)."""
    sums = ["scheduled_hours", "sick_hours"]
    s = _with_units(sick.assign(m=_month(sick["month"])), units)

    def hours(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
        return frame.groupby(keys, dropna=False)[sums].sum().reset_index()

    monthly = _per_level(s, ("school_form",), hours)
    # rolling windows over the snapshot months, or the sick-leave months when there are none
    span = None
    if not len(grid) and len(monthly):
        span = (int(monthly["m"].min()), int(monthly["m"].max()))
    periods = pd.concat(
        [_latest_and_all(monthly), _flow_periods(monthly, sums, grid, span).drop(columns="months")]
    )

    # average headcount over each period
    heads = _per_level(people, ("school_form",), _distinct_people("all_p"))
    head_months = heads.assign(
        period_type="month", period=_month_label(heads["m"]), avg=heads["all_p"].astype("float64")
    )
    # over the months the scope had staff (a unit opened in a window's last month rests on
    # that month's people, not on a twelfth of them)
    heads = heads.assign(staffed=(heads["all_p"] > 0).astype("int64"))
    head_flows = _flow_periods(heads, ["all_p", "staffed"], grid)
    head_flows = head_flows[head_flows["months"] > 0]
    head_flows = head_flows.assign(
        avg=(head_flows["all_p"] / head_flows["staffed"]).where(head_flows["staffed"] > 0, 0.0)
    )
    on = [*KEYS, "period_type", "period"]
    periods = periods.drop(columns="m").merge(
        pd.concat([head_months[[*on, "avg"]], head_flows[[*on, "avg"]]]), on=on, how="left"
    )
    periods = periods.assign(
        numerator=periods["sick_hours"],
        denominator=periods["scheduled_hours"],
        value=(periods["sick_hours"] / periods["scheduled_hours"]).where(
            periods["scheduled_hours"] > 0
        ),
        n_individuals=np.floor(periods["avg"].fillna(0)),
    )
    return _finish(periods, "sick_leave_rate")


# ---- row-by-row comparison -----------------------------------------------------------------


def compare_key_figures(
    kompetens: dict[str, pd.DataFrame], baseline: dict[str, pd.DataFrame], rtol: float = 1e-9
) -> dict:
    """Compare two sets of key-figure rows (pandas frames, ``KF_COLUMNS``), indicator by indicator.

    Per indicator and in total: rows on each side, duplicate keys, rows only in
    one of them, the largest absolute and relative difference of numerator,
    denominator and value over the rows in both, and how many rows differ (by
    more than ``rtol`` relative, or in n_individuals).
    """
    out: dict = {"indicators": {}}
    for indicator in sorted(set(kompetens) | set(baseline)):
        k = kompetens.get(indicator, pd.DataFrame(columns=KF_COLUMNS))
        b = baseline.get(indicator, pd.DataFrame(columns=KF_COLUMNS))
        both = k[KF_COLUMNS].merge(
            b[KF_COLUMNS], on=KF_KEY_COLUMNS, how="outer", suffixes=("_k", "_p"), indicator=True
        )
        matched = both[both["_merge"] == "both"]
        max_abs = max_rel = 0.0
        differ = pd.Series(False, index=matched.index)
        for col in ("numerator", "denominator", "value"):
            x = matched[f"{col}_k"].astype("float64")
            y = matched[f"{col}_p"].astype("float64")
            diff = (x - y).abs().where(~(x.isna() & y.isna()), 0.0)
            scale = np.maximum(x.abs(), y.abs())
            rel = (diff / scale).where(diff > 0, 0.0)
            differ |= diff.isna() | (rel > rtol)
            max_abs = max(max_abs, float(diff.max()) if len(diff) else 0.0)
            max_rel = max(max_rel, float(rel.max()) if len(rel) else 0.0)
        n_differ = matched["n_individuals_k"].astype("int64") != matched["n_individuals_p"].astype(
            "int64"
        )
        out["indicators"][indicator] = {
            "rows_kompetens": len(k),
            "rows_pandas": len(b),
            "duplicate_keys": int(k.duplicated(KF_KEY_COLUMNS).sum())
            + int(b.duplicated(KF_KEY_COLUMNS).sum()),
            "only_kompetens": int((both["_merge"] == "left_only").sum()),
            "only_pandas": int((both["_merge"] == "right_only").sum()),
            "max_abs_difference": max_abs,
            "max_rel_difference": max_rel,
            "rows_differing": int((differ | n_differ).sum()),
            "n_individuals_differing": int(n_differ.sum()),
        }
    per = out["indicators"].values()
    for field in ("rows_kompetens", "rows_pandas", "duplicate_keys", "only_kompetens",
                  "only_pandas", "rows_differing", "n_individuals_differing"):  # fmt: skip
        out[field] = sum(p[field] for p in per)
    out["max_abs_difference"] = max((p["max_abs_difference"] for p in per), default=0.0)
    out["max_rel_difference"] = max((p["max_rel_difference"] for p in per), default=0.0)
    out["key_mismatches"] = out["only_kompetens"] + out["only_pandas"] + out["duplicate_keys"]
    out["identical"] = out["key_mismatches"] == 0 and out["rows_differing"] == 0
    return out

"""Projection of the certified shares 1–5 years ahead: flows, rates, cohorts and the 80 % band.

The method is written out in ``docs/projection.md``; this module is its code. Pure
functions of Polars frames and NumPy arrays: nothing here reads the database
(``kompetens.query.projection`` does, and applies scope and suppression).

Grain:

- *cells*: one per unit × staff category that enters a certified share
  (``certified_teacher_share``: teachers in school units;
  ``licensed_preschool_teacher_share``: staff working with children in preschools).
  Each cell has a stock of heads (people-in-unit rows of the reference-month
  snapshot) split into certified and uncertified, and each status a mean FTE.
- *years*: the reference month of the start year (``start_year``, step 0) and the
  same month of each of the ``years`` following years (steps 1..H).
- *results*: level (unit | area | org) × scope_id × indicator_id × year, with the
  expected (deterministic) share, the median and the 80 % band of the draws, and
  the numbers the share rests on. Shares are fractions 0–1; FTE in full-time
  equivalents; heads in people.

The observed flows and the shrunk rates are in ``kompetens.analysis.projection_rates``.

One year of a cell, in this order (``docs/projection.md`` has the formulas):

1. **retirements**: the people of the start roster who reach the retirement age
   (birth year + age ≤ year) leave; people already past it leave in step 1;
2. **other exits**: each remaining person leaves with the cell's other-exit rate
   of their status (certified / uncertified);
3. **certification-path completions**: each remaining uncertified person becomes
   certified with the cell's yearly completion rate, plus any extra places;
4. **hires**: as many as left (plus FTE growth), certified with the cell's
   certified hire share.

Area and organisation are sums of units (numerator and denominator FTE summed,
then divided), never fitted on their own.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np
import polars as pl

from kompetens.analysis.projection_rates import (
    CELL_KEYS,
    PRIOR_STRENGTH,
    RATE_WINDOW,
    area_spread,
    classify,
    common_spread,
    observed_flows,
    shrunk_rates,
    unit_spread,
)

#: The shares the model projects.
INDICATORS: tuple[str, ...] = ("certified_teacher_share", "licensed_preschool_teacher_share")
#: Number of simulation draws and the seed (fixed, so a page and the CLI agree).
DRAWS = 500
SEED = 20_240_101
#: A scope whose figure rests on fewer people than this gets a band marked uncertain.
UNCERTAIN_BELOW = 20


@dataclass(frozen=True)
class Scenario:
    """The levers of a projection. Defaults: the observed pace ("nuvarande takt").

    ``turnover_delta``: added to every other-exit rate (fraction per year, e.g.
    -0.02 for two percentage points fewer). ``certified_hire_share``: replaces the
    observed share (None = observed). ``extra_path_places``: extra completions per
    year, spread over the cells of ``applies_to`` in proportion to their uncertified
    heads. ``retirement_age``: None = the stored setting. ``fte_growth``: staff
    growth per year (fraction; -0.03 = 3 % fewer), reached through hires.
    ``applies_to``: the units the levers act on (None = all).
    """

    name: str = "Nuvarande takt"
    turnover_delta: float = 0.0
    certified_hire_share: float | None = None
    extra_path_places: float = 0.0
    retirement_age: int | None = None
    fte_growth: float = 0.0
    applies_to: frozenset[str] | None = None


#: Named scenarios (``kompetens prognos --scenario NAME``; the page starts from one).
SCENARIOS: dict[str, Scenario] = {
    "nuvarande-takt": Scenario(),
    "lagre-omsattning": Scenario(
        "Två procentenheter lägre personalomsättning", turnover_delta=-0.02
    ),
    "fler-behoriga-nyanstallda": Scenario(
        "Tre av fyra nyanställda behöriga", certified_hire_share=0.75
    ),
    "fler-utbildningsplatser": Scenario(
        "Tio fler platser på behörighetsgivande utbildning per år", extra_path_places=10.0
    ),
    "farre-barn": Scenario("Tre procent färre tjänster per år", fte_growth=-0.03),
}


@dataclass(frozen=True)
class Levers:
    """Per-cell overrides (arrays over the cells; NaN = no override). Used by the solver."""

    certified_hire_share: np.ndarray | None = None
    extra_completions: np.ndarray | None = None
    certified_exit_delta: np.ndarray | None = None


@dataclass
class Model:
    """Everything a run needs, made once: the cells, their start stock, rates and roster ages.

    Arrays are over the cells (``cells`` row order). ``ages``: one row per cell ×
    status × birth year with ``heads``; used to schedule retirements for any age.
    """

    start_year: int
    retirement_age: int
    cells: pl.DataFrame
    c0: np.ndarray
    u0: np.ndarray
    fte_c: np.ndarray
    fte_u: np.ndarray
    q_c: np.ndarray
    q_u: np.ndarray
    p: np.ndarray
    h: np.ndarray
    ages: pl.DataFrame
    rates: pl.DataFrame
    heads: pl.DataFrame  # level, scope_id, indicator_id, n_start (distinct people)
    #: Per rate: the evidence behind each cell's rate (exposure + prior strength, person-years);
    #: the draws take the rate from Beta(value · evidence, (1 − value) · evidence).
    evidence: dict[str, np.ndarray] = field(default_factory=dict)
    #: Per rate: the year-to-year spread of the organisation's rate beyond chance (a standard
    #: deviation, ``common_spread``); each draw shifts every cell's rate by one common amount.
    spread: dict[str, float] = field(default_factory=dict)
    #: Per rate: the year-to-year spread of an area's rate beyond the organisation's and
    #: chance (``area_spread``); each draw shifts the rates of an area's cells by one amount.
    area_spread: dict[str, float] = field(default_factory=dict)
    #: Per rate: the year-to-year spread of a cell's rate beyond its area's and chance
    #: (``unit_spread``); each draw shifts each cell's rate by its own normal amount with it.
    unit_spread: dict[str, float] = field(default_factory=dict)
    #: Per cell: the index of its area × share (the group ``area_spread`` shifts together).
    area_of: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    _groups: dict = field(default_factory=dict)

    @property
    def n_cells(self) -> int:
        return self.cells.height


# --------------------------------------------------------------------------------------------


def build_model(
    snapshots: pl.DataFrame,
    units: pl.DataFrame,
    retirement_age: int,
    start_year: int | None = None,
    window: int = RATE_WINDOW,
    k: float = PRIOR_STRENGTH,
) -> Model:
    """The model from reference-month snapshots: the start stock, and rates from the years up to it.

    ``start_year``: the snapshot the projection starts from (default: the newest);
    rates use only transitions ending in it or before (so a backtest from a past
    year sees nothing it could not have seen then).
    """
    if start_year is None:
        start_year = int(snapshots["year"].max())
    rows = classify(snapshots.filter(pl.col("year") == start_year), units)
    cells = (
        rows.group_by(CELL_KEYS)
        .agg(pl.col("area").first(), pl.col("indicator_id").first())
        .sort(CELL_KEYS)
        .with_row_index("cell")
    )
    stock = (
        rows.group_by([*CELL_KEYS, "certified"])
        .agg(pl.len().alias("heads"), pl.col("fte").mean().alias("fte"))
        .join(cells.select(*CELL_KEYS, "cell"), on=CELL_KEYS)
    )
    n = cells.height

    def arr(status: bool, col: str, fill: float) -> np.ndarray:
        out = np.full(n, fill, dtype=np.float64)
        part = stock.filter(pl.col("certified") == status)
        out[part["cell"].to_numpy()] = part[col].to_numpy()
        return out

    c0, u0 = arr(True, "heads", 0.0), arr(False, "heads", 0.0)
    fte_c, fte_u = arr(True, "fte", np.nan), arr(False, "fte", np.nan)
    mean_fte = np.where(
        c0 + u0 > 0,
        (np.nan_to_num(fte_c) * c0 + np.nan_to_num(fte_u) * u0) / np.maximum(c0 + u0, 1),
        1.0,
    )
    fte_c = np.where(np.isnan(fte_c), mean_fte, fte_c)
    fte_u = np.where(np.isnan(fte_u), mean_fte, fte_u)

    flows = observed_flows(snapshots, units, retirement_age, start_year)
    rates = shrunk_rates(flows, start_year, window, k)
    rate_cells = rates.join(cells.select(*CELL_KEYS, "cell"), on=CELL_KEYS, how="inner")

    evidence: dict[str, np.ndarray] = {}

    def rate(name: str) -> np.ndarray:
        out = np.zeros(n, dtype=np.float64)
        part = rate_cells.filter(pl.col("rate") == name)
        out[part["cell"].to_numpy()] = part["value"].to_numpy()
        evidence[name] = np.full(n, k, dtype=np.float64)
        evidence[name][part["cell"].to_numpy()] = part["exposure"].to_numpy() + k
        # A cell without any observed rate row borrows its area's, else the organisation's.
        missing = np.ones(n, dtype=bool)
        missing[part["cell"].to_numpy()] = False
        if missing.any():
            fallback = _fallback_rates(rates, cells, name)
            out[missing] = fallback[missing]
        return out

    ages = (
        rows.filter(pl.col("birth_year").is_not_null())
        .group_by([*CELL_KEYS, "certified", "birth_year"])
        .agg(pl.len().alias("heads"))
        .join(cells.select(*CELL_KEYS, "cell"), on=CELL_KEYS)
        .select("cell", "certified", pl.col("birth_year").cast(pl.Int64), "heads")
    )
    return Model(
        start_year=start_year,
        retirement_age=retirement_age,
        cells=cells,
        c0=c0,
        u0=u0,
        fte_c=fte_c,
        fte_u=fte_u,
        q_c=rate("exit_certified"),
        q_u=rate("exit_uncertified"),
        p=rate("completion"),
        h=rate("certified_hire_share"),
        ages=ages,
        rates=rates,
        heads=start_heads(rows),
        evidence=evidence,
        spread=common_spread(flows),
        area_spread=area_spread(flows),
        unit_spread=unit_spread(flows),
        area_of=cells.select(pl.struct("area", "indicator_id").rank("dense") - 1)
        .to_series()
        .to_numpy()
        .astype(np.int64),
    )


def _fallback_rates(rates: pl.DataFrame, cells: pl.DataFrame, name: str) -> np.ndarray:
    """Per cell: the area's rate for the category, else the organisation's, else 0."""
    r = rates.filter(pl.col("rate") == name)
    area = r.group_by("area", "staff_category").agg(pl.col("area_rate").first())
    org = r.group_by("staff_category").agg(pl.col("org_rate").first())
    got = (
        cells.join(area, on=["area", "staff_category"], how="left")
        .join(org, on="staff_category", how="left")
        .sort("cell")
        .select(pl.coalesce("area_rate", "org_rate", pl.lit(0.0)))
        .to_series()
    )
    return got.to_numpy().astype(np.float64)


def start_heads(rows: pl.DataFrame) -> pl.DataFrame:
    """Distinct people per level × scope × indicator at the start (what suppression counts)."""
    parts = [
        rows.group_by(
            pl.lit("unit").alias("level"), pl.col("unit_id").alias("scope_id"), "indicator_id"
        ).agg(pl.col("employee_id").n_unique().alias("n_start")),
        rows.group_by(
            pl.lit("area").alias("level"), pl.col("area").alias("scope_id"), "indicator_id"
        ).agg(pl.col("employee_id").n_unique().alias("n_start")),
        rows.group_by(
            pl.lit("org").alias("level"), pl.lit("org").alias("scope_id"), "indicator_id"
        ).agg(pl.col("employee_id").n_unique().alias("n_start")),
    ]
    return pl.concat(parts, how="vertical_relaxed").with_columns(pl.col("n_start").cast(pl.Int64))


def retirement_schedule(model: Model, years: int, age: int) -> tuple[np.ndarray, np.ndarray]:
    """Start-roster people reaching ``age`` per step (1..years) and cell: (certified, uncertified).

    Shapes ``(years, cells)``; step = birth year + age − start year, and people
    already past the age (step ≤ 0) retire in step 1.
    """
    rc = np.zeros((years, model.n_cells))
    ru = np.zeros((years, model.n_cells))
    if model.ages.height == 0 or years == 0:
        return rc, ru
    step = np.maximum(model.ages["birth_year"].to_numpy() + age - model.start_year, 1)
    keep = step <= years
    cell = model.ages["cell"].to_numpy()[keep]
    heads = model.ages["heads"].to_numpy().astype(np.float64)[keep]
    cert = model.ages["certified"].to_numpy()[keep]
    s = step[keep] - 1
    np.add.at(rc, (s[cert], cell[cert]), heads[cert])
    np.add.at(ru, (s[~cert], cell[~cert]), heads[~cert])
    return rc, ru


@dataclass(frozen=True)
class Params:
    """The per-cell parameters of one run (rates after the scenario and levers)."""

    q_c: np.ndarray
    q_u: np.ndarray
    p: np.ndarray
    h: np.ndarray
    extra: np.ndarray  # extra completions per year (heads)
    growth: float
    rc: np.ndarray  # (years, cells) scheduled retirements of the start roster
    ru: np.ndarray


def params(model: Model, scenario: Scenario, years: int, levers: Levers | None = None) -> Params:
    """Apply a scenario (and per-cell levers) to the model's rates."""
    n = model.n_cells
    acts = np.ones(n, dtype=bool)
    if scenario.applies_to is not None:
        acts = model.cells["unit_id"].is_in(list(scenario.applies_to)).to_numpy()
    q_c = np.where(acts, np.clip(model.q_c + scenario.turnover_delta, 0.0, 1.0), model.q_c)
    q_u = np.where(acts, np.clip(model.q_u + scenario.turnover_delta, 0.0, 1.0), model.q_u)
    h = model.h.copy()
    if scenario.certified_hire_share is not None:
        h = np.where(acts, float(np.clip(scenario.certified_hire_share, 0.0, 1.0)), h)
    extra = np.zeros(n)
    if scenario.extra_path_places:
        weights = np.where(acts, model.u0, 0.0)
        if weights.sum() > 0:
            extra = scenario.extra_path_places * weights / weights.sum()
    if levers is not None:
        if levers.certified_hire_share is not None:
            h = np.where(np.isnan(levers.certified_hire_share), h, levers.certified_hire_share)
        if levers.extra_completions is not None:
            extra = extra + np.nan_to_num(levers.extra_completions)
        if levers.certified_exit_delta is not None:
            q_c = np.clip(q_c + np.nan_to_num(levers.certified_exit_delta), 0.0, 1.0)
    age = scenario.retirement_age or model.retirement_age
    rc, ru = retirement_schedule(model, years, age)
    growth = scenario.fte_growth
    return Params(q_c, q_u, model.p.copy(), h, extra, growth, rc, ru)


@dataclass(frozen=True)
class Path:
    """Heads per step 0..years and cell: certified ``c``, uncertified ``u`` (expected values),
    and the expected retirements per step 1..years (``ret_c``, ``ret_u``)."""

    c: np.ndarray
    u: np.ndarray
    ret_c: np.ndarray
    ret_u: np.ndarray
    hires_c: np.ndarray
    hires: np.ndarray
    completions: np.ndarray
    other_exits: np.ndarray


def expected_path(model: Model, prm: Params, years: int) -> Path:
    """The deterministic projection: every flow at its expected value.

    Cohorts: bucket 0 holds those not due to retire within the horizon (and every
    hire); bucket t the start-roster people due in step t. In step t bucket t
    retires, then every bucket loses its other exits and its completions (the
    extra places spread over the buckets in proportion to their uncertified heads),
    then hires join bucket 0.
    """
    n = model.n_cells
    b_c = np.zeros((years + 1, n))
    b_u = np.zeros((years + 1, n))
    b_c[1:], b_u[1:] = prm.rc, prm.ru
    b_c[0] = model.c0 - prm.rc.sum(axis=0)
    b_u[0] = model.u0 - prm.ru.sum(axis=0)
    c = np.zeros((years + 1, n))
    u = np.zeros((years + 1, n))
    c[0], u[0] = model.c0, model.u0
    ret_c = np.zeros((years, n))
    ret_u = np.zeros((years, n))
    hires_c = np.zeros((years, n))
    hires = np.zeros((years, n))
    comps = np.zeros((years, n))
    exits = np.zeros((years, n))
    for t in range(1, years + 1):
        before = b_c.sum(axis=0) + b_u.sum(axis=0)
        ret_c[t - 1], ret_u[t - 1] = b_c[t], b_u[t]
        b_c[t] = 0.0
        b_u[t] = 0.0
        e_c = b_c * prm.q_c
        e_u = b_u * prm.q_u
        b_c -= e_c
        b_u -= e_u
        left_u = b_u.sum(axis=0)
        k_total = np.minimum(left_u, left_u * prm.p + prm.extra)
        share = np.divide(k_total, left_u, out=np.zeros(n), where=left_u > 0)
        k = b_u * share
        b_u -= k
        b_c += k
        leavers = ret_c[t - 1] + ret_u[t - 1] + e_c.sum(axis=0) + e_u.sum(axis=0)
        hired = np.maximum(0.0, leavers + prm.growth * before)
        b_c[0] += hired * prm.h
        b_u[0] += hired * (1.0 - prm.h)
        c[t], u[t] = b_c.sum(axis=0), b_u.sum(axis=0)
        hires_c[t - 1], hires[t - 1], comps[t - 1] = hired * prm.h, hired, k_total
        exits[t - 1] = e_c.sum(axis=0) + e_u.sum(axis=0)
    return Path(c, u, ret_c, ret_u, hires_c, hires, comps, exits)


def _round_with(x: np.ndarray, uniform: np.ndarray) -> np.ndarray:
    """Round ``x`` (≥ 0, per cell) up or down with the given uniforms ``(draws, cells)``: mean ``x``."""
    base = np.floor(x)
    return (base + (uniform < (x - base))).astype(np.int64)


def _stochastic_round(x: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Round to an integer up or down at random so that the mean is ``x`` (x ≥ 0)."""
    base = np.floor(x)
    return (base + (rng.random(x.shape) < (x - base))).astype(np.int64)


def _drawn_rates(
    model: Model, prm: Params, draws: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Each draw's rates ``(draws, cells)``: Beta around the model's rate, shifted by the scenario.

    The Beta has the rate as its mean and the rate's evidence (exposure + prior
    strength) as its size, i.e. the posterior of the shrinkage in
    ``shrunk_rates``: a rate resting on few person-years varies more. On top, three
    normal shifts, kept for every year of the draw: one shared by every cell
    (``common_spread``), one per area × share shared by its cells (``area_spread``) and
    one per cell (``unit_spread``); the sum is clipped to 0–1. A scenario's change
    (``prm`` minus the model's rate) is added to every draw; a hire share the scenario
    sets is taken as given.
    """
    out = []
    n = model.n_cells
    n_areas = int(model.area_of.max()) + 1 if model.area_of.size else 0
    for name, model_rate, used in (
        ("exit_certified", model.q_c, prm.q_c),
        ("exit_uncertified", model.q_u, prm.q_u),
        ("completion", model.p, prm.p),
        ("certified_hire_share", model.h, prm.h),
    ):
        size = model.evidence.get(name)
        if size is None:
            out.append(used)
            continue
        a = np.maximum(model_rate * size, 1e-6)
        b = np.maximum((1.0 - model_rate) * size, 1e-6)
        drawn = rng.beta(a, b, size=(draws, n))
        tau = model.spread.get(name, 0.0)
        if tau > 0:  # one shift per draw, shared by every cell
            drawn += rng.normal(0.0, tau, size=(draws, 1))
        tau_area = model.area_spread.get(name, 0.0)
        if tau_area > 0 and n_areas:  # one per draw and area × share, shared by its cells
            drawn += rng.normal(0.0, tau_area, size=(draws, n_areas))[:, model.area_of]
        tau_cell = model.unit_spread.get(name, 0.0)
        if tau_cell > 0:  # one per draw and cell: a unit's own pace drifts
            drawn += rng.normal(0.0, tau_cell, size=(draws, n))
        np.clip(drawn, 0.0, 1.0, out=drawn)
        if name == "certified_hire_share":
            out.append(np.where(np.isclose(used, model_rate), drawn, used))
        else:
            out.append(np.clip(drawn + (used - model_rate), 0.0, 1.0))
    return out[0], out[1], out[2], out[3]


def simulate(
    model: Model,
    prm: Params,
    path: Path,
    years: int,
    draws: int = DRAWS,
    seed: int = SEED,
    rate_uncertainty: bool = True,
) -> tuple[np.ndarray, np.ndarray]:
    """Monte Carlo draws of the heads: arrays ``(draws, years + 1, cells)`` certified and uncertified.

    Each draw first takes its own rates (``_drawn_rates``; ``rate_uncertainty``),
    kept for every year of the draw. Then binomial on headcounts: other exits of
    each status, completions of the uncertified who remain, and the certified among
    the hires. Retirements are the expected retirements of the deterministic path
    (``path``), rounded at random; the extra places and the growth are rounded the
    same way.
    """
    rng = np.random.default_rng(seed)
    n = model.n_cells
    q_c, q_u, p, h = (
        _drawn_rates(model, prm, draws, rng)
        if rate_uncertainty
        else [np.broadcast_to(r, (draws, n)) for r in (prm.q_c, prm.q_u, prm.p, prm.h)]
    )
    c = np.empty((draws, years + 1, n), dtype=np.int64)
    u = np.empty((draws, years + 1, n), dtype=np.int64)
    c[:, 0] = np.rint(model.c0).astype(np.int64)
    u[:, 0] = np.rint(model.u0).astype(np.int64)
    shape = (draws, n)
    for t in range(1, years + 1):
        cc, uu = c[:, t - 1], u[:, t - 1]
        # One uniform per draw and cell rounds this year's expected retirements (both statuses).
        uniform = rng.random(shape)
        r_c = np.minimum(cc, _round_with(path.ret_c[t - 1], uniform))
        r_u = np.minimum(uu, _round_with(path.ret_u[t - 1], uniform))
        e_c = rng.binomial(cc - r_c, q_c)
        e_u = rng.binomial(uu - r_u, q_u)
        left_u = uu - r_u - e_u
        k = rng.binomial(left_u, p)
        if prm.extra.any():
            k = k + _stochastic_round(np.broadcast_to(prm.extra, shape), rng)
        k = np.minimum(k, left_u)
        hired = r_c + r_u + e_c + e_u
        if prm.growth:
            grow = prm.growth * (cc + uu)
            hired = np.maximum(
                0, hired + np.sign(grow).astype(np.int64) * _stochastic_round(np.abs(grow), rng)
            )
        h_c = rng.binomial(hired, h)
        c[:, t] = cc - r_c - e_c + k + h_c
        u[:, t] = left_u - k + hired - h_c
    return c, u


# --------------------------------------------------------------------------------------------
# Summing cells to scopes
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Groups:
    """How cells sum to scopes: the groups (row = group index: units first, then the
    (area, share) and (org, share) groups), the first cell of each unit (cells are
    sorted by unit, so a unit's cells are contiguous), and one-hot matrices
    units → area groups and units → org groups."""

    frame: pl.DataFrame
    unit_starts: np.ndarray
    to_area: np.ndarray
    to_org: np.ndarray


def _groups(model: Model) -> Groups:
    """The model's ``Groups`` (made once per model)."""
    if "g" in model._groups:
        return model._groups["g"]
    cells = model.cells
    units = cells.group_by("unit_id", maintain_order=True).agg(
        pl.col("cell").first().alias("first"),
        pl.col("area").first(),
        pl.col("indicator_id").first(),
    )
    areas = units.select("area", "indicator_id").unique(maintain_order=True)
    orgs = units.select("indicator_id").unique(maintain_order=True)
    area_idx = units.join(areas.with_row_index("_a"), on=["area", "indicator_id"], how="left")["_a"]
    org_idx = units.join(orgs.with_row_index("_o"), on="indicator_id", how="left")["_o"]
    to_area = np.zeros((units.height, areas.height))
    to_area[np.arange(units.height), area_idx.to_numpy()] = 1.0
    to_org = np.zeros((units.height, orgs.height))
    to_org[np.arange(units.height), org_idx.to_numpy()] = 1.0
    frame = pl.concat(
        [
            units.select(
                pl.lit("unit").alias("level"), pl.col("unit_id").alias("scope_id"), "indicator_id"
            ),
            areas.select(
                pl.lit("area").alias("level"), pl.col("area").alias("scope_id"), "indicator_id"
            ),
            orgs.select(
                pl.lit("org").alias("level"), pl.lit("org").alias("scope_id"), "indicator_id"
            ),
        ]
    )
    model._groups["g"] = Groups(frame, units["first"].to_numpy().astype(np.int64), to_area, to_org)
    return model._groups["g"]


def _sum_to_groups(values: np.ndarray, groups: Groups) -> np.ndarray:
    """Sum the last axis (cells) of ``values`` into every group: shape ``(..., n_groups)``.

    Cells to units with one ``add.reduceat`` (a unit's cells are contiguous), units to
    areas and the organisation with small matrix products.
    """
    if values.shape[-1] == 0:
        return np.zeros((*values.shape[:-1], groups.frame.height))
    per_unit = np.add.reduceat(values, groups.unit_starts, axis=-1)
    return np.concatenate([per_unit, per_unit @ groups.to_area, per_unit @ groups.to_org], axis=-1)


def _quantiles(share: np.ndarray) -> np.ndarray:
    """The 50th, 10th and 90th percentile over the draws (axis 0); NaN-aware only where needed."""
    q = np.quantile(share, [0.5, 0.1, 0.9], axis=0)
    gaps = np.isnan(share).any(axis=0)
    if gaps.any():
        with warnings.catch_warnings():  # a scope empty in every draw stays NaN, quietly
            warnings.simplefilter("ignore", RuntimeWarning)
            q[:, gaps] = np.nanquantile(share[:, gaps], [0.5, 0.1, 0.9], axis=0)
    return q


RESULT_SCHEMA = {
    "level": pl.String,
    "scope_id": pl.String,
    "indicator_id": pl.String,
    "year": pl.Int64,
    "step": pl.Int64,
    "expected": pl.Float64,
    "median": pl.Float64,
    "low80": pl.Float64,
    "high80": pl.Float64,
    "numerator_fte": pl.Float64,
    "denominator_fte": pl.Float64,
    "n_start": pl.Int64,
    "uncertain": pl.Boolean,
}


def project(
    model: Model,
    scenario: Scenario | None = None,
    years: int = 5,
    draws: int = DRAWS,
    seed: int = SEED,
    levers: Levers | None = None,
) -> pl.DataFrame:
    """The projection at every level: expected share, median and 80 % band per scope × indicator × year.

    Grain: level × scope_id × indicator_id × year, steps 0 (the start, observed)
    to ``years``. ``expected``: the deterministic path's share; ``median``,
    ``low80``, ``high80``: the 50th, 10th and 90th percentile of the draws'
    shares (``draws = 0``: the expected share in all three). ``numerator_fte`` /
    ``denominator_fte``: expected certified FTE and all FTE. ``uncertain``: the
    figure rests on fewer than ``UNCERTAIN_BELOW`` people at the start.
    Not suppressed: the query layer does that.
    """
    scenario = scenario or Scenario()
    if not 1 <= years <= 10:
        raise ValueError("years must be 1–10")
    prm = params(model, scenario, years, levers)
    path = expected_path(model, prm, years)
    grouping = _groups(model)
    groups = grouping.frame
    g = groups.height
    num = _sum_to_groups(path.c * model.fte_c, grouping)
    den = num + _sum_to_groups(path.u * model.fte_u, grouping)
    expected = np.divide(num, den, out=np.full_like(num, np.nan), where=den > 0)
    if draws > 0:
        c, u = simulate(model, prm, path, years, draws, seed)
        dn = _sum_to_groups(c * model.fte_c, grouping)
        dd = dn + _sum_to_groups(u * model.fte_u, grouping)
        share = np.divide(dn, dd, out=np.full_like(dn, np.nan), where=dd > 0)
        q = _quantiles(share)
        median, low, high = q[0], q[1], q[2]
    else:
        median = low = high = expected
    steps = np.arange(years + 1)
    frame = pl.DataFrame(
        {
            "level": np.tile(groups["level"].to_numpy(), years + 1),
            "scope_id": np.tile(groups["scope_id"].to_numpy(), years + 1),
            "indicator_id": np.tile(groups["indicator_id"].to_numpy(), years + 1),
            "step": np.repeat(steps, g),
            "expected": expected.ravel(),
            "median": median.ravel(),
            "low80": low.ravel(),
            "high80": high.ravel(),
            "numerator_fte": num.ravel(),
            "denominator_fte": den.ravel(),
        }
    )
    return (
        frame.with_columns((pl.col("step") + model.start_year).alias("year"))
        .join(model.heads, on=["level", "scope_id", "indicator_id"], how="left")
        .with_columns(
            pl.col("n_start").fill_null(0),
            (pl.col("n_start").fill_null(0) < UNCERTAIN_BELOW).alias("uncertain"),
        )
        .cast({k: v for k, v in RESULT_SCHEMA.items()})
        .select(list(RESULT_SCHEMA))
        .sort("level", "scope_id", "indicator_id", "year")
    )


def flows_table(model: Model, scenario: Scenario | None = None, years: int = 5) -> pl.DataFrame:
    """Expected yearly flows per unit × staff category × year (people): the retirement timeline and the rest.

    Columns ``unit_id, area, staff_category, indicator_id, year, retirements,
    other_exits, completions, hires, certified_hires, certified, uncertified``.
    """
    scenario = scenario or Scenario()
    prm = params(model, scenario, years)
    path = expected_path(model, prm, years)
    retire = path.ret_c + path.ret_u
    parts = []
    for t in range(1, years + 1):
        parts.append(
            model.cells.select("unit_id", "area", "staff_category", "indicator_id").with_columns(
                pl.lit(model.start_year + t, dtype=pl.Int64).alias("year"),
                pl.Series("retirements", retire[t - 1]),
                pl.Series("other_exits", path.other_exits[t - 1]),
                pl.Series("completions", path.completions[t - 1]),
                pl.Series("hires", path.hires[t - 1]),
                pl.Series("certified_hires", path.hires_c[t - 1]),
                pl.Series("certified", path.c[t]),
                pl.Series("uncertified", path.u[t]),
            )
        )
    return pl.concat(parts)


def retirement_timeline(
    snapshots: pl.DataFrame, units: pl.DataFrame, start_year: int, age: int, years: int = 5
) -> pl.DataFrame:
    """People of the start snapshot reaching the retirement age, per year ahead: the timeline.

    Grain: level (unit | area | org) × scope_id × staff_category (each, and ``all``) ×
    year (``start_year + 1 .. start_year + years``); ``retirements`` in people (distinct
    people at every level, so one person in two units counts in each unit and once in
    the area). A person's year is birth year + ``age``; people already past it (or
    reaching it in the start year) count in the first year, as in the projection's
    retirement cohorts. Every scope × category with staff at the start gets every year
    (zeros included). ``n_staff``: the scope × category's people at the start.
    ``snapshots``: ``year, employee_id, unit_id, staff_category, birth_year``;
    ``units``: ``unit_id, area``.
    """
    first, last = start_year + 1, start_year + years
    rows = snapshots.filter(pl.col("year") == start_year).join(
        units.select(
            pl.col("unit_id").cast(pl.String),
            pl.col("area").cast(pl.String).fill_null("(okänt område)"),
        ).unique("unit_id", keep="last"),
        on="unit_id",
        how="inner",
    )
    rows = pl.concat(
        [rows, rows.with_columns(pl.lit("all").alias("staff_category"))], how="vertical_relaxed"
    ).with_columns(
        pl.max_horizontal(pl.col("birth_year") + age, pl.lit(first)).alias("_year"),
    )
    levels = {
        "unit": pl.col("unit_id"),
        "area": pl.col("area"),
        "org": pl.lit("org"),
    }
    parts = []
    for level, scope in levels.items():
        keyed = rows.with_columns(pl.lit(level).alias("level"), scope.alias("scope_id"))
        staff = keyed.group_by("level", "scope_id", "staff_category").agg(
            pl.col("employee_id").n_unique().alias("n_staff")
        )
        due = (
            keyed.filter(pl.col("birth_year").is_not_null() & (pl.col("_year") <= last))
            .group_by("level", "scope_id", "staff_category", pl.col("_year").alias("year"))
            .agg(pl.col("employee_id").n_unique().alias("retirements"))
        )
        grid = staff.join(
            pl.DataFrame({"year": list(range(first, last + 1))}, schema={"year": pl.Int64}),
            how="cross",
        )
        parts.append(
            grid.join(
                due.with_columns(pl.col("year").cast(pl.Int64)),
                on=["level", "scope_id", "staff_category", "year"],
                how="left",
            ).with_columns(pl.col("retirements").fill_null(0).cast(pl.Int64))
        )
    return (
        pl.concat(parts, how="vertical_relaxed")
        .select(
            "level",
            "scope_id",
            "staff_category",
            "year",
            "retirements",
            pl.col("n_staff").cast(pl.Int64),
        )
        .sort("level", "scope_id", "staff_category", "year")
    )

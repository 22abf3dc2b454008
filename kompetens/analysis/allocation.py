"""The socio-economic allocation model: the compensatory pot shared between units.

The method is written out, with a worked example, in ``docs/allocation.md``; this module is
its code. Pure functions of Polars frames (and NumPy for the cap): nothing here reads the
database (``kompetens.query.allocation`` does, and applies scope).

Inputs (grain):

- *pupils*: one row per unit × year × school form (grade bands, if any, are summed):
  ``unit_id, year, school_form, pupils`` (pupils or children, a count);
- *index*: one row per unit × year: ``unit_id, year, index`` (the unit's socio-economic
  index, on the municipality's scale, e.g. 100 = the municipal average);
- *pots*: one row per year × school form: ``year, school_form, pot`` (kronor to share).

For each year and school form, in year order:

1. **smoothing**: the index used is the unit's mean index over the last
   ``smoothing_years`` years it has (1 = this year's index only);
2. **weight** = pupils × max(0, index used − floor); the floor of an upper-secondary school
   form is ``upper_secondary_floor`` (``None``: no floor, i.e. 0);
3. **uncapped amount** = pot × weight / the school form's summed weight (the pot shared in
   proportion); nothing is shared when no unit is above the floor;
4. **cap** (optional): a unit's amount may change by at most ``cap`` (a fraction) of its
   amount the year before. The units the cap holds stay at their bound and the rest is shared
   among the others with one common factor on their uncapped amounts, so the pot still sums
   (:func:`share_with_cap`). A unit with no amount the year before is not capped.

Result (:func:`allocate`): one row per unit × school form × year with the amount in kronor,
its change from the year before (kronor and as a fraction), and the amount per pupil
(kronor per pupil). :func:`unit_totals` sums the school forms per unit × year.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

#: School forms whose floor is the upper-secondary floor.
UPPER_SECONDARY_FORMS: frozenset[str] = frozenset({"gymnasieskola", "anpassad_gymnasieskola"})

#: The result's columns, in order (one row per unit × school form × year).
RESULT_COLUMNS: tuple[str, ...] = (
    "unit_id",
    "school_form",
    "year",
    "pupils",
    "index",
    "index_used",
    "floor",
    "weight",
    "uncapped_amount",
    "amount",
    "previous_amount",
    "change",
    "change_share",
    "amount_per_pupil",
    "capped",
)


@dataclass(frozen=True)
class AllocationParameters:
    """One scenario of the model.

    ``floor`` and ``upper_secondary_floor`` are on the index's scale; ``smoothing_years`` is a
    whole number of years (1 = no smoothing); ``cap`` is the largest yearly change per unit as
    a fraction of last year's amount (``None`` = no cap).
    """

    floor: float = 0.0
    upper_secondary_floor: float | None = None
    smoothing_years: int = 1
    cap: float | None = None

    def __post_init__(self) -> None:
        if self.smoothing_years < 1:
            raise ValueError("smoothing_years must be at least 1")
        if self.cap is not None and not 0 <= self.cap < 1:
            raise ValueError("cap must be a fraction 0 <= cap < 1")

    def floor_for(self, school_form: str) -> float:
        """The floor a school form's units are measured from."""
        if school_form in UPPER_SECONDARY_FORMS:
            return 0.0 if self.upper_secondary_floor is None else float(self.upper_secondary_floor)
        return float(self.floor)


def smoothed_index(index: pl.DataFrame, years: int) -> pl.DataFrame:
    """The index used: each unit's mean index over the ``years`` years up to and including each
    year it has an index for (fewer at the start of its series).

    Grain: one row per unit × year of ``index``; columns ``unit_id, year, index, index_used``.
    """
    base = index.select("unit_id", pl.col("year").cast(pl.Int64), pl.col("index").cast(pl.Float64))
    spread = (
        base.with_columns(offset=pl.int_ranges(0, years))
        .explode("offset")
        .with_columns(year=pl.col("year") + pl.col("offset"))
        .group_by("unit_id", "year")
        .agg(index_used=pl.col("index").mean())
    )
    return base.join(spread, on=["unit_id", "year"], how="left")


def share_with_cap(
    uncapped: np.ndarray, previous: np.ndarray, pot: float, cap: float | None
) -> tuple[np.ndarray, np.ndarray]:
    """Share ``pot`` so that each unit changes by at most ``cap`` of its previous amount.

    ``uncapped`` are the amounts without a cap (summing to ``pot`` when any unit is above the
    floor); ``previous`` last year's amounts (NaN or 0: no amount last year, not capped). Each
    unit gets ``clip(t × uncapped, previous × (1 − cap), previous × (1 + cap))`` with the one
    factor ``t`` that makes the amounts sum to ``pot``; the sum is monotone in ``t``, so ``t``
    is found exactly between the breakpoints. When no ``t`` reaches the pot, the units below
    the floor (held at their lower bound) keep more of last year's amount, up to their upper
    bound. When even that cannot reach the pot (it rose by more than the cap), or ``t = 0``
    gives more than the pot (it fell by more than the cap), the bounded amounts are scaled by
    one common factor: the pot wins over the cap.

    Returns the amounts (kronor) and whether the cap held each unit at a bound.
    """
    uncapped = np.asarray(uncapped, dtype=float)
    previous = np.nan_to_num(np.asarray(previous, dtype=float), nan=0.0)
    if cap is None or not (previous > 0).any():
        return uncapped.copy(), np.zeros(len(uncapped), dtype=bool)
    has_previous = previous > 0
    lower = np.where(has_previous, previous * (1 - cap), 0.0)
    upper = np.where(has_previous, previous * (1 + cap), np.inf)

    def amounts(t: float) -> np.ndarray:
        return np.clip(t * uncapped, lower, upper)

    positive = uncapped > 0
    at_most = np.where(positive, upper, lower)  # the amounts as t grows without end
    if lower.sum() >= pot:
        total = lower.sum()
        shared = lower * (pot / total) if total > 0 else np.zeros_like(lower)
        return shared, has_previous
    if np.isfinite(at_most).all() and at_most.sum() <= pot:
        # Every unit above the floor is at its upper bound: the units below the floor, held at
        # their lower bound, keep more of last year's amount (one common share s of their room
        # between the bounds); only when even that cannot reach the pot does the pot win.
        room = np.where(positive | ~has_previous, 0.0, previous * 2 * cap)  # upper - lower
        if room.sum() > 0 and at_most.sum() + room.sum() >= pot:
            s = (pot - at_most.sum()) / room.sum()
            return at_most + s * room, has_previous
        total = (at_most + room).sum()
        shared = (at_most + room) * (pot / total) if total > 0 else np.zeros_like(at_most)
        return shared, has_previous
    breaks = np.concatenate(
        [lower[positive] / uncapped[positive], upper[positive] / uncapped[positive]]
    )
    breaks = np.unique(np.concatenate([[0.0], breaks[np.isfinite(breaks)]]))
    totals = np.array([amounts(b).sum() for b in breaks])
    above = np.nonzero(totals >= pot)[0]
    if len(above):
        k = above[0]
        if k == 0 or totals[k] == totals[k - 1]:
            t = breaks[k]
        else:  # the sum is linear between two breakpoints
            t = breaks[k - 1] + (pot - totals[k - 1]) * (breaks[k] - breaks[k - 1]) / (
                totals[k] - totals[k - 1]
            )
    else:  # past the last breakpoint only the uncapped units (no amount last year) still grow
        slope = uncapped[positive & ~has_previous].sum()
        t = breaks[-1] + (pot - totals[-1]) / slope
    shared = amounts(t)
    return shared, has_previous & ~np.isclose(shared, t * uncapped)


def allocate(
    pupils: pl.DataFrame,
    index: pl.DataFrame,
    pots: pl.DataFrame,
    params: AllocationParameters,
) -> pl.DataFrame:
    """The allocation per unit × school form × year (columns ``RESULT_COLUMNS``).

    ``amount``, ``uncapped_amount``, ``previous_amount`` and ``change`` in kronor;
    ``change_share`` as a fraction of the previous amount (null without one);
    ``amount_per_pupil`` in kronor per pupil. A unit-year without an index has weight 0.
    Only the school forms and years with a pot are allocated.
    """
    counts = (
        pupils.group_by("unit_id", pl.col("year").cast(pl.Int64), "school_form")
        .agg(pupils=pl.col("pupils").cast(pl.Float64).sum())
        .join(
            pots.select(
                pl.col("year").cast(pl.Int64), "school_form", pl.col("pot").cast(pl.Float64)
            ),
            on=["year", "school_form"],
            how="inner",
        )
        .join(smoothed_index(index, params.smoothing_years), on=["unit_id", "year"], how="left")
        .with_columns(
            floor=pl.when(pl.col("school_form").is_in(sorted(UPPER_SECONDARY_FORMS)))
            .then(pl.lit(params.floor_for("gymnasieskola"), dtype=pl.Float64))
            .otherwise(pl.lit(float(params.floor), dtype=pl.Float64))
        )
        .with_columns(
            weight=(
                pl.col("pupils") * (pl.col("index_used") - pl.col("floor")).clip(0.0)
            ).fill_null(0.0)
        )
        .with_columns(
            uncapped_amount=pl.when(pl.col("weight").sum().over("year", "school_form") > 0)
            .then(
                pl.col("pot")
                * pl.col("weight")
                / pl.col("weight").sum().over("year", "school_form")
            )
            .otherwise(0.0)
        )
        .sort("school_form", "year", "unit_id")
    )
    parts: list[pl.DataFrame] = []
    for _, form in counts.group_by("school_form", maintain_order=True):
        last: dict[str, float] = {}
        for _, rows in form.group_by("year", maintain_order=True):
            previous = np.array([last.get(u, np.nan) for u in rows["unit_id"]])
            shared, held = share_with_cap(
                rows["uncapped_amount"].to_numpy(), previous, float(rows["pot"][0]), params.cap
            )
            parts.append(
                rows.with_columns(
                    amount=pl.Series(shared),
                    previous_amount=pl.Series(previous).fill_nan(None),
                    capped=pl.Series(held),
                )
            )
            last = dict(zip(rows["unit_id"], shared, strict=True))
    if not parts:
        return pl.DataFrame(schema=_result_schema())
    result = pl.concat(parts).with_columns(
        change=pl.col("amount") - pl.col("previous_amount"),
        change_share=pl.when(pl.col("previous_amount") > 0).then(
            pl.col("amount") / pl.col("previous_amount") - 1
        ),
        amount_per_pupil=pl.when(pl.col("pupils") > 0).then(pl.col("amount") / pl.col("pupils")),
    )
    return result.select(RESULT_COLUMNS).sort("year", "school_form", "unit_id")


def _result_schema() -> dict[str, pl.DataType]:
    floats = {c: pl.Float64 for c in RESULT_COLUMNS}
    return {
        **floats,
        "unit_id": pl.String,
        "school_form": pl.String,
        "year": pl.Int64,
        "capped": pl.Boolean,
    }


def unit_totals(result: pl.DataFrame) -> pl.DataFrame:
    """The allocation per unit × year, school forms summed.

    Grain: one row per unit × year: ``pupils``, ``amount`` and ``previous_amount`` (kronor),
    ``change`` (kronor), ``change_share`` (fraction), ``amount_per_pupil`` (kronor per pupil).
    """
    return (
        result.group_by("unit_id", "year")
        .agg(
            pl.col("pupils").sum(),
            pl.col("amount").sum(),
            previous_amount=pl.when(pl.col("previous_amount").is_not_null().any()).then(
                pl.col("previous_amount").sum()
            ),
        )
        .with_columns(
            change=pl.col("amount") - pl.col("previous_amount"),
            change_share=pl.when(pl.col("previous_amount") > 0).then(
                pl.col("amount") / pl.col("previous_amount") - 1
            ),
            amount_per_pupil=pl.when(pl.col("pupils") > 0).then(
                pl.col("amount") / pl.col("pupils")
            ),
        )
        .sort("year", "unit_id")
    )


def yearly_variation(result: pl.DataFrame) -> float | None:
    """How much the units' amounts swing from year to year: the standard deviation (n − 1) of
    the yearly change in the amount per pupil (kronor per pupil), over every unit × year whose
    unit has a row the year before (school forms summed per unit). Per pupil, not as a share of
    last year's amount: a unit just above the floor would otherwise swing by thousands of per
    cent on a few kronor. ``None`` with fewer than two changes.
    """
    changes = (
        unit_totals(result)
        .sort("unit_id", "year")
        .with_columns(
            change=pl.col("amount_per_pupil") - pl.col("amount_per_pupil").shift(1).over("unit_id"),
            consecutive=(pl.col("year") - pl.col("year").shift(1).over("unit_id")) == 1,
        )
        .filter(pl.col("consecutive"))["change"]
        .drop_nulls()
    )
    return float(changes.std()) if len(changes) >= 2 else None


def compare(today: pl.DataFrame, scenario: pl.DataFrame, year: int) -> pl.DataFrame:
    """One year's amounts per unit, today's parameters against a scenario's.

    Grain: one row per unit with an amount in either: ``amount_today``, ``amount_scenario``,
    ``difference`` (kronor, scenario − today), ``pupils``, the per-pupil amounts (kronor per
    pupil) and ``difference_share`` (fraction of today's amount; null when today's is 0).
    Sorted by the difference, the largest loser first.
    """
    a = unit_totals(today).filter(pl.col("year") == year)
    b = unit_totals(scenario).filter(pl.col("year") == year)
    return (
        a.select("unit_id", "pupils", amount_today="amount")
        .join(
            b.select("unit_id", amount_scenario="amount"), on="unit_id", how="full", coalesce=True
        )
        .with_columns(pl.col("amount_today", "amount_scenario").fill_null(0.0))
        .with_columns(
            difference=pl.col("amount_scenario") - pl.col("amount_today"),
            per_pupil_today=pl.col("amount_today") / pl.col("pupils"),
            per_pupil_scenario=pl.col("amount_scenario") / pl.col("pupils"),
        )
        .with_columns(
            difference_share=pl.when(pl.col("amount_today") > 0).then(
                pl.col("difference") / pl.col("amount_today")
            )
        )
        .sort("difference", "unit_id")
    )

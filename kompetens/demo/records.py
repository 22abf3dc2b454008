"""The demo's records written from the simulated spells: redundancy notices and placements, the
employee ids, the monthly staff snapshots and the events.

Grain: ``staff_frame`` is one row per employee x unit x snapshot date (the ``staff`` kind);
``events_frame`` one row per event (the ``events`` kind). Part of the demo dataset (see
``kompetens.demo``); the spells come from ``kompetens.demo.people``.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from kompetens.demo.people import (
    CAT,
    CATEGORIES,
    EMPLOYMENT_TYPES,
    EXIT_REASONS,
    PERMANENT,
    Timeline,
    between_snapshots,
    move_destination,
)


def add_redundancy(
    rng: np.random.Generator, info: dict, spells: pl.DataFrame, segments: pl.DataFrame, tl: Timeline
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Redundancy notices among assistants and childminders in the last 12 months.

    About half of those given notice are placed in another unit later (a
    ``redundancy_placed`` plus an ``internal_move`` on the same date, and the
    staff snapshots follow). Returns the new segments and the redundancy events
    (columns ``spell, month, event_type, unit, to_unit``).
    """
    M = tl.n_months
    window_start = max(1, M - 11)
    last_seg = segments.group_by("spell").agg(
        pl.col("seg_start").max().alias("last_start"),
        pl.col("unit").sort_by("seg_start").last().alias("unit"),
    )
    cand = (
        spells.filter(
            pl.col("category").is_in([CAT["assistant"], CAT["childminder"]])
            & (pl.col("employment_type") == PERMANENT)
            & (pl.col("e") >= M)
            & (pl.col("s") < window_start)
        )
        .join(last_seg, on="spell")
        .filter(pl.col("last_start") < window_start)
        .sort("spell")
    )
    empty_events = pl.DataFrame(
        schema={
            "spell": pl.Int64,
            "month": pl.Int64,
            "event_type": pl.String,
            "unit": pl.Int64,
            "to_unit": pl.Int64,
        }
    )
    if cand.height == 0 or M < 3:
        return segments, empty_events
    k = max(1, round(0.05 * cand.height))
    chosen = cand.sample(n=k, seed=int(rng.integers(0, 2**31)))
    spell = chosen["spell"].to_numpy()
    unit = chosen["unit"].to_numpy()
    notice = rng.integers(window_start, M, k)
    placed = (rng.random(k) < 0.5) & (notice <= M - 2)
    place_month = notice + 1 + (rng.random(k) * np.maximum(M - 1 - notice, 1)).astype(np.int64)
    place_month = np.minimum(place_month, M - 1)
    dest = move_destination(rng, info, unit, place_month)
    placed &= dest != unit

    events = [
        pl.DataFrame(
            {
                "spell": spell,
                "month": notice,
                "event_type": "redundancy_notice",
                "unit": unit,
                "to_unit": np.full(k, -1),
            }
        )
    ]
    if placed.any():
        ps, pm, pu, pd_ = spell[placed], place_month[placed], unit[placed], dest[placed]
        events.append(
            pl.DataFrame(
                {
                    "spell": ps,
                    "month": pm,
                    "event_type": "redundancy_placed",
                    "unit": pd_,
                    "to_unit": np.full(ps.size, -1),
                }
            )
        )
        events.append(
            pl.DataFrame(
                {
                    "spell": ps,
                    "month": pm,
                    "event_type": "internal_move",
                    "unit": pu,
                    "to_unit": pd_,
                }
            )
        )
        cut = pl.DataFrame({"spell": ps, "cut": pm, "dest": pd_})
        seg = segments.join(cut, on="spell", how="left", maintain_order="left")
        is_last = pl.col("cut").is_not_null() & (pl.col("seg_end") >= M)
        head = seg.with_columns(
            pl.when(is_last).then(pl.col("cut")).otherwise(pl.col("seg_end")).alias("seg_end")
        )
        tail = seg.filter(is_last).select(
            "spell",
            pl.col("dest").alias("unit"),
            pl.col("cut").alias("seg_start"),
            pl.col("seg_end"),
        )
        segments = pl.concat([head.drop("cut", "dest"), tail.select(segments.columns)])
    return segments, pl.concat(events).with_columns(pl.col("to_unit").cast(pl.Int64))


# --------------------------------------------------------------------------- canonical frames


def employee_ids(rng: np.random.Generator, n: int) -> pl.Series:
    """Synthetic pseudonyms ``D000123`` (never personnummer), shuffled so ids carry no order."""
    width = max(6, len(str(n)))
    numbers = pl.Series(rng.permutation(n) + 1).cast(pl.String).str.zfill(width)
    return pl.select(pl.concat_str(pl.lit("D"), numbers).alias("employee_id")).to_series()


def staff_frame(
    spells: pl.DataFrame, segments: pl.DataFrame, ids: pl.Series, unit_ids: np.ndarray, tl: Timeline
) -> pl.DataFrame:
    """Canonical ``staff``: one row per employee, unit and monthly snapshot (the 15th)."""
    # Expand each segment into its months with numpy (much faster than explode + a
    # multi-column sort at 50,000 staff), ordered by month, unit and spell.
    seg_start = segments["seg_start"].to_numpy()
    lengths = segments["seg_end"].to_numpy() - seg_start
    first_row = np.cumsum(lengths) - lengths
    month = np.arange(lengths.sum()) - np.repeat(first_row - seg_start, lengths)
    unit = np.repeat(segments["unit"].to_numpy(), lengths)
    spell = np.repeat(segments["spell"].to_numpy(), lengths)
    order = np.argsort((month << 40) | (unit << 24) | spell, kind="stable")
    month, unit, spell = month[order], unit[order], spell[order]
    # Spell ids are the row positions of ``spells`` (they are numbered in order).
    assert spells.height == 0 or int(spells["spell"][-1]) == spells.height - 1
    attrs = spells.select(
        "category",
        "employment_type",
        "fte",
        "birth_year",
        "gender",
        "hire_date",
        "lic_from",
        "qual_from",
        "enrolled",
        "programme_until",
    )[spell]
    rows = attrs.with_columns(
        pl.Series("m", month, dtype=pl.Int64),
        pl.Series("unit", unit, dtype=pl.Int64),
        pl.Series("spell", spell, dtype=pl.Int64),
    )
    m = rows["m"]
    cat = rows["category"]
    teacher = cat == CAT["teacher"]
    return pl.DataFrame(
        {
            "snapshot_date": tl.snapshot_dates.gather(m),
            "employee_id": ids.gather(rows["spell"]),
            "unit_id": pl.Series(unit_ids).gather(rows["unit"]),
            "staff_category": pl.Series(CATEGORIES).gather(cat),
            "fte": rows["fte"],
            "employment_type": pl.Series(EMPLOYMENT_TYPES).gather(rows["employment_type"]),
            "licensed": m >= rows["lic_from"],
            "qualified": pl.select(
                pl.when(teacher).then(m >= rows["qual_from"]).otherwise(None)
            ).to_series(),
            "birth_year": rows["birth_year"],
            "gender": pl.Series(["female", "male", "other"]).gather(rows["gender"]),
            "hire_date": rows["hire_date"].cast(pl.Date),
            "certification_programme": rows["enrolled"] & (m < rows["programme_until"]),
        }
    )


def events_frame(
    rng: np.random.Generator,
    spells: pl.DataFrame,
    segments: pl.DataFrame,
    redundancy: pl.DataFrame,
    ids: pl.Series,
    unit_ids: np.ndarray,
    tl: Timeline,
) -> pl.DataFrame:
    """Canonical ``events``: hires, exits, internal moves and redundancy, consistent with ``staff``."""
    M = tl.n_months
    hires = spells.filter((pl.col("s") >= 1) & (pl.col("s") < M)).select(
        "spell",
        pl.col("hire_date").cast(pl.Date).alias("event_date"),
        pl.lit("hire").alias("event_type"),
        pl.col("first_unit").alias("unit"),
        pl.lit(-1).alias("to_unit"),
        pl.lit(None, pl.Int64).alias("reason"),
    )
    exits = spells.filter(pl.col("e") < M)
    exits = exits.select(
        "spell",
        pl.Series(between_snapshots(rng, tl, exits["e"].to_numpy(), "last"))
        .cast(pl.Date)
        .alias("event_date"),
        pl.lit("exit").alias("event_type"),
        pl.col("last_unit").alias("unit"),
        pl.lit(-1).alias("to_unit"),
        pl.col("reason").cast(pl.Int64),
    )
    seg = segments.sort("spell", "seg_start")
    moves = seg.with_columns(pl.col("unit").shift(1).over("spell").alias("from_unit")).filter(
        pl.col("from_unit").is_not_null()
    )
    # Redundancy placements are moves too; they carry their own date (shared with the placed event).
    red_dates = (
        between_snapshots(rng, tl, redundancy["month"].to_numpy(), "first")
        if redundancy.height
        else np.array([], dtype="datetime64[D]")
    )
    red = redundancy.with_columns(pl.Series("event_date", red_dates).cast(pl.Date))
    placed_moves = red.filter(pl.col("event_type") == "internal_move").select(
        "spell", pl.col("month").alias("seg_start"), pl.col("event_date").alias("placed_date")
    )
    moves = moves.join(placed_moves, on=["spell", "seg_start"], how="left", maintain_order="left")
    move_dates = between_snapshots(rng, tl, moves["seg_start"].to_numpy(), "first")
    moves = moves.select(
        "spell",
        pl.coalesce(pl.col("placed_date"), pl.Series(move_dates).cast(pl.Date)).alias("event_date"),
        pl.lit("internal_move").alias("event_type"),
        pl.col("from_unit").alias("unit"),
        pl.col("unit").alias("to_unit"),
        pl.lit(None, pl.Int64).alias("reason"),
    )
    red = red.filter(pl.col("event_type") != "internal_move").select(
        "spell",
        "event_date",
        "event_type",
        "unit",
        "to_unit",
        pl.lit(None, pl.Int64).alias("reason"),
    )
    ev = pl.concat([hires, exits, moves, red], how="vertical_relaxed").join(
        spells.select("spell", "category", "employment_type"),
        on="spell",
        how="left",
        maintain_order="left",
    )
    ev = ev.sort("event_date", "spell", "event_type")
    unit_series = pl.Series(unit_ids)
    to_unit = ev["to_unit"]
    return pl.DataFrame(
        {
            "event_date": ev["event_date"],
            "employee_id": ids.gather(ev["spell"]),
            "event_type": ev["event_type"],
            "unit_id": unit_series.gather(ev["unit"]),
            "to_unit_id": unit_series.gather(to_unit.clip(0, None)).zip_with(
                to_unit >= 0, pl.Series([None] * ev.height, dtype=pl.String)
            )
            if ev.height
            else pl.Series([], dtype=pl.String),
            "staff_category": pl.Series(CATEGORIES).gather(ev["category"]),
            "employment_type": pl.Series(EMPLOYMENT_TYPES).gather(ev["employment_type"]),
            "reason": pl.Series(EXIT_REASONS, dtype=pl.String).gather(ev["reason"]),
        }
    )

"""Small hand-built key-figure databases for the query-layer tests.

The tests write ``key_figures`` rows directly (as the engine would), so they
do not depend on the pipelines: each number below is chosen by hand.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from kompetens.core import store
from kompetens.indicators.engine import stamp_code_version

KF_COLUMNS = [
    "indicator_id",
    "level",
    "scope_id",
    "period_type",
    "period",
    "breakdown",
    "numerator",
    "denominator",
    "value",
    "n_individuals",
]

#: unit_id, unit_name, area, school_form, socioeconomic_index
UNITS = [
    ("N1", "Norrskolan", "Nord", "grundskola", 1.0),
    ("N2", "Nyskolan", "Nord", "grundskola", 2.0),
    ("N3", "Nordgårdens förskola", "Nord", "forskola", None),
    ("N4", "Norrbacka skola", "Nord", "grundskola", 1.5),
    ("S1", "Söderskolan", "Syd", "grundskola", 3.0),
    ("S2", "Södra gymnasiet", "Syd", "gymnasieskola", 4.0),
    ("C1", "Centralt", "Central", "central", None),
]


def kf(
    indicator_id, level, scope_id, period_type, period, numerator, denominator, n, breakdown="all"
):
    """One key-figure row; value = numerator / denominator (or the numerator for a count)."""
    value = numerator / denominator if denominator else numerator
    return (indicator_id, level, scope_id, period_type, period, breakdown, float(numerator),
            None if denominator is None else float(denominator), value, n)  # fmt: skip


def write_units(conn, units=UNITS) -> None:
    frame = pl.DataFrame(
        [(u, name, a, f, s) for u, name, a, f, s in units],
        schema={
            "unit_id": pl.String,
            "unit_name": pl.String,
            "area": pl.String,
            "school_form": pl.String,
            "socioeconomic_index": pl.Float64,
        },
        orient="row",
    )
    store.append_rows(conn, "units", frame, batch_id=store.next_batch_id(conn))


def write_targets(conn, rows) -> None:
    frame = pl.DataFrame(
        rows,
        schema={
            "indicator_id": pl.String,
            "scope": pl.String,
            "year": pl.Int64,
            "target": pl.Float64,
        },
        orient="row",
    )
    store.append_rows(conn, "targets", frame, batch_id=store.next_batch_id(conn))


def write_key_figures(conn, rows) -> None:
    """Replace every key figure (as a recompute would) and stamp key_figures_meta."""
    frame = pl.DataFrame(
        rows,
        schema={"indicator_id": pl.String, "level": pl.String, "scope_id": pl.String, "period_type": pl.String, "period": pl.String,
                "breakdown": pl.String, "numerator": pl.Float64, "denominator": pl.Float64, "value": pl.Float64, "n_individuals": pl.Int64},
        orient="row",
    )  # fmt: skip
    conn.execute("DELETE FROM key_figures")
    conn.register("_kf", frame)
    try:
        conn.execute("INSERT INTO key_figures BY NAME SELECT *, now() AS computed_at FROM _kf")
    finally:
        conn.unregister("_kf")
    conn.execute("DELETE FROM key_figures_meta")
    conn.execute(
        "INSERT INTO key_figures_meta VALUES (?, ?, 10, 66)",
        [store.data_version(conn), dt.datetime.now(dt.UTC)],
    )
    # as this code's own figures: the app would otherwise recompute them from the store
    stamp_code_version(conn)


def certified_rows() -> list[tuple]:
    """certified_teacher_share, years 2024 and 2025 (numerator / denominator = FTE, n = teachers).

    2025: N2 rests on 4 teachers (primary suppression) and is the only hidden
    unit of Nord, so N1 (12 teachers, the next smallest) is hidden too.
    """
    c = "certified_teacher_share"
    return [
        # 2025
        kf(c, "unit", "N1", "year", "2025", 8, 10, 12),
        kf(c, "unit", "N2", "year", "2025", 3, 4, 4),
        kf(c, "unit", "N4", "year", "2025", 9, 12, 14),
        kf(c, "unit", "S1", "year", "2025", 12, 20, 22),
        kf(c, "unit", "S2", "year", "2025", 15, 20, 25),
        kf(c, "area", "Nord", "year", "2025", 20, 26, 30),  # 8+3+9 / 10+4+12, 12+4+14
        kf(c, "area", "Syd", "year", "2025", 27, 40, 47),  # 12+15 / 20+20, 22+25
        kf(c, "org", "org", "year", "2025", 47, 66, 77),  # 20+27 / 26+40, 30+47
        kf(
            c, "org", "org", "year", "2025", 32, 46, 52, "school_form=grundskola"
        ),  # 8+3+9+12 / 10+4+12+20
        kf(c, "org", "org", "year", "2025", 15, 20, 25, "school_form=gymnasieskola"),
        # 2024
        kf(c, "unit", "N1", "year", "2024", 7, 10, 12),
        kf(c, "unit", "N2", "year", "2024", 4, 5, 6),
        kf(c, "unit", "N4", "year", "2024", 9, 12, 14),
        kf(c, "unit", "S1", "year", "2024", 10, 20, 22),
        kf(c, "unit", "S2", "year", "2024", 14, 20, 25),
        kf(c, "area", "Nord", "year", "2024", 20, 27, 32),
        kf(c, "area", "Syd", "year", "2024", 24, 40, 47),
        kf(c, "org", "org", "year", "2024", 44, 67, 79),
    ]


def turnover_rows() -> list[tuple]:
    """turnover_rate 2025 (exits / average permanent headcount)."""
    t = "turnover_rate"
    return [
        kf(t, "unit", "N1", "year", "2025", 3, 20, 20),  # 0.15
        kf(t, "unit", "N4", "year", "2025", 2, 25, 25),  # 0.08
        kf(t, "unit", "S1", "year", "2025", 3, 30, 30),  # 0.10
        kf(t, "unit", "S2", "year", "2025", 8, 40, 40),  # 0.20
        kf(t, "area", "Nord", "year", "2025", 5, 45, 45),
        kf(t, "area", "Syd", "year", "2025", 11, 70, 70),
        kf(t, "org", "org", "year", "2025", 16, 115, 115),
    ]


def temporary_rows() -> list[tuple]:
    """temporary_teacher_share of S1 by staff category: special educators rest on 3 people."""
    t = "temporary_teacher_share"
    return [
        kf(t, "unit", "S1", "year", "2025", 4, 20, 22),
        kf(t, "unit", "S1", "year", "2025", 3, 17, 19, "staff_category=teacher"),
        kf(t, "unit", "S1", "year", "2025", 1, 3, 3, "staff_category=special_educator"),
    ]


def fixture_db(conn) -> None:
    write_units(conn)
    write_targets(
        conn,
        [
            ("certified_teacher_share", "org", 2025, 0.8),
            ("certified_teacher_share", "S1", 2025, 0.7),
            ("turnover_rate", "org", 2025, 0.12),
        ],
    )
    write_key_figures(conn, certified_rows() + turnover_rows() + temporary_rows())

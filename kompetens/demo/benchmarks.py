"""Demo benchmark values: plausible, clearly fictional Kolada and Skolverket figures.

Written once at the end of the demo build, so that Översikt, Behörighet and the
dialogue show their comparisons on first start without fetching anything. Every
row has ``is_demo = true`` and ``fetched_how = 'demodata'``; the places are the
fictional municipality 1299 ("Demokommun"), a fictional group of similar
municipalities and the country, with values that follow our own organisation's
figures loosely (own municipality ≈ our organisation; the group and the country
a few points either side). Skolverket's per-unit shares are a few points below
our own (Skolverket weights by teaching hours), a handful more than ten points
off so that the reconciliation has something to flag, and ``..`` where our own
figure rests on fewer than five people (so no hidden figure of ours leaks into
a fictional published one).

Grain and units as ``kompetens.external.schema`` (shares in percent, 0–100).
"""

from __future__ import annotations

import datetime as dt
import logging

import duckdb
import numpy as np
import polars as pl

from kompetens.core import store
from kompetens.external.schema import ROW_SCHEMA, kolada_page_url, skolverket_page_url
from kompetens.external.writer import write_rows, write_settings
from kompetens.indicators.registry import REGISTRY

log = logging.getLogger(__name__)

MUNICIPALITY = "1299"
MUNICIPALITY_NAME = "Demokommun (fiktiv)"
GROUP_ID = "G1299DEMO"
GROUP_NAME = "Liknande kommuner (demodata)"
#: Offsets from our own organisation's value, per comparison (percentage points for shares).
GROUP_OFFSET = 1.8
NATIONAL_OFFSET = 2.6


def demo_benchmark_rows(conn: duckdb.DuckDBPyConnection, seed: int = 42) -> pl.DataFrame:
    """The demo's benchmark rows, derived from its own key figures (org and unit level, yearly)."""
    rng = np.random.default_rng(seed + 1299)
    kolada = {ind.kolada_id: ind for ind in REGISTRY.values() if ind.kolada_id}
    figures = store.frame(
        conn,
        "SELECT indicator_id, level, scope_id, period, value, n_individuals FROM key_figures "
        "WHERE period_type = 'year' AND breakdown = 'all' AND level IN ('org', 'unit') "
        "AND indicator_id IN (SELECT unnest(?))",
        [[ind.id for ind in kolada.values()]],
    )
    now = dt.datetime.now(dt.UTC)
    rows: list[dict] = []
    if figures.is_empty():
        return pl.DataFrame(schema=ROW_SCHEMA)
    last_year = int(figures["period"].max())

    def row(source, measure, kind, cid, name, period, year, value, text, url):
        return {
            "source": source, "measure_id": measure, "comparison_kind": kind, "comparison_id": cid,
            "comparison_name": name, "period": period, "year": year, "gender": "T" if source == "kolada" else None,
            "value": value, "source_value": text, "status": None if value is not None else text,
            "member_count": 7 if kind == "municipality_group" else 1 if source == "kolada" else None,
            "source_url": url, "fetched_at": now, "fetched_how": "demodata", "is_demo": True,
        }  # fmt: skip

    org = figures.filter(pl.col("level") == "org")
    for kpi, ind in kolada.items():
        scale = 100.0 if ind.unit == "share" else 1.0
        sign = 1.0 if ind.direction != "higher_is_worse" else -1.0
        for period, value in (
            org.filter(pl.col("indicator_id") == ind.id).select("period", "value").rows()
        ):
            year = int(period)
            if value is None or year >= last_year:
                continue  # Kolada publishes a year late
            own = round(value * scale + rng.normal(0, 0.4), 1)
            places = (
                ("own_municipality", MUNICIPALITY, MUNICIPALITY_NAME, own),
                (
                    "municipality_group",
                    GROUP_ID,
                    GROUP_NAME,
                    own + sign * GROUP_OFFSET + rng.normal(0, 0.3),
                ),
                ("national", "0000", "Riket", own + sign * NATIONAL_OFFSET + rng.normal(0, 0.3)),
            )
            for kind, cid, name, number in places:
                number = round(float(np.clip(number, 0, 100 if scale == 100 else number)), 1)
                text = f"{number:.1f}".replace(".", ",")
                rows.append(row("kolada", kpi, kind, cid, name, str(year), year, number, text,
                                kolada_page_url(kpi, cid, year)))  # fmt: skip

    units = store.frame(
        conn, "SELECT unit_id, unit_name, school_unit_code, kolada_ou_id FROM current_units"
    )
    certified = figures.filter(
        (pl.col("level") == "unit") & (pl.col("indicator_id") == "certified_teacher_share")
    ).join(units, left_on="scope_id", right_on="unit_id")
    off_units = set(
        rng.choice(units["unit_id"].to_list(), size=min(6, units.height), replace=False)
    )
    for r in certified.iter_rows(named=True):
        year = int(r["period"])
        if r["value"] is None or r["n_individuals"] is None or r["n_individuals"] < 5:
            number, text = None, ".."  # few teachers: Skolverket masks it, and ours is hidden too
        else:
            gap = rng.uniform(11, 16) if r["scope_id"] in off_units else rng.uniform(0, 7)
            number = round(max(0.0, r["value"] * 100 - gap), 1)
            text = "~100" if number >= 99.5 else f"{number:.1f}".replace(".", ",")
        if r["school_unit_code"]:
            period = f"{year}/{(year + 1) % 100:02d}"
            rows.append(row("skolverket", "certifiedTeachersQuota", "school_unit", r["school_unit_code"],
                            r["unit_name"], period, year, number, text,
                            skolverket_page_url(r["school_unit_code"])))  # fmt: skip
        if r["kolada_ou_id"] and year < last_year and number is not None:
            ou_value = round(number + rng.normal(0, 0.5), 1)
            rows.append(row("kolada", "N15814", "school_unit", r["kolada_ou_id"], r["unit_name"],
                            str(year), year, ou_value, f"{ou_value:.1f}".replace(".", ","),
                            kolada_page_url("N15814", r["kolada_ou_id"], year)))  # fmt: skip
    return pl.DataFrame(rows, schema=ROW_SCHEMA)


def load_demo_benchmarks(conn: duckdb.DuckDBPyConnection, seed: int = 42) -> int:
    """Write the demo's benchmark rows and settings (one logged batch); returns the rows written.

    A failure is logged and leaves the demo without benchmarks (0), never without its data.
    """
    try:
        return _load(conn, seed)
    except Exception:
        log.exception("the demo's benchmark values could not be written")
        return 0


def _load(conn: duckdb.DuckDBPyConnection, seed: int) -> int:
    rows = demo_benchmark_rows(conn, seed)
    write_settings(
        conn,
        {
            "municipality": MUNICIPALITY,
            "municipality_name": MUNICIPALITY_NAME,
            "group_id": GROUP_ID,
            "group_name": GROUP_NAME,
        },
    )
    if rows.is_empty():
        return 0
    result = write_rows(
        conn, rows, file_name="demodata (fiktiva jämförelsevärden)", sha256=f"demo-{seed}-{rows.height}",
        how="demo", user="demo",
    )  # fmt: skip
    return result.rows_written

"""Is a staff snapshot complete? A partial snapshot must not become "the latest month".

Grain: one row per staff snapshot date (the current rows of ``staff``), with the distinct
people and units it covers.

The rule (documented in ``docs/data-contract.md``): a snapshot is **incomplete** when it
covers fewer than ``COMPLETE_SHARE`` (80 %) of the people, or of the units, of the snapshot
it is compared with: the newest earlier snapshot that counts. The first snapshot counts.
A snapshot **counts** (is used for the key figures) when it is complete or when HR has
confirmed it (``confirm``: the organisation really did shrink, e.g. units moved to another
administration). An incomplete, unconfirmed snapshot is left out of every key figure (the
engine drops its rows before computing), so it never becomes the reference month of the
indicators; the importer warns about it and Datakvalitet lists it.

Confirmations live in the store's ``meta`` table, one row per date
(``snapshot_confirmed:YYYY-MM-DD`` -> ``{"by": ..., "at": ...}``); confirming bumps the
data version, like an import, so caches and the recompute see the change.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable

import duckdb
import polars as pl

from kompetens.core import store
from kompetens.present.formatting import fmt_number

#: A snapshot with fewer than this share of the compared snapshot's people or units is incomplete.
COMPLETE_SHARE = 0.8

#: Key prefix of a confirmation in the ``meta`` table.
CONFIRM_PREFIX = "snapshot_confirmed:"

ASSESSED_SCHEMA: dict[str, pl.DataType] = {
    "snapshot_date": pl.Date(),
    "people": pl.Int64(),
    "units": pl.Int64(),
    "compared_date": pl.Date(),
    "compared_people": pl.Int64(),
    "compared_units": pl.Int64(),
    "incomplete": pl.Boolean(),
    "confirmed": pl.Boolean(),
    "confirmed_by": pl.String(),
    "confirmed_at": pl.String(),
    "counts": pl.Boolean(),
}


def assess(counts: pl.DataFrame, confirmed: dict[dt.date, dict] | None = None) -> pl.DataFrame:
    """Judge every snapshot (pure function; see the module docstring).

    ``counts``: ``snapshot_date, people, units``. ``confirmed``: date -> ``{"by", "at"}``.
    Returns ``ASSESSED_SCHEMA``, oldest first: ``compared_*`` is the snapshot it was judged
    against (null for the first), ``counts`` whether the key figures use it.
    """
    confirmed = confirmed or {}
    rows = []
    reference: dict | None = None
    for row in counts.sort("snapshot_date").iter_rows(named=True):
        date, people, units = row["snapshot_date"], int(row["people"]), int(row["units"])
        incomplete = reference is not None and (
            people < COMPLETE_SHARE * reference["people"]
            or units < COMPLETE_SHARE * reference["units"]
        )
        note = confirmed.get(date)
        counted = not incomplete or note is not None
        rows.append(
            {
                "snapshot_date": date,
                "people": people,
                "units": units,
                "compared_date": reference and reference["snapshot_date"],
                "compared_people": reference and reference["people"],
                "compared_units": reference and reference["units"],
                "incomplete": incomplete,
                "confirmed": note is not None,
                "confirmed_by": note and note.get("by"),
                "confirmed_at": note and note.get("at"),
                "counts": counted,
            }
        )
        if counted:
            reference = {"snapshot_date": date, "people": people, "units": units}
    return pl.DataFrame(rows, schema=ASSESSED_SCHEMA)


def snapshot_counts(conn: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """``snapshot_date, people, units`` of the current staff snapshots, oldest first."""
    frame = store.frame(
        conn,
        "SELECT snapshot_date, count(DISTINCT employee_id) AS people, "
        "count(DISTINCT unit_id) AS units FROM current_staff GROUP BY snapshot_date "
        "ORDER BY snapshot_date",
    )
    schema = {"snapshot_date": pl.Date, "people": pl.Int64, "units": pl.Int64}
    return frame.cast(schema) if frame.height else pl.DataFrame(schema=schema)


def confirmations(conn: duckdb.DuckDBPyConnection) -> dict[dt.date, dict]:
    """Date -> ``{"by", "at"}`` of every confirmed snapshot."""
    found = store.rows(
        conn,
        "SELECT key, value FROM meta WHERE starts_with(key, ?)",
        [CONFIRM_PREFIX],
    )
    out: dict[dt.date, dict] = {}
    for key, value in found:
        try:
            out[dt.date.fromisoformat(key.removeprefix(CONFIRM_PREFIX))] = json.loads(value)
        except ValueError:
            continue
    return out


def completeness(conn: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """Every current snapshot judged (``assess`` on the store)."""
    return assess(snapshot_counts(conn), confirmations(conn))


def left_out_dates(conn: duckdb.DuckDBPyConnection) -> list[dt.date]:
    """Snapshot dates the key figures leave out: incomplete and not confirmed."""
    judged = completeness(conn)
    return judged.filter(~pl.col("counts"))["snapshot_date"].to_list()


def describe(row: dict) -> str:
    """The Swedish sentence for one incomplete snapshot (a row of ``assess``)."""
    people = "person" if row["people"] == 1 else "personer"
    units = "enhet" if row["units"] == 1 else "enheter"
    return (
        f"Ögonblicksbilden {row['snapshot_date']} har {fmt_number(row['people'])} {people} i "
        f"{fmt_number(row['units'])} {units}; föregående ({row['compared_date']}) hade "
        f"{fmt_number(row['compared_people'])} i {fmt_number(row['compared_units'])}."
    )


def import_warnings(conn: duckdb.DuckDBPyConnection, dates: Iterable[dt.date]) -> list[str]:
    """Warnings for the imported snapshot dates that are incomplete and not confirmed."""
    wanted = set(dates)
    if not wanted:
        return []
    judged = completeness(conn).filter(
        pl.col("snapshot_date").is_in(list(wanted)) & ~pl.col("counts")
    )
    return [
        describe(row)
        + " Den räknas inte som senaste månad i nyckeltalen förrän den är komplett (importera "
        "hela ögonblicksbilden) eller HR bekräftar den på sidan Datakvalitet."
        for row in judged.iter_rows(named=True)
    ]


def confirm(conn: duckdb.DuckDBPyConnection, snapshot_date: dt.date, user: str) -> dict:
    """Record that HR confirms an incomplete snapshot; bumps the data version.

    Returns the judged row before confirming. ``ValueError`` (Swedish) when there is no
    such snapshot or it is complete already (nothing to confirm). The caller audits it
    and runs the after-change hooks (the key figures then use the snapshot).
    """
    judged = completeness(conn).filter(pl.col("snapshot_date") == snapshot_date)
    if judged.height == 0:
        raise ValueError(f"det finns ingen ögonblicksbild daterad {snapshot_date}")
    row = judged.row(0, named=True)
    if not row["incomplete"]:
        raise ValueError(f"ögonblicksbilden {snapshot_date} är komplett; inget att bekräfta")
    if row["confirmed"]:
        raise ValueError(
            f"ögonblicksbilden {snapshot_date} är redan bekräftad av {row['confirmed_by']}"
        )
    note = {"by": user, "at": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")}
    with store.transaction(conn):
        conn.execute(
            "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)",
            [f"{CONFIRM_PREFIX}{snapshot_date.isoformat()}", json.dumps(note)],
        )
        store.bump_data_version(conn)
    return row

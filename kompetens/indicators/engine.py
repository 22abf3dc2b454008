"""The indicator engine: read the store, run the pipelines, store the key figures.

Grain of ``key_figures``: one row per indicator x level (unit | area | org) x
scope x period type (month | year | rolling_12m) x period x breakdown. It is
derived data: every import and undo recomputes the affected indicators
(``recompute_after_change``, which ``kompetens.wiring`` registers as the
``on_data_change`` hook), and ``key_figures_meta`` records the data version
and the settings (reference month, retirement age) the figures were computed with.

The figures are also stamped with a fingerprint of the code that computed them
(``code_version``, in the store's ``meta`` table): after an upgrade that changes
a definition, ``refresh_if_stale`` (run when the app starts and by
``kompetens figures``) recomputes them, so no page shows figures by older rules.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
from collections.abc import Iterable
from pathlib import Path

import duckdb
import polars as pl

from kompetens.core import hooks, store
from kompetens.core.contract import KINDS
from kompetens.core.progress import Progress, no_progress, part
from kompetens.indicators import pipelines, targets
from kompetens.indicators.key_figures import KEY_FIGURE_SCHEMA, key_figures_ddl
from kompetens.indicators.pipelines import incremental
from kompetens.indicators.pipelines.periods import Grid
from kompetens.indicators.registry import engine_indicators
from kompetens.ingest import snapshot_check

#: The figures' share of a recompute's progress bar when the suppression mask follows them:
#: the figures took 7 % of a full recompute's time on the demo (1.3 of 17.7 s, 3 December 2026)
#: and 14 % at 50,000 generator staff (25 of 174 s; docs/performance.md).
FIGURES_SHARE = 0.15
#: Key of the code fingerprint in the store's ``meta`` table.
CODE_VERSION_KEY = "key_figures_code"
#: Key, in the store's ``meta`` table, of the staff snapshot dates the stored figures rest on
#: (``staff_dates``), with the data version they were read at.
STAFF_DATES_KEY = "key_figures_staff_dates"


def code_fingerprint(root: Path) -> str:
    """A fingerprint of every ``.py`` file under ``root``: sorted relative paths, each with its bytes.

    A file added, removed, renamed or changed anywhere in the package changes it;
    16 hex digits (64 bits of SHA-256).
    """
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*.py"), key=lambda p: p.relative_to(root).as_posix()):
        data = path.read_bytes()
        name = path.relative_to(root).as_posix().encode()
        # Lengths first, so no path/contents pair can run into the next file's.
        digest.update(f"{len(name)}:{len(data)}:".encode() + name + data)
    return digest.hexdigest()[:16]


@functools.cache
def code_version() -> str:
    """The fingerprint of the code that computes key figures: the whole indicators package."""
    return code_fingerprint(Path(__file__).parent)


def _migration_key_figures() -> list[str]:
    """The key-figure tables (derived data; safe to drop and recompute)."""
    return [
        key_figures_ddl(),
        """CREATE TABLE key_figures_meta (
    data_version BIGINT NOT NULL,
    computed_at TIMESTAMPTZ NOT NULL,
    reference_month INTEGER NOT NULL,
    retirement_age INTEGER NOT NULL
)""",
    ]


#: Schema version 2 (registered by ``kompetens.wiring``; never renumber a released migration).
KEY_FIGURES_MIGRATION = store.Migration(2, "key_figures", _migration_key_figures)

#: Which compute blocks a change to a kind invalidates: the blocks that read it
#: (``Block.reads``, declared next to each block's compute function).
KIND_BLOCKS: dict[str, frozenset[str]] = {
    kind: frozenset(b.name for b in pipelines.ALL_BLOCKS if kind in b.reads) for kind in KINDS
}

#: The columns the pipelines read, per kind. employee_id is replaced by a 64-bit
#: hash in SQL: the pseudonyms are long strings, and integers group much faster.
_LOAD_SQL: dict[str, str] = {
    "units": "SELECT unit_id, area, school_form FROM current_units",
    "staff": (
        "SELECT snapshot_date, hash(employee_id) AS employee_id, unit_id, staff_category, fte, "
        "employment_type, licensed, qualified, birth_year, certification_programme FROM current_staff"
    ),
    "events": (
        "SELECT event_date, hash(employee_id) AS employee_id, event_type, unit_id, to_unit_id, "
        "staff_category, employment_type, reason FROM current_events"
    ),
    "recruitments": "SELECT * FROM current_recruitments",
    "development": "SELECT hash(employee_id) AS employee_id, activity_date, activity_type, hours, unit_id FROM current_development",
    "placements": "SELECT * FROM current_placements",
    "survey": "SELECT * FROM current_survey",
    "sick_leave": "SELECT * FROM current_sick_leave",
    "teaching_assignment": (
        "SELECT snapshot_date, hash(employee_id) AS employee_id, unit_id, subject, school_form, grades, "
        "hours_per_week, fte_share, qualified FROM current_teaching_assignment"
    ),
    "certification_path": (
        "SELECT hash(employee_id) AS employee_id, unit_id, programme, subject, start_date, "
        "expected_completion FROM current_certification_path"
    ),
}


def blocks_for(changed_kinds: Iterable[str] | None) -> set[str]:
    """The compute blocks to redo after these kinds changed (all when unknown)."""
    if changed_kinds is None:
        return set(pipelines.BLOCKS)
    blocks: set[str] = set()
    for kind in changed_kinds:
        if kind not in KIND_BLOCKS:
            return set(pipelines.BLOCKS)
        blocks |= KIND_BLOCKS[kind]
    return blocks


#: The date column that places a row of each kind in a month (``load_frames(since=...)``).
_DATE_COLUMN: dict[str, str] = {
    "staff": "snapshot_date",
    "events": "event_date",
    "recruitments": "published_date",
    "development": "activity_date",
    "placements": "period_start",
    "survey": "survey_date",
    "sick_leave": "month",
    "teaching_assignment": "snapshot_date",
}


def _month_start(m: int) -> dt.date:
    """The first day of month index ``m`` (``y * 12 + month - 1``)."""
    return dt.date(m // 12, m % 12 + 1, 1)


def load_frames(
    conn: duckdb.DuckDBPyConnection,
    left_out: Iterable[dt.date] | None = None,
    *,
    since: dict[str, int] | None = None,
    staff_months: Iterable[int] = (),
    kinds: Iterable[str] | None = None,
) -> dict[str, pl.DataFrame]:
    """The current rows the pipelines need, one frame per kind.

    Staff snapshots that are incomplete and not confirmed (``ingest.snapshot_check``:
    far fewer people or units than the snapshot before) are left out, so a partial
    snapshot never becomes the latest month of the key figures. ``left_out``: those
    dates when the caller has judged them already (``staff_dates``).

    ``since`` (kind -> month index): read only that kind's rows of that month and later
    (an incremental recompute, ``pipelines.incremental``); ``staff_months``: staff
    months read besides (the snapshots that fill in events' missing attributes);
    ``kinds``: only these kinds (default every kind the pipelines read).
    """
    frames: dict[str, pl.DataFrame] = {}
    left_out = snapshot_check.left_out_dates(conn) if left_out is None else list(left_out)
    since = since or {}
    extra = sorted({int(m) for m in staff_months})
    wanted = set(_LOAD_SQL) if kinds is None else set(kinds)
    for kind, sql in _LOAD_SQL.items():
        if kind not in wanted:
            continue
        params: list = []
        if kind in since:
            column = _DATE_COLUMN[kind]
            sql += f" WHERE {column} >= ?"  # column name from the constant table above
            params.append(_month_start(since[kind]))
            if kind == "staff" and extra:
                sql += " OR list_contains(?, year(snapshot_date) * 12 + month(snapshot_date) - 1)"
                params.append(extra)
        frame = store.frame(conn, sql, params or None)
        if kind == "staff" and left_out:
            frame = frame.filter(~pl.col("snapshot_date").is_in(left_out))
        if not frame.height:
            schema = store.polars_schema(store.KINDS[kind])
            if "employee_id" in schema and "hash(employee_id)" in sql:
                schema["employee_id"] = pl.UInt64()
            frame = pl.DataFrame(schema={c: schema[c] for c in frame.columns})
        frames[kind] = frame
    return frames


_PATH_PEOPLE = " WHERE employee_id IN (SELECT employee_id FROM current_certification_path)"


def _path_people_staff(conn: duckdb.DuckDBPyConnection, left_out: list[dt.date]) -> pl.DataFrame:
    """Every staff snapshot row (the staff load's columns) of the people with a certification path."""
    # Both parts are constants of this module, never a caller's text.
    sql = _LOAD_SQL["staff"] + _PATH_PEOPLE  # noqa: S608
    frame = store.frame(conn, sql)
    if left_out:
        frame = frame.filter(~pl.col("snapshot_date").is_in(left_out))
    if not frame.height:
        schema = store.polars_schema(store.KINDS["staff"]) | {"employee_id": pl.UInt64()}
        frame = pl.DataFrame(schema={c: schema[c] for c in frame.columns})
    return frame


def _fill_months(conn: duckdb.DuckDBPyConnection) -> set[int]:
    """The staff months ``prepare_events`` reads: each event's month and the one before, for the
    events without a staff category or employment type."""
    months = store.rows(
        conn,
        "SELECT DISTINCT year(event_date) * 12 + month(event_date) - 1 FROM current_events "
        "WHERE staff_category IS NULL OR employment_type IS NULL",
    )
    return {int(m) + lag for (m,) in months for lag in (0, -1)}


def staff_dates(conn: duckdb.DuckDBPyConnection, known: dict | None = None) -> dict[str, list]:
    """Every current staff snapshot date and what the key figures make of it.

    ISO date -> ``[first batch, last batch, rows, people, units, counts]``: the import
    batches that supply the date's rows, their number, the distinct people and units, and
    whether the key figures use the date (``snapshot_check.assess``: complete, or
    confirmed). A batch's rows never change (a later import supersedes them, an undo
    deletes them), so a date with the same batches and rows as in ``known`` (the dates
    stored with the figures) has the same people and units; only the other dates are
    counted again. Two such maps differ exactly in the dates whose rows, or whose use,
    changed.
    """
    live = store.rows(
        conn,
        # The raw table, for the batch ids: the current rows are those not superseded.
        "SELECT CAST(snapshot_date AS VARCHAR), min(_batch_id), max(_batch_id), count(*) "
        "FROM staff WHERE _superseded_by IS NULL GROUP BY snapshot_date",
    )
    known = known or {}
    counts: dict[str, tuple[int, int]] = {
        day: (known[day][3], known[day][4])
        for day, first, last, rows in live
        if day in known and known[day][:3] == [first, last, rows]
    }
    todo = [dt.date.fromisoformat(day) for day, *_ in live if day not in counts]
    if todo:
        counted = (
            snapshot_check.snapshot_counts(conn)
            if len(todo) == len(live)
            else store.frame(
                conn,
                "SELECT snapshot_date, count(DISTINCT employee_id) AS people, "
                "count(DISTINCT unit_id) AS units FROM current_staff "
                "WHERE list_contains(?, snapshot_date) GROUP BY snapshot_date",
                [todo],
            )
        )
        for day, people, units in counted.iter_rows():
            counts[day.isoformat()] = (int(people), int(units))
    frame = pl.DataFrame(
        [(dt.date.fromisoformat(day), *counts[day]) for day, *_ in live],
        schema={"snapshot_date": pl.Date, "people": pl.Int64, "units": pl.Int64},
        orient="row",
    )
    judged = snapshot_check.assess(frame, snapshot_check.confirmations(conn))
    use = {d.isoformat(): bool(c) for d, c in judged.select("snapshot_date", "counts").iter_rows()}
    return {
        day: [int(first), int(last), int(rows), *counts[day], use[day]]
        for day, first, last, rows in sorted(live)
    }


def _grid(dates: dict[str, list]) -> Grid:
    """The staff months grid of the dates the key figures use."""
    return Grid(
        tuple(
            sorted(
                {
                    d.year * 12 + d.month - 1
                    for d in map(dt.date.fromisoformat, dates)
                    if dates[d.isoformat()][5]
                }
            )
        )
    )


def _stored_staff_dates(conn: duckdb.DuckDBPyConnection, meta: dict | None) -> dict | None:
    """The staff dates stored with the figures, when they were read at the figures' data version."""
    raw = store.scalar(conn, "SELECT value FROM meta WHERE key = ?", [STAFF_DATES_KEY])
    if raw is None or meta is None:
        return None
    stored = json.loads(raw)
    return stored["dates"] if stored.get("data_version") == meta["data_version"] else None


def changed_staff_month(old: dict, new: dict) -> incremental.MonthChange | None:
    """The one staff month whose snapshots changed between two ``staff_dates`` maps, if the
    incremental recompute covers it (``incremental.month_change``)."""
    changed = {
        d.year * 12 + d.month - 1
        for d in map(dt.date.fromisoformat, old.keys() | new.keys())
        if old.get(d.isoformat()) != new.get(d.isoformat())
    }
    return incremental.month_change(_grid(old), _grid(new), changed)


def read_meta(conn: duckdb.DuckDBPyConnection) -> dict | None:
    got = store.rows(
        conn,
        "SELECT data_version, CAST(computed_at AS VARCHAR), reference_month, retirement_age FROM key_figures_meta LIMIT 1",
    )
    if not got:
        return None
    version, at, ref, age = got[0]
    return {
        "data_version": version,
        "computed_at": at,
        "reference_month": ref,
        "retirement_age": age,
    }


def recompute(
    conn: duckdb.DuckDBPyConnection,
    changed_kinds: Iterable[str] | None = None,
    *,
    reference_month: int = 10,
    retirement_age: int = 66,
    progress: Progress | None = None,
) -> int:
    """Recompute and store key figures; returns the number of rows written.

    With ``changed_kinds`` only the indicators those kinds feed are redone
    (e.g. a survey import leaves the staff indicators alone). When only the staff
    snapshots of one month changed (the nightly import of a new month, a month
    re-imported, or the undo of either), only the periods that month touches are
    redone, from the rows they rest on (``pipelines.incremental``). A change of
    ``reference_month`` or ``retirement_age`` against the stored settings forces a
    full recompute.
    """
    if not 1 <= reference_month <= 12:
        raise ValueError("reference_month must be 1..12")
    store.migrate(conn)
    # The figures' part of the bar; derived data (the suppression mask) gets the rest.
    derived = hooks.has_figures_callbacks()
    step = part(progress, 0.0, FIGURES_SHARE if derived else 0.99)
    meta = read_meta(conn)
    settings_changed = meta is not None and (
        meta["reference_month"] != reference_month or meta["retirement_age"] != retirement_age
    )
    has_figures = bool(store.scalar(conn, "SELECT count(*) > 0 FROM key_figures"))
    # Only figures that are current up to this one change are a base for a partial redo:
    # figures that missed a change (a recompute killed after its import committed) are not.
    behind = meta is not None and int(meta["data_version"]) != store.data_version(conn) - 1
    full = changed_kinds is None or settings_changed or not has_figures or behind
    blocks = blocks_for(None if full else changed_kinds)
    settings = pipelines.Settings(reference_month=reference_month, retirement_age=retirement_age)

    step(0.05, "läser data")
    # The version of the data the figures are computed from, stored with them below.
    version = store.data_version(conn)
    stored_dates = None if full else _stored_staff_dates(conn, meta)
    dates = staff_dates(conn, stored_dates)
    left_out = [dt.date.fromisoformat(d) for d, row in dates.items() if not row[5]]
    change = (
        changed_staff_month(stored_dates, dates)
        if stored_dates is not None and set(changed_kinds or ()) == {"staff"}
        else None
    )
    # Indicators replaced whole, and (incremental by month) those replaced in some periods.
    whole = {ind for block in blocks for ind in pipelines.BLOCKS[block]}
    touched: pl.DataFrame | None = None
    if change is None:
        frames = load_frames(conn, left_out)
        results = pipelines.compute(
            frames, settings, blocks, progress=lambda f, m: step(0.05 + 0.7 * f, m)
        )
    else:
        frames, results, touched = _month_results(conn, change, blocks, settings, left_out, dates)
        whole = {
            ind for block in blocks & incremental.WHOLE_BLOCKS for ind in pipelines.BLOCKS[block]
        }

    if "certification_gap" in blocks:
        step(0.8, "mål och gap")
        results["certification_gap_fte"] = _certification_gap(conn, frames, results, blocks)
    if touched is not None:
        results = {
            i: f
            if i in whole
            else f.join(touched, on=["indicator_id", "period_type", "period"], how="semi")
            for i, f in results.items()
        }

    step(0.9, "sparar nyckeltal")
    replaced = whole | (set(touched["indicator_id"].unique()) if touched is not None else set())
    # Rows go in grouped by indicator: DuckDB's per-row-group min/max then skips other
    # indicators when a page reads one, and no index has to be maintained on insert.
    parts = [results[i] for i in sorted(replaced) if i in results and results[i].height]
    new = pl.concat(parts, how="vertical_relaxed") if parts else pipelines.empty_kf()
    with store.transaction(conn):
        # Databases created before the index was dropped from the schema (ART upkeep
        # made a full recompute several times slower).
        conn.execute("DROP INDEX IF EXISTS key_figures_indicator_idx")
        if whole >= {i.id for i in engine_indicators()}:
            # A full recompute replaces the table wholesale: far cheaper than deleting
            # millions of rows one by one.
            conn.execute(
                _migration_key_figures()[0].replace("CREATE TABLE", "CREATE OR REPLACE TABLE")
            )
        elif whole:
            ids = sorted(whole)
            conn.execute(
                f"DELETE FROM key_figures WHERE indicator_id IN ({', '.join('?' for _ in ids)})",  # noqa: S608 (placeholders only)
                ids,
            )
        if touched is not None:
            _delete_periods(conn, touched.filter(~pl.col("indicator_id").is_in(sorted(whole))))
        _insert(conn, new)
        conn.execute("DELETE FROM key_figures_meta")
        conn.execute(
            "INSERT INTO key_figures_meta VALUES (?, now(), ?, ?)",
            [version, reference_month, retirement_age],
        )
        conn.execute(
            "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)",
            [STAFF_DATES_KEY, json.dumps({"data_version": version, "dates": dates})],
        )
        if full:
            # Only a full recompute makes every figure this code's.
            stamp_code_version(conn)
        written = new.height
        # The derived data reads the stored table, not these frames: the inputs and the
        # figures in memory are let go first (at 50,000 staff they are ~2 GB, held under the
        # mask's own peak until now).
        del frames, results, parts, new
        # Data derived from the whole table (the suppression mask, registered by
        # kompetens.wiring) commits with the figures: no reader sees them out of step.
        hooks.figures_recomputed(conn, part(progress, FIGURES_SHARE, 0.99))
    (progress or no_progress)(1.0, "klart")
    return written


def _month_results(
    conn: duckdb.DuckDBPyConnection,
    change: incremental.MonthChange,
    blocks: set[str],
    settings: pipelines.Settings,
    left_out: list[dt.date],
    dates: dict[str, list],
) -> tuple[dict[str, pl.DataFrame], dict[str, pl.DataFrame], pl.DataFrame]:
    """The figures of the blocks a changed staff month touches, from the rows they rest on.

    Returns the frames read, the figures (every period computed; the caller keeps the
    touched ones) and the touched periods of the indicators not recomputed whole
    (``incremental.WHOLE_BLOCKS``). The staff months grid is the whole grid.
    """
    grid = _grid(dates)
    flows = change.flows_from
    since = {kind: flows for kind in _DATE_COLUMN} | {"staff": change.staff_from}
    fill = _fill_months(conn)
    frames = load_frames(conn, left_out, since=since, staff_months=fill)
    windowed = blocks - incremental.WHOLE_BLOCKS
    results = pipelines.compute(frames, settings, windowed, grid=grid)
    if blocks & incremental.WHOLE_BLOCKS:
        # Every event and vacancy; of the snapshots only the months that fill in events.
        staff = frames["staff"]
        filling = staff.filter(pipelines.month_of(pl.col("snapshot_date")).is_in(sorted(fill)))
        complete = frames | load_frames(conn, left_out, kinds=("events", "recruitments"))
        whole = blocks & incremental.WHOLE_BLOCKS
        if "certification_path" in whole:
            # Paths rest on their people's every snapshot: those people's rows, all months.
            people = _path_people_staff(conn, left_out)
            results |= pipelines.compute(
                complete | {"staff": people}, settings, {"certification_path"}, grid=grid
            )
            whole = whole - {"certification_path"}
        results |= pipelines.compute(complete | {"staff": filling}, settings, whole, grid=grid)
    ids = [i for block in sorted(windowed) for i in pipelines.BLOCKS[block]]
    return frames, results, incremental.touched_periods(change, ids)


def _delete_periods(conn: duckdb.DuckDBPyConnection, touched: pl.DataFrame) -> None:
    """Delete the stored rows of these ``indicator_id, period_type, period``."""
    if not touched.height:
        return
    conn.register("_touched_periods", touched)
    try:
        conn.execute(
            "DELETE FROM key_figures USING _touched_periods AS t "
            "WHERE key_figures.indicator_id = t.indicator_id "
            "AND key_figures.period_type = t.period_type AND key_figures.period = t.period"
        )
    finally:
        conn.unregister("_touched_periods")


def _insert(conn: duckdb.DuckDBPyConnection, new: pl.DataFrame) -> None:
    """Append key-figure rows in one bulk insert.

    DuckDB scans the registered Polars frame through Arrow's C stream interface, without a
    copy; converting it with ``to_arrow()`` first, or the labels to categoricals, was slower
    (3.6 s CPU for 3.06 million rows against 4.0 and 5.0 s; the insert is DuckDB's own work).
    """
    if not new.height:
        return
    conn.register("_new_key_figures", new)
    try:
        conn.execute(
            f"INSERT INTO key_figures SELECT {', '.join(KEY_FIGURE_SCHEMA)}, now() FROM _new_key_figures"  # noqa: S608 (column names from the schema)
        )
    finally:
        conn.unregister("_new_key_figures")


def _certification_gap(
    conn: duckdb.DuckDBPyConnection,
    frames: dict[str, pl.DataFrame],
    results: dict[str, pl.DataFrame],
    blocks: set[str],
) -> pl.DataFrame:
    """certification_gap_fte from the two certification shares and the targets resolved per unit.

    The shares come from this computation when the staff block was redone, else from
    the stored key figures.
    """
    share_ids = ["certified_teacher_share", "licensed_preschool_teacher_share"]
    if "staff" in blocks:
        found = [results[i] for i in share_ids if i in results]
        shares = pl.concat(found, how="vertical_relaxed") if found else pipelines.empty_kf()
    else:
        shares = store.frame(
            conn,
            "SELECT indicator_id, level, scope_id, period_type, period, breakdown, numerator, denominator, value, n_individuals "
            "FROM key_figures WHERE level = 'unit' AND breakdown = 'all' AND indicator_id IN (?, ?)",
            share_ids,
        )
    if not shares.height:
        return pipelines.empty_kf()
    years = shares["period"].str.slice(0, 4).cast(pl.Int64).unique().to_list()
    unit_targets = targets.resolve_unit_targets(conn, share_ids, years)
    return pipelines.certification_gap(
        shares, unit_targets, pipelines.prepare_units(frames["units"])
    )


def stamp_code_version(conn: duckdb.DuckDBPyConnection) -> None:
    """Record that the stored key figures are this code's."""
    conn.execute(
        "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", [CODE_VERSION_KEY, code_version()]
    )


def is_stale(conn: duckdb.DuckDBPyConnection) -> bool:
    """The key figures, or what is derived from them after each recompute, are out of date.

    Stale when they were computed from another data version than the current one
    (a recompute that never finished, e.g. a process killed after its import
    committed), when there is data but no figures were ever computed, when
    other code computed them (or before the code was recorded), or when data an
    after-recompute callback derives from them (``hooks.on_figures_recomputed``:
    the suppression mask) does not belong to them.
    """
    return figures_stale(conn) or bool(hooks.stale_after_recompute(conn))


def figures_stale(conn: duckdb.DuckDBPyConnection) -> bool:
    """The key figures themselves are not a full recompute of the current data by this code."""
    meta = read_meta(conn)
    if meta is None:
        return store.data_version(conn) > 0  # data imported, figures never computed
    if int(meta["data_version"]) != store.data_version(conn):
        return True
    stored = store.scalar(conn, "SELECT value FROM meta WHERE key = ?", [CODE_VERSION_KEY])
    return stored != code_version()


def refresh_if_stale(conn: duckdb.DuckDBPyConnection, progress: Progress | None = None) -> bool:
    """Recompute every key figure (with the stored settings) if they are stale (``figures_stale``).

    When only derived data is stale (e.g. the suppression mask after an upgrade of the
    suppression code) only its callbacks run, in one transaction. True if anything ran.
    """
    store.migrate(conn)
    if figures_stale(conn):
        recompute(conn, progress=progress, **stored_settings(conn))  # runs the callbacks too
        return True
    behind = hooks.stale_after_recompute(conn)
    if not behind:
        return False
    with store.transaction(conn):
        for fn in behind:
            fn(conn, progress or no_progress)
    return True


def stored_settings(conn: duckdb.DuckDBPyConnection) -> dict:
    """The settings the stored figures were computed with (none before the first recompute)."""
    meta = read_meta(conn)
    if meta is None:
        return {}
    return {"reference_month": meta["reference_month"], "retirement_age": meta["retirement_age"]}


def recompute_after_change(
    conn: duckdb.DuckDBPyConnection, changed: frozenset[str], progress: Progress | None = None
) -> None:
    """After an import or undo: recompute what the changed kinds feed, with the stored settings.

    ``progress`` hears the recompute's steps, the suppression mask's included.

    A change to kinds no indicator reads (the support register) recomputes nothing: the
    figures are carried forward to the new data version (:func:`_carry_forward`).
    """
    store.migrate(conn)
    if not blocks_for(changed) and _carry_forward(conn):
        return
    recompute(conn, changed, progress=progress, **stored_settings(conn))


def _carry_forward(conn: duckdb.DuckDBPyConnection) -> bool:
    """Stamp figures that were current before a change no indicator reads as current after it.

    Only when the figures were computed at the data version just before this change
    (else False: the caller recomputes). The stored suppression mask, stamped with the
    same version, is carried forward with them (by its table name: the engine imports
    nothing of the query layer), so a support request saved in the app does not cost a
    recompute of the whole mask.
    """
    meta = read_meta(conn)
    version = store.data_version(conn)
    if meta is None or int(meta["data_version"]) != version - 1:
        return False
    with store.transaction(conn):
        conn.execute("UPDATE key_figures_meta SET data_version = ?", [version])
        raw = store.scalar(conn, "SELECT value FROM meta WHERE key = ?", [STAFF_DATES_KEY])
        if raw is not None:
            dates = json.loads(raw)
            if dates.get("data_version") == version - 1:
                dates["data_version"] = version
                conn.execute(
                    "UPDATE meta SET value = ? WHERE key = ?", [json.dumps(dates), STAFF_DATES_KEY]
                )
        has_mask = store.scalar(
            conn,
            "SELECT count(*) FROM information_schema.tables WHERE table_name = 'key_figure_suppression_meta'",
        )
        if has_mask:
            conn.execute(
                "UPDATE key_figure_suppression_meta SET data_version = ? WHERE data_version = ?",
                [version, version - 1],
            )
    return True


def computed_indicator_ids(conn: duckdb.DuckDBPyConnection) -> set[str]:
    """Indicator ids that have at least one key-figure row."""
    return {row[0] for row in store.rows(conn, "SELECT DISTINCT indicator_id FROM key_figures")}


__all__ = [
    "recompute",
    "refresh_if_stale",
    "is_stale",
    "figures_stale",
    "code_version",
    "blocks_for",
    "load_frames",
    "read_meta",
    "computed_indicator_ids",
    "engine_indicators",
]

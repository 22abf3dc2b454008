"""The audit log: who did what, when — sign-ins, opened dialogues, exports, imports, denials.

Grain of ``audit_events``: one row per event (``id``, ``occurred_at`` UTC, ``user_email``,
``role``, ``action``, ``target``, ``details``). Events are written by the app
frame (sign-in, access denied), by page helpers (dialogue opened, downloads) and
by the user administration; entries older than the retention period
(``KOMPETENS_AUDIT_RETENTION_DAYS``, default 730 days) are purged at app start.

Imports and undos are already recorded, with their user and time, in the
import log that undo depends on; :func:`list_events` shows them as ``import``
and ``undo`` events beside the audit table's own rows, so the one list covers
the app, the CLI and both logs without writing anything twice.

The log never holds personal data about staff: targets are unit ids, file
names (already masked by the importer) and export names. All SQL uses bound
parameters. The table is schema version 4 (``AUDIT_MIGRATION``), registered by
the composition root ``kompetens.wiring``.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Mapping

import duckdb
import polars as pl

from kompetens.core import store

#: Actions written to the log (``action`` column). Free text is allowed; these are the known ones.
SIGN_IN = "sign_in"
SIGN_OUT = "sign_out"
ACCESS_DENIED = "access_denied"
DIALOGUE_OPENED = "dialogue_opened"
EXPORT = "export"
BRIEF = "brief"
IMPORT = "import"
UNDO = "undo"
USER_ADDED = "user_added"
USER_REMOVED = "user_removed"
AUDIT_EXPORT = "audit_export"
SNAPSHOT_CONFIRMED = "snapshot_confirmed"
#: A mapping profile version saved (the Import page, ``kompetens profiles import``);
#: the importer names it ``ingest.profiles.AUDIT_ACTION``.
PROFILE_SAVED = "profile_saved"
#: A support request or effort saved, or a status or feedback changed, in the app's support
#: form; and such a change undone (``dialogue.support_register``; the batch is in the import log).
SUPPORT_SAVED = "support_saved"
SUPPORT_UNDONE = "support_undone"
#: A projection scenario saved or deleted (the Prognos page; ``query.projection_scenarios``).
PROJECTION_SCENARIO_SAVED = "projection_scenario_saved"
PROJECTION_SCENARIO_DELETED = "projection_scenario_deleted"
#: An allocation scenario saved or deleted (the Resursfördelning page; ``query.allocation_scenarios``).
ALLOCATION_SCENARIO_SAVED = "allocation_scenario_saved"
ALLOCATION_SCENARIO_DELETED = "allocation_scenario_deleted"
#: An area's dialogue round dates for a term saved, or such a save undone (the Årshjul page;
#: ``query.dialogue_rounds``).
DIALOGUE_ROUNDS_SAVED = "dialogue_rounds_saved"
DIALOGUE_ROUNDS_UNDONE = "dialogue_rounds_undone"
#: A setting of the computation changed (the retirement age: ``kompetens settings``, Admin).
SETTING_CHANGED = "setting_changed"

#: A theme added to the shared list; the themes of a dialogue's notes or action changed, and such
#: a change undone (``dialogue.themes``; details name the unit, date and theme ids, never text).
THEME_ADDED = "theme_added"
THEMES_TAGGED = "themes_tagged"
THEMES_UNDONE = "themes_undone"

ACTION_LABELS: dict[str, str] = {
    SIGN_IN: "Inloggning",
    SIGN_OUT: "Utloggning",
    ACCESS_DENIED: "Nekad åtkomst",
    DIALOGUE_OPENED: "Verksamhetsdialog öppnad",
    EXPORT: "Export",
    BRIEF: "Underlag (PDF)",
    IMPORT: "Import",
    UNDO: "Ångrad import",
    USER_ADDED: "Användare tillagd/ändrad",
    USER_REMOVED: "Användare borttagen",
    AUDIT_EXPORT: "Loggen exporterad",
    SNAPSHOT_CONFIRMED: "Ofullständig ögonblicksbild bekräftad",
    PROFILE_SAVED: "Importprofil sparad",
    SUPPORT_SAVED: "Stödregister: ändring sparad",
    SUPPORT_UNDONE: "Stödregister: ändring ångrad",
    PROJECTION_SCENARIO_SAVED: "Prognosscenario sparat",
    PROJECTION_SCENARIO_DELETED: "Prognosscenario borttaget",
    ALLOCATION_SCENARIO_SAVED: "Resursfördelningsscenario sparat",
    ALLOCATION_SCENARIO_DELETED: "Resursfördelningsscenario borttaget",
    SETTING_CHANGED: "Inställning ändrad",
    DIALOGUE_ROUNDS_SAVED: "Årshjul: dialogdatum sparade",
    DIALOGUE_ROUNDS_UNDONE: "Årshjul: dialogdatum ångrade",
    THEME_ADDED: "Tema tillagt",
    THEMES_TAGGED: "Teman ändrade i dialog",
    THEMES_UNDONE: "Temaändring ångrad",
}

DEFAULT_RETENTION_DAYS = 730
RETENTION_ENV = "KOMPETENS_AUDIT_RETENTION_DAYS"

EVENT_SCHEMA: dict[str, pl.DataType] = {
    "occurred_at": pl.Datetime(time_unit="us", time_zone="UTC"),
    "user_email": pl.String(),
    "role": pl.String(),
    "action": pl.String(),
    "target": pl.String(),
    "details": pl.String(),
}


def _migration_audit() -> list[str]:
    """The audit table (one row per event) and its time index for listing and purging."""
    return [
        "CREATE SEQUENCE audit_event_id_seq START 1",
        """CREATE TABLE audit_events (
    id BIGINT PRIMARY KEY DEFAULT nextval('audit_event_id_seq'),
    occurred_at TIMESTAMPTZ NOT NULL,
    user_email VARCHAR NOT NULL,
    role VARCHAR,
    action VARCHAR NOT NULL,
    target VARCHAR,
    details VARCHAR
)""",
        "CREATE INDEX audit_events_at_idx ON audit_events (occurred_at)",
    ]


#: Schema version 4 (registered by ``kompetens.wiring``; never renumber a released migration).
AUDIT_MIGRATION = store.Migration(4, "audit_events", _migration_audit)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _details_text(details: str | Mapping | None) -> str | None:
    if details is None or isinstance(details, str):
        return details
    return json.dumps(dict(details), ensure_ascii=False, sort_keys=True, default=str)


def log_event(
    conn: duckdb.DuckDBPyConnection,
    user: str,
    action: str,
    target: str | None = None,
    details: str | Mapping | None = None,
    *,
    role: str | None = None,
    at: dt.datetime | None = None,
) -> None:
    """Append one event. ``user`` is the signed-in e-mail (or ``demo:<roll>``); ``details`` may be a dict (stored as JSON)."""
    if not action:
        raise ValueError("en händelse måste ha en åtgärd")
    cur = conn.cursor()
    try:
        cur.execute(
            "INSERT INTO audit_events (occurred_at, user_email, role, action, target, details) VALUES (?, ?, ?, ?, ?, ?)",
            [at or _now(), user or "okänd", role, action, target, _details_text(details)],
        )
    finally:
        cur.close()


def _as_utc(value: dt.datetime | dt.date) -> dt.datetime:
    if not isinstance(value, dt.datetime):
        value = dt.datetime(value.year, value.month, value.day)
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def list_events(
    conn: duckdb.DuckDBPyConnection,
    since: dt.datetime | dt.date | None = None,
    user: str | None = None,
    action: str | None = None,
    *,
    until: dt.datetime | dt.date | None = None,
    include_imports: bool = True,
    limit: int | None = None,
) -> pl.DataFrame:
    """Events newest first, optionally from ``since`` (inclusive) to ``until`` (exclusive).

    ``user`` matches the e-mail case-insensitively; ``action`` exactly.
    Grain: one row per event; columns ``occurred_at, user_email, role, action, target,
    details`` (``occurred_at`` in UTC). With ``include_imports`` the import log's
    imports and undos are included (see the module docstring).
    """
    clauses, params = [], []
    if since is not None:
        clauses.append("occurred_at >= ?")
        params.append(_as_utc(since))
    if until is not None:
        clauses.append("occurred_at < ?")
        params.append(_as_utc(until))
    if user:
        clauses.append("lower(user_email) = ?")
        params.append(user.strip().lower())
    if action:
        clauses.append("action = ?")
        params.append(action)
    where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
    cur = conn.cursor()
    try:
        own = "SELECT occurred_at, user_email, role, action, target, details FROM audit_events"
        source = f"({own} UNION ALL {_IMPORT_EVENTS_SQL})" if include_imports else f"({own})"
        sql = f"SELECT * FROM {source} AS e {where} ORDER BY occurred_at DESC"  # noqa: S608  (fixed SQL; values bound)
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        frame = store.frame(cur, sql, params)
    finally:
        cur.close()
    if frame.height == 0:
        return pl.DataFrame(schema=EVENT_SCHEMA)
    return frame.cast(EVENT_SCHEMA, strict=False)


_IMPORT_EVENTS_SQL = """
    SELECT imported_at, user_name, CAST(NULL AS VARCHAR), 'import', file_name,
           'batch ' || batch_id || ', ' || kind || ', ' || rows_written || ' rader'
    FROM import_log
    UNION ALL
    SELECT undone_at, undone_by, NULL, 'undo', file_name, 'batch ' || batch_id || ', ' || kind
    FROM import_log WHERE undone_at IS NOT NULL
"""


def has_event(
    conn: duckdb.DuckDBPyConnection,
    user: str,
    action: str,
    details: str | Mapping | None = None,
) -> bool:
    """Whether the audit table already holds this user's ``action`` with exactly these details."""
    cur = conn.cursor()
    try:
        found = store.scalar(
            cur,
            "SELECT count(*) FROM audit_events WHERE user_email = ? AND action = ? "
            "AND details IS NOT DISTINCT FROM ?",
            [user, action, _details_text(details)],
        )
    finally:
        cur.close()
    return bool(found)


def retention_days(env: Mapping[str, str] | None = None) -> int:
    """Days audit events are kept: ``KOMPETENS_AUDIT_RETENTION_DAYS`` or 730 (two years)."""
    raw = (os.environ if env is None else env).get(RETENTION_ENV, "").strip()
    if not raw:
        return DEFAULT_RETENTION_DAYS
    try:
        days = int(raw)
    except ValueError as exc:
        raise ValueError(f"{RETENTION_ENV} måste vara ett heltal (dagar), inte {raw!r}") from exc
    if days < 1:
        raise ValueError(f"{RETENTION_ENV} måste vara minst 1 dag, inte {days}")
    return days


def purge_older_than(
    conn: duckdb.DuckDBPyConnection, days: int, *, now: dt.datetime | None = None
) -> int:
    """Delete audit events older than ``days`` days; returns how many were deleted.

    Only the audit table is purged: the import log is what undo depends on.
    """
    if days < 1:
        raise ValueError("lagringstiden måste vara minst 1 dag")
    cutoff = (now or _now()) - dt.timedelta(days=days)
    cur = conn.cursor()
    try:
        doomed = int(
            store.scalar(cur, "SELECT count(*) FROM audit_events WHERE occurred_at < ?", [cutoff])
        )
        if doomed:
            cur.execute("DELETE FROM audit_events WHERE occurred_at < ?", [cutoff])
    finally:
        cur.close()
    return doomed


def apply_retention(conn: duckdb.DuckDBPyConnection) -> int:
    """Purge with the configured retention (called once per app process at start)."""
    return purge_older_than(conn, retention_days())


#: Swedish column labels of :func:`display_frame`.
DISPLAY_COLUMNS: dict[str, str] = {
    "occurred_at": "Tid",
    "user_email": "Användare",
    "role": "Roll",
    "action": "Händelse",
    "target": "Gäller",
    "details": "Detaljer",
}


def display_frame(events: pl.DataFrame, time_zone: str = "Europe/Stockholm") -> pl.DataFrame:
    """Events for a table or a CSV file: local time ``YYYY-MM-DD HH:MM:SS``, Swedish action names and headers."""
    return events.select(
        pl.col("occurred_at")
        .dt.convert_time_zone(time_zone)
        .dt.strftime("%Y-%m-%d %H:%M:%S")
        .alias(DISPLAY_COLUMNS["occurred_at"]),
        pl.col("user_email").alias(DISPLAY_COLUMNS["user_email"]),
        pl.col("role").fill_null("").alias(DISPLAY_COLUMNS["role"]),
        pl.col("action")
        .replace_strict(ACTION_LABELS, default=pl.col("action"), return_dtype=pl.String)
        .alias(DISPLAY_COLUMNS["action"]),
        pl.col("target").fill_null("").alias(DISPLAY_COLUMNS["target"]),
        pl.col("details").fill_null("").alias(DISPLAY_COLUMNS["details"]),
    )

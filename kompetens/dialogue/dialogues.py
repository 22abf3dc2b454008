"""Verksamhetsdialog records: notes and agreed actions per unit and dialogue date.

Grain:
- ``dialogue_notes``: one row per saved *revision* of a dialogue's notes
  (unit × dialogue date × save). Saving again appends; the newest revision is
  the current text, the older ones are the history of edits.
- ``dialogue_actions``: one row per agreed action (``id``), tied to the
  dialogue (unit × date) where it was agreed; ``status`` is ``'open'`` (ej
  klar) or ``'done'`` (klar), updated at a later dialogue's follow-up.

These are user-entered records, not imported data: they are not part of the
data contract, are never superseded by an import and need no recompute.
Every function takes the caller's ``query.Scope`` and raises
``query.ScopeError`` for a unit outside it. All SQL uses bound parameters.

The tables are schema version 3 (``DIALOGUE_MIGRATION``), registered by the
composition root ``kompetens.wiring``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import duckdb
import polars as pl

from kompetens import query
from kompetens.core import store
from kompetens.ingest.writer import current_user

STATUS_OPEN = "open"
STATUS_DONE = "done"
STATUS_LABELS: dict[str, str] = {STATUS_OPEN: "ej klar", STATUS_DONE: "klar"}
_STATUS_FROM_LABEL = {label: code for code, label in STATUS_LABELS.items()}


def _migration_dialogues() -> list[str]:
    """Notes (one row per saved revision) and agreed actions of verksamhetsdialoger."""
    return [
        "CREATE SEQUENCE dialogue_note_id_seq START 1",
        "CREATE SEQUENCE dialogue_action_id_seq START 1",
        """CREATE TABLE dialogue_notes (
    id BIGINT PRIMARY KEY DEFAULT nextval('dialogue_note_id_seq'),
    unit_id VARCHAR NOT NULL,
    dialogue_date DATE NOT NULL,
    notes VARCHAR NOT NULL,
    created_by VARCHAR NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
)""",
        "CREATE INDEX dialogue_notes_unit_idx ON dialogue_notes (unit_id, dialogue_date)",
        """CREATE TABLE dialogue_actions (
    id BIGINT PRIMARY KEY DEFAULT nextval('dialogue_action_id_seq'),
    unit_id VARCHAR NOT NULL,
    dialogue_date DATE NOT NULL,
    action VARCHAR NOT NULL,
    owner VARCHAR,
    due_date DATE,
    status VARCHAR NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'done')),
    created_by VARCHAR NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    status_changed_by VARCHAR,
    status_changed_at TIMESTAMPTZ
)""",
        "CREATE INDEX dialogue_actions_unit_idx ON dialogue_actions (unit_id, dialogue_date)",
    ]


#: Schema version 3 (registered by ``kompetens.wiring``; never renumber a released migration).
DIALOGUE_MIGRATION = store.Migration(3, "dialogues", _migration_dialogues)

NOTE_SCHEMA: dict[str, pl.DataType] = {
    "dialogue_date": pl.Date(),
    "notes": pl.String(),
    "created_by": pl.String(),
    "created_at": pl.Datetime(time_zone="UTC"),
    "revisions": pl.Int64(),
    "actions": pl.Int64(),
    "actions_done": pl.Int64(),
}
ACTION_SCHEMA: dict[str, pl.DataType] = {
    "id": pl.Int64(),
    "unit_id": pl.String(),
    "dialogue_date": pl.Date(),
    "action": pl.String(),
    "owner": pl.String(),
    "due_date": pl.Date(),
    "status": pl.String(),
    "created_by": pl.String(),
    "status_changed_by": pl.String(),
    "status_changed_at": pl.Datetime(time_zone="UTC"),
}


@dataclass(frozen=True)
class Action:
    """One agreed action as entered (``owner`` and ``due_date`` optional)."""

    action: str
    owner: str | None = None
    due_date: dt.date | None = None


@dataclass(frozen=True)
class SavedDialogue:
    unit_id: str
    dialogue_date: dt.date
    notes_saved: bool
    action_ids: tuple[int, ...]


def _check_unit(conn: duckdb.DuckDBPyConnection, scope: query.Scope, unit_id: str) -> None:
    """``ScopeError`` unless ``unit_id`` is a unit the scope may see (unknown units included)."""
    visible = query.units(conn, scope)["unit_id"].to_list()
    if unit_id not in visible:
        raise query.ScopeError(f"enheten {unit_id!r} ligger utanför din behörighet")


def _as_date(value) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError as exc:
        raise ValueError(f"ogiltigt datum {value!r}: skriv ÅÅÅÅ-MM-DD") from exc


def _clean(text) -> str | None:
    if text is None:
        return None
    if isinstance(text, float) and text != text:  # NaN from an edited table
        return None
    stripped = str(text).strip()
    return stripped or None


def _normalise_actions(actions: Iterable[Action | Mapping]) -> list[Action]:
    """Actions from objects or table rows (``action, owner, due_date``); blank rows dropped."""
    out = []
    for item in actions:
        if isinstance(item, Action):
            raw = {"action": item.action, "owner": item.owner, "due_date": item.due_date}
        else:
            raw = dict(item)
        text = _clean(raw.get("action"))
        if text is None:
            continue
        out.append(Action(text, _clean(raw.get("owner")), _as_date(raw.get("due_date"))))
    return out


def save_dialogue(
    conn: duckdb.DuckDBPyConnection,
    scope: query.Scope,
    unit_id: str,
    dialogue_date: dt.date | str,
    notes: str | None,
    actions: Iterable[Action | Mapping] = (),
    *,
    user: str | None = None,
) -> SavedDialogue:
    """Save a dialogue's notes (a new revision) and append its agreed actions, in one transaction.

    Blank notes are not saved as a revision (an unchanged page saving only
    actions keeps the last text); blank action rows are ignored. Raises
    ``ScopeError`` for a unit outside ``scope`` and ``ValueError`` when there
    is nothing to save.
    """
    _check_unit(conn, scope, unit_id)
    day = _as_date(dialogue_date)
    if day is None:
        raise ValueError("ange datum för dialogen")
    text = _clean(notes)
    items = _normalise_actions(actions)
    if text is None and not items:
        raise ValueError("inget att spara: skriv anteckningar eller minst en åtgärd")
    who = current_user(user)
    ids: list[int] = []
    with store.transaction(conn):
        if text is not None:
            latest = store.scalar(
                conn,
                "SELECT notes FROM dialogue_notes WHERE unit_id = ? AND dialogue_date = ? ORDER BY id DESC LIMIT 1",
                [unit_id, day],
            )
            if latest != text:  # saving the same text twice is not a new revision
                conn.execute(
                    "INSERT INTO dialogue_notes (unit_id, dialogue_date, notes, created_by, created_at) "
                    "VALUES (?, ?, ?, ?, now())",
                    [unit_id, day, text, who],
                )
            else:
                text = None
        for item in items:
            new_id = store.scalar(
                conn,
                "INSERT INTO dialogue_actions (unit_id, dialogue_date, action, owner, due_date, status, created_by, created_at) "
                "VALUES (?, ?, ?, ?, ?, 'open', ?, now()) RETURNING id",
                [unit_id, day, item.action, item.owner, item.due_date, who],
            )
            ids.append(int(new_id))
    return SavedDialogue(unit_id, day, text is not None, tuple(ids))


def records_version(conn: duckdb.DuckDBPyConnection) -> tuple:
    """A value that changes whenever a note, an action or a status is saved (for caches of briefs).

    Holds no content: the newest note id, the newest action id and the latest status change.
    """
    try:
        notes = store.scalar(conn, "SELECT max(id) FROM dialogue_notes")
        row = store.rows(conn, "SELECT max(id), max(status_changed_at) FROM dialogue_actions")
    except duckdb.CatalogException:  # a database opened read-only before the dialogue tables
        return ()
    return (notes, *row[0])


def dialogue_history(
    conn: duckdb.DuckDBPyConnection, scope: query.Scope, unit_id: str
) -> pl.DataFrame:
    """Every dialogue of a unit, newest first.

    Grain: one row per dialogue date (with notes or actions). Columns:
    ``dialogue_date, notes`` (the newest revision; null if only actions were
    saved), ``created_by, created_at`` (of that revision), ``revisions``,
    ``actions, actions_done``.
    """
    _check_unit(conn, scope, unit_id)
    frame = store.frame(
        conn,
        """WITH dates AS (
    SELECT dialogue_date FROM dialogue_notes WHERE unit_id = $1
    UNION SELECT dialogue_date FROM dialogue_actions WHERE unit_id = $1
), latest AS (
    SELECT dialogue_date, notes, created_by, created_at,
           count(*) OVER (PARTITION BY dialogue_date) AS revisions,
           row_number() OVER (PARTITION BY dialogue_date ORDER BY id DESC) AS rn
    FROM dialogue_notes WHERE unit_id = $1
), acts AS (
    SELECT dialogue_date, count(*) AS actions, count(*) FILTER (WHERE status = 'done') AS actions_done
    FROM dialogue_actions WHERE unit_id = $1 GROUP BY dialogue_date
)
SELECT d.dialogue_date, l.notes, l.created_by, l.created_at,
       coalesce(l.revisions, 0) AS revisions, coalesce(a.actions, 0) AS actions,
       coalesce(a.actions_done, 0) AS actions_done
FROM dates d
LEFT JOIN latest l ON l.dialogue_date = d.dialogue_date AND l.rn = 1
LEFT JOIN acts a ON a.dialogue_date = d.dialogue_date
ORDER BY d.dialogue_date DESC""",
        [unit_id],
    )
    if frame.height == 0:
        return pl.DataFrame(schema=NOTE_SCHEMA)
    return frame.cast(NOTE_SCHEMA, strict=False)


def note_revisions(
    conn: duckdb.DuckDBPyConnection, scope: query.Scope, unit_id: str, dialogue_date: dt.date | str
) -> pl.DataFrame:
    """Every saved revision of one dialogue's notes, newest first (``notes, created_by, created_at``)."""
    _check_unit(conn, scope, unit_id)
    frame = store.frame(
        conn,
        "SELECT notes, created_by, created_at FROM dialogue_notes WHERE unit_id = ? AND dialogue_date = ? ORDER BY id DESC",
        [unit_id, _as_date(dialogue_date)],
    )
    schema = {k: NOTE_SCHEMA[k] for k in ("notes", "created_by", "created_at")}
    return frame.cast(schema, strict=False) if frame.height else pl.DataFrame(schema=schema)


def _actions(conn, where: str, params: list) -> pl.DataFrame:
    """Actions matching ``where`` — one of this module's fixed clauses; values are bound."""
    sql = f"SELECT {', '.join(ACTION_SCHEMA)} FROM dialogue_actions WHERE {where} ORDER BY dialogue_date DESC, id"  # noqa: S608
    frame = store.frame(conn, sql, params)
    if frame.height == 0:
        return pl.DataFrame(schema=ACTION_SCHEMA)
    return frame.cast(ACTION_SCHEMA, strict=False)


def actions(
    conn: duckdb.DuckDBPyConnection,
    scope: query.Scope,
    unit_id: str,
    dialogue_date: dt.date | str | None = None,
) -> pl.DataFrame:
    """Agreed actions of a unit (of one dialogue date if given), newest dialogue first.

    Grain: one row per action; columns of ``ACTION_SCHEMA`` (``status`` is
    ``'open'``/``'done'``; see ``STATUS_LABELS`` for the Swedish words).
    """
    _check_unit(conn, scope, unit_id)
    if dialogue_date is None:
        return _actions(conn, "unit_id = ?", [unit_id])
    return _actions(conn, "unit_id = ? AND dialogue_date = ?", [unit_id, _as_date(dialogue_date)])


def previous_dialogue_date(
    conn: duckdb.DuckDBPyConnection,
    scope: query.Scope,
    unit_id: str,
    before: dt.date | str,
) -> dt.date | None:
    """The newest dialogue date of the unit strictly before ``before`` (notes or actions), or None."""
    _check_unit(conn, scope, unit_id)
    day = _as_date(before)
    found = store.scalar(
        conn,
        "SELECT max(d) FROM (SELECT dialogue_date AS d FROM dialogue_notes WHERE unit_id = $1 AND dialogue_date < $2 "
        "UNION ALL SELECT dialogue_date FROM dialogue_actions WHERE unit_id = $1 AND dialogue_date < $2)",
        [unit_id, day],
    )
    return _as_date(found)


def previous_actions(
    conn: duckdb.DuckDBPyConnection,
    scope: query.Scope,
    unit_id: str,
    before: dt.date | str,
    *,
    include_older_open: bool = True,
) -> pl.DataFrame:
    """Actions to follow up at the dialogue on ``before``.

    The actions agreed at the unit's previous dialogue (the newest date
    strictly before ``before``), plus — with ``include_older_open`` — actions
    from even earlier dialogues that are still open, so nothing agreed is
    forgotten. Grain: one row per action, newest dialogue first.
    """
    previous = previous_dialogue_date(conn, scope, unit_id, before)
    if previous is None:
        return pl.DataFrame(schema=ACTION_SCHEMA)
    if include_older_open:
        return _actions(
            conn,
            "unit_id = ? AND (dialogue_date = ? OR (dialogue_date < ? AND status = 'open'))",
            [unit_id, previous, previous],
        )
    return _actions(conn, "unit_id = ? AND dialogue_date = ?", [unit_id, previous])


def status_code(status: str) -> str:
    """``'klar'``/``'ej klar'`` (or ``'done'``/``'open'``) -> ``'done'``/``'open'``."""
    key = str(status).strip().lower()
    if key in STATUS_LABELS:
        return key
    if key in _STATUS_FROM_LABEL:
        return _STATUS_FROM_LABEL[key]
    raise ValueError(f"okänd status {status!r}: välj 'klar' eller 'ej klar'")


def set_action_status(
    conn: duckdb.DuckDBPyConnection,
    scope: query.Scope,
    action_id: int,
    status: str,
    *,
    user: str | None = None,
) -> bool:
    """Mark an action ``'klar'``/``'ej klar'``; returns whether it changed.

    Raises ``ScopeError`` if the action's unit is outside ``scope`` (and for an
    unknown action id, which must not reveal whether it exists).
    """
    code = status_code(status)
    unit = store.scalar(conn, "SELECT unit_id FROM dialogue_actions WHERE id = ?", [int(action_id)])
    if unit is None:
        raise query.ScopeError(f"åtgärd {action_id} finns inte eller ligger utanför din behörighet")
    _check_unit(conn, scope, unit)
    changed = store.scalar(
        conn,
        "UPDATE dialogue_actions SET status = ?, status_changed_by = ?, status_changed_at = now() "
        "WHERE id = ? AND status <> ? RETURNING id",
        [code, current_user(user), int(action_id), code],
    )
    return changed is not None


def set_statuses(
    conn: duckdb.DuckDBPyConnection,
    scope: query.Scope,
    statuses: Mapping[int, str],
    *,
    user: str | None = None,
) -> int:
    """Apply several status changes (``{action_id: 'klar' | 'ej klar'}``); returns how many changed."""
    return sum(
        set_action_status(conn, scope, action_id, status, user=user)
        for action_id, status in statuses.items()
    )


def status_changes(before: pl.DataFrame, edited: pl.DataFrame) -> dict[int, str]:
    """``{id: new status code}`` for rows whose ``status`` differs between two action tables.

    ``edited`` may carry Swedish labels (``'klar'``) or codes; rows are matched on ``id``.
    """
    if before.height == 0 or edited.height == 0:
        return {}
    old = dict(zip(before["id"].to_list(), before["status"].to_list(), strict=True))
    out = {}
    for action_id, status in zip(edited["id"].to_list(), edited["status"].to_list(), strict=True):
        if action_id is None or status is None or action_id not in old:
            continue
        code = status_code(status)
        if status_code(old[action_id]) != code:
            out[int(action_id)] = code
    return out


def with_status_labels(frame: pl.DataFrame) -> pl.DataFrame:
    """The action table with ``status`` as Swedish words (``klar``/``ej klar``) for display."""
    return frame.with_columns(
        pl.col("status").replace_strict(STATUS_LABELS, default=pl.col("status"))
    )

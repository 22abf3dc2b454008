"""Tagging dialogues with common themes, adding a theme to the shared list, and undoing a tag change.

The theme list and the tag table are ``core.themes`` (schema version 14). Here:

- :func:`add_theme` — an area manager (or HR) adds a theme; audited (``audit.THEME_ADDED``).
- :func:`set_tags` — the themes of one dialogue's notes (``action_id=None``) or of one
  agreed action become the given set: a new revision when the set changed; audited
  (``audit.THEMES_TAGGED``) with the unit, date, action and theme ids, never text.
- :func:`undo_tag_change` — the newest change of a target is taken back by appending
  the set before it (like saving the notes' earlier text again); audited
  (``audit.THEMES_UNDONE``). An older change cannot be undone past a newer one.

Scope: every call takes the caller's ``query.Scope``; a unit outside it raises
``query.ScopeError``, as for the notes and actions (``dialogue.dialogues``).
Grain of each call: one target (a dialogue's notes, or one action).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import duckdb
import polars as pl

from kompetens import query
from kompetens.access import audit
from kompetens.access.auth import AREA_MANAGER, HR
from kompetens.core import store
from kompetens.core import themes as theme_store
from kompetens.ingest.writer import current_user

#: Roles that may add a theme to the shared list (the area managers own the dialogues).
ADD_THEME_ROLES: tuple[str, ...] = (AREA_MANAGER, HR)

CHANGE_SCHEMA: dict[str, pl.DataType] = {
    "id": pl.Int64(),
    "action_id": pl.Int64(),
    "theme_ids": pl.String(),
    "created_by": pl.String(),
    "created_at": pl.Datetime(time_zone="UTC"),
    "undoes": pl.Int64(),
}


def _check_unit(conn: duckdb.DuckDBPyConnection, scope: query.Scope, unit_id: str) -> None:
    if unit_id not in query.units(conn, scope)["unit_id"].to_list():
        raise query.ScopeError(f"enheten {unit_id!r} ligger utanför din behörighet")


def _day(value: dt.date | str) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])


def add_theme(
    conn: duckdb.DuckDBPyConnection, label: str | None, *, user: str | None, role: str | None
) -> int:
    """Add ``label`` to the shared list; returns the new theme id.

    ``PermissionError`` for a role not in ``ADD_THEME_ROLES``; ``ValueError`` (Swedish)
    for an empty, too long or duplicate label (``core.themes.check_label``).
    """
    if role not in ADD_THEME_ROLES:
        raise PermissionError("Bara verksamhetschefer och HR kan lägga till teman.")
    who = current_user(user)
    with store.transaction(conn):
        theme_id = theme_store.insert_theme(conn, label, user=who)
        audit.log_event(
            conn,
            who,
            audit.THEME_ADDED,
            target=f"tema {theme_id}",
            details={"tema": theme_id},
            role=role,
        )
    return theme_id


def _current(conn, unit_id: str, day: dt.date, action_id: int | None) -> tuple[int | None, str]:
    """``(revision id, theme_ids)`` of the newest revision of one target (``(None, '')`` if none)."""
    found = store.rows(
        conn,
        "SELECT id, theme_ids FROM dialogue_theme_tags WHERE unit_id = ? AND dialogue_date = ? "
        "AND action_id IS NOT DISTINCT FROM ? ORDER BY id DESC LIMIT 1",
        [unit_id, day, action_id],
    )
    return (int(found[0][0]), str(found[0][1])) if found else (None, "")


def tags(
    conn: duckdb.DuckDBPyConnection, scope: query.Scope, unit_id: str, dialogue_date: dt.date | str
) -> dict[int | None, list[int]]:
    """The current themes of one dialogue: ``{None: notes' theme ids, action id: its ids}``.

    Targets never tagged (or whose tags were all removed) are left out.
    """
    _check_unit(conn, scope, unit_id)
    rows = store.rows(
        conn,
        """SELECT action_id, arg_max(theme_ids, id) FROM dialogue_theme_tags
        WHERE unit_id = ? AND dialogue_date = ? GROUP BY action_id""",
        [unit_id, _day(dialogue_date)],
    )
    return {
        (None if a is None else int(a)): theme_store.parse_ids(ids)
        for a, ids in rows
        if theme_store.parse_ids(ids)
    }


def _check_target(conn, unit_id: str, day: dt.date, action_id: int | None) -> None:
    """``ValueError`` unless the dialogue (notes or an action) or the action exists on that date."""
    if action_id is None:
        found = store.scalar(
            conn,
            "SELECT count(*) FROM (SELECT 1 FROM dialogue_notes WHERE unit_id = $1 AND dialogue_date = $2 "
            "UNION ALL SELECT 1 FROM dialogue_actions WHERE unit_id = $1 AND dialogue_date = $2)",
            [unit_id, day],
        )
        if not found:
            raise ValueError(
                f"det finns ingen sparad dialog med enheten {day.isoformat()}: spara dialogen först"
            )
        return
    found = store.scalar(
        conn,
        "SELECT count(*) FROM dialogue_actions WHERE id = ? AND unit_id = ? AND dialogue_date = ?",
        [int(action_id), unit_id, day],
    )
    if not found:
        raise ValueError(f"åtgärd {action_id} hör inte till dialogen {day.isoformat()}")


def set_tags(
    conn: duckdb.DuckDBPyConnection,
    scope: query.Scope,
    unit_id: str,
    dialogue_date: dt.date | str,
    action_id: int | None,
    theme_ids: Iterable[int],
    *,
    user: str | None = None,
    role: str | None = None,
) -> int | None:
    """Make the themes of a dialogue's notes (``action_id=None``) or of one action ``theme_ids``.

    Returns the new revision's id, or None when the set is unchanged. ``ScopeError`` for a
    unit outside ``scope``; ``ValueError`` (Swedish) for an unknown theme, or a dialogue or
    action that is not saved.
    """
    _check_unit(conn, scope, unit_id)
    day = _day(dialogue_date)
    known = theme_store.labels_by_id(conn)
    wanted = [int(t) for t in theme_ids]
    unknown = [t for t in wanted if t not in known]
    if unknown:
        raise ValueError(f"okänt tema nummer {unknown[0]}")
    new = theme_store.ids_text(wanted)
    who = current_user(user)
    with store.transaction(conn):
        _check_target(conn, unit_id, day, action_id)
        _, old = _current(conn, unit_id, day, action_id)
        if old == new:
            return None
        revision = _append(conn, unit_id, day, action_id, new, who, undoes=None)
        audit.log_event(
            conn,
            who,
            audit.THEMES_TAGGED,
            target=unit_id,
            details=_details(day, action_id, old, new, revision),
            role=role,
        )
    return revision


def _append(conn, unit_id, day, action_id, theme_ids: str, who: str, *, undoes: int | None) -> int:
    return int(
        store.scalar(
            conn,
            "INSERT INTO dialogue_theme_tags (unit_id, dialogue_date, action_id, theme_ids, created_by, "
            "created_at, undoes) VALUES (?, ?, ?, ?, ?, now(), ?) RETURNING id",
            [unit_id, day, action_id, theme_ids, who, undoes],
        )
    )


def _details(day: dt.date, action_id: int | None, old: str, new: str, revision: int) -> dict:
    return {
        "datum": day.isoformat(),
        "åtgärd": action_id,
        "före": old,
        "efter": new,
        "ändring": revision,
    }


def changes(
    conn: duckdb.DuckDBPyConnection, scope: query.Scope, unit_id: str, dialogue_date: dt.date | str
) -> pl.DataFrame:
    """Every tag change of one dialogue, newest first. Grain: one row per revision (``CHANGE_SCHEMA``)."""
    _check_unit(conn, scope, unit_id)
    frame = store.frame(
        conn,
        f"SELECT {', '.join(CHANGE_SCHEMA)} FROM dialogue_theme_tags "  # noqa: S608 (fixed columns)
        "WHERE unit_id = ? AND dialogue_date = ? ORDER BY id DESC",
        [unit_id, _day(dialogue_date)],
    )
    return (
        frame.cast(CHANGE_SCHEMA, strict=False)
        if frame.height
        else pl.DataFrame(schema=CHANGE_SCHEMA)
    )


def undo_tag_change(
    conn: duckdb.DuckDBPyConnection,
    scope: query.Scope,
    revision_id: int,
    *,
    user: str | None = None,
    role: str | None = None,
) -> int:
    """Take back one tag change: its target gets the set it had before. Returns the new revision id.

    ``ScopeError`` for a change outside ``scope`` (or unknown: existence is not revealed);
    ``ValueError`` (Swedish) when a later change of the same target came after it.
    """
    found = store.rows(
        conn,
        "SELECT unit_id, dialogue_date, action_id, theme_ids FROM dialogue_theme_tags WHERE id = ?",
        [int(revision_id)],
    )
    if not found:
        raise query.ScopeError(
            f"ändring {revision_id} finns inte eller ligger utanför din behörighet"
        )
    unit_id, day, action_id, undone_ids = found[0]
    _check_unit(conn, scope, unit_id)
    action_id = None if action_id is None else int(action_id)
    who = current_user(user)
    with store.transaction(conn):
        newest, _ = _current(conn, unit_id, day, action_id)
        if newest != int(revision_id):
            raise ValueError(
                f"ändring {revision_id} kan inte ångras: en senare ändring ({newest}) av samma "
                "teman har gjorts; ångra den först"
            )
        before = store.rows(
            conn,
            "SELECT theme_ids FROM dialogue_theme_tags WHERE unit_id = ? AND dialogue_date = ? "
            "AND action_id IS NOT DISTINCT FROM ? AND id < ? ORDER BY id DESC LIMIT 1",
            [unit_id, day, action_id, int(revision_id)],
        )
        previous = str(before[0][0]) if before else ""
        revision = _append(conn, unit_id, day, action_id, previous, who, undoes=int(revision_id))
        audit.log_event(
            conn,
            who,
            audit.THEMES_UNDONE,
            target=unit_id,
            details=_details(day, action_id, str(undone_ids), previous, revision),
            role=role,
        )
    return revision

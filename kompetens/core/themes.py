"""Common themes: the shared theme list and where the tags live (schema version 14).

A theme is a subject several units share ("Rekrytering av speciallärare"), picked
from one list so that the leadership can count them per area and term
(``query.themes``). Three things carry themes:

- a dialogue's notes and each agreed action (``dialogue_theme_tags``, written by
  ``dialogue.themes``);
- a support request (the contract column ``support_request.themes``: the theme ids,
  separated by ``;``, written by the importer, so a tag on a request is undone with its
  batch like any other change of the register).

Grain:

- ``themes``: one row per theme (``theme_id``, the Swedish ``label``, who added it and
  when, ``active``). The default list is seeded with fixed ids 1..N; an area manager
  adds more. Labels are unique ignoring case, accents and spaces (``contract.fold``).
  A theme is never deleted (tags keep pointing at it); ``active = false`` takes it off
  the pickers.
- ``dialogue_theme_tags``: one row per saved *revision* of the tags of one dialogue's
  notes (``action_id`` null) or of one action: ``theme_ids`` is the whole set after the
  change (``'1;7'``, ``''`` for none). The newest revision per target is the current
  set; older ones are the history, and undoing a change appends the set before it
  (``undoes`` names the undone revision) — like the notes' own revisions.

All SQL uses bound parameters; the seeded labels are constants of this module.
"""

from __future__ import annotations

from collections.abc import Iterable

import duckdb
import polars as pl

from kompetens.core import store
from kompetens.core.contract import KINDS, fold

#: The default list, seeded with ids 1..N in this order (never reorder: ids are stored in tags).
DEFAULT_THEMES: tuple[str, ...] = (
    "Rekrytering",
    "Rekrytering av speciallärare",
    "Kompetensutveckling",
    "Arbetsmiljö",
    "Elevhälsa",
    "Juridik",
    "IT",
    "Introduktion av nyanställda",
    "Behörighet och legitimation",
    "Sjukfrånvaro",
    "Övertalighet och omplacering",
)
SEEDED_BY = "standardlista"
MAX_LABEL_LENGTH = 80
#: The separator of theme ids and labels in ``support_request.themes`` and in a file.
SEPARATOR = ";"

THEME_SCHEMA: dict[str, pl.DataType] = {
    "theme_id": pl.Int64(),
    "label": pl.String(),
    "added_by": pl.String(),
    "added_at": pl.Datetime(time_zone="UTC"),
    "active": pl.Boolean(),
}


def _migration_themes() -> list[str]:
    """The theme list (seeded), the dialogue tags, and ``support_request.themes``."""
    seeds = [
        # Constants of this module (no quote in any label); DDL cannot bind values.
        f"INSERT INTO themes (theme_id, label, added_by, added_at, active) "  # noqa: S608
        f"VALUES ({i}, '{label}', '{SEEDED_BY}', now(), true)"
        for i, label in enumerate(DEFAULT_THEMES, start=1)
    ]
    request = KINDS["support_request"]
    return [
        f"CREATE SEQUENCE theme_id_seq START {len(DEFAULT_THEMES) + 1}",
        """CREATE TABLE themes (
    theme_id BIGINT PRIMARY KEY DEFAULT nextval('theme_id_seq'),
    label VARCHAR NOT NULL,
    added_by VARCHAR NOT NULL,
    added_at TIMESTAMPTZ NOT NULL,
    active BOOLEAN NOT NULL DEFAULT true
)""",
        *seeds,
        "CREATE SEQUENCE dialogue_theme_tag_id_seq START 1",
        """CREATE TABLE dialogue_theme_tags (
    id BIGINT PRIMARY KEY DEFAULT nextval('dialogue_theme_tag_id_seq'),
    unit_id VARCHAR NOT NULL,
    dialogue_date DATE NOT NULL,
    action_id BIGINT,
    theme_ids VARCHAR NOT NULL,
    created_by VARCHAR NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    undoes BIGINT
)""",
        "CREATE INDEX dialogue_theme_tags_unit_idx ON dialogue_theme_tags (unit_id, dialogue_date)",
        # A database made before this version has the support register without the column;
        # a new one got it from migration 9 (which builds the table from today's contract).
        "ALTER TABLE support_request ADD COLUMN IF NOT EXISTS themes VARCHAR",
        f"CREATE OR REPLACE VIEW current_support_request AS SELECT {', '.join(request.column_names)} "  # noqa: S608
        "FROM support_request WHERE _superseded_by IS NULL",
    ]


#: Schema version 14 (registered by ``kompetens.wiring``; never renumber a released migration).
THEME_MIGRATION = store.Migration(14, "themes", _migration_themes)


def theme_list(conn: duckdb.DuckDBPyConnection, *, include_inactive: bool = False) -> pl.DataFrame:
    """The themes in id order (the defaults first). Grain: one row per theme; ``THEME_SCHEMA``."""
    where = "" if include_inactive else "WHERE active"
    frame = store.frame(
        conn,
        f"SELECT {', '.join(THEME_SCHEMA)} FROM themes {where} ORDER BY theme_id",  # noqa: S608
    )
    return (
        frame.cast(THEME_SCHEMA, strict=False)
        if frame.height
        else pl.DataFrame(schema=THEME_SCHEMA)
    )


def labels_by_id(conn: duckdb.DuckDBPyConnection) -> dict[int, str]:
    """``{theme id: label}`` of every theme, inactive ones included (tags may point at them)."""
    return {
        int(i): str(label) for i, label in store.rows(conn, "SELECT theme_id, label FROM themes")
    }


def lookup(conn: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """How a file may name an active theme: ``{label as the list spells it, or id as text: id}``.

    The importer matches a label ignoring case, accents and spaces (``contract.fold``).
    """
    out: dict[str, int] = {}
    for theme_id, label in store.rows(conn, "SELECT theme_id, label FROM themes WHERE active"):
        out[str(label)] = int(theme_id)
        out[str(int(theme_id))] = int(theme_id)
    return out


def ids_text(ids: Iterable[int]) -> str:
    """A set of theme ids as stored: ascending, unique, ``;``-separated (``''`` for none)."""
    return SEPARATOR.join(str(i) for i in sorted({int(i) for i in ids}))


def parse_ids(text: str | None) -> list[int]:
    """The ids of a stored ``theme_ids``/``themes`` value (``'1;7'`` -> ``[1, 7]``)."""
    return [int(p) for p in (text or "").split(SEPARATOR) if p.strip()]


def check_label(conn: duckdb.DuckDBPyConnection, label: str | None) -> str:
    """The label to add, trimmed; ``ValueError`` in Swedish if it is empty, too long or taken."""
    text = " ".join((label or "").split())
    if not text:
        raise ValueError("Skriv ett namn på temat: fältet är tomt.")
    if len(text) > MAX_LABEL_LENGTH:
        raise ValueError(
            f"Namnet är för långt ({len(text)} tecken): ett tema får ha högst {MAX_LABEL_LENGTH} tecken."
        )
    if SEPARATOR in text:
        raise ValueError("Ett tema får inte innehålla semikolon (;): det skiljer teman åt i filer.")
    for theme_id, existing, active in store.rows(
        conn, "SELECT theme_id, label, active FROM themes ORDER BY theme_id"
    ):
        if fold(str(existing)) == fold(text):
            state = "" if active else " (inaktivt)"
            raise ValueError(f"Temat '{existing}' finns redan{state}, nummer {theme_id}.")
    return text


def insert_theme(conn: duckdb.DuckDBPyConnection, label: str | None, *, user: str) -> int:
    """Add a theme at the end of the list; returns its id (``ValueError`` as :func:`check_label`)."""
    text = check_label(conn, label)
    return int(
        store.scalar(
            conn,
            "INSERT INTO themes (label, added_by, added_at, active) VALUES (?, ?, now(), true) "
            "RETURNING theme_id",
            [text, user],
        )
    )


def insert_tags(
    conn: duckdb.DuckDBPyConnection,
    rows: Iterable[tuple],
    *,
    user: str,
) -> int:
    """Load tag revisions in bulk, unaudited (the demo's dialogues): ``(unit_id, dialogue_date,
    action_id or None, theme_ids)`` each; returns how many. The app writes through
    ``dialogue.themes.set_tags``, which checks scope and logs every change."""
    data = list(rows)
    if data:
        conn.executemany(
            "INSERT INTO dialogue_theme_tags (unit_id, dialogue_date, action_id, theme_ids, "
            "created_by, created_at) VALUES (?, ?, ?, ?, ?, now())",
            [[u, d, a, ids, user] for u, d, a, ids in data],
        )
    return len(data)

"""The support register's tables (schema version 9) and its configurable lists.

The support register records who asked for support (``support_request``) and what
support was given (``support_effort``): two kinds of the data contract
(``kompetens.core.contract``), imported from files like every other kind and written
by the app's form through the same importer, so every change is a logged, undoable
batch. Version 1 created the nine original kinds; this migration creates the tables
of these two (``store.kind_ddl``) and the table of the lists an administrator may
extend.

Grain of ``support_settings``: one row per value of a configurable list
(``list_name`` × ``value``): ``topic`` (what a request is about, beside the five
ARUBA phases, which are always valid) and ``function`` (the support functions a
request may be addressed to). A list is its defaults below followed by the values an
administrator added (the table holds only those); values are matched ignoring case,
accents and spaces, and stored as the list spells them.
"""

from __future__ import annotations

import duckdb

from kompetens.core import store
from kompetens.core.contract import KINDS, fold
from kompetens.core.labels import PHASE_LABELS

TOPIC = "topic"
FUNCTION = "function"
LIST_LABELS: dict[str, str] = {TOPIC: "Ämnen", FUNCTION: "Stödfunktioner"}
#: Where in the app an administrator adds a value to a list (the importer's messages name it).
LISTS_PLACE_TITLE = "Stödregistrets listor"
LISTS_PLACE = f"Admin › Inställningar › {LISTS_PLACE_TITLE}"

#: The ARUBA phases are always valid topics, as the phase labels spell them.
ARUBA_TOPICS: tuple[str, ...] = tuple(
    PHASE_LABELS[p] for p in ("attrahera", "rekrytera", "utveckla", "behalla", "avveckla")
)
DEFAULT_TOPICS: tuple[str, ...] = (
    "Rekrytering",
    "Kompetensutveckling",
    "Arbetsmiljö",
    "Elevhälsa",
    "Juridik",
    "IT",
)
DEFAULT_FUNCTIONS: tuple[str, ...] = ("HR", "PC", "EH", "Admin & juridik")
DEFAULTS: dict[str, tuple[str, ...]] = {TOPIC: DEFAULT_TOPICS, FUNCTION: DEFAULT_FUNCTIONS}

#: Columns of the support kinds whose values must be on a list (column -> list name).
LIST_COLUMNS: dict[str, str] = {"topic": TOPIC, "support_function": FUNCTION}


def _migration_support_register() -> list[str]:
    """The two support kinds' raw tables and views, and the values added to the lists."""
    statements: list[str] = []
    for name in ("support_request", "support_effort"):
        statements.extend(store.kind_ddl(KINDS[name]))
    statements.append(
        """CREATE TABLE support_settings (
    list_name VARCHAR NOT NULL,
    value VARCHAR NOT NULL,
    position INTEGER NOT NULL,
    added_by VARCHAR NOT NULL,
    added_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (list_name, value)
)"""
    )
    return statements


#: Schema version 9 (registered by ``kompetens.wiring``; never renumber a released migration).
SUPPORT_MIGRATION = store.Migration(9, "support_register", _migration_support_register)


def list_values(conn: duckdb.DuckDBPyConnection, list_name: str) -> list[str]:
    """A list's values: the defaults, then those added, in order (a topic: the ARUBA phases first)."""
    added = removable_values(conn, list_name)  # a Swedish error for an unknown list
    values = [*DEFAULTS[list_name], *added]
    return [*ARUBA_TOPICS, *values] if list_name == TOPIC else values


def removable_values(conn: duckdb.DuckDBPyConnection, list_name: str) -> list[str]:
    """The values an administrator added to a list (the defaults cannot be removed), in order."""
    if list_name not in DEFAULTS:
        raise ValueError(f"okänd lista {list_name!r}; välj {' eller '.join(DEFAULTS)}")
    return [
        r[0]
        for r in store.rows(
            conn,
            "SELECT value FROM support_settings WHERE list_name = ? ORDER BY position, value",
            [list_name],
        )
    ]


def add_list_value(
    conn: duckdb.DuckDBPyConnection, list_name: str, value: str, *, user: str
) -> str:
    """Add a value at the end of a list; returns it. ``ValueError`` (Swedish) if blank or already there."""
    text = (value or "").strip()
    if not text:
        raise ValueError("skriv ett värde att lägga till")
    existing = list_values(conn, list_name)
    same = [v for v in existing if fold(v) == fold(text)]
    if same:
        raise ValueError(f"'{same[0]}' finns redan i listan {LIST_LABELS[list_name].lower()}")
    position = store.scalar(
        conn,
        "SELECT coalesce(max(position), 0) + 1 FROM support_settings WHERE list_name = ?",
        [list_name],
    )
    conn.execute(
        "INSERT INTO support_settings (list_name, value, position, added_by) VALUES (?, ?, ?, ?)",
        [list_name, text, int(position), user],
    )
    return text


#: Per list, the values live requests and efforts use (compared ``fold``-ed).
_USES: dict[str, str] = {
    TOPIC: "SELECT topic AS v FROM current_support_request",
    FUNCTION: (
        "SELECT support_function AS v FROM current_support_request "
        "UNION ALL SELECT support_function AS v FROM current_support_effort"
    ),
}


def remove_list_value(conn: duckdb.DuckDBPyConnection, list_name: str, value: str) -> str:
    """Remove a value an administrator added, while no request or effort uses it; returns it.

    For a value added by mistake (a misspelling). ``ValueError`` (Swedish) for a default
    value, one not on the list, or one in use (nothing written).
    """
    added = removable_values(conn, list_name)
    match = [v for v in added if fold(v) == fold(value or "")]
    if not match:
        if any(fold(v) == fold(value or "") for v in DEFAULTS[list_name] + ARUBA_TOPICS):
            raise ValueError(f"'{value}' hör till standardlistan och kan inte tas bort")
        raise ValueError(f"'{value}' finns inte bland de tillagda värdena")
    text = match[0]
    used = sum(
        1 for (v,) in store.rows(conn, _USES[list_name]) if v is not None and fold(v) == fold(text)
    )
    if used:
        raise ValueError(
            f"'{text}' används av {used} {'ärende eller insats' if used == 1 else 'ärenden och insatser'}"
            " och kan inte tas bort"
        )
    conn.execute(
        "DELETE FROM support_settings WHERE list_name = ? AND value = ?", [list_name, text]
    )
    return text


def allowed_values(conn: duckdb.DuckDBPyConnection | None, kind: str) -> dict[str, list[str]]:
    """For a support kind: ``{column: valid values}`` the importer checks (empty for other kinds).

    ``support_effort.request_id`` must name a live support request. Without a connection
    (a preview with no database) nothing is checked.
    """
    if conn is None or kind not in ("support_request", "support_effort"):
        return {}
    out = {
        column: list_values(conn, list_name)
        for column, list_name in LIST_COLUMNS.items()
        if column in KINDS[kind].column_names
    }
    if kind == "support_effort":
        out["request_id"] = [
            r[0] for r in store.rows(conn, "SELECT request_id FROM current_support_request")
        ]
    return out

"""The benchmark table, its import log and the fetch settings (store migration 8).

Grain of ``external_values``: one row per source x measure x comparison (kind and
id) x period x gender, as the source published it, tagged with the batch that
wrote it (``_batch_id``) and, once a later import replaced it, that batch
(``_superseded_by``) — the same undo scheme as the contract tables. The view
``current_external_values`` shows the live rows.

Units: ``value`` is the number as the source publishes it (Kolada and
Skolverket shares are in percent, 0–100); ``source_value`` is the text the
source shows (``72,3``, ``..``, ``~100``); ``status`` is Kolada's ``status``
or Skolverket's ``valueType``/mask. ``year`` is the calendar year the value
describes (Kolada ``period``; Skolverket's school year ``2023/24`` is measured
on 15 October 2023, so 2023).
"""

from __future__ import annotations

from urllib.parse import quote

import polars as pl

from kompetens.core import store

SOURCES: dict[str, str] = {"kolada": "Kolada", "skolverket": "Skolverket"}

#: Comparison kind -> Swedish label.
COMPARISON_KINDS: dict[str, str] = {
    "own_municipality": "Egen kommun",
    "municipality_group": "Liknande kommuner",
    "national": "Riket",
    "municipality": "Kommun",
    "school_unit": "Enheten",
}

#: Kolada's id for the whole country.
NATIONAL_ID = "0000"

#: Skolverket's masks and approximations, as their statistics explain them (kept verbatim in
#: ``source_value``; shown as the source shows them).
SKOLVERKET_MASKS: dict[str, str] = {
    ".": "uppgift saknas eller förekommer inte",
    "..": "för få för att redovisas",
    "*": "uppgiften skyddas av sekretess",
    "~100": "nära 100 procent (avrundat)",
}

#: Kolada ``status`` values and what they mean (an empty status is an ordinary value).
KOLADA_STATUS: dict[str, str] = {
    "Missing": "värde saknas",
    "missing": "värde saknas",
}

ROW_SCHEMA: dict[str, pl.DataType] = {
    "source": pl.String(),
    "measure_id": pl.String(),
    "comparison_kind": pl.String(),
    "comparison_id": pl.String(),
    "comparison_name": pl.String(),
    "period": pl.String(),
    "year": pl.Int32(),
    "gender": pl.String(),
    "value": pl.Float64(),
    "source_value": pl.String(),
    "status": pl.String(),
    "member_count": pl.Int32(),
    "source_url": pl.String(),
    "fetched_at": pl.Datetime("us", "UTC"),
    "fetched_how": pl.String(),
    "is_demo": pl.Boolean(),
}
COLUMNS: tuple[str, ...] = tuple(ROW_SCHEMA)
#: What identifies one published value: a newer import of the same key replaces it.
KEY: tuple[str, ...] = (
    "source",
    "measure_id",
    "comparison_kind",
    "comparison_id",
    "period",
    "gender",
)

_SQL = {
    pl.String(): "VARCHAR",
    pl.Int32(): "INTEGER",
    pl.Float64(): "DOUBLE",
    pl.Boolean(): "BOOLEAN",
    pl.Datetime("us", "UTC"): "TIMESTAMPTZ",
}


def _statements() -> list[str]:
    """Version 8: ``external_values`` (+ current view), its import log and the settings."""
    cols = ",\n    ".join(f"{name} {_SQL[dtype]}" for name, dtype in ROW_SCHEMA.items())
    return [
        f"CREATE TABLE external_values (\n    {cols},\n    _batch_id BIGINT NOT NULL,\n    _superseded_by BIGINT\n)",
        f"CREATE VIEW current_external_values AS SELECT {', '.join(COLUMNS)} FROM external_values "  # noqa: S608
        "WHERE _superseded_by IS NULL",
        "CREATE INDEX external_values_batch_idx ON external_values (_batch_id)",
        "CREATE INDEX external_values_measure_idx ON external_values (measure_id, year)",
        """CREATE TABLE external_import_log (
    batch_id BIGINT PRIMARY KEY,
    file_name VARCHAR NOT NULL,
    sha256 VARCHAR NOT NULL,
    how VARCHAR NOT NULL,
    rows_in BIGINT NOT NULL,
    rows_written BIGINT NOT NULL,
    rows_replaced BIGINT NOT NULL,
    user_name VARCHAR NOT NULL,
    imported_at TIMESTAMPTZ NOT NULL,
    undone_at TIMESTAMPTZ,
    undone_by VARCHAR
)""",
        "CREATE TABLE external_settings (key VARCHAR PRIMARY KEY, value VARCHAR NOT NULL)",
    ]


#: Version 8, registered by ``kompetens.wiring``.
BENCHMARKS_MIGRATION = store.Migration(8, "external_benchmarks", _statements)


def empty_rows() -> pl.DataFrame:
    return pl.DataFrame(schema=ROW_SCHEMA)


def year_of_period(period: str) -> int | None:
    """``'2023'`` -> 2023; Skolverket's school year ``'2023/24'`` -> 2023 (measured in October 2023)."""
    head = str(period).strip()[:4]
    return int(head) if head.isdigit() else None


def kolada_page_url(kpi: str, comparison_id: str, year: int | None) -> str:
    """The Kolada page a person can open to see the value (free search on the KPI and place)."""
    url = (
        "https://www.kolada.se/verktyg/fri-sokning/"
        f"?kpis={quote(kpi, safe='')}&municipals={quote(comparison_id, safe='')}"
    )
    return url + (f"&years={int(year)}" if year else "")


def skolverket_page_url(school_unit_code: str) -> str:
    """Skolverket's statistics search, where the school unit's figures are published."""
    return (
        "https://www.skolverket.se/skolutveckling/statistik/"
        f"sok-statistik-om-forskola-skola-och-vuxenutbildning?skolenhetskod={quote(school_unit_code, safe='')}"
    )

"""View logic of the Datakvalitet and Import pages (pure functions of frames; no Streamlit, no SQL).

Turns the query layer's coverage, freshness and suppression frames and the
importer's log and validation issues into Swedish tables and heatmap input.
The one write, HR's confirmation of an incomplete snapshot (``confirm_snapshot``),
goes through the importer's snapshot check and the audit log.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import duckdb
import polars as pl

from kompetens.access import audit, auth
from kompetens.core.contract import KINDS
from kompetens.core.labels import CODE_LABELS, breakdown_label
from kompetens.core.progress import Progress
from kompetens.indicators import registry
from kompetens.ingest import snapshot_check, writer
from kompetens.ingest.errors import ValidationIssue
from kompetens.present.formatting import (
    fmt_date,
    fmt_number,
    fmt_stored,
    padded_texts,
    value_texts,
)
from kompetens.ui.context import audit_user

#: The kind control on Datakvalitet (the label is what a bound control keeps in the URL).
ALL_MONTHLY = "Månadsdata"
KIND_OPTIONS: dict[str, str | None] = {
    ALL_MONTHLY: None,
    "Personal": "staff",
    "Sjukfrånvaro": "sick_leave",
    "Enkät": "survey",
    "Händelser": "events",
    "Rekryteringar": "recruitments",
    "Kompetensutveckling": "development",
    "Praktik": "placements",
}

FRESHNESS_STATUS: dict[str, str] = {
    "missing": "Saknas helt",
    "stale": "Inaktuell",
    "gaps": "Luckor",
    "ok": "Aktuell",
}
LEVEL_LABELS: dict[str, str] = {"org": "Organisationen", "area": "Område", "unit": "Enhet"}
REASON_LABELS: dict[str, str] = {
    "primary": "Färre än 5 personer",
    "linked": "Samma tal som en dold uppgift (publiceras även där)",
    "secondary": "Dold så att en annan cell inte kan räknas fram",
}


def kind_label(kind: str) -> str:
    return KINDS[kind].label_sv if kind in KINDS else kind


def heatmap_frame(coverage: pl.DataFrame, by: str) -> pl.DataFrame:
    """``row, month, coverage`` for ``charts.coverage_heatmap``; unit rows read "Namn (id)"."""
    if by == "area":
        return coverage.select(pl.col("area").alias("row"), "month", "coverage")
    return coverage.select(
        (pl.col("unit_name") + " (" + pl.col("unit_id") + ")").alias("row"), "month", "coverage"
    )


FRESHNESS_LABELS: dict[str, str] = {
    "unit_name": "Enhet",
    "area": "Område",
    "kind_label": "Datatyp",
    "status_label": "Status",
    "last_month": "Senaste månad",
    "months_behind": "Månader efter",
    "gap_months": "Saknade månader",
    "open_from": "Öppnade",
}


def freshness_table(freshness: pl.DataFrame, *, only_problems: bool = True) -> pl.DataFrame:
    """Freshness rows in Swedish, problems only by default (missing, stale, gaps)."""
    frame = freshness.filter(pl.col("status") != "ok") if only_problems else freshness
    return frame.select(
        "unit_name",
        "area",
        pl.col("kind").replace_strict({k: kind_label(k) for k in KINDS}, default=pl.col("kind")).alias("kind_label"),
        pl.col("status").replace_strict(FRESHNESS_STATUS, default=pl.col("status")).alias("status_label"),
        pl.col("last_month").fill_null("–"),
        "months_behind",
        "gap_months",
        pl.col("open_from").fill_null(""),
    )  # fmt: skip


def freshness_counts(freshness: pl.DataFrame) -> dict[str, int]:
    """How many unit × kind rows have each status (every status present, 0 if none)."""
    counts = dict(freshness.group_by("status").len().iter_rows())
    return {status: int(counts.get(status, 0)) for status in FRESHNESS_STATUS}


def opened_mid_period(freshness: pl.DataFrame) -> pl.DataFrame:
    """``unit_name, area, open_from``: units that opened after the data begins (one row each)."""
    return (
        freshness.filter(pl.col("open_from").is_not_null())
        .select("unit_name", "area", "open_from")
        .unique(maintain_order=True)
    )


def opened_text(freshness: pl.DataFrame) -> str | None:
    """``"Nyskolan (Norr) 2025-08, …"``: the units that opened during the period; None if none did."""
    opened = opened_mid_period(freshness)
    if opened.height == 0:
        return None
    return ", ".join(
        f"{r['unit_name']} ({r['area']}) {r['open_from']}" for r in opened.iter_rows(named=True)
    )


SUPPRESSED_LABELS: dict[str, str] = {
    "name_sv": "Nyckeltal",
    "level_label": "Nivå",
    "scope_name": "Enhet/område",
    "unit_id": "Enhets-id",
    "period": "Period",
    "breakdown": "Uppdelning",
    "reason_label": "Varför dold",
}


def whole_figures(cells: pl.DataFrame) -> pl.DataFrame:
    """Only the hidden figures themselves (breakdown ``all``), not their splits by category."""
    return cells.filter(pl.col("breakdown") == "all")


def newest_period(frame: pl.DataFrame) -> str | None:
    return frame["period"].max() if frame.height else None


def suppressed_table(cells: pl.DataFrame) -> pl.DataFrame:
    """``query.suppressed_cells`` in Swedish: indicator name, level, unit or area by name (and a
    unit's id), period, reason."""
    names = {i.id: i.name_sv for i in registry.engine_indicators()}
    return cells.select(
        pl.col("indicator_id").replace_strict(names, default=pl.col("indicator_id")).alias("name_sv"),
        pl.col("level").replace_strict(LEVEL_LABELS, default=pl.col("level")).alias("level_label"),
        pl.col("scope_name").fill_null("–"),  # the organisation has none ("None" on screen)
        pl.when(pl.col("level") == "unit").then(pl.col("scope_id")).otherwise(pl.lit("–")).alias("unit_id"),
        "period",
        pl.col("breakdown").map_elements(breakdown_label, return_dtype=pl.String),
        pl.col("suppression_reason").replace_strict(REASON_LABELS, default=pl.col("suppression_reason")).alias("reason_label"),
    )  # fmt: skip


IMPORT_LABELS: dict[str, str] = {
    "batch_id": "Batch",
    "file_name": "Fil",
    "kind_label": "Datatyp",
    "rows_written": "Rader importerade",
    "rows_replaced": "Ersatta rader",
    "rows_rejected": "Avvisade rader",
    "user_name": "Av",
    "imported": "Importerad",
    "state": "Status",
}


def imports_table(log: pl.DataFrame) -> pl.DataFrame:
    """The import log (``importer.list_imports``) in Swedish, newest first."""
    if log.height == 0:
        return pl.DataFrame(schema={c: pl.String for c in IMPORT_LABELS})
    return log.select(
        "batch_id",
        "file_name",
        pl.col("kind").replace_strict({k: kind_label(k) for k in KINDS}, default=pl.col("kind")).alias("kind_label"),
        "rows_written",
        "rows_replaced",
        "rows_rejected",
        pl.col("user_name").map_elements(auth.author_label, return_dtype=pl.String, skip_nulls=False),
        pl.col("imported_at").dt.strftime("%Y-%m-%d %H:%M").alias("imported"),
        pl.when(pl.col("undone_at").is_null())
        .then(pl.lit("Aktiv"))
        .otherwise(pl.lit("Ångrad ") + pl.col("undone_at").dt.strftime("%Y-%m-%d %H:%M"))
        .alias("state"),
    )  # fmt: skip


#: The import log's counts (rows per batch), shown as Swedish integers (``183 719``).
IMPORT_COUNTS: tuple[str, ...] = ("rows_written", "rows_replaced", "rows_rejected")


def imports_screen(history: pl.DataFrame) -> pl.DataFrame:
    """``imports_table`` for the screen: the row counts as Swedish text with a thousands
    separator (``183 719``; Streamlit's number columns write ``183719``). The download
    keeps ``imports_table``'s numbers."""
    return history.with_columns(
        pl.Series(col, value_texts(history[col].to_list(), "integer"), dtype=pl.String)
        for col in IMPORT_COUNTS
    )


def undoable_batches(history: pl.DataFrame) -> dict[int, str]:
    """Active (not undone) batches of ``imports_table`` -> a Swedish label, newest first."""
    active = history.filter(pl.col("state") == "Aktiv")
    return {
        int(
            r["batch_id"]
        ): f"Batch {r['batch_id']} · {r['file_name']} ({r['kind_label']}) {r['imported']}"
        for r in active.iter_rows(named=True)
    }


ISSUE_LABELS: dict[str, str] = {
    "file": "Fil",
    "row": "Rad",
    "column": "Kolumn",
    "value": "Värde",
    "message": "Fel",
}


def issues_table(issues: Iterable[ValidationIssue]) -> pl.DataFrame:
    """The validation report: one row per issue (``file, row, column, value, message``)."""
    return pl.DataFrame(
        [
            {
                "file": i.file,
                "row": i.row,
                "column": i.column or "",
                "value": i.value or "",
                "message": i.message,
            }
            for i in issues
        ],
        schema={
            "file": pl.String,
            "row": pl.Int64,
            "column": pl.String,
            "value": pl.String,
            "message": pl.String,
        },
    )


def _is_year(column: str) -> bool:
    """A year (``year``, ``birth_year``): written as it is, never "2 025"."""
    return column == "year" or column.endswith("_year")


def preview_table(head: pl.DataFrame, kind: str | None = None) -> pl.DataFrame:
    """Normalised preview rows: dates as ISO text, numbers as Swedish text (``2970.4`` ->
    ``2 970,4``, padded to line up), codes as Swedish words (``fixed_term`` -> ``Visstid``),
    columns under the kind's Swedish labels."""
    out = head.with_columns(
        [pl.col(c).map_elements(fmt_date, return_dtype=pl.String) for c, t in head.schema.items() if t == pl.Date()]
        + [pl.Series(c, padded_texts([fmt_stored(v) for v in head[c].to_list()])) for c, t in head.schema.items() if t.is_numeric() and not _is_year(c)]
        + [pl.col(c).cast(pl.String) for c, t in head.schema.items() if t.is_numeric() and _is_year(c)]
        + [pl.col(c).replace(CODE_LABELS[c]) for c, t in head.schema.items() if c in CODE_LABELS and t == pl.String()]
    )  # fmt: skip
    if kind in KINDS:
        labels = {c.name: c.label_sv for c in KINDS[kind].columns if c.name in out.columns}
        out = out.rename(labels)
    return out


#: Column headings of the incomplete-snapshot table (``incomplete_table``).
SNAPSHOT_LABELS: dict[str, str] = {
    "Datum": "Datum",
    "Personer": "Personer",
    "Enheter": "Enheter",
    "Jämförd med": "Jämförd med",
    "Status": "Status",
}


def incomplete_table(snapshots: pl.DataFrame) -> pl.DataFrame:
    """``query.incomplete_snapshots`` as a Swedish table: date, people and units against the
    snapshot compared with, and whether the key figures use it."""
    rows = []
    for row in snapshots.iter_rows(named=True):
        who = auth.author_label(row["confirmed_by"])  # a demo role, not a person: its name
        status = (
            f"Bekräftad av {who} ({row['confirmed_at']}); används i nyckeltalen"
            if row["confirmed"]
            else "Används inte i nyckeltalen förrän den är komplett eller bekräftad"
        )
        rows.append(
            {
                "Datum": fmt_date(row["snapshot_date"]),
                "Personer": fmt_number(row["people"]),
                "Enheter": fmt_number(row["units"]),
                "Jämförd med": (
                    f"{fmt_date(row['compared_date'])}: {fmt_number(row['compared_people'])} "
                    f"personer i {fmt_number(row['compared_units'])} enheter"
                ),
                "Status": status,
            }
        )
    return pl.DataFrame(rows, schema={c: pl.String for c in SNAPSHOT_LABELS})


def unconfirmed_dates(snapshots: pl.DataFrame) -> list[dt.date]:
    """The dates of ``query.incomplete_snapshots`` that HR has not confirmed, newest first."""
    return snapshots.filter(~pl.col("confirmed"))["snapshot_date"].to_list()


def may_confirm_snapshots(viewer: object) -> bool:
    """Only HR confirms an incomplete snapshot (the button is shown to HR only)."""
    return getattr(viewer, "role", None) == auth.HR


def confirm_snapshot(
    conn: duckdb.DuckDBPyConnection,
    viewer: object,
    snapshot_date: dt.date,
    progress: Progress | None = None,
) -> str:
    """HR confirms an incomplete snapshot: stored, audited, key figures recomputed.

    ``conn`` is a writing connection. Returns the Swedish confirmation; ``PermissionError``
    for any role but HR, ``ValueError`` (Swedish) when there is nothing to confirm.
    ``progress`` hears the recompute's steps.
    """
    if not may_confirm_snapshots(viewer):
        raise PermissionError("bara HR kan bekräfta en ofullständig ögonblicksbild")
    user = audit_user(viewer)
    row = snapshot_check.confirm(conn, snapshot_date, user)
    audit.log_event(
        conn,
        user,
        audit.SNAPSHOT_CONFIRMED,
        target=snapshot_date.isoformat(),
        details={
            "personer": row["people"],
            "enheter": row["units"],
            "jämförd_med": str(row["compared_date"]),
            "personer_före": row["compared_people"],
            "enheter_före": row["compared_units"],
        },
        role=getattr(viewer, "role", None),
    )
    warning = writer.notify_data_change(conn, "staff", progress)
    text = f"Ögonblicksbilden {fmt_date(snapshot_date)} är bekräftad och används nu i nyckeltalen."
    return f"{text} {warning}" if warning else text

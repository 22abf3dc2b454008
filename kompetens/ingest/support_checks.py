"""The support register's own checks, as Polars expressions the validator evaluates.

Three things set the support kinds apart from the other kinds of the contract:

- values from a list that lives in the database (a request's topic and support
  function, ``core.support_register``; an effort's request id): matched ignoring case,
  accents and spaces, stored as the list spells them, anything else refused with the
  nearest valid value;
- free text (``contract.FREE_TEXT_COLUMNS``): a personnummer is removed before
  storage and an e-mail address is warned about (``ingest.free_text``);
- an effort's dates and feedback: the end not before the start, feedback 1–5 and only
  for a finished effort;
- a request's common themes (``themes``): labels or ids of the shared theme list
  (``core.themes``), separated by ``;``, stored as the ids.

Grain: one expression per column; Python runs once per distinct value.
"""

from __future__ import annotations

import polars as pl

from kompetens.core import themes
from kompetens.core.contract import Column, fold
from kompetens.core.support_register import LISTS_PLACE
from kompetens.ingest import catalogue, free_text
from kompetens.ingest.reading import ROW

LIST_NAMES: dict[str, str] = {
    "topic": "ämnen",
    "support_function": "stödfunktioner",
}


def _mapped(raw: pl.Expr, table: dict[str, str | None]) -> pl.Expr:
    return raw.replace_strict(
        pl.Series(list(table), dtype=pl.String),
        pl.Series(list(table.values()), dtype=pl.String),
        default=None,
        return_dtype=pl.String,
    )


def listed_column(
    column: Column, raw: pl.Expr, uniques: list[str], valid: list[str]
) -> tuple[pl.Expr, pl.Expr | None]:
    """``(value as the list spells it, Swedish error or null)`` for a column checked against a list."""
    by_key = {fold(v): v for v in valid}
    canonical: dict[str, str | None] = {}
    errors: dict[str, str | None] = {}
    for value in uniques:
        found = by_key.get(fold(value))
        canonical[value] = found
        if found is not None:
            continue
        if column.name == "request_id":
            errors[value] = (
                "ärendet finns inte bland stödärendena i databasen; importera stödärendena "
                "först, eller lämna ärende-id tomt för en insats utan ärende (proaktiv)"
            )
            continue
        near = catalogue.nearest(value, valid)
        listed = LIST_NAMES.get(column.name, column.label_sv.lower())
        errors[value] = (
            f"okänt värde: finns inte i listan över {listed} (en administratör lägger till värden "
            f"under {LISTS_PLACE})"
            + (f"; närmast giltiga är '{near}'" if near else f"; giltiga är {', '.join(valid)}")
        )
    value = _mapped(raw, canonical) if canonical else raw
    error = _mapped(raw, errors) if any(errors.values()) else None
    return value, error


def themes_column(
    raw: pl.Expr, uniques: list[str], lookup: dict[str, int]
) -> tuple[pl.Expr, pl.Expr | None]:
    """``(theme ids as stored, Swedish error or null)`` for a ``;``-separated list of themes.

    ``lookup``: ``core.themes.lookup`` (label or id -> id); labels match ignoring case and accents. Every part must name an
    active theme; the stored value is the ids ascending (``'2;5'``), null when empty.
    """
    by_key = {(k if k.isdigit() else fold(k)): v for k, v in lookup.items()}
    names = [k for k in lookup if not k.isdigit()]
    stored: dict[str, str | None] = {}
    errors: dict[str, str | None] = {}
    for value in uniques:
        parts = [p.strip() for p in value.split(themes.SEPARATOR) if p.strip()]
        keys = [p if p.isdigit() else fold(p) for p in parts]
        unknown = [p for p, k in zip(parts, keys, strict=True) if k not in by_key]
        if unknown:
            near = None if unknown[0].isdigit() else catalogue.nearest(unknown[0], names)
            errors[value] = (
                f"okänt tema '{unknown[0]}': finns inte i listan över teman (Verksamhetsdialog › Teman)"
                + (f"; närmast giltiga är '{near}'" if near else "")
                + "; skriv temans namn eller nummer åtskilda med semikolon"
            )
            continue
        stored[value] = themes.ids_text(by_key[k] for k in keys) or None
    value = _mapped(raw, stored) if stored else pl.lit(None, dtype=pl.String)
    error = _mapped(raw, errors) if errors else None
    return value, error


def free_text_column(raw: pl.Expr, uniques: list[str]) -> tuple[pl.Expr, set[str], set[str]]:
    """``(text to store, raw values a personnummer was removed from, raw values with an e-mail)``."""
    stored: dict[str, str | None] = {}
    removed: set[str] = set()
    emails: set[str] = set()
    for value in uniques:
        text, had_pnr, had_email = free_text.check(value)
        if had_pnr:
            removed.add(value)
            stored[value] = text
        if had_email:
            emails.add(value)
    if not stored:
        return raw, removed, emails
    return (
        pl.when(raw.is_in(pl.Series(list(stored), dtype=pl.String).implode()))
        .then(_mapped(raw, stored))
        .otherwise(raw),
        removed,
        emails,
    )


def _rows(work: pl.DataFrame, raw_name: str, values: set[str]) -> str:
    rows = work.filter(pl.col(raw_name).is_in(list(values)))[ROW].sort().to_list()
    shown = ", ".join(str(r) for r in rows[:5])
    return f"rad {shown}" + (" m.fl." if len(rows) > 5 else "")


def free_text_warnings(
    work: pl.DataFrame, raw_name: str, header: str, removed: set[str], emails: set[str]
) -> list[str]:
    """The Swedish warnings for one free-text column (row numbers as the file shows them)."""
    out = []
    if removed:
        out.append(
            f"Kolumnen '{header}' innehöll något som liknar ett personnummer ({_rows(work, raw_name, removed)}); "
            f"det har tagits bort före lagring och ersatts med {free_text.REMOVED}."
        )
    if emails:
        out.append(
            f"Kolumnen '{header}' innehåller något som liknar en e-postadress ({_rows(work, raw_name, emails)}). "
            "Skriv inte personuppgifter i fritext; en funktionsbrevlåda går bra."
        )
    return out


def effort_rules(raw_start: pl.Expr) -> list[tuple[str, pl.Expr, str | pl.Expr]]:
    """``(column to report, condition that breaks the rule, message)`` for support efforts."""
    c = pl.col
    return [
        (
            "end_date",
            c("end_date") < c("start_date"),
            pl.format("slutdatumet är före startdatumet ({})", raw_start),
        ),
        (
            "feedback_score",
            (c("feedback_score") < 1) | (c("feedback_score") > 5),
            "återkopplingen ska vara en siffra från 1 (hjälpte inte) till 5 (hjälpte mycket)",
        ),
        (
            "feedback_score",
            c("feedback_score").is_not_null() & (c("status") != "done"),
            "återkoppling kan bara ges på en insats som är klar (status klar)",
        ),
    ]

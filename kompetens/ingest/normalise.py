"""Header aliases, kind detection and value parsing, as Polars expressions.

Every parser takes the raw ``String`` column (trimmed, empty -> null) and
returns ``(value_expr, error_expr)``: the typed value and a Swedish message
where the raw value could not be read (null where it could). Nothing loops
over rows in Python; code and bool columns are mapped per *unique* value.

FTE rule (``fte`` columns): a ``%`` sign means a percentage (``75 %`` ->
0.75); without one, a value ≤ 1 is a fraction (``0,75``) and a value ≥ 2 a
percentage (``75`` -> 0.75). A value strictly between 1 and 2 (``1,5``) is
neither a plausible fraction nor a plausible percentage and is an error, as
is anything that does not end up with 0 < fte ≤ 1.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import polars as pl

from kompetens.core.contract import BOOL_FALSE, BOOL_TRUE, KINDS, NAME_HEADERS, Column, Kind, fold
from kompetens.ingest.pseudonym import mask_in_text

NAME_KEYS: frozenset[str] = frozenset(fold(h) for h in NAME_HEADERS)

FTE_RANGE_MESSAGE = "sysselsättningsgraden måste vara större än 0 och högst 1 (100 %)"


class KindNotDetected(ValueError):
    """The file's headers do not identify one kind of the contract (message in Swedish)."""


def header_lookup(kind: Kind) -> dict[str, str]:
    """Folded header spelling -> canonical column, including the Swedish label (templates)."""
    lookup: dict[str, str] = {}
    for col in kind.columns:
        for key in (*col.header_keys(), fold(col.label_sv)):
            lookup[key] = col.name
    return lookup


@dataclass
class HeaderMap:
    """How a file's headers map onto a kind's canonical columns."""

    mapping: dict[str, str] = field(default_factory=dict)  # file header -> canonical
    name_columns: list[str] = field(default_factory=list)  # dropped: people's names
    extra: list[str] = field(default_factory=list)  # ignored: not in the contract
    missing: list[str] = field(default_factory=list)  # required canonical columns absent
    duplicated: dict[str, list[str]] = field(default_factory=dict)  # canonical -> file headers
    ignored_ids: list[str] = field(default_factory=list)  # other id columns beside a personnummer

    @property
    def display(self) -> dict[str, str]:
        """Canonical column -> the header as the user wrote it."""
        return {canonical: header for header, canonical in self.mapping.items()}


#: Required columns a file may leave out because they are read from another column:
#: (kind, column) -> the column they come from. A staff file without a birth-year
#: column takes the birth year from each personnummer.
DERIVED: dict[tuple[str, str], str] = {("staff", "birth_year"): "employee_id"}


def _is_identity_header(header: str) -> bool:
    from kompetens.ingest.identity import is_identity_header

    return is_identity_header(header)


def map_headers(headers: list[str], kind: Kind, keys: list[str] | None = None) -> HeaderMap:
    """Map a file's headers onto ``kind``; see ``HeaderMap``.

    When both a personnummer column and another id column (``Anst.nr``) map to
    ``employee_id``, the personnummer column is used and the other one ignored
    (it is listed in ``ignored_ids``): the personnummer is stable across systems
    and carries the birth year.
    """
    lookup = header_lookup(kind)
    result = HeaderMap()
    seen: dict[str, list[str]] = {}
    # The header search maps one row onto every kind: it folds the row once and passes ``keys``.
    for header, key in zip(headers, keys or [fold(h) for h in headers], strict=True):
        if key in lookup:
            seen.setdefault(lookup[key], []).append(header)
        elif key in NAME_KEYS:
            result.name_columns.append(header)
        else:
            result.extra.append(header)
    ids = seen.get("employee_id", [])
    if len(ids) > 1:
        personal = [h for h in ids if _is_identity_header(h)]
        if len(personal) == 1:
            seen["employee_id"] = personal
            result.ignored_ids = [h for h in ids if h not in personal]
    for canonical, found in seen.items():
        result.mapping[found[0]] = canonical
        if len(found) > 1:
            result.duplicated[canonical] = found
    result.missing = [
        c
        for c in kind.required_columns
        if c not in seen and DERIVED.get((kind.name, c)) not in seen
    ]
    return result


def birth_year_derived(kind: Kind, hm: HeaderMap) -> bool:
    """True when the file has no birth-year column and the birth year comes from the personnummer."""
    source = DERIVED.get((kind.name, "birth_year"))
    return source is not None and "birth_year" not in hm.display and source in hm.display


def kind_scores(headers: list[str]) -> list[tuple[int, int, str, list[str]]]:
    """Per kind: (headers matched, required columns missing, kind, the missing columns), best first.

    Best = most headers matched; among equals, fewest missing. A file whose columns
    match staff better than events is staff, even if staff then lacks a column:
    the report names what staff lacks instead of guessing a kind that fits worse.
    """
    scores = []
    for name, kind in KINDS.items():
        hm = map_headers(headers, kind)
        scores.append((len(hm.mapping), len(hm.missing), name, hm.missing))
    scores.sort(key=lambda s: (-s[0], s[1]))
    return scores


def detect_kind(headers: list[str]) -> str:
    """The kind matching most headers (see ``kind_scores``), if it has every required column.

    Raises ``KindNotDetected`` (Swedish message) if no kind fits, the best match lacks
    required columns, or two complete kinds fit equally well.
    """
    scores = kind_scores(headers)
    best_matched, best_missing, best, missing = scores[0]
    complete = [s for s in scores if s[0] == best_matched and s[1] == 0]
    if best_matched and best_missing == 0:
        if len(complete) > 1:
            a, b = KINDS[complete[0][2]], KINDS[complete[1][2]]
            raise KindNotDetected(
                f"Det går inte att avgöra vilken sorts fil det är: kolumnerna passar lika bra för "
                f"'{a.label_sv}' ({a.name}) och '{b.label_sv}' ({b.name}). "
                "Ange filtypen uttryckligen."
            )
        return best
    found = mask_in_text(", ".join(h for h in headers if h)) or "(inga)"
    hint = ""
    if best_matched:
        kind = KINDS[best]
        labels = ", ".join(f"{c} ({kind.column(c).label_sv})" for c in missing)
        hint = f" Närmast är '{kind.label_sv}' ({kind.name}), men där saknas: {labels}."
    raise KindNotDetected(
        f"Kolumnerna känns inte igen som någon av filtyperna i datakontraktet. Kolumner i filen: {found}.{hint}"
    )


# ---------------------------------------------------------------------------
# value parsers: raw String expression -> (typed value, Swedish error or null)

_SPACES = r"[\s\u00a0\u202f]"
_NUMBER_RE = r"^[+-]?(\d+(\.\d*)?|\.\d+)$"


def _clean_number(raw: pl.Expr) -> pl.Expr:
    """``"1 234,5"`` -> ``"1234.5"``: drop (no-break) spaces, decimal comma to point, unicode minus."""
    return (
        raw.str.replace_all(_SPACES, "")
        .str.replace_all("\u2212", "-")
        .str.replace(",", ".", literal=True)
    )


def parse_number(raw: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
    clean = _clean_number(raw)
    ok = clean.str.contains(_NUMBER_RE)
    value = pl.when(ok).then(clean.cast(pl.Float64, strict=False))
    error = pl.when(raw.is_not_null() & ~ok.fill_null(False)).then(pl.lit("värdet är inte ett tal"))
    return value, error


def parse_int(raw: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
    clean = _clean_number(raw)
    # "1980.0" is how Excel and Parquet floats print a whole number.
    ok = clean.str.contains(r"^[+-]?\d+(\.0*)?$")
    value = pl.when(ok).then(clean.str.replace(r"\.0*$", "").cast(pl.Int64, strict=False))
    error = pl.when(raw.is_not_null() & ~ok.fill_null(False)).then(
        pl.lit("värdet är inte ett heltal")
    )
    return value, error


def parse_fte(raw: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
    clean = _clean_number(raw)
    percent = clean.str.ends_with("%")
    digits = clean.str.strip_suffix("%")
    ok = digits.str.contains(_NUMBER_RE)
    number = pl.when(ok).then(digits.cast(pl.Float64, strict=False))
    ambiguous = ~percent & (number > 1) & (number < 2)
    value = (
        pl.when(percent)
        .then(number / 100)
        .when(number <= 1)
        .then(number)
        .when(number >= 2)
        .then(number / 100)
    )
    error = (
        pl.when(raw.is_null())
        .then(pl.lit(None, dtype=pl.String))
        .when(~ok.fill_null(False))
        .then(pl.lit("värdet är inte ett tal (ange sysselsättningsgraden som 0,75, 75 eller 75 %)"))
        .when(ambiguous.fill_null(False))
        .then(
            pl.lit(
                FTE_RANGE_MESSAGE
                + "; värdet är varken en andel (0–1) eller en procentsats (2–100 %)"
            )
        )
        .when(((value <= 0) | (value > 1)).fill_null(False))
        .then(pl.lit(FTE_RANGE_MESSAGE))
    )
    return value, error


def parse_target(raw: pl.Expr, is_share: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
    """A target value; for a share indicator ``80``, ``80 %`` and ``0,8`` all mean 80 % (0.8).

    For a share: a ``%`` sign or a value above 1 is a percentage; the result must
    lie in 0–1. Other indicators (days, counts, scores) take the number as written.
    """
    clean = _clean_number(raw)
    percent = clean.str.ends_with("%")
    digits = clean.str.strip_suffix("%")
    ok = digits.str.contains(_NUMBER_RE)
    number = pl.when(ok).then(digits.cast(pl.Float64, strict=False))
    as_share = is_share & (percent | (number > 1))
    value = pl.when(as_share).then(number / 100).otherwise(number)
    error = (
        pl.when(raw.is_null())
        .then(pl.lit(None, dtype=pl.String))
        .when(~ok.fill_null(False))
        .then(pl.lit("värdet är inte ett tal (för en andel: 0,8, 80 eller 80 %)"))
        .when((~is_share & percent).fill_null(False))
        .then(pl.lit("indikatorn är ingen andel: ange målvärdet utan procenttecken"))
        .when((is_share & ((value < 0) | (value > 1))).fill_null(False))
        .then(pl.lit("målvärdet för en andel måste ligga mellan 0 och 100 %"))
    )
    return value, error


_DATE_MESSAGE = "ogiltigt datum; ange ÅÅÅÅ-MM-DD (eller ÅÅÅÅMMDD, D/M/ÅÅÅÅ)"


def _date_value(raw: pl.Expr) -> pl.Expr:
    # Excel and Parquet print dates as "2025-01-31 00:00:00[.000000]".
    clean = raw.str.replace(r"^(\d{4}-\d{1,2}-\d{1,2})[ T]00:00(:00(\.0+)?)?$", "$1")
    return (
        pl.when(clean.str.contains(r"^\d{4}-\d{1,2}-\d{1,2}$"))
        .then(clean.str.to_date("%Y-%m-%d", strict=False))
        .when(clean.str.contains(r"^\d{8}$"))
        .then(clean.str.to_date("%Y%m%d", strict=False))
        .when(clean.str.contains(r"^\d{1,2}/\d{1,2}/\d{4}$"))
        .then(clean.str.to_date("%d/%m/%Y", strict=False))
    )


#: No date in an HR file lies before this; Excel's day zero (1899-12-30) is an empty cell.
#: Holds for every date-like column: dates, months and terms (``parse_date``, ``parse_month``,
#: ``parse_term``).
EARLIEST_DATE = dt.date(1900, 1, 1)
EARLY_DATE_MESSAGE = (
    "datumet ligger före år 1900; 1899-12-30 är Excels dag noll och betyder oftast en tom "
    "eller felformaterad cell"
)


def parse_date(raw: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
    value = _date_value(raw)
    error = (
        pl.when(raw.is_not_null() & value.is_null())
        .then(pl.lit(_DATE_MESSAGE))
        .when(value < EARLIEST_DATE)
        .then(pl.lit(EARLY_DATE_MESSAGE))
    )
    return pl.when(value >= EARLIEST_DATE).then(value), error


def parse_month(raw: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
    clean = raw.str.replace_all(_SPACES, "")
    value = (
        pl.when(clean.str.contains(r"^\d{4}-\d{1,2}$"))
        .then((clean + "-01").str.to_date("%Y-%m-%d", strict=False))
        .when(clean.str.contains(r"^\d{6}$"))
        .then((clean + "01").str.to_date("%Y%m%d", strict=False))
        # Excel turns "2025-01" into a date; accept a date and keep its month.
        .otherwise(_date_value(clean).dt.month_start())
    )
    error = (
        pl.when(raw.is_not_null() & value.is_null())
        .then(pl.lit("ogiltig månad; ange ÅÅÅÅ-MM"))
        .when(value < EARLIEST_DATE)
        .then(pl.lit(EARLY_DATE_MESSAGE))
    )
    return pl.when(value >= EARLIEST_DATE).then(value), error


def parse_term(raw: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
    clean = raw.str.replace_all(_SPACES, "").str.to_uppercase()
    year = clean.str.extract(r"^[HV]T(\d{4})$", 1)
    value = (
        pl.when(clean.str.starts_with("HT") & year.is_not_null())
        .then(pl.date(year.cast(pl.Int32, strict=False), 8, 1))
        .when(clean.str.starts_with("VT") & year.is_not_null())
        .then(pl.date(year.cast(pl.Int32, strict=False), 1, 1))
        .otherwise(_date_value(raw))
    )
    error = (
        pl.when(raw.is_not_null() & value.is_null())
        .then(
            pl.lit(
                "ogiltig period; ange ett datum (ÅÅÅÅ-MM-DD) eller en termin som HT2025 eller VT2026"
            )
        )
        .when(value < EARLIEST_DATE)
        .then(pl.lit(EARLY_DATE_MESSAGE))
    )
    return pl.when(value >= EARLIEST_DATE).then(value), error


def _allowed_codes(col: Column) -> str:
    parts = []
    for canonical, aliases in (col.codes or {}).items():
        parts.append(f"{canonical} ({aliases[0]})" if aliases else canonical)
    return ", ".join(parts)


def parse_code(raw: pl.Expr, col: Column, uniques: list[str]) -> tuple[pl.Expr, pl.Expr]:
    lookup = col.code_lookup()
    mapping = {u: lookup[fold(u)] for u in uniques if fold(u) in lookup}
    value = raw.replace_strict(mapping, default=None, return_dtype=pl.String)
    error = pl.when(raw.is_not_null() & value.is_null()).then(
        pl.lit(f"okänt värde; tillåtna värden är {_allowed_codes(col)}")
    )
    return value, error


_TRUE = frozenset(fold(v) for v in BOOL_TRUE)
_FALSE = frozenset(fold(v) for v in BOOL_FALSE)


def x_blank_column(uniques: list[str]) -> bool:
    """An "X/blank" column: X is the only value used, so a blank cell means no."""
    return bool(uniques) and {fold(u) for u in uniques} == {"x"}


def parse_bool(raw: pl.Expr, uniques: list[str]) -> tuple[pl.Expr, pl.Expr]:
    mapping: dict[str, bool] = {}
    for u in uniques:
        key = fold(u)
        if key in _TRUE:
            mapping[u] = True
        elif key in _FALSE:
            mapping[u] = False
    value = raw.replace_strict(mapping, default=None, return_dtype=pl.Boolean)
    if x_blank_column(uniques):
        value = value.fill_null(False)
    error = pl.when(raw.is_not_null() & value.is_null()).then(
        pl.lit("ogiltigt ja/nej-värde; ange Ja eller Nej (även 1/0, X)")
    )
    return value, error


def parse_column(
    col: Column, raw: pl.Expr, uniques: list[str] | None = None
) -> tuple[pl.Expr, pl.Expr | None]:
    """The typed value and parse error of one canonical column (no range rules here)."""
    if col.type == "text":
        return raw, None
    if col.type == "code":
        return parse_code(raw, col, uniques or [])
    if col.type == "bool":
        return parse_bool(raw, uniques or [])
    if col.type == "date":
        return parse_date(raw)
    if col.type == "month":
        return parse_month(raw)
    if col.type == "term":
        return parse_term(raw)
    if col.type == "number":
        return parse_number(raw)
    if col.type == "int":
        return parse_int(raw)
    if col.type == "fte":
        return parse_fte(raw)
    raise ValueError(f"unknown column type {col.type}")

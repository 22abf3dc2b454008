"""Validation of a raw file against one kind of the contract, vectorised in Polars.

Input grain: one row per data row of the file (strings). Output: the valid
rows, normalised to the kind's canonical typed columns (personnummer already
pseudonymised), and one ``ValidationIssue`` per broken rule and row.
Every rule is a Polars expression evaluated over the whole frame; Python
only runs per *unique* value (code lookups, personnummer HMAC) and per
reported issue.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import polars as pl

from kompetens.core import store
from kompetens.core.contract import FREE_TEXT_COLUMNS, Kind, fold
from kompetens.ingest import allocation_checks, catalogue, identity, pseudonym, support_checks
from kompetens.ingest.errors import ImportRejected, ValidationIssue
from kompetens.ingest.normalise import (
    NAME_KEYS,
    birth_year_derived,
    map_headers,
    parse_column,
    parse_target,
    x_blank_column,
)
from kompetens.ingest.reading import ROW, RawFile

RAW = "__raw"  # suffix of the raw-string copy of a column kept for reporting

#: Dates that describe something that has happened; a future one is a typo.
#: (Unit validity and placement periods may legitimately lie ahead.)
FUTURE_CHECKED: frozenset[str] = frozenset(
    {
        "snapshot_date",
        "hire_date",
        "event_date",
        "activity_date",
        "published_date",
        "closed_date",
        "survey_date",
        "month",
        "request_date",
    }
)

#: Counts and hours that cannot be negative.
NON_NEGATIVE: frozenset[str] = frozenset(
    {
        "applicants",
        "qualified_applicants",
        "students",
        "hired_later",
        "respondents",
        "invited",
        "hours",
        "sick_hours",
        "long_sick_hours",
    }
)

UNIT_REFERENCES: tuple[str, ...] = ("unit_id", "to_unit_id")

MIN_BIRTH_YEAR = 1940
MIN_AGE = 15


@dataclass
class Validated:
    """A validated file: the rows to write and what was wrong with the others."""

    kind: Kind
    valid: pl.DataFrame  # canonical typed columns (store.polars_schema), valid rows only
    issues: list[ValidationIssue]
    warnings: list[str]
    rows_in: int
    display: dict[str, str]  # canonical column -> header as written in the file
    rejected_rows: pl.DataFrame | None = None  # raw rows with 'rad' and 'fel', safe to write
    bad_row_count: int = 0
    collapsed: int = 0


@dataclass(frozen=True)
class Rule:
    """A broken-rule test: ``condition`` is true on rows that break it; ``message`` says how.

    Conditions are cheap booleans evaluated on every row; messages are only
    built for the (few) rows that break a rule.
    """

    condition: pl.Expr
    message: pl.Expr

    @classmethod
    def from_error(cls, error: pl.Expr) -> Rule:
        """From an expression that is a message where the value is wrong and null elsewhere."""
        return cls(error.is_not_null(), error)


def _rule(condition: pl.Expr, message: str | pl.Expr) -> Rule:
    msg = pl.lit(message) if isinstance(message, str) else message
    return Rule(condition.fill_null(False), msg)


def _raw(col: str) -> pl.Expr:
    return pl.col(col + RAW)


def _kind_rules(kind: Kind, today: dt.date) -> list[tuple[str, Rule]]:
    """(column to report, error expression) for the kind's range and cross-field rules."""
    c = pl.col
    cols = set(kind.column_names)
    rules: list[tuple[str, Rule]] = []
    for name in sorted(NON_NEGATIVE & cols):
        rules.append((name, _rule(c(name) < 0, "värdet får inte vara negativt")))
    for name in sorted(FUTURE_CHECKED & cols):
        rules.append(
            (
                name,
                _rule(
                    c(name) > today,
                    f"datumet ligger i framtiden (efter dagens datum {today.isoformat()})",
                ),
            )
        )
    name = kind.name
    if name == "units":
        rules += [
            (
                "school_unit_code",
                _rule(
                    ~c("school_unit_code").str.contains(r"^\d{8}$"),
                    "skolenhetskoden ska bestå av exakt 8 siffror",
                ),
            ),
            (
                "valid_to",
                _rule(
                    c("valid_to") < c("valid_from"),
                    pl.format("giltig till och med är före giltig från ({})", _raw("valid_from")),
                ),
            ),
        ]
    elif name == "staff":
        max_year = today.year - MIN_AGE
        rules += [
            (
                "hire_date",
                _rule(
                    c("hire_date") > c("snapshot_date"),
                    pl.format(
                        "anställningsdatumet är senare än mätdatumet ({})", _raw("snapshot_date")
                    ),
                ),
            ),
            (
                "snapshot_date",
                _rule(
                    c("snapshot_date").dt.year() < c("birth_year") + MIN_AGE,
                    pl.format(
                        "mätdatumet ligger före personens 15-årsår (födelseår {}); kontrollera mätdatum och födelseår",
                        c("birth_year"),
                    ),
                ),
            ),
            (
                "birth_year",
                _rule(
                    (c("birth_year") < MIN_BIRTH_YEAR) | (c("birth_year") > max_year),
                    f"födelseåret måste ligga mellan {MIN_BIRTH_YEAR} och {max_year}",
                ),
            ),
        ]
    elif name == "events":
        rules += [
            (
                "to_unit_id",
                _rule(
                    (c("event_type") == "internal_move") & c("to_unit_id").is_null(),
                    "till-enhet (to_unit_id) måste anges för en intern flytt",
                ),
            ),
            (
                "reason",
                _rule(
                    c("reason").is_not_null() & (c("event_type") != "exit"),
                    pl.format(
                        "orsak får bara anges för en avgång (exit), inte för händelsen '{}'",
                        _raw("event_type"),
                    ),
                ),
            ),
        ]
    elif name == "recruitments":
        rules += [
            (
                "qualified_applicants",
                _rule(
                    c("qualified_applicants") > c("applicants"),
                    pl.format(
                        "behöriga sökande kan inte vara fler än sökande ({})", _raw("applicants")
                    ),
                ),
            ),
            (
                "closed_date",
                _rule(
                    c("closed_date") < c("published_date"),
                    pl.format(
                        "avslutsdatumet är före publiceringsdatumet ({})", _raw("published_date")
                    ),
                ),
            ),
        ]
    elif name == "placements":
        rules.append(
            (
                "hired_later",
                _rule(
                    c("hired_later") > c("students"),
                    pl.format("fler anställda senare än antal studenter ({})", _raw("students")),
                ),
            )
        )
    elif name == "survey":
        rules += [
            ("scale_max", _rule(c("scale_max") <= 0, "skalmax måste vara större än 0")),
            (
                "score",
                _rule(
                    (c("score") < 0) | (c("score") > c("scale_max")),
                    pl.format(
                        "resultatet måste ligga mellan 0 och skalmax ({})", _raw("scale_max")
                    ),
                ),
            ),
            (
                "respondents",
                _rule(
                    c("respondents") > c("invited"),
                    pl.format("fler svarande än inbjudna ({})", _raw("invited")),
                ),
            ),
        ]
    elif name == "teaching_assignment":
        rules += [
            (
                "hours_per_week",
                _rule(
                    (c("hours_per_week") <= 0) | (c("hours_per_week") > 40),
                    "undervisningstimmarna per vecka måste vara större än 0 och högst 40",
                ),
            ),
            (
                "hours_per_week",
                _rule(
                    c("hours_per_week").is_null() & c("fte_share").is_null(),
                    "ange undervisningstimmar per vecka eller andel av heltid för uppdraget",
                ),
            ),
        ]
    elif name == "certification_path":
        rules.append(
            (
                "expected_completion",
                _rule(
                    c("expected_completion") < c("start_date"),
                    pl.format("beräknat klar är före startdatumet ({})", _raw("start_date")),
                ),
            )
        )
    elif name == "sick_leave":
        rules += [
            (
                "scheduled_hours",
                _rule(c("scheduled_hours") <= 0, "schemalagd tid måste vara större än 0"),
            ),
            (
                "sick_hours",
                _rule(
                    c("sick_hours") > c("scheduled_hours"),
                    pl.format(
                        "sjukfrånvaron är större än den schemalagda tiden ({})",
                        _raw("scheduled_hours"),
                    ),
                ),
            ),
            (
                "long_sick_hours",
                _rule(
                    c("long_sick_hours") > c("sick_hours"),
                    pl.format(
                        "långtidssjukfrånvaron är större än sjukfrånvaron ({})", _raw("sick_hours")
                    ),
                ),
            ),
        ]
    elif name == "support_effort":
        rules += [
            (column, _rule(condition, message))
            for column, condition, message in support_checks.effort_rules(_raw("start_date"))
        ]
    rules += [
        (column, _rule(cond, message)) for column, cond, message in allocation_checks.rules(name)
    ]
    return rules


#: Beyond this many ignored columns the warnings are summed up in one line (a 100,000-column
#: header must not write 100,000 warnings into the import log).
LISTED_COLUMNS = 5


def _ignored_column_warnings(raw: RawFile, kind: Kind, hm, display: dict[str, str]) -> list[str]:
    """Warnings for columns outside the contract and for filled columns without a header."""
    unnamed_filled: list[int] = []
    extra: list[str] = []
    for header in hm.extra:
        unnamed = (
            not header.strip()
            or header.startswith("__UNNAMED__")
            or re.fullmatch(r"_duplicated_\d+", header)
        )
        if unnamed:
            # Excel's trailing separators make empty, header-less columns: ignore them quietly.
            if raw.frame.get_column(header).null_count() < raw.frame.height:
                unnamed_filled.append(raw.headers.index(header) + 1)
            continue
        extra.append(header)
    label = kind.label_sv.lower()
    warnings = []
    if len(extra) <= LISTED_COLUMNS:
        warnings += [
            f"Kolumnen '{pseudonym.mask_in_text(h)}' ingår inte i datakontraktet för {label} och har ignorerats."
            for h in extra
        ]
    else:
        shown = ", ".join(f"'{pseudonym.mask_in_text(h[:40])}'" for h in extra[:LISTED_COLUMNS])
        warnings.append(
            f"{len(extra)} kolumner ingår inte i datakontraktet för {label} och har ignorerats: "
            f"{shown} och {len(extra) - LISTED_COLUMNS} till."
        )
    if len(unnamed_filled) <= LISTED_COLUMNS:
        warnings += [f"Kolumn {p} saknar rubrik och har ignorerats." for p in unnamed_filled]
    else:
        shown = ", ".join(str(p) for p in unnamed_filled[:LISTED_COLUMNS])
        warnings.append(
            f"{len(unnamed_filled)} kolumner saknar rubrik och har ignorerats (kolumn {shown} "
            f"och {len(unnamed_filled) - LISTED_COLUMNS} till)."
        )
    for header in hm.ignored_ids:
        warnings.append(
            f"Kolumnen '{pseudonym.mask_in_text(header)}' har ignorerats: personnumret i kolumnen "
            f"'{display['employee_id']}' används som id."
        )
    return warnings


def _early_hire_warning(work: pl.DataFrame) -> list[str]:
    """A warning (not an error) for hire dates before the person turned 15: usually a typo."""
    early = work.filter(
        (pl.col("hire_date").dt.year() < pl.col("birth_year") + MIN_AGE).fill_null(False)
    )
    if early.height == 0:
        return []
    rows = ", ".join(str(r) for r in early[ROW].head(5).to_list())
    more = " m.fl." if early.height > 5 else ""
    return [
        f"{early.height} rad(er) har ett anställningsdatum före personens 15-årsår (rad {rows}{more}); "
        "kontrollera anställningsdatum och födelseår."
    ]


def _duplicate_report_column(kind: Kind) -> str:
    for name in kind.key:
        if kind.column(name).type == "text" and name != "unit_id":
            return name
    return kind.key[0]


def known_areas(conn) -> list[str] | None:
    """Area names of the live units (None without a connection)."""
    if conn is None:
        return None
    return [r[0] for r in store.rows(conn, "SELECT DISTINCT area FROM current_units")]


def known_unit_ids(conn) -> pl.Series | None:
    """Unit ids of the live units in the database (None without a connection)."""
    if conn is None:
        return None
    return store.frame(conn, "SELECT DISTINCT unit_id FROM current_units")["unit_id"].cast(
        pl.String
    )


def _whole_file_issues(file_name: str, kind: Kind, raw: RawFile, hm) -> list[ValidationIssue]:
    """Missing or repeated contract columns, named as the file spells its headers."""
    headers = [h for h in raw.as_read.columns if h != ROW]
    header_line = raw.header_line
    found = pseudonym.mask_in_text(", ".join(h for h in headers if h.strip())) or "(inga)"
    where = (
        "Kolumner i filen"
        if header_line == 1
        else f"Rad {header_line} liknar mest en rubrikrad; kolumner där"
    )
    issues = [
        ValidationIssue(
            file_name,
            None,
            None,
            None,
            f"den obligatoriska kolumnen '{name}' ({kind.column(name).label_sv}) saknas för {kind.label_sv.lower()} ({kind.name}). {where}: {found}",
        )
        for name in hm.missing
    ]
    for name, found_headers in hm.duplicated.items():
        listed = ", ".join(f"'{raw.file_header(h)}'" for h in found_headers)
        issues.append(
            ValidationIssue(
                file_name,
                None,
                None,
                None,
                f"kolumnen '{name}' finns flera gånger ({listed}); behåll en av dem",
            )
        )
    return issues


def _birth_year_from_identity(birth_years: dict[str, int], invalid: set[str]) -> pl.Expr:
    """Birth year read from each row's personnummer (staff files without a birth-year column)."""
    source = _raw("employee_id")
    if not birth_years:
        return pl.lit(None, dtype=pl.Int64).alias("birth_year")
    return source.replace_strict(
        pl.Series(list(birth_years), dtype=pl.String),
        pl.Series(list(birth_years.values()), dtype=pl.Int64),
        default=None,
        return_dtype=pl.Int64,
    ).alias("birth_year")


def _birth_year_missing(invalid: set[str]) -> Rule:
    """Without a birth-year column, a row whose id is no personnummer has no birth year."""
    known_bad = pl.Series(sorted(invalid), dtype=pl.String).implode()
    return _rule(
        _raw("employee_id").is_not_null()
        & pl.col("birth_year").is_null()
        & ~_raw("employee_id").is_in(known_bad),
        "födelseår saknas: filen har ingen kolumn för födelseår och id:t är inget personnummer "
        "att läsa det ur; lägg till kolumnen Födelseår eller använd personnummer",
    )


def _unknown_values_rule(column: str, uniques: list[str], valid: list[str] | None) -> Rule | None:
    """Values of a targets file's indicator or scope that name nothing known, with the nearest valid one."""
    if valid is None:
        return None
    known = set(valid)
    messages = {}
    for value in uniques:
        if value in known:
            continue
        near = catalogue.nearest(value, valid)
        if column == "indicator_id":
            text = "okänd indikator: id:t finns inte i indikatorkatalogen (docs/indicators.md)"
        else:
            text = "okänd omfattning: ange 'org', ett område eller ett enhets-id som finns i enhetsfilen"
        messages[value] = text + (f"; närmast giltiga är '{near}'" if near else "")
    if not messages:
        return None
    source = _raw(column)
    return _rule(
        source.is_in(pl.Series(list(messages), dtype=pl.String).implode()),
        source.replace_strict(
            pl.Series(list(messages), dtype=pl.String),
            pl.Series(list(messages.values()), dtype=pl.String),
            default=None,
            return_dtype=pl.String,
        ),
    )


def validate(
    raw: RawFile,
    file_name: str,
    kind: Kind,
    *,
    known_units: pl.Series | None,
    known_areas: list[str] | None = None,
    today: dt.date | None = None,
    pseudonym_key: bytes | None = None,
    collect_rejected: bool = False,
    allowed: dict[str, list[str]] | None = None,
    themes: dict[str, int] | None = None,
) -> Validated:
    """Check every rule of ``kind`` on ``raw``; raise ``ImportRejected`` for whole-file problems.

    ``allowed``: columns whose values must be on a list the database holds (the support
    register's topics, functions and request ids; ``core.support_register.allowed_values``).
    ``themes``: how a file may name a common theme (``core.themes.lookup``); without it a
    ``themes`` column is kept as written (a preview without a database).
    """
    today = today or dt.date.today()
    allowed = allowed or {}
    free_texts: list[tuple[str, set[str], set[str]]] = []
    hm = map_headers(raw.headers, kind)
    whole = _whole_file_issues(file_name, kind, raw, hm)
    if whole:
        raise ImportRejected(whole, file_name)

    warnings: list[str] = []
    for header in hm.name_columns:
        warnings.append(
            f"Kolumnen '{pseudonym.mask_in_text(header)}' innehåller namn och har tagits bort: namn lagras aldrig i Kompetens."
        )
    # Reports name each column as the file spells it, also after a profile renamed it.
    display = {
        col.name: raw.file_header(hm.display.get(col.name, col.name)) for col in kind.columns
    }
    warnings += _ignored_column_warnings(raw, kind, hm, display)
    if birth_year_derived(kind, hm):
        display["birth_year"] = f"{display['employee_id']} (födelseår ur personnumret)"

    frame = raw.frame.select(
        ROW,
        *[
            (
                pl.col(hm.display[col.name])
                if col.name in hm.display
                else pl.lit(None, dtype=pl.String)
            ).alias(col.name + RAW)
            for col in kind.columns
        ],
    )

    # Parse every column. Files repeat values (20 snapshot dates, a handful of FTE
    # spellings), so a column is parsed once per *unique* value and mapped back.
    parsed: list[pl.Expr] = []
    errors: list[tuple[str, Rule]] = []
    invalid_pnr: set[str] = set()
    pnr_map: dict[str, str] = {}
    birth_years: dict[str, int] = {}
    derived_birth_year = birth_year_derived(kind, hm)
    indicators: list[str] | None = None
    scopes: list[str] | None = None
    share_ids: list[str] = []
    if kind.name == "targets":
        units_by_id = catalogue.indicator_units()
        indicators = sorted(units_by_id)
        share_ids = [i for i, unit in units_by_id.items() if unit == "share"]
        if known_units is not None:
            scopes = ["org", *sorted(known_areas if known_areas is not None else []), *known_units]
    declared_identity = "employee_id" in hm.display and identity.is_identity_header(
        hm.display["employee_id"]
    )
    for col in kind.columns:
        raw_col = _raw(col.name)
        dtype = store.POLARS_TYPES[col.type]
        if col.name not in hm.display:
            if derived_birth_year and col.name == "birth_year":
                parsed.append(_birth_year_from_identity(birth_years, invalid_pnr))
                errors.append(("employee_id", _birth_year_missing(invalid_pnr)))
                continue
            # an optional column the file does not have
            parsed.append(pl.lit(None, dtype=dtype).alias(col.name))
            continue
        if col.required:
            errors.append(
                (col.name, _rule(raw_col.is_null(), "värde saknas; kolumnen är obligatorisk"))
            )
        uniques = frame.get_column(col.name + RAW).drop_nulls().unique()
        error: pl.Expr | Rule | None
        if col.name == "employee_id":
            declared = declared_identity
            # An ordinary id column: only values with at least ten digits can be personnummer.
            candidates = (
                uniques if declared else uniques.filter(uniques.str.count_matches(r"\d") >= 10)
            )
            ids = identity.resolve(
                candidates.to_list(), declared=declared, key=pseudonym_key, today=today
            )
            pnr_map, birth_years = ids.pseudonyms, ids.birth_years
            value = raw_col
            if pnr_map:
                old = pl.Series(list(pnr_map.keys()), dtype=pl.String)
                new = pl.Series(list(pnr_map.values()), dtype=pl.String)
                value = raw_col.replace(old, new)
            error = None
            if ids.invalid:
                invalid_pnr = set(ids.invalid)
                error = _rule(
                    raw_col.is_in(pl.Series(sorted(invalid_pnr), dtype=pl.String).implode()),
                    raw_col.replace_strict(
                        pl.Series(list(ids.invalid), dtype=pl.String),
                        pl.Series(list(ids.invalid.values()), dtype=pl.String),
                        default=None,
                        return_dtype=pl.String,
                    ),
                )
        elif kind.name == "targets" and col.name == "target":
            value, error = parse_target(raw_col, _raw("indicator_id").is_in(share_ids))
        elif kind.name == "targets" and col.name in ("indicator_id", "scope"):
            value = raw_col
            valid = indicators if col.name == "indicator_id" else scopes
            error = _unknown_values_rule(col.name, uniques.to_list(), valid)
        elif col.name == "themes" and themes is not None:
            value, error = support_checks.themes_column(raw_col, uniques.to_list(), themes)
        elif col.name in allowed:
            value, error = support_checks.listed_column(
                col, raw_col, uniques.to_list(), allowed[col.name]
            )
        elif col.name in FREE_TEXT_COLUMNS:
            value, removed, emails = support_checks.free_text_column(raw_col, uniques.to_list())
            free_texts.append((col.name, removed, emails))
            error = None
        elif col.type == "text":
            value, error = raw_col, None
        elif len(uniques) * 2 <= frame.height:
            value, error = _parse_by_uniques(col, uniques, dtype)
        else:
            value, error = parse_column(col, raw_col, uniques.to_list())
        parsed.append(value.alias(col.name))
        if error is not None:
            errors.append((col.name, error if isinstance(error, Rule) else Rule.from_error(error)))
    work = frame.with_columns(parsed)

    collapsed = 0
    if kind.name == "events":
        # Identical rows are one event: keep the first, say how many were folded in.
        first = pl.struct(list(kind.column_names)).is_first_distinct()
        before = work.height
        work = work.filter(first)
        collapsed = before - work.height
        if collapsed:
            warnings.append(
                f"{collapsed} identiska dubblettrader slogs ihop (samma händelse räknas en gång)."
            )

    errors += _kind_rules(kind, today)
    for name, removed, emails in free_texts:
        warnings += support_checks.free_text_warnings(
            work, name + RAW, display[name], removed, emails
        )
    if kind.name == "staff":
        warnings += _early_hire_warning(work)

    if known_units is not None and kind.unit_column is not None:
        for name in UNIT_REFERENCES:
            if name in kind.column_names:
                errors.append(
                    (
                        name,
                        _rule(
                            pl.col(name).is_not_null() & ~pl.col(name).is_in(known_units.implode()),
                            "enheten finns inte bland enheterna i databasen; importera enhetsfilen (units) först eller rätta enhets-id",
                        ),
                    )
                )

    key = list(kind.key)
    keyed = pl.all_horizontal([pl.col(k).is_not_null() for k in key])
    # Cheap exact pre-check: equal keys have equal hashes, so no repeated hash = no duplicates.
    if work.select(pl.struct(key).hash().n_unique()).item() < work.height:
        # The first row of each key, computed on the whole file (not only the bad rows).
        work = work.with_columns(pl.col(ROW).min().over(key).alias("__first_row"))
        labels = ", ".join(key)
        errors.append(
            (
                _duplicate_report_column(kind),
                _rule(
                    keyed & (pl.col(ROW) != pl.col("__first_row")),
                    pl.format(
                        f"dubblett: samma nyckel ({labels}) som rad {{}}", pl.col("__first_row")
                    ),
                ),
            )
        )

    err_names = [f"__err{i}" for i in range(len(errors))]
    is_bad = pl.any_horizontal([rule.condition for _, rule in errors]) if errors else pl.lit(False)
    checked = work.with_columns(is_bad.fill_null(False).alias("__bad"))
    bad = checked.filter(pl.col("__bad")).with_columns(
        [
            pl.when(rule.condition).then(rule.message).alias(n)
            for (_, rule), n in zip(errors, err_names, strict=True)
        ]
    )

    def reveal(value: str | None) -> str | None:
        # A declared column shows no value in full; elsewhere a failed personnummer is masked.
        if declared_identity or value in invalid_pnr:
            return identity.mask_identity(value)
        return safe_value(value)

    issues = _issues(bad, errors, err_names, display, file_name, reveal)
    valid = checked.filter(~pl.col("__bad")).select(
        [pl.col(name).cast(dtype) for name, dtype in store.polars_schema(kind).items()]
    )
    result = Validated(
        kind=kind,
        valid=valid,
        issues=issues,
        warnings=warnings,
        rows_in=raw.rows_in,
        display=display,
        bad_row_count=bad.height,
        collapsed=collapsed,
    )
    if collect_rejected and bad.height:
        result.rejected_rows = _rejected_rows(bad, raw, hm, display, errors, err_names, reveal)
    return result


def _parse_by_uniques(col, uniques: pl.Series, dtype: pl.DataType) -> tuple[pl.Expr, Rule | None]:
    """Parse each distinct raw value once, then map the column through the result."""
    name = col.name + RAW
    value, error = parse_column(col, pl.col(name), uniques.to_list())
    table = pl.DataFrame({name: uniques}).select(
        pl.col(name),
        value.cast(dtype).alias("value"),
        (error if error is not None else pl.lit(None, dtype=pl.String)).alias("error"),
    )
    mapped = pl.col(name).replace_strict(
        table[name], table["value"], default=None, return_dtype=dtype
    )
    if col.type == "bool" and x_blank_column(uniques.to_list()):
        mapped = mapped.fill_null(False)
    bad = table.filter(pl.col("error").is_not_null())
    rule = None
    if bad.height:
        rule = Rule(
            pl.col(name).is_in(bad[name].implode()),
            pl.col(name).replace_strict(
                bad[name], bad["error"], default=None, return_dtype=pl.String
            ),
        )
    return mapped, rule


def safe_value(value: str | None) -> str | None:
    """A raw value fit for a report or the rejected file: personnummer-like numbers masked."""
    return pseudonym.mask_in_text(value) if value is not None else None


def _issues(
    bad: pl.DataFrame, errors, err_names, display, file_name, reveal_id=None
) -> list[ValidationIssue]:
    """One issue per broken rule and row; ``reveal_id`` shows an identity value (masked)."""
    reveal_id = reveal_id or safe_value
    if bad.height == 0:
        return []
    parts = []
    for order, ((column, _), name) in enumerate(zip(errors, err_names, strict=True)):
        part = bad.filter(pl.col(name).is_not_null()).select(
            pl.col(ROW).alias("row"),
            pl.lit(order).alias("order"),
            pl.lit(column).alias("column"),
            pl.col(column + RAW).alias("value"),
            pl.col(name).alias("message"),
        )
        if part.height:
            parts.append(part)
    table = pl.concat(parts).sort(["row", "order"])
    return [
        ValidationIssue(
            file_name,
            row,
            display.get(column, column),
            reveal_id(value) if column == "employee_id" else safe_value(value),
            message,
        )
        for row, _, column, value, message in table.iter_rows()
    ]


def _rejected_rows(
    bad: pl.DataFrame, raw: RawFile, hm, display, errors, err_names, reveal_id
) -> pl.DataFrame:
    """The rejected rows as the file has them, so HR can find each one and correct it at the source.

    Grain: one row per rejected data row, in file order. Columns: ``rad`` (the row number
    as the user sees it in the file, title lines and header counted), then the file's own
    columns in the file's order under its own headers (also when a profile renamed them)
    with the cell text as written, then ``fel`` (each broken rule, named by the file's
    column). The identity is masked as the error report masks it (``reveal_id``), and a
    personnummer-like number in any other cell is masked too. Left out: columns of
    people's names (never kept) and columns without a header or a value.
    """
    messages = [
        pl.when(pl.col(n).is_not_null()).then(
            pl.format(f"{display.get(column, column)}: {{}}", pl.col(n))
        )
        for (column, _), n in zip(errors, err_names, strict=True)
    ]
    reasons = bad.select(
        pl.col(ROW), pl.concat_str(messages, separator="; ", ignore_nulls=True).alias("fel")
    )
    rows = (
        raw.as_read.filter(pl.col(ROW).is_in(reasons[ROW].implode()))
        .join(reasons, on=ROW, how="left")
        .sort(ROW)
    )
    current = hm.display.get("employee_id")
    identity_header = raw.file_header(current) if current is not None else None
    out: dict[str, list] = {"rad": rows[ROW].to_list()}
    for header in raw.as_read.columns:
        if header == ROW or fold(header) in NAME_KEYS:
            continue
        values = rows[header].to_list()
        unnamed = (
            not header.strip()
            or header.startswith("__UNNAMED__")
            or re.fullmatch(r"_duplicated_\d+", header)
        )
        if unnamed and all(v is None for v in values):
            continue
        reveal = reveal_id if header == identity_header else safe_value
        name = f"(kolumn {raw.as_read.columns.index(header)} utan rubrik)" if unnamed else header
        out[pseudonym.mask_in_text(name)] = [reveal(v) if v is not None else None for v in values]
    out["fel"] = rows["fel"].to_list()
    return pl.DataFrame(out, schema={k: (pl.Int64 if k == "rad" else pl.String) for k in out})

"""The mapping step: suggestions for turning an unfamiliar export into a profile.

Grain: one suggestion per column of the file's header row, and one per distinct
unrecognised value of a coded column.

A column's suggestion comes, in this order, from the contract's aliases, a
close spelling of an alias (``difflib``), and the column's sample values (a
column of personnummer is the employee id, a column of job codes from the
default table is the staff category, a column of J/N the licence …). Each
contract column is suggested once; a second id column beside a personnummer
is suggested as ignored.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field

from kompetens.core.contract import BOOL_FALSE, BOOL_TRUE, KINDS, fold
from kompetens.ingest import headers as header_search
from kompetens.ingest import identity, profiles, pseudonym
from kompetens.ingest.errors import ImportRejected
from kompetens.ingest.job_codes import default_job_codes
from kompetens.ingest.normalise import header_lookup, map_headers
from kompetens.ingest.reading import read_bytes

SAMPLES = 5

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}( 00:00:00)?$|^\d{8}$")
_NUMBER = re.compile(r"^\d+([.,]\d+)?\s*%?$")
_BOOLS = {fold(v) for v in (*BOOL_TRUE, *BOOL_FALSE)}


@dataclass
class Suggestion:
    """The contract column suggested for one file column (``""`` = ignore), and why (Swedish)."""

    header: str
    column: str
    reason: str
    samples: list[str] = field(default_factory=list)


@dataclass
class Draft:
    """What the mapping step shows for one file and kind."""

    kind: str
    header_line: int
    suggestions: list[Suggestion]
    title_date: str | None
    missing: list[str]  # required contract columns no file column is suggested for

    def profile(self, name: str, **overrides) -> profiles.Profile:
        """A profile from the suggestions (``overrides`` replace any field)."""
        body = {
            "name": name,
            "kind": self.kind,
            "headers": [s.header for s in self.suggestions],
            "columns": {s.header: s.column for s in self.suggestions},
            "constants": (
                {"snapshot_date": profiles.TITLE}
                if self.title_date and "snapshot_date" in self.missing
                else {}
            ),
        }
        body.update(overrides)
        return profiles.Profile(**body)


def _by_samples(values: list[str], kind: str, taken: set[str]) -> tuple[str, str] | None:
    if not values:
        return None
    cols = set(KINDS[kind].column_names)

    def free(c: str) -> bool:
        return c in cols and c not in taken

    if free("employee_id") and all(
        identity.resolve([v], declared=True, key=b"-").pseudonyms for v in values
    ):
        return "employee_id", "värdena är personnummer"
    codes = default_job_codes()
    if free("staff_category") and all(v.strip() in codes for v in values):
        return "staff_category", "värdena är yrkeskoder (SSYK 2012)"
    if free("snapshot_date") and all(_DATE.match(v.strip()) for v in values):
        return "snapshot_date", "värdena är datum"
    if free("licensed") and all(fold(v) in _BOOLS for v in values):
        return "licensed", "värdena är ja/nej"
    if free("fte") and all(_NUMBER.match(v.strip()) for v in values):
        numbers = [float(v.replace("%", "").replace(",", ".").strip()) for v in values]
        if all(0 < n <= 100 for n in numbers):
            return "fte", "värdena ser ut som sysselsättningsgrader"
    return None


def _suggest(
    header: str,
    samples: list[str],
    kind: str,
    lookup: dict[str, str],
    taken: set[str],
    ignored: list[str],
    units: set[str],
    step: int,
) -> tuple[str, str] | None:
    """Step 0: the values are job codes; 1: the header is an alias; 2: it is spelt like one;
    3: the values say what it is."""
    key = fold(header)
    codes = default_job_codes()
    if step == 0:
        if "staff_category" in taken or "staff_category" not in KINDS[kind].column_names:
            return None
        if samples and all(v.strip() in codes for v in samples):
            return "staff_category", "värdena är yrkeskoder (SSYK 2012)"
        return None
    step -= 1
    if step == 0:
        if header in ignored:
            return "", "ett annat id; personnumret används"
        if key in lookup and lookup[key] not in taken:
            return lookup[key], "rubriken känns igen"
        return None
    if step == 1:
        close = difflib.get_close_matches(key, list(lookup), n=1, cutoff=0.8)
        if close and lookup[close[0]] not in taken:
            return lookup[close[0]], "rubriken liknar en känd rubrik"
        return None
    unit_column = "unit_id" in KINDS[kind].column_names and "unit_id" not in taken
    if unit_column and units and samples and all(v in units for v in samples):
        return "unit_id", "värdena är enhets-id som finns i enhetsfilen"
    for col in KINDS[kind].columns:
        if col.type == "code" and col.name not in taken and samples:
            lookup_codes = col.code_lookup()
            if 2 * sum(1 for v in samples if fold(v) in lookup_codes) >= len(samples):
                return col.name, "flera av värdena är kända koder"
    return _by_samples(samples, kind, taken)


def draft(data: bytes, file_name: str, kind: str, known_units: list[str] | None = None) -> Draft:
    """Suggestions for every column of the file's header row (see module docstring).

    Sample values are shown masked where they could be personnummer.
    """
    choice = header_search.find_header(data, file_name, kind)
    raw = read_bytes(data, file_name, header_row=choice.row_index, sheet=choice.sheet)
    lookup = header_lookup(KINDS[kind])
    hm = map_headers(raw.headers, KINDS[kind])
    headers = [h for h in raw.headers if h.strip() and not h.startswith("__UNNAMED__")]
    samples = {
        h: [
            str(v)
            for v in raw.frame.get_column(h).drop_nulls().unique(maintain_order=True).head(SAMPLES)
        ]
        for h in headers
    }
    taken: set[str] = set()
    chosen: dict[str, tuple[str, str]] = {}
    units = set(known_units or [])
    # The personnummer column first, so that another id column does not take employee_id.
    order = sorted(headers, key=lambda h: not identity.is_identity_header(h))
    for step in (0, 1, 2, 3):
        for header in order:
            if header in chosen:
                continue
            found = _suggest(
                header, samples[header], kind, lookup, taken, hm.ignored_ids, units, step
            )
            if found is not None:
                chosen[header] = found
                if found[0]:
                    taken.add(found[0])
    out = []
    for header in headers:
        column, reason = chosen.get(header, ("", "okänd rubrik"))
        masked = identity.is_identity_header(header) or column == "employee_id"
        shown = [
            identity.mask_identity(v) if masked else pseudonym.mask_in_text(v)
            for v in samples[header]
        ]
        out.append(Suggestion(header, column, reason, shown))
    missing = [c for c in KINDS[kind].required_columns if c not in taken]
    if "birth_year" in missing and "employee_id" in taken:
        missing.remove("birth_year")
    return Draft(
        kind=kind,
        header_line=choice.line,
        suggestions=out,
        title_date=profiles.title_date(choice.title_lines),
        missing=missing,
    )


@dataclass
class UnknownValue:
    """A value of a coded column that no alias, job code or profile entry turns into a code."""

    column: str
    value: str
    rows: int
    suggestion: str | None


def unknown_values(data: bytes, file_name: str, profile: profiles.Profile) -> list[UnknownValue]:
    """The coded columns' values the profile does not yet map, with a suggested code each."""
    located = profiles.locate(data, file_name, profile)
    if located is None:
        return []
    raw = read_bytes(data, file_name, header_row=located.row_index, sheet=located.sheet)
    raw.title_lines = located.title_lines
    try:
        mapped, _ = profiles.apply_profile(raw, profile, file_name)
    except ImportRejected:
        return []
    kind = KINDS[profile.kind]
    present = map_headers(mapped.headers, kind).display
    out = []
    for col in kind.columns:
        if col.type != "code" or col.name not in present:
            continue
        lookup = col.code_lookup()
        counts = mapped.frame.get_column(present[col.name]).drop_nulls().value_counts(sort=True)
        for value, n in counts.iter_rows():
            if fold(value) in lookup:
                continue
            near = difflib.get_close_matches(fold(value), list(lookup), n=1, cutoff=0.6)
            out.append(UnknownValue(col.name, value, int(n), lookup[near[0]] if near else None))
    return out

"""Mapping profiles: how one HR system's export maps onto the data contract, saved by name.

A profile says, for one kind of file:

- ``columns``: file header -> contract column (``""`` = ignore the column);
- ``values``: contract column -> {value in the file -> contract code} (employment
  types such as ``TV``, job codes such as ``LÄR-GR`` -> a staff category);
- ``constants``: contract column -> one value for every row (``snapshot_date`` =
  ``"2025-10-31"``, or ``TITLE`` to take the date from the title line "per 2025-10-31");
- ``job_codes``: whether the default job-code table (``job_codes.SSYK_2012``) fills
  staff categories the profile's own values do not name.

Profiles are versioned: saving a name again adds a version, and every version
is kept with who saved it and when (table ``import_profiles``: one row per name
and version). The header signature (the file's folded headers, in any order)
lets a later file find its profile automatically. A profile can be exported
and imported as a small TOML or JSON file, so one municipality can share it
with another.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import polars as pl

from kompetens.core import store
from kompetens.core.contract import KINDS, fold
from kompetens.ingest.errors import ImportRejected, ValidationIssue
from kompetens.ingest.identity import is_identity_header
from kompetens.ingest.job_codes import default_job_codes
from kompetens.ingest.normalise import map_headers
from kompetens.ingest.reading import ROW, RawFile, _first_used_xlsx_row, peek_rows, sniff_format

#: ``constants`` value meaning "the date in the title line above the header".
TITLE = "titelrad"
#: The audit-log action for a saved profile version (written by the page and the CLI).
AUDIT_ACTION = "profile_saved"
FORMAT_VERSION = 1


def _ddl() -> list[str]:
    return [
        """CREATE TABLE import_profiles (
    name VARCHAR NOT NULL,
    version INTEGER NOT NULL,
    kind VARCHAR NOT NULL,
    signature VARCHAR NOT NULL,
    body VARCHAR NOT NULL,
    saved_at TIMESTAMPTZ NOT NULL,
    saved_by VARCHAR NOT NULL,
    PRIMARY KEY (name, version)
)"""
    ]


#: Version 6: mapping profiles, every saved version kept (registered by ``kompetens.wiring``).
PROFILES_MIGRATION = store.Migration(6, "import_profiles", _ddl)


class ProfileError(ValueError):
    """A profile that cannot be found, read or used (message in Swedish)."""


def signature(headers: list[str]) -> str:
    """The header signature: the folded, non-empty headers in any order (16 hex characters)."""
    keys = sorted({fold(h) for h in headers if h and h.strip()})
    return hashlib.sha256("|".join(keys).encode("utf-8")).hexdigest()[:16]


@dataclass
class Profile:
    """One mapping profile (see module docstring). ``version`` is 0 until saved."""

    name: str
    kind: str
    columns: dict[str, str] = field(default_factory=dict)
    values: dict[str, dict[str, str]] = field(default_factory=dict)
    constants: dict[str, str] = field(default_factory=dict)
    job_codes: bool = True
    headers: list[str] = field(default_factory=list)  # the header row it was made from
    description: str = ""
    version: int = 0

    @property
    def signature(self) -> str:
        return signature(self.headers or list(self.columns))

    def check(self) -> None:
        """Refuse a profile naming an unknown kind, column or code (Swedish message)."""
        if self.kind not in KINDS:
            raise ProfileError(f"profilen '{self.name}': okänd filtyp '{self.kind}'")
        kind = KINDS[self.kind]
        for header, column in self.columns.items():
            if column and column not in kind.column_names:
                raise ProfileError(
                    f"profilen '{self.name}': kolumnen '{header}' pekar på '{column}', som inte finns "
                    f"i datakontraktet för {kind.label_sv.lower()}"
                )
        targets: dict[str, str] = {}
        for header, column in self.columns.items():
            if column and column in targets:
                raise ProfileError(
                    f"profilen '{self.name}': både '{targets[column]}' och '{header}' pekar på "
                    f"{column}; välj en av dem och ignorera den andra"
                )
            targets[column] = header
        for column, table in [*self.values.items()]:
            if column not in kind.column_names:
                raise ProfileError(f"profilen '{self.name}': okänd kolumn '{column}' i values")
            codes = kind.column(column).codes
            if codes is not None:
                wrong = sorted({v for v in table.values() if v not in codes})
                if wrong:
                    raise ProfileError(
                        f"profilen '{self.name}': {column} kan inte bli {', '.join(wrong)}; "
                        f"giltiga koder är {', '.join(codes)}"
                    )
        for column in self.constants:
            if column not in kind.column_names:
                raise ProfileError(f"profilen '{self.name}': okänd kolumn '{column}' i constants")

    def to_dict(self) -> dict:
        body = dataclasses.asdict(self)
        body.pop("version")
        return {"format": FORMAT_VERSION, **body}

    @classmethod
    def from_dict(cls, body: dict, version: int = 0) -> Profile:
        known = {f.name for f in dataclasses.fields(cls)} - {"version"}
        unknown = set(body) - known - {"format"}
        if unknown:
            raise ProfileError(f"okända fält i profilen: {', '.join(sorted(unknown))}")
        if "name" not in body or "kind" not in body:
            raise ProfileError("profilen saknar 'name' eller 'kind'")
        profile = cls(**{k: v for k, v in body.items() if k in known}, version=version)
        profile.check()
        return profile


# ---- files: TOML and JSON ---------------------------------------------------------------------


def _toml_string(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)  # a JSON string is a valid TOML basic string


def to_toml(profile: Profile) -> str:
    """The profile as TOML (strings, a bool, lists and string tables only)."""
    body = profile.to_dict()
    lines = [
        f"format = {FORMAT_VERSION}",
        f"name = {_toml_string(profile.name)}",
        f"kind = {_toml_string(profile.kind)}",
        f"description = {_toml_string(profile.description)}",
        f"job_codes = {'true' if profile.job_codes else 'false'}",
        "headers = [" + ", ".join(_toml_string(h) for h in profile.headers) + "]",
        "",
        "[columns]",
        *(f"{_toml_string(k)} = {_toml_string(v)}" for k, v in body["columns"].items()),
        "",
        "[constants]",
        *(f"{_toml_string(k)} = {_toml_string(v)}" for k, v in body["constants"].items()),
    ]
    for column, table in body["values"].items():
        lines += ["", f"[values.{_toml_string(column)}]"]
        lines += [f"{_toml_string(k)} = {_toml_string(v)}" for k, v in table.items()]
    return "\n".join(lines) + "\n"


def read_profile_file(path: Path | str) -> Profile:
    """A profile from a ``.toml`` or ``.json`` file (``ProfileError`` with a Swedish message)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
        body = tomllib.loads(text) if path.suffix.lower() == ".toml" else json.loads(text)
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError, json.JSONDecodeError) as exc:
        raise ProfileError(f"profilfilen {path.name} kunde inte läsas: {exc}") from exc
    return Profile.from_dict(body)


def write_profile_file(profile: Profile, path: Path | str) -> Path:
    """Write ``.toml`` (default) or ``.json``."""
    path = Path(path)
    if path.suffix.lower() == ".json":
        text = json.dumps(profile.to_dict(), ensure_ascii=False, indent=2) + "\n"
    else:
        text = to_toml(profile)
    path.write_text(text, encoding="utf-8")
    return path


# ---- the store ---------------------------------------------------------------------------------


def save_profile(conn: duckdb.DuckDBPyConnection, profile: Profile, user: str) -> Profile:
    """Save as the next version of its name; returns the saved profile (with its version)."""
    profile.check()
    with store.transaction(conn):
        current = store.scalar(
            conn, "SELECT max(version) FROM import_profiles WHERE name = ?", [profile.name]
        )
        version = int(current or 0) + 1
        conn.execute(
            "INSERT INTO import_profiles VALUES (?, ?, ?, ?, ?, now(), ?)",
            [
                profile.name,
                version,
                profile.kind,
                profile.signature,
                json.dumps(profile.to_dict(), ensure_ascii=False),
                user,
            ],
        )
    return dataclasses.replace(profile, version=version)


def load_profile(conn: duckdb.DuckDBPyConnection, name: str, version: int | None = None) -> Profile:
    """The newest (or the given) version of a profile; ``ProfileError`` names the saved ones."""
    found = store.rows(
        conn,
        "SELECT body, version FROM import_profiles WHERE name = ? AND (? IS NULL OR version = ?) "
        "ORDER BY version DESC LIMIT 1",
        [name, version, version],
    )
    if not found:
        names = [r[0] for r in store.rows(conn, "SELECT DISTINCT name FROM import_profiles")]
        listed = ", ".join(f"'{n}'" for n in sorted(names)) or "inga"
        raise ProfileError(f"profilen '{name}' finns inte (sparade profiler: {listed})")
    return Profile.from_dict(json.loads(found[0][0]), version=int(found[0][1]))


def list_profiles(conn: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """One row per profile and version: name, version, kind, signature, saved_at, saved_by."""
    return store.frame(
        conn,
        "SELECT name, version, kind, signature, saved_at, saved_by FROM import_profiles "
        "ORDER BY name, version DESC",
    )


# ---- finding the header row and the profile -------------------------------------------------


@dataclass
class Located:
    """Where a profile's header row is in a file."""

    sheet: int
    row_index: int
    line: int
    title_lines: list[str]


def locate(data: bytes, file_name: str, profile: Profile) -> Located | None:
    """The row (of any sheet) holding the profile's headers: its signature, else the most of them."""
    wanted = {fold(h) for h in profile.columns}
    best = None
    for sheet, _, rows in peek_rows(data, file_name):
        for index, cells in enumerate(rows):
            filled = [c for c in cells if c and c.strip()]
            if not filled:
                continue
            exact = signature(filled) == profile.signature
            hits = sum(1 for c in filled if fold(c) in wanted)
            rank = (exact, hits)
            if hits and (best is None or rank > best[0]):
                best = (rank, sheet, index, rows)
    if best is None:
        return None
    _, sheet, index, rows = best
    offset = _first_used_xlsx_row(data, sheet) - 1 if sniff_format(data, file_name) == "xlsx" else 0
    titles = [" ".join(c.strip() for c in row if c and c.strip()) for row in rows[:index]]
    return Located(sheet, index, offset + index + 1, [t for t in titles if t])


def match_profile(conn: duckdb.DuckDBPyConnection, data: bytes, file_name: str) -> Profile | None:
    """The newest saved profile whose header signature matches a row near the top of the file."""
    saved = store.rows(
        conn,
        "SELECT signature, name FROM import_profiles p WHERE version = "
        "(SELECT max(version) FROM import_profiles q WHERE q.name = p.name) ORDER BY saved_at DESC",
    )
    if not saved:
        return None
    by_signature: dict[str, str] = {}
    for sig, name in saved:
        by_signature.setdefault(sig, name)
    try:
        sheets = peek_rows(data, file_name)
    except ImportRejected:
        return None
    for _, _, rows in sheets:
        for cells in rows:
            filled = [c for c in cells if c and c.strip()]
            if filled and signature(filled) in by_signature:
                return load_profile(conn, by_signature[signature(filled)])
    return None


# ---- applying a profile ------------------------------------------------------------------------

_TITLE_DATE = re.compile(r"(?<!\d)(\d{4})-?(\d{2})-?(\d{2})(?!\d)")


_PER_DATE = re.compile(
    r"\b(?:per|avser|mätdatum|datum)\s*:?\s*(\d{4})-?(\d{2})-?(\d{2})(?!\d)", re.I
)


def title_date(title_lines: list[str]) -> str | None:
    """The date the title lines give the data (``YYYY-MM-DD``).

    A date after "per", "avser", "mätdatum" or "datum" wins ("Utskriven 2025-11-03,
    anställda per 2025-10-31" -> 2025-10-31); else the first date in the lines.
    """
    for pattern in (_PER_DATE, _TITLE_DATE):
        for line in title_lines:
            m = pattern.search(line)
            if m:
                return f"{m.group(1)}-{m.group(2)}-{m.group(3)}"
    return None


def apply_profile(raw: RawFile, profile: Profile, file_name: str) -> tuple[RawFile, list[str]]:
    """Rename, recode and complete ``raw`` as the profile says; the result has contract headers."""
    folded = {fold(h): c for h, c in profile.columns.items()}
    rename: dict[str, str] = {}
    drop: list[str] = []
    for header in raw.headers:
        target = folded.get(fold(header))
        if target is None:
            continue
        if target == "":
            drop.append(header)
        elif target == "employee_id" and is_identity_header(header):
            # Keep the column declared as personnummer: every value must then be one.
            rename[header] = "personnummer"
        else:
            rename[header] = target
    frame = raw.frame.drop(drop).rename(rename)
    values = {c: dict(t) for c, t in profile.values.items()}
    if profile.kind in ("staff", "events", "recruitments") and profile.job_codes:
        merged = default_job_codes()
        merged.update(values.get("staff_category", {}))
        values["staff_category"] = merged
    # Columns the profile leaves to the contract's own aliases are recoded too.
    present = map_headers([c for c in frame.columns if c != ROW], KINDS[profile.kind]).display
    recoded = []
    for column, table in values.items():
        header = present.get(column)
        if header is None:
            continue
        lookup = {fold(k): v for k, v in table.items()}
        uniques = frame.get_column(header).drop_nulls().unique().to_list()
        mapping = {u: lookup[fold(u)] for u in uniques if fold(u) in lookup}
        if mapping:
            recoded.append(
                pl.col(header).replace(list(mapping), list(mapping.values())).alias(header)
            )
    if recoded:
        frame = frame.with_columns(recoded)
    warnings = [f"Profilen '{profile.name}' (version {profile.version}) användes."]
    # Reports name a column as the file spells it; a constant by its label and where it came from.
    names = {**raw.source_names, **{new: raw.file_header(old) for old, new in rename.items()}}
    for column, value in profile.constants.items():
        if column in present:
            continue
        origin = "från titelraden" if value == TITLE else f"profilen '{profile.name}'"
        names[column] = f"{KINDS[profile.kind].column(column).label_sv} ({origin})"
        if value == TITLE:
            found = title_date(raw.title_lines)
            if found is None:
                raise ImportRejected(
                    [
                        ValidationIssue(
                            file_name,
                            None,
                            None,
                            None,
                            f"profilen '{profile.name}' tar {column} från titelraden, men ingen rad ovanför "
                            "rubrikraden innehåller ett datum (t.ex. 'per 2025-10-31')",
                        )
                    ],
                    file_name,
                )
            warnings.append(
                f"{KINDS[profile.kind].column(column).label_sv} {found} togs från titelraden."
            )
            value = found
        frame = frame.with_columns(pl.lit(value, dtype=pl.String).alias(column))
    headers = [c for c in frame.columns if c != ROW]
    mapped = dataclasses.replace(
        raw, frame=frame, headers=headers, source=raw.as_read, source_names=names
    )
    return mapped, warnings

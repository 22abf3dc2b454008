"""The dialogue rounds of the annual wheel: the dates area managers set per area and term.

A *round* (dialogomgång) is the period in which an area's verksamhetsdialoger are held:
a start and an end date (a one-day round has the same date twice). An area manager sets
the rounds of their area for a term; HR may set any area's. A term is ``VT<year>`` (the
spring term, January–June) or ``HT<year>`` (the autumn term, July–December): every date
belongs to exactly one term.

Grain:

- ``dialogue_round_changes``: one row per save (``change_id``) of one area × term: who
  saved it and when, and — once undone — who undid it and when.
- ``dialogue_round_dates``: one row per round of a change (``change_id`` × ``round_no``):
  ``start_date``, ``end_date`` (dates, inclusive) and an optional short ``note``.

The rounds in force for an area × term are those of its newest change that is not undone
(a change with no rounds clears them). Undoing a change brings back the one before it, as
undoing an import does; a change that a later live change of the same area and term has
replaced cannot be undone (undo that one first). Every save and undo is written to the
audit log (``access.audit.DIALOGUE_ROUNDS_SAVED`` / ``_UNDONE``) right after it,
with the area, the term and the change id.

These are user-entered records, not imported data: never superseded by an import and no
recompute. Scope: reading needs an area the scope may see (a principal sees their own
area's rounds); saving and undoing need an area or organisation scope that covers the
area. All SQL uses bound parameters. The tables are schema version 13
(``ROUNDS_MIGRATION``), registered by the composition root ``kompetens.wiring``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import duckdb
import polars as pl

from kompetens.access import audit
from kompetens.access.scope import Scope, ScopeError
from kompetens.core import store

#: Most rounds an area may have in one term.
MAX_ROUNDS = 4
#: Longest note on a round (characters).
NOTE_MAX = 120

#: Term kinds: code -> (first month, last month, Swedish name).
TERM_KINDS: dict[str, tuple[int, int, str]] = {
    "VT": (1, 6, "vårterminen"),
    "HT": (7, 12, "höstterminen"),
}
_TERM_RE = re.compile(r"^(VT|HT)\s*(\d{4})$")


def _migration_rounds() -> list[str]:
    """One row per save of an area's rounds for a term, and one row per round of a save."""
    return [
        "CREATE SEQUENCE dialogue_round_change_seq START 1",
        """CREATE TABLE dialogue_round_changes (
    change_id BIGINT PRIMARY KEY DEFAULT nextval('dialogue_round_change_seq'),
    area VARCHAR NOT NULL,
    term VARCHAR NOT NULL,
    saved_by VARCHAR NOT NULL,
    saved_at TIMESTAMPTZ NOT NULL,
    undone_by VARCHAR,
    undone_at TIMESTAMPTZ
)""",
        "CREATE INDEX dialogue_round_changes_idx ON dialogue_round_changes (area, term)",
        """CREATE TABLE dialogue_round_dates (
    change_id BIGINT NOT NULL,
    round_no INTEGER NOT NULL,
    start_date DATE NOT NULL,
    end_date DATE NOT NULL,
    note VARCHAR,
    PRIMARY KEY (change_id, round_no),
    CHECK (start_date <= end_date)
)""",
    ]


#: Schema version 13 (registered by ``kompetens.wiring``; never renumber a released migration).
ROUNDS_MIGRATION = store.Migration(13, "dialogue_rounds", _migration_rounds)

#: Columns of :func:`current_rounds` (one row per round in force).
ROUND_SCHEMA: dict[str, pl.DataType] = {
    "area": pl.String(),
    "term": pl.String(),
    "round_no": pl.Int64(),
    "start_date": pl.Date(),
    "end_date": pl.Date(),
    "note": pl.String(),
    "change_id": pl.Int64(),
    "saved_by": pl.String(),
    "saved_at": pl.Datetime(time_zone="UTC"),
}
#: Columns of :func:`round_changes` (one row per save, newest first).
CHANGE_SCHEMA: dict[str, pl.DataType] = {
    "change_id": pl.Int64(),
    "area": pl.String(),
    "term": pl.String(),
    "rounds": pl.Int64(),
    "saved_by": pl.String(),
    "saved_at": pl.Datetime(time_zone="UTC"),
    "undone_by": pl.String(),
    "undone_at": pl.Datetime(time_zone="UTC"),
}


class RoundsRejected(ValueError):
    """The rounds break a rule; ``messages`` are Swedish, one per problem."""

    def __init__(self, messages: list[str]):
        super().__init__("; ".join(messages))
        self.messages = messages


class UndoRefused(ValueError):
    """A change cannot be undone (a later change replaced it, or it is already undone)."""


@dataclass(frozen=True)
class Round:
    """One round as entered: inclusive dates and an optional note."""

    start_date: dt.date
    end_date: dt.date
    note: str | None = None


# --- terms -----------------------------------------------------------------------------------


def term_of(day: dt.date) -> str:
    """The term a date belongs to: ``VT2027`` for 2027-03-01, ``HT2026`` for 2026-09-01."""
    return f"{'VT' if day.month <= 6 else 'HT'}{day.year}"


def parse_term(term: str) -> tuple[str, int]:
    """``'HT2026'`` (or ``'ht 2026'``) -> ``('HT', 2026)``; ``ValueError`` in Swedish otherwise."""
    found = _TERM_RE.match(str(term or "").strip().upper())
    if not found:
        raise ValueError(f"okänd termin {term!r}: skriv t.ex. HT2026 eller VT2027")
    return found.group(1), int(found.group(2))


def normal_term(term: str) -> str:
    """The stored spelling of a term: ``'ht 2026'`` -> ``'HT2026'``."""
    kind, year = parse_term(term)
    return f"{kind}{year}"


def term_bounds(term: str) -> tuple[dt.date, dt.date]:
    """The first and last day of a term (inclusive): HT2026 -> 2026-07-01, 2026-12-31."""
    kind, year = parse_term(term)
    first, last, _ = TERM_KINDS[kind]
    end = dt.date(year, 12, 31) if last == 12 else dt.date(year, last + 1, 1) - dt.timedelta(1)
    return dt.date(year, first, 1), end


def term_label(term: str) -> str:
    """``'HT2026'`` -> ``'HT 2026'`` (as Swedish schools write it)."""
    kind, year = parse_term(term)
    return f"{kind} {year}"


def next_term(term: str) -> str:
    """The term after: HT2026 -> VT2027, VT2027 -> HT2027."""
    kind, year = parse_term(term)
    return f"HT{year}" if kind == "VT" else f"VT{year + 1}"


def terms_between(first: dt.date, last: dt.date) -> list[str]:
    """Every term overlapping ``first``..``last`` (inclusive), oldest first."""
    out, term = [], term_of(first)
    while term_bounds(term)[0] <= last:
        out.append(term)
        term = next_term(term)
    return out


# --- validation ------------------------------------------------------------------------------


def _as_date(value, what: str, problems: list[str]) -> dt.date | None:
    if value is None or value == "" or (isinstance(value, float) and value != value):
        problems.append(f"{what}: ange ett datum (ÅÅÅÅ-MM-DD)")
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip()[:10])
    except ValueError:
        problems.append(f"{what}: {str(value)!r} är inget datum; skriv ÅÅÅÅ-MM-DD")
        return None


def _blank(value) -> bool:
    return (
        value is None or (isinstance(value, float) and value != value) or str(value).strip() == ""
    )


def check_rounds(term: str, rounds: Iterable[Round | Mapping]) -> list[Round]:
    """The rounds, validated and in date order; ``RoundsRejected`` with every problem in Swedish.

    Rows with neither date are skipped (an empty row of a form). Each round needs a start
    and an end inside the term, the end not before the start, and rounds may not overlap;
    at most ``MAX_ROUNDS`` rounds and ``NOTE_MAX`` characters of note.
    """
    try:
        first, last = term_bounds(term)
    except ValueError as exc:
        raise RoundsRejected([f"Termin: {exc}"]) from exc
    label = term_label(term)
    problems: list[str] = []
    out: list[Round] = []
    for i, item in enumerate(rounds, start=1):
        raw = (
            {"start_date": item.start_date, "end_date": item.end_date, "note": item.note}
            if isinstance(item, Round)
            else dict(item)
        )
        if _blank(raw.get("start_date")) and _blank(raw.get("end_date")):
            continue
        start = _as_date(raw.get("start_date"), f"Omgång {i}, första dag", problems)
        end = raw.get("end_date")
        end = start if _blank(end) else _as_date(end, f"Omgång {i}, sista dag", problems)
        note = None if _blank(raw.get("note")) else " ".join(str(raw["note"]).split())
        if note is not None and len(note) > NOTE_MAX:
            problems.append(f"Omgång {i}, notering: högst {NOTE_MAX} tecken, inte {len(note)}")
        if start is None or end is None:
            continue
        if end < start:
            problems.append(
                f"Omgång {i}: sista dagen {end.isoformat()} är före första dagen {start.isoformat()}"
            )
            continue
        if start < first or end > last:
            problems.append(
                f"Omgång {i}: {start.isoformat()}–{end.isoformat()} ligger utanför {label} "
                f"({first.isoformat()}–{last.isoformat()})"
            )
            continue
        out.append(Round(start, end, note))
    if len(out) > MAX_ROUNDS:
        problems.append(f"Högst {MAX_ROUNDS} omgångar per termin, inte {len(out)}")
    out.sort(key=lambda r: (r.start_date, r.end_date))
    for before, after in zip(out, out[1:], strict=False):
        if after.start_date <= before.end_date:
            problems.append(
                f"Omgångarna {before.start_date.isoformat()}–{before.end_date.isoformat()} och "
                f"{after.start_date.isoformat()}–{after.end_date.isoformat()} överlappar"
            )
    if problems:
        raise RoundsRejected(problems)
    return out


# --- scope -----------------------------------------------------------------------------------


def _known_areas(cur: duckdb.DuckDBPyConnection) -> set[str]:
    return {r[0] for r in store.rows(cur, "SELECT DISTINCT area FROM current_units")}


def may_set(scope: Scope, area: str) -> bool:
    """Whether the scope may set an area's rounds: an area or organisation scope covering it."""
    return scope.level in ("org", "area") and scope.allows_area(area)


def _check_may_set(cur: duckdb.DuckDBPyConnection, scope: Scope, area: str) -> None:
    if area not in _known_areas(cur) or not may_set(scope, area):
        raise ScopeError(f"området {area!r} ligger utanför din behörighet att sätta dialogdatum")


def _visible_areas(cur: duckdb.DuckDBPyConnection, scope: Scope) -> set[str]:
    known = _known_areas(cur)
    return known if scope.level == "org" else known & set(scope.areas)


# --- reading ---------------------------------------------------------------------------------


def current_rounds(
    conn: duckdb.DuckDBPyConnection,
    scope: Scope,
    *,
    area: str | None = None,
    terms: Iterable[str] | None = None,
) -> pl.DataFrame:
    """The rounds in force, per area and term, that the scope may see (``ROUND_SCHEMA``).

    Grain: one row per round (area × term × ``round_no``), ordered by start date. ``area``
    outside the scope raises ``ScopeError``.
    """
    cur = conn.cursor()
    try:
        visible = _visible_areas(cur, scope)
        if area is not None:
            if area not in visible:
                raise ScopeError(f"området {area!r} ligger utanför din behörighet")
            visible = {area}
        frame = store.frame(
            cur,
            """WITH live AS (
    SELECT change_id, area, term, saved_by, saved_at,
           row_number() OVER (PARTITION BY area, term ORDER BY change_id DESC) AS rn
    FROM dialogue_round_changes WHERE undone_at IS NULL
)
SELECT l.area, l.term, d.round_no, d.start_date, d.end_date, d.note, l.change_id,
       l.saved_by, l.saved_at
FROM live l JOIN dialogue_round_dates d USING (change_id)
WHERE l.rn = 1
ORDER BY d.start_date, l.area, d.round_no""",
        )
    finally:
        cur.close()
    if frame.height == 0:
        return pl.DataFrame(schema=ROUND_SCHEMA)
    frame = frame.cast(ROUND_SCHEMA, strict=False).filter(pl.col("area").is_in(sorted(visible)))
    if terms is not None:
        wanted = [normal_term(t) for t in terms]
        frame = frame.filter(pl.col("term").is_in(wanted))
    return frame


def round_changes(
    conn: duckdb.DuckDBPyConnection, scope: Scope, *, limit: int = 20
) -> pl.DataFrame:
    """The newest saves of rounds in the scope's areas, for the undo list (``CHANGE_SCHEMA``)."""
    cur = conn.cursor()
    try:
        visible = _visible_areas(cur, scope)
        frame = store.frame(
            cur,
            """SELECT c.change_id, c.area, c.term, count(d.round_no) AS rounds, c.saved_by,
       c.saved_at, c.undone_by, c.undone_at
FROM dialogue_round_changes c LEFT JOIN dialogue_round_dates d USING (change_id)
GROUP BY ALL ORDER BY c.change_id DESC""",
        )
    finally:
        cur.close()
    if frame.height == 0:
        return pl.DataFrame(schema=CHANGE_SCHEMA)
    return (
        frame.cast(CHANGE_SCHEMA, strict=False)
        .filter(pl.col("area").is_in(sorted(visible)))
        .head(limit)
    )


# --- writing ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class SavedRounds:
    """What a save did: the change id (for undo), the area, the term and the rounds saved."""

    change_id: int | None
    area: str
    term: str
    rounds: tuple[Round, ...]

    def message(self) -> str:
        label = term_label(self.term)
        if self.change_id is None:
            return f"Inget ändrades: dialogdatumen för {self.area} {label} är redan sparade så."
        n = len(self.rounds)
        what = (
            "inga omgångar (datumen är borttagna)"
            if n == 0
            else f"{n} omgång" + ("ar" if n > 1 else "")
        )
        return (
            f"Dialogdatumen för {self.area} {label} är sparade: {what}. "
            f"Ändringen kan ångras (ändring {self.change_id})."
        )


def save_rounds(
    conn: duckdb.DuckDBPyConnection,
    scope: Scope,
    area: str,
    term: str,
    rounds: Iterable[Round | Mapping],
    user: str,
    *,
    role: str | None = None,
) -> SavedRounds:
    """Set an area's rounds for a term (replacing the rounds in force), audited, in one transaction.

    ``RoundsRejected`` (Swedish, every problem) for rounds that break a rule, ``ScopeError``
    for an area the scope may not set. Saving the rounds already in force changes nothing
    (``change_id`` None).
    """
    checked = check_rounds(term, rounds)
    term = normal_term(term)
    cur = conn.cursor()
    try:
        _check_may_set(cur, scope, area)
        now = current_rounds(cur, scope, area=area, terms=[term])
        in_force = [
            Round(r["start_date"], r["end_date"], r["note"]) for r in now.iter_rows(named=True)
        ]
        if in_force == checked and now.height:
            return SavedRounds(None, area, term, tuple(checked))
        with store.transaction(cur):
            change_id = int(
                store.scalar(
                    cur,
                    "INSERT INTO dialogue_round_changes (area, term, saved_by, saved_at) "
                    "VALUES (?, ?, ?, now()) RETURNING change_id",
                    [area, term, user or "okänd"],
                )
            )
            for i, item in enumerate(checked, start=1):
                cur.execute(
                    "INSERT INTO dialogue_round_dates VALUES (?, ?, ?, ?, ?)",
                    [change_id, i, item.start_date, item.end_date, item.note],
                )
        audit.log_event(
            cur,
            user,
            audit.DIALOGUE_ROUNDS_SAVED,
            target=area,
            details={
                "termin": term,
                "ändring": change_id,
                "omgångar": [[r.start_date.isoformat(), r.end_date.isoformat()] for r in checked],
            },
            role=role,
        )
    finally:
        cur.close()
    return SavedRounds(change_id, area, term, tuple(checked))


def undo_change(
    conn: duckdb.DuckDBPyConnection,
    scope: Scope,
    change_id: int,
    user: str,
    *,
    role: str | None = None,
) -> str:
    """Undo one save (the rounds in force before it come back); returns a Swedish line.

    ``ScopeError`` for a change the scope may not set (or that does not exist: that is not
    revealed); ``UndoRefused`` for a change already undone or replaced by a later live one.
    """
    cur = conn.cursor()
    try:
        found = store.rows(
            cur,
            "SELECT area, term, undone_at FROM dialogue_round_changes WHERE change_id = ?",
            [int(change_id)],
        )
        if not found or found[0][0] not in _known_areas(cur) or not may_set(scope, found[0][0]):
            raise ScopeError(f"ändring {change_id} finns inte eller ligger utanför din behörighet")
        area, term, undone_at = found[0]
        if undone_at is not None:
            raise UndoRefused(f"Ändring {change_id} är redan ångrad.")
        later = store.scalar(
            cur,
            "SELECT min(change_id) FROM dialogue_round_changes "
            "WHERE area = ? AND term = ? AND change_id > ? AND undone_at IS NULL",
            [area, term, int(change_id)],
        )
        if later is not None:
            raise UndoRefused(
                f"Ändring {change_id} kan inte ångras: ändring {later} har ersatt den. "
                f"Ångra ändring {later} först."
            )
        with store.transaction(cur):
            cur.execute(
                "UPDATE dialogue_round_changes SET undone_by = ?, undone_at = now() WHERE change_id = ?",
                [user or "okänd", int(change_id)],
            )
        audit.log_event(
            cur,
            user,
            audit.DIALOGUE_ROUNDS_UNDONE,
            target=area,
            details={"termin": term, "ändring": int(change_id)},
            role=role,
        )
    finally:
        cur.close()
    return f"Ändring {change_id} ({area} {term_label(term)}) är ångrad."

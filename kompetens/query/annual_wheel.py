"""The annual wheel (årshjul): the year's dates per area and for the whole organisation.

One calendar gathers four kinds of date (``KIND_LABELS``):

- ``round``: the dialogue rounds the area managers set (``query.dialogue_rounds``);
- ``delivery``: the data deliveries, fixed rules declared once in ``DELIVERIES`` with
  their sources (the monthly staff export, the employee survey window, Skolverket's
  15 October measurement, Kolada's yearly publication);
- ``action``: agreed dialogue actions still open, on their due date (from the dialogue
  tables; ``overdue`` when the date has passed);
- ``support``: the support register's follow-ups: a request still unanswered is due for
  an answer ``UNANSWERED_AFTER_DAYS`` days after it was made, a finished effort without
  agreed feedback is due for feedback from its end date (``query.support_register``).

Grain of :func:`calendar`: one row per event (``EVENT_SCHEMA``): ``start``/``end`` dates
(inclusive; every event is a whole-day event), a Swedish ``summary`` and ``detail``, the
``area`` (null: the whole organisation), the unit, and a ``uid`` that stays the same
when the calendar is made again (an exported ``.ics`` updates the events it made before
instead of duplicating them).

Scope is enforced here: an area manager sees their areas' rounds, units and follow-ups;
a principal their own unit's follow-ups and their area's rounds; the data deliveries are
the same for everyone. Leadership (``role='leadership'``) sees aggregates: follow-ups
are counted per area and date, without the actions' or requests' text, and whether the
units have had their dialogue is counted per area (:func:`dialogue_status_by_area`);
:func:`dialogue_status` refuses that role. Nothing here is cached: the dialogue tables
and the rounds change without changing the key-figure stamp the query cache keys on.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass

import duckdb
import polars as pl

from kompetens.access.auth import LEADERSHIP
from kompetens.access.scope import Scope, ScopeError
from kompetens.core import store
from kompetens.present import calendar_file
from kompetens.query import dialogue_rounds as rounds_store
from kompetens.query import support_register
from kompetens.query.listings import units

KIND_LABELS: dict[str, str] = {
    "round": "Dialogomgång",
    "delivery": "Dataleverans",
    "action": "Åtgärd",
    "support": "Stöduppföljning",
}

EVENT_SCHEMA: dict[str, pl.DataType] = {
    "uid": pl.String(),
    "kind": pl.String(),
    "start": pl.Date(),
    "end": pl.Date(),
    "summary": pl.String(),
    "detail": pl.String(),
    "area": pl.String(),
    "unit_id": pl.String(),
    "unit_name": pl.String(),
    "overdue": pl.Boolean(),
}

#: The domain of every event's ``uid`` (``<kind>-<key>@`` this).
UID_DOMAIN = "arshjul.kompetens"

#: Days after which an unanswered support request is due for an answer.
UNANSWERED_AFTER_DAYS = support_register.UNANSWERED_AFTER_DAYS
#: Days ahead an open action counts as "due soon" in :func:`actions_due`.
DUE_SOON_DAYS = 30


@dataclass(frozen=True)
class Delivery:
    """A data delivery that recurs every year (or every month) on fixed dates.

    ``month`` None: every month, on ``day``. Otherwise yearly from ``month``-``day`` to
    ``end_month``-``end_day`` (the same day when those are None). ``approximate``: the
    source announces its own date each year; ours is the usual one.
    """

    id: str
    summary: str
    detail: str
    source: str
    day: int
    month: int | None = None
    end_month: int | None = None
    end_day: int | None = None
    approximate: bool = False

    def occurrences(self, first: dt.date, last: dt.date) -> list[tuple[dt.date, dt.date]]:
        """Every (start, end) of this delivery overlapping ``first``..``last``."""
        out = []
        for year in range(first.year - 1, last.year + 1):
            if self.month is None:
                starts = [dt.date(year, m, self.day) for m in range(1, 13)]
                spans = [(s, s) for s in starts]
            else:
                start = dt.date(year, self.month, self.day)
                end = dt.date(year, self.end_month or self.month, self.end_day or self.day)
                spans = [(start, end)]
            out.extend((s, e) for s, e in spans if e >= first and s <= last)
        return out


#: The data deliveries of the year, declared once with their sources (docs/annual-wheel.md).
DELIVERIES: tuple[Delivery, ...] = (
    Delivery(
        id="staff_export",
        summary="Månadsexport av personaldata",
        detail=(
            "HR-systemets export av personalen per månadens sista dag levereras och importeras "
            "(personalögonblicksbild, se datakontraktet)."
        ),
        source="Kompetens datakontrakt (docs/data-contract.md): en personalögonblicksbild per månad",
        day=5,
    ),
    Delivery(
        id="employee_survey",
        summary="Medarbetarenkäten pågår",
        detail="Enkätfönstret: medarbetarna svarar; resultatet importeras som enkätfil efteråt.",
        source="Förvaltningens medarbetarenkät, som genomförs i oktober–november varje år",
        month=10,
        day=1,
        end_month=11,
        end_day=30,
    ),
    Delivery(
        id="skolverket_measurement",
        summary="Skolverkets mätdag för personalstatistiken",
        detail=(
            "Skolverkets officiella statistik över lärare och behörighet mäts per 15 oktober; "
            "jämför med oktobers personalögonblicksbild."
        ),
        source="Skolverket, officiell statistik om personal i skola och förskola: mätdag 15 oktober",
        month=10,
        day=15,
    ),
    Delivery(
        id="kolada_publication",
        summary="Kolada publicerar årets skolnyckeltal (ungefärligt datum)",
        detail=(
            "Kolada uppdaterar nyckeltalen om skolans personal efter Skolverkets publicering; "
            "hämta jämförelsetalen med 'kompetens benchmarks fetch'. Datumet är ungefärligt."
        ),
        source="Kolada (RKA), kolada.se: nyckeltalen uppdateras årligen efter Skolverkets statistik",
        month=4,
        day=1,
        end_month=4,
        end_day=30,
        approximate=True,
    ),
)


def _slug(text: str) -> str:
    """An ASCII key for a uid: ``'Område Syd'`` -> ``'omrade-syd'``."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", plain.lower()).strip("-") or "x"


def _uid(kind: str, key: str) -> str:
    return f"{kind}-{key}@{UID_DOMAIN}"


def _frame(rows: list[dict]) -> pl.DataFrame:
    if not rows:
        return pl.DataFrame(schema=EVENT_SCHEMA)
    return pl.DataFrame(rows, schema=EVENT_SCHEMA)


def _is_aggregate(role: str | None) -> bool:
    return role == LEADERSHIP


def _visible_units(
    conn: duckdb.DuckDBPyConnection,
    scope: Scope,
    area: str | None,
    school_form: str | None = None,
) -> pl.DataFrame:
    """``unit_id, unit_name, area`` of the units in scope (of ``area`` and ``school_form``;
    ``ScopeError`` for an area outside the scope)."""
    if area is not None and not scope.allows_area(area):
        raise ScopeError(f"området {area!r} ligger utanför din behörighet")
    return units(conn, scope, area=area, school_form=school_form).select(
        "unit_id", "unit_name", "area"
    )


# --- the four kinds of event -----------------------------------------------------------------


def delivery_events(first: dt.date, last: dt.date) -> pl.DataFrame:
    """The data deliveries overlapping ``first``..``last`` (the same for every scope)."""
    rows = [
        {
            "uid": _uid("delivery", f"{d.id}-{start.isoformat()}"),
            "kind": "delivery",
            "start": start,
            "end": end,
            "summary": d.summary,
            "detail": f"{d.detail} Källa: {d.source}.",
            "area": None,
            "unit_id": None,
            "unit_name": None,
            "overdue": False,
        }
        for d in DELIVERIES
        for start, end in d.occurrences(first, last)
    ]
    return _frame(rows)


def round_events(
    conn: duckdb.DuckDBPyConnection,
    scope: Scope,
    first: dt.date,
    last: dt.date,
    *,
    area: str | None = None,
) -> pl.DataFrame:
    """The dialogue rounds in force overlapping ``first``..``last``, one event per round."""
    found = rounds_store.current_rounds(
        conn, scope, area=area, terms=rounds_store.terms_between(first, last)
    ).filter((pl.col("end_date") >= first) & (pl.col("start_date") <= last))
    rows = []
    for r in found.iter_rows(named=True):
        label = rounds_store.term_label(r["term"])
        rows.append(
            {
                "uid": _uid("round", f"{_slug(r['area'])}-{r['term'].lower()}-{r['round_no']}"),
                "kind": "round",
                "start": r["start_date"],
                "end": r["end_date"],
                "summary": f"Dialogomgång {r['round_no']} {label} – {r['area']}",
                "detail": r["note"]
                or f"Verksamhetsdialoger med rektorerna i {r['area']}, omgång {r['round_no']}.",
                "area": r["area"],
                "unit_id": None,
                "unit_name": None,
                "overdue": False,
            }
        )
    return _frame(rows)


def _open_actions(
    conn: duckdb.DuckDBPyConnection, visible: pl.DataFrame, first: dt.date, last: dt.date
) -> pl.DataFrame:
    """Open dialogue actions with a due date in ``first``..``last``, of the visible units."""
    cur = conn.cursor()
    try:
        frame = store.frame(
            cur,
            "SELECT id, unit_id, dialogue_date, action, due_date FROM dialogue_actions "
            "WHERE status = 'open' AND due_date BETWEEN ? AND ? ORDER BY due_date, id",
            [first, last],
        )
    finally:
        cur.close()
    schema = {
        "id": pl.Int64(),
        "unit_id": pl.String(),
        "dialogue_date": pl.Date(),
        "action": pl.String(),
        "due_date": pl.Date(),
    }
    frame = frame.cast(schema, strict=False) if frame.height else pl.DataFrame(schema=schema)
    return frame.join(visible, on="unit_id", how="inner").sort(["due_date", "id"])


def action_events(
    conn: duckdb.DuckDBPyConnection,
    scope: Scope,
    first: dt.date,
    last: dt.date,
    today: dt.date,
    *,
    area: str | None = None,
    role: str | None = None,
    school_form: str | None = None,
) -> pl.DataFrame:
    """Open dialogue actions on their due date; for leadership one count per area and date."""
    found = _open_actions(conn, _visible_units(conn, scope, area, school_form), first, last)
    rows = []
    if _is_aggregate(role):
        counts = (
            found.group_by("area", "due_date").agg(pl.len().alias("n")).sort("due_date", "area")
        )
        for r in counts.iter_rows(named=True):
            n = r["n"]
            rows.append(
                {
                    "uid": _uid("actions", f"{_slug(r['area'])}-{r['due_date'].isoformat()}"),
                    "kind": "action",
                    "start": r["due_date"],
                    "end": r["due_date"],
                    "summary": f"{n} {'åtgärd' if n == 1 else 'åtgärder'} från dialogerna "
                    f"ska vara klara – {r['area']}",
                    "detail": "Öppna åtgärder från verksamhetsdialogerna (antal per område).",
                    "area": r["area"],
                    "unit_id": None,
                    "unit_name": None,
                    "overdue": r["due_date"] < today,
                }
            )
        return _frame(rows)
    for r in found.iter_rows(named=True):
        rows.append(
            {
                "uid": _uid("action", str(r["id"])),
                "kind": "action",
                "start": r["due_date"],
                "end": r["due_date"],
                "summary": f"Åtgärd ska vara klar: {r['unit_name']}",
                "detail": f"{r['action']} (från dialogen {r['dialogue_date'].isoformat()})",
                "area": r["area"],
                "unit_id": r["unit_id"],
                "unit_name": r["unit_name"],
                "overdue": r["due_date"] < today,
            }
        )
    return _frame(rows)


def support_events(
    conn: duckdb.DuckDBPyConnection,
    scope: Scope,
    first: dt.date,
    last: dt.date,
    today: dt.date,
    *,
    area: str | None = None,
    role: str | None = None,
    school_form: str | None = None,
) -> pl.DataFrame:
    """The support register's follow-ups: answers due on unanswered requests, feedback due on
    finished efforts; for leadership one count per area and date."""
    asked = _of_school_form(
        conn,
        scope,
        support_register.requests(conn, scope, area=area),
        area,
        school_form,
    ).filter(pl.col("status") == "received")
    answers = asked.select(
        pl.col("request_id").alias("key"),
        "unit_id",
        "unit_name",
        "area",
        (pl.col("request_date") + pl.duration(days=UNANSWERED_AFTER_DAYS)).alias("due"),
        pl.lit("answer").alias("what"),
    )
    given = _of_school_form(
        conn, scope, support_register.efforts(conn, scope, area=area), area, school_form
    ).filter(
        (pl.col("status") == "done")
        & pl.col("feedback_score").is_null()
        & pl.col("end_date").is_not_null()
    )
    feedback = given.select(
        pl.col("effort_id").alias("key"),
        "unit_id",
        "unit_name",
        "area",
        pl.col("end_date").cast(pl.Date).alias("due"),
        pl.lit("feedback").alias("what"),
    )
    due = pl.concat([answers, feedback.cast(answers.schema)]).filter(
        pl.col("due").is_between(first, last)
    )
    rows = []
    if _is_aggregate(role):
        counts = due.group_by("area", "due", "what").agg(pl.len().alias("n")).sort("due", "area")
        for r in counts.iter_rows(named=True):
            n, answer = r["n"], r["what"] == "answer"
            what = (
                f"{n} {'stödärende' if n == 1 else 'stödärenden'} väntar på svar"
                if answer
                else f"{n} {'stödinsats' if n == 1 else 'stödinsatser'} saknar återkoppling"
            )
            rows.append(
                {
                    "uid": _uid(
                        f"support-{r['what']}s", f"{_slug(r['area'])}-{r['due'].isoformat()}"
                    ),
                    "kind": "support",
                    "start": r["due"],
                    "end": r["due"],
                    "summary": f"{what} – {r['area']}",
                    "detail": "Stödregistrets uppföljning (antal per område).",
                    "area": r["area"],
                    "unit_id": None,
                    "unit_name": None,
                    "overdue": r["due"] < today,
                }
            )
        return _frame(rows)
    for r in due.sort("due", "key").iter_rows(named=True):
        answer = r["what"] == "answer"
        rows.append(
            {
                "uid": _uid(f"support-{r['what']}", _slug(r["key"])),
                "kind": "support",
                "start": r["due"],
                "end": r["due"],
                "summary": (
                    f"Svar på stödärende {r['key']}: {r['unit_name']}"
                    if answer
                    else f"Återkoppling på stödinsats {r['key']}: {r['unit_name']}"
                ),
                "detail": (
                    f"Ärendet har inte besvarats; svar väntas inom {UNANSWERED_AFTER_DAYS} dagar."
                    if answer
                    else "Insatsen är klar; återkopplingen med enheten är inte registrerad."
                ),
                "area": r["area"],
                "unit_id": r["unit_id"],
                "unit_name": r["unit_name"],
                "overdue": r["due"] < today,
            }
        )
    return _frame(rows)


def _of_school_form(
    conn: duckdb.DuckDBPyConnection,
    scope: Scope,
    frame: pl.DataFrame,
    area: str | None,
    school_form: str | None,
) -> pl.DataFrame:
    """``frame``'s rows (with ``unit_id``) of the units of ``school_form`` (None: all);
    ``ScopeError`` for an area outside the scope."""
    visible = _visible_units(conn, scope, area, school_form)
    if school_form is None:
        return frame
    return frame.filter(pl.col("unit_id").is_in(visible["unit_id"].implode()))


#: Leadership's open report-backs: counts per area and support function.
REPORT_BACK_COUNT_SCHEMA: dict[str, pl.DataType] = {
    "area": pl.String(),
    "support_function": pl.String(),
    "open": pl.Int64(),
}


def open_report_backs(
    conn: duckdb.DuckDBPyConnection,
    scope: Scope,
    *,
    area: str | None = None,
    school_form: str | None = None,
    role: str | None = None,
) -> pl.DataFrame:
    """The requests whose report-back is still owed (``query.support_register.open_report_backs``),
    of the units of ``area`` and ``school_form``.

    Grain: one row per request (the oldest first); for leadership one row per area and
    support function (``REPORT_BACK_COUNT_SCHEMA``: ``open`` requests), never a request.
    """
    owed = _of_school_form(
        conn,
        scope,
        support_register.open_report_backs(conn, scope, area=area),
        area,
        school_form,
    )
    if not _is_aggregate(role):
        return owed
    if owed.height == 0:
        return pl.DataFrame(schema=REPORT_BACK_COUNT_SCHEMA)
    return (
        owed.group_by("area", "support_function")
        .agg(pl.len().alias("open"))
        .cast(REPORT_BACK_COUNT_SCHEMA)
        .sort("area", "support_function")
    )


# --- the calendar ----------------------------------------------------------------------------


def calendar(
    conn: duckdb.DuckDBPyConnection,
    scope: Scope,
    first: dt.date,
    last: dt.date,
    *,
    today: dt.date | None = None,
    area: str | None = None,
    role: str | None = None,
    school_form: str | None = None,
) -> pl.DataFrame:
    """Every event overlapping ``first``..``last`` (inclusive) in the scope, by start date.

    Grain: one row per event (``EVENT_SCHEMA``). ``area`` narrows rounds and follow-ups to
    one area (``ScopeError`` outside the scope), ``school_form`` the follow-ups to the units
    of that school form (a round is the area's, for every school form); the data deliveries
    are always included.
    ``role='leadership'`` gives follow-ups as counts per area (see the module docstring).
    """
    today = today or dt.date.today()
    if last < first:
        raise ValueError("slutdatumet är före startdatumet")
    parts = [
        round_events(conn, scope, first, last, area=area),
        delivery_events(first, last),
        action_events(
            conn, scope, first, last, today, area=area, role=role, school_form=school_form
        ),
        support_events(
            conn, scope, first, last, today, area=area, role=role, school_form=school_form
        ),
    ]
    order = {k: i for i, k in enumerate(KIND_LABELS)}
    return (
        pl.concat(parts)
        .with_columns(pl.col("kind").replace_strict(order, return_dtype=pl.Int64).alias("_o"))
        .sort(["start", "_o", "area", "summary"], nulls_last=True)
        .drop("_o")
    )


def upcoming(
    conn: duckdb.DuckDBPyConnection,
    scope: Scope,
    *,
    today: dt.date | None = None,
    days: int = 365,
    area: str | None = None,
    role: str | None = None,
    school_form: str | None = None,
) -> pl.DataFrame:
    """The events from ``today`` to ``days`` days ahead (a round under way included): the
    ``.ics`` export's content."""
    today = today or dt.date.today()
    return calendar(
        conn,
        scope,
        today,
        today + dt.timedelta(days=days),
        today=today,
        area=area,
        role=role,
        school_form=school_form,
    )


def actions_due(
    conn: duckdb.DuckDBPyConnection,
    scope: Scope,
    *,
    today: dt.date | None = None,
    within_days: int = DUE_SOON_DAYS,
    area: str | None = None,
    role: str | None = None,
    school_form: str | None = None,
) -> pl.DataFrame:
    """Open dialogue actions past their due date or due within ``within_days`` days.

    Grain: one action per row (``unit_id, unit_name, area, action, dialogue_date,
    due_date, overdue``), the earliest due first; for leadership one row per area
    (``area, overdue, due_soon`` counts).
    """
    today = today or dt.date.today()
    found = _open_actions(
        conn,
        _visible_units(conn, scope, area, school_form),
        dt.date(1900, 1, 1),
        today + dt.timedelta(days=within_days),
    ).with_columns((pl.col("due_date") < today).alias("overdue"))
    if _is_aggregate(role):
        return (
            found.group_by("area")
            .agg(
                pl.col("overdue").sum().cast(pl.Int64).alias("overdue"),
                (~pl.col("overdue")).sum().cast(pl.Int64).alias("due_soon"),
            )
            .sort("area")
        )
    return found.select(
        "unit_id", "unit_name", "area", "action", "dialogue_date", "due_date", "overdue"
    )


# --- who has had their dialogue this term ----------------------------------------------------

STATUS_SCHEMA: dict[str, pl.DataType] = {
    "unit_id": pl.String(),
    "unit_name": pl.String(),
    "area": pl.String(),
    "had_dialogue": pl.Boolean(),
    "last_dialogue": pl.Date(),
}


def _status(
    conn: duckdb.DuckDBPyConnection,
    scope: Scope,
    term: str,
    area: str | None,
    school_form: str | None = None,
) -> pl.DataFrame:
    first, last = rounds_store.term_bounds(term)
    _visible_units(conn, scope, area)  # ScopeError for an area outside the scope
    # Central units (the administration's own) hold no verksamhetsdialog.
    visible = (
        units(conn, scope, area=area, school_form=school_form)
        .filter(pl.col("school_form").fill_null("") != "central")
        .select("unit_id", "unit_name", "area")
    )
    cur = conn.cursor()
    try:
        held = store.frame(
            cur,
            "SELECT unit_id, max(d) AS last_dialogue FROM ("
            "SELECT unit_id, dialogue_date AS d FROM dialogue_notes WHERE dialogue_date BETWEEN $1 AND $2 "
            "UNION ALL SELECT unit_id, dialogue_date FROM dialogue_actions "
            "WHERE dialogue_date BETWEEN $1 AND $2) GROUP BY unit_id",
            [first, last],
        )
    finally:
        cur.close()
    schema = {"unit_id": pl.String(), "last_dialogue": pl.Date()}
    held = held.cast(schema, strict=False) if held.height else pl.DataFrame(schema=schema)
    return (
        visible.join(held, on="unit_id", how="left")
        .with_columns(pl.col("last_dialogue").is_not_null().alias("had_dialogue"))
        .select(list(STATUS_SCHEMA))
        .cast(STATUS_SCHEMA)
        .sort(["had_dialogue", "area", "unit_name"])
    )


def dialogue_status(
    conn: duckdb.DuckDBPyConnection,
    scope: Scope,
    term: str,
    *,
    area: str | None = None,
    role: str | None = None,
    school_form: str | None = None,
) -> pl.DataFrame:
    """Each school or preschool in scope: has it had a verksamhetsdialog (notes or actions) in
    ``term``? Central units are left out.

    Grain: one row per unit (``STATUS_SCHEMA``; ``last_dialogue`` the newest dialogue date
    in the term), those without a dialogue first. Leadership gets ``ScopeError``: it sees
    :func:`dialogue_status_by_area`.
    """
    if _is_aggregate(role):
        raise ScopeError("ledningen ser sammanställningen per område, inte enheternas dialoger")
    return _status(conn, scope, term, area, school_form)


def dialogue_status_by_area(
    conn: duckdb.DuckDBPyConnection,
    scope: Scope,
    term: str,
    *,
    area: str | None = None,
    school_form: str | None = None,
) -> pl.DataFrame:
    """Per area: ``units``, ``had_dialogue`` and ``not_yet`` (units) in ``term``, by area."""
    return (
        _status(conn, scope, term, area, school_form)
        .group_by("area")
        .agg(
            pl.len().cast(pl.Int64).alias("units"),
            pl.col("had_dialogue").sum().cast(pl.Int64).alias("had_dialogue"),
        )
        .with_columns((pl.col("units") - pl.col("had_dialogue")).alias("not_yet"))
        .sort("area")
    )


# --- the .ics export -------------------------------------------------------------------------


def calendar_name(area: str | None) -> str:
    """The exported calendar's title: ``'Årshjul – Norra området'`` or ``'Årshjul – hela organisationen'``."""
    return f"Årshjul – {area or 'hela organisationen'}"


def ics_file_name(area: str | None, today: dt.date | None = None) -> str:
    """``arshjul-norra-omradet-2026-11-10.ics`` (``arshjul-2026-11-10.ics`` without an area)."""
    stem = f"arshjul-{_slug(area)}" if area else "arshjul"
    return f"{stem}-{(today or dt.date.today()).isoformat()}.ics"


def upcoming_ics(
    conn: duckdb.DuckDBPyConnection,
    scope: Scope,
    *,
    today: dt.date | None = None,
    area: str | None = None,
    role: str | None = None,
    stamp: dt.datetime | None = None,
    school_form: str | None = None,
) -> tuple[bytes, int]:
    """The upcoming dates (:func:`upcoming`) as an ``.ics`` file, and how many events it holds.

    The same file for the page's download and ``kompetens arshjul``.
    """
    events = upcoming(conn, scope, today=today, area=area, role=role, school_form=school_form)
    return calendar_file.to_ics(events, name=calendar_name(area), stamp=stamp), events.height

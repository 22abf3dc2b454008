"""What a dialogue brief shows for one unit, gathered through the query layer (pure data).

:func:`build_brief` reads everything with the caller's ``query.Scope``, so a
brief never holds more than its reader could see on screen: a unit outside
the scope raises ``query.ScopeError``, suppressed values arrive as ``None``
with ``suppressed=True`` and are printed as ``..``, and an area outside the
scope has no values. The PDF (``pdf.py``) and Excel (``excel.py``) writers
only lay out a :class:`Brief`; neither reads the database.

Grain: one :class:`Brief` per unit × period (a year ``YYYY``) × dialogue date × kind.

Two kinds (the user chooses): ``underlag`` before the dialogue (last time's
actions with their status and room for notes) and ``protokoll`` after it (the
notes and actions saved for the dialogue date, with owner, due date and status,
and the follow-up of earlier actions). The figures and talking points come from
``kompetens.dialogue.discussion.gather``, the function the page uses.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import duckdb
import polars as pl

from kompetens import query
from kompetens.core.labels import TARGET_STATUS_LABELS, school_form_label
from kompetens.dialogue import dialogues, discussion
from kompetens.dialogue.briefs.charts import EXTERNAL_LEVEL
from kompetens.dialogue.talking_points import as_text
from kompetens.indicators import registry
from kompetens.present.formatting import MISSING, fmt_date, fmt_delta, fmt_number, fmt_value
from kompetens.query import benchmarks as external
from kompetens.query import projection
from kompetens.query import themes as theme_query

UNDERLAG = "underlag"
PROTOKOLL = "protokoll"
#: The two kinds of brief, as the user chooses them.
BRIEF_KINDS: dict[str, str] = {
    UNDERLAG: "Underlag före dialogen",
    PROTOKOLL: "Protokoll efter dialogen",
}
#: The trend charts: the unit's main certification share, turnover, sick leave.
TREND_INDICATORS: tuple[str, ...] = ("turnover_rate", "sick_leave_rate")

STATUS_WORDS: dict[str | None, str] = TARGET_STATUS_LABELS
NO_DATA_TEXT = "Det finns inga nyckeltal för enheten för perioden {period}."
SUPPRESSION_NOTE = (
    "Värden som bygger på färre än fem personer visas som .. (för få för att visas). "
    "– betyder att uppgift saknas."
)


@dataclass(frozen=True)
class KeyFigure:
    """One indicator of the unit against its area, the organisation and its target.

    Values are the stored units (shares as fractions); ``None`` when missing
    or hidden. ``*_suppressed`` says a value exists but rests on fewer than
    five people. The ``*_text`` fields are the Swedish strings to print.
    """

    indicator_id: str
    name: str
    phase: str
    unit: str  # the registry's unit: share, fte, count, days, hours, score_5, score_100, ratio
    period_label: str  # '2026', or '12 mån t.o.m. 2026-11' in a year still running
    value: float | None
    suppressed: bool
    area_value: float | None
    area_suppressed: bool
    org_value: float | None
    org_suppressed: bool
    target: float | None
    previous_value: float | None
    previous_suppressed: bool
    change: float | None
    status: str | None  # green / yellow / red / None
    rank_in_area: int | None
    units_in_area: int | None
    arrow: str  # ▲ / ▼ / → / "" (no comparable previous value)
    trend: str  # "better" / "worse" / "neutral" / "" — colour of the arrow
    value_text: str
    area_text: str
    org_text: str
    target_text: str
    previous_text: str
    change_text: str
    change_word: str  # förbättring / försämring / oförändrat / ""
    status_text: str
    rank_text: str


@dataclass(frozen=True)
class Comparison:
    """The unit's figure against published values (Kolada) for one indicator of the brief.

    Values in the indicator's unit (shares as fractions), ``None`` when the source published
    none (its own mark is then in the ``*_text``). Each ``*_text`` is the value with its year,
    ``'73,9 % (2024)'``, or ``–`` when nothing was imported; ``source`` names source and
    measure (``'Kolada, nyckeltal N15814'``), ``source_url`` the page that shows the value.
    """

    indicator_id: str
    name: str
    unit: str
    unit_text: str  # our figure for the unit, as in the key figures ('..' when hidden)
    municipality_value: float | None
    municipality_year: int | None
    municipality_text: str
    group_value: float | None
    group_year: int | None
    group_text: str
    group_name: str
    national_value: float | None
    national_year: int | None
    national_text: str
    source: str
    source_url: str
    is_demo: bool


@dataclass(frozen=True)
class Trend:
    """A trend chart's data: ``frame`` has ``series, period, value, suppressed, target``."""

    indicator_id: str
    title: str
    frame: pl.DataFrame


def with_external_lines(
    conn: duckdb.DuckDBPyConnection, scope: query.Scope, frame: pl.DataFrame, indicator_id: str
) -> pl.DataFrame:
    """A trend frame with the national and similar-municipalities lines added as series.

    ``frame``: ``query.trend_with_context`` rows (series x year). Only the years already in it
    get a point (the lines never stretch the axis); the series read "Riket (Kolada)" and
    "Liknande kommuner (Kolada)", ``level`` is ``EXTERNAL_LEVEL`` and ``scope_id`` the
    comparison kind (``national``, ``municipality_group``; the chart styles by it), never
    suppressed (published values), no target. Unchanged when nothing is published for the
    indicator's KPI.
    """
    years = frame["period"].unique().to_list()
    lines = external.external_trend(conn, scope, indicator_id).filter(
        pl.col("year").cast(pl.String).is_in(years)
    )
    if lines.is_empty():
        return frame
    added = lines.select(
        (pl.col("label") + " (Kolada)").alias("series"),
        pl.lit(EXTERNAL_LEVEL).alias("level"),
        pl.col("comparison_kind").alias("scope_id"),
        pl.col("year").cast(pl.String).alias("period"),
        "value",
        pl.lit(False).alias("suppressed"),
        pl.lit(None, dtype=pl.Float64).alias("target"),
    )
    return pl.concat([frame, added.select(frame.columns).cast(frame.schema)])


@dataclass(frozen=True)
class Placement:
    """The unit among its area's units: ``frame`` has ``unit_id, unit_name, value, suppressed``."""

    indicator_id: str
    title: str
    frame: pl.DataFrame
    target: float | None


@dataclass(frozen=True)
class ActionLine:
    """One agreed action as printed: dates ``YYYY-MM-DD``, empty strings for what is not given."""

    dialogue_date: str
    action: str
    owner: str
    due_date: str
    status: str  # Swedish: klar / ej klar


PreviousAction = ActionLine


@dataclass(frozen=True)
class ThemeLine:
    """One common theme of the brief's term (``query.themes``).

    For a reader who may see the unit's themes (area manager, principal): the unit's own
    theme, ``where`` saying where it was tagged (``'dialog, stödärende'``), ``units``
    None. For an organisation-wide reader (leadership, HR): a theme of the unit's area,
    ``where`` the area, ``units`` how many of its units carry it (None and ``suppressed``
    when one to four: such a count could point at a unit). ``text`` is the printed line.
    """

    theme: str
    where: str
    units: int | None
    suppressed: bool
    text: str


@dataclass(frozen=True)
class SubjectGap:
    """One of the unit's largest subject gaps (``query.largest_subject_gaps``: visible gaps above
    zero only): teaching hours per week without a qualified teacher, and as full-time posts."""

    subject: str  # Skolverket's code, e.g. 'MA'
    subject_name: str
    share: float | None  # qualified hours / all hours of the subject (None when hidden)
    hours: float
    fte: float
    text: str  # 'Matematik: 10,0 timmar i veckan utan behörig lärare (0,6 heltidstjänster)'


def subject_gap_text(subject_name: str, hours: float, fte: float) -> str:
    """A subject gap in words (plain text; a page passes the name through ``md_text`` first)."""
    return (
        f"{subject_name}: {fmt_number(hours, 1)} timmar i veckan utan behörig lärare "
        f"({fmt_number(fte, 1)} heltidstjänster)"
    )


def subject_gaps(
    conn: duckdb.DuckDBPyConnection, scope: query.Scope, unit_id: str, period: str
) -> tuple[SubjectGap, ...]:
    """The unit's three largest visible subject gaps in ``period`` (none without assignments)."""
    rows = query.largest_subject_gaps(conn, scope, unit_id, period)
    return tuple(
        SubjectGap(
            r["subject"],
            r["subject_name"],
            None if r["share_suppressed"] else r["share"],
            r["uncertified_hours"],
            r["uncertified_fte"],
            subject_gap_text(r["subject_name"], r["uncertified_hours"], r["uncertified_fte"]),
        )
        for r in rows.iter_rows(named=True)
    )


@dataclass(frozen=True)
class Brief:
    """Everything one unit's dialogue brief shows (already scoped and suppressed)."""

    unit_id: str
    unit_name: str
    area: str
    school_form: str | None
    dialogue_date: dt.date
    period: str | None  # 'YYYY'; None when the database has no yearly figures at all
    data_period: str
    generated: dt.datetime
    key_figures: tuple[KeyFigure, ...] = ()
    trends: tuple[Trend, ...] = ()
    placement: Placement | None = None
    talking_points: tuple[str, ...] = ()
    previous_dialogue: str | None = None
    previous_actions: tuple[ActionLine, ...] = ()
    kind: str = UNDERLAG
    #: The protokoll's notes (the newest saved revision for the dialogue date), as lines.
    notes: tuple[str, ...] = field(default_factory=tuple)
    #: The protokoll's actions agreed at this dialogue (owner, due date, status).
    agreed_actions: tuple[ActionLine, ...] = ()
    #: The unit against the own municipality, similar municipalities and the country (Kolada).
    comparisons: tuple[Comparison, ...] = ()
    #: The unit's outlook at the observed pace, one line per certified share
    #: (``query.projection.unit_outlook``, the same lines as the dialogue page).
    outlook: tuple[str, ...] = ()
    #: The common themes of the dialogue date's term: the unit's own, or (an
    #: organisation-wide reader) the counts of its area (``themes_by_area``).
    themes: tuple[ThemeLine, ...] = ()
    themes_term: str = ""
    themes_by_area: bool = False
    #: The unit's three largest subject gaps in hours (teaching assignments; hidden ones left out).
    subject_gaps: tuple[SubjectGap, ...] = ()

    @property
    def has_data(self) -> bool:
        return bool(self.key_figures)

    @property
    def themes_heading(self) -> str:
        if self.themes_by_area:
            return f"Gemensamma teman i {self.area} {self.themes_term}"
        return f"Enhetens gemensamma teman {self.themes_term}"

    @property
    def themes_note(self) -> str:
        return THEME_NOTE_AREA if self.themes_by_area else THEME_NOTE_UNIT

    @property
    def no_themes_text(self) -> str:
        if self.themes_by_area:
            return f"Inga enheter i {self.area} har märkts med teman {self.themes_term}."
        return f"Enhetens dialoger och stödärenden är inte märkta med teman {self.themes_term}."

    @property
    def is_protokoll(self) -> bool:
        return self.kind == PROTOKOLL

    @property
    def kind_label(self) -> str:
        return BRIEF_KINDS[self.kind]

    @property
    def no_data_text(self) -> str:
        return NO_DATA_TEXT.format(period=self.period or MISSING)

    @property
    def title(self) -> str:
        return f"{self.unit_name} ({self.unit_id})"


def indicators_for(school_form: str | None) -> tuple[str, ...]:
    """The brief's figures: the dialogue's own (``discussion.indicators_for``)."""
    return discussion.indicators_for(school_form)


def main_share(school_form: str | None) -> str:
    """The certification share that leads a unit's brief (preschools have their own)."""
    return indicators_for(school_form)[0]


def _arrow(change: float | None, indicator_id: str, comparable: bool) -> tuple[str, str, str]:
    """(arrow, trend, word): ▲/▼ by the sign of the change, coloured by the indicator's direction."""
    if not comparable or change is None:
        return "", "", ""
    if abs(change) < 1e-9:
        return "→", "neutral", "oförändrat"
    sign = query.direction_sign(indicator_id)
    arrow = "▲" if change > 0 else "▼"
    if sign == 0:
        return arrow, "neutral", ""
    better = change * sign > 0
    return arrow, ("better" if better else "worse"), ("förbättring" if better else "försämring")


def _rounds_to_zero(text: str) -> bool:
    """``'−0'``, ``'+0,0 procentenheter'``: a change that shows as zero."""
    digits = [c for c in text if c.isdigit()]
    return bool(digits) and set(digits) == {"0"}


def key_figures(compare: pl.DataFrame) -> tuple[KeyFigure, ...]:
    """``query.compare`` rows where the unit has a figure (shown or hidden), as :class:`KeyFigure`."""
    out = []
    for row in compare.iter_rows(named=True):
        if row["unit_value"] is None and not row["unit_suppressed"]:
            continue
        ind = registry.get(row["indicator_id"])
        hidden = bool(row["unit_suppressed"])
        prev_hidden = bool(row["previous_suppressed"])
        comparable = not hidden and not prev_hidden and row["change"] is not None
        change = row["change"]
        if comparable and _rounds_to_zero(fmt_delta(change, ind)):
            change = 0.0  # unchanged at the precision shown: no arrow pointing at "−0"
        arrow, trend, word = _arrow(change, ind.id, comparable)
        if hidden or prev_hidden:
            change_text = ".." if row["previous_value"] is not None or prev_hidden else MISSING
        elif row["change"] is None:
            change_text = MISSING
        else:
            change_text = fmt_delta(change, ind)
        rank = row["rank_in_area"] if not hidden else None
        n = row["units_in_area"]
        out.append(
            KeyFigure(
                indicator_id=ind.id,
                name=ind.name_sv,
                phase=registry.PHASES[ind.phase][0],
                unit=str(ind.unit),
                period_label=str(row.get("period_label") or ""),
                value=None if hidden else row["unit_value"],
                suppressed=hidden,
                area_value=None if row["area_suppressed"] else row["area_value"],
                area_suppressed=bool(row["area_suppressed"]),
                org_value=None if row.get("org_suppressed") else row["org_value"],
                org_suppressed=bool(row.get("org_suppressed")),
                target=row["target"],
                previous_value=None if prev_hidden else row["previous_value"],
                previous_suppressed=prev_hidden,
                change=row["change"] if comparable else None,
                status=row["status"],
                rank_in_area=rank,
                units_in_area=n,
                arrow=arrow,
                trend=trend,
                value_text=fmt_value(row["unit_value"], ind, suppressed=hidden),
                area_text=fmt_value(
                    row["area_value"], ind, suppressed=bool(row["area_suppressed"])
                ),
                org_text=fmt_value(
                    row["org_value"], ind, suppressed=bool(row.get("org_suppressed"))
                ),
                target_text=fmt_value(row["target"], ind),
                previous_text=fmt_value(row["previous_value"], ind, suppressed=prev_hidden),
                change_text=change_text,
                change_word=word,
                status_text=STATUS_WORDS.get(row["status"], STATUS_WORDS[None]),
                rank_text=f"{rank} av {n}" if rank is not None and n else MISSING,
            )
        )
    return tuple(out)


def _published_text(row: dict | None, indicator: registry.Indicator) -> str:
    """``'73,9 % (2024)'``; the source's own mark when it published no number; ``–`` for none."""
    if row is None:
        return MISSING
    if row["value"] is None:  # the source's own mark (Kolada's status, Skolverket's '..')
        return f"{row['source_value'] or MISSING} ({row['year']})"
    return f"{fmt_value(row['value'], indicator)} ({row['year']})"


def comparisons_for(
    conn: duckdb.DuckDBPyConnection,
    scope: query.Scope,
    unit_id: str,
    period: str,
    figures: tuple[KeyFigure, ...],
) -> tuple[Comparison, ...]:
    """The key figures that have published comparisons, each against the own municipality,
    similar municipalities and the country (``query.benchmarks.external_comparisons``: the
    latest year at or before ``period``). Benchmark values are never suppressed; the sources'
    own marks are kept."""
    out = []
    for k in figures:
        rows = external.external_comparisons(conn, scope, k.indicator_id, int(period), unit_id)
        by_kind = {r["comparison_kind"]: r for r in rows.iter_rows(named=True)}
        shown = [by_kind.get(kind) for kind in external.STRIP_KINDS]
        if not any(shown):
            continue
        ind = registry.get(k.indicator_id)
        own, group, national = shown
        first = next(r for r in shown if r is not None)
        out.append(
            Comparison(
                indicator_id=k.indicator_id,
                name=k.name,
                unit=k.unit,
                unit_text=k.value_text,
                municipality_value=own["value"] if own else None,
                municipality_year=own["year"] if own else None,
                municipality_text=_published_text(own, ind),
                group_value=group["value"] if group else None,
                group_year=group["year"] if group else None,
                group_text=_published_text(group, ind),
                group_name=(group["comparison_name"] or "") if group else "",
                national_value=national["value"] if national else None,
                national_year=national["year"] if national else None,
                national_text=_published_text(national, ind),
                source=f"{first['source_name']}, nyckeltal {first['measure_id']}",
                source_url=first["source_url"] or "",
                is_demo=bool(rows["is_demo"].any()),
            )
        )
    return tuple(out)


def data_period_text(period: str | None, latest_month: str | None) -> str:
    """``'2025 (helår; personal per oktober)'`` or, for a year still running, up to its last month."""
    if period is None:
        return MISSING
    if latest_month and latest_month[:4] == period and latest_month[5:7] != "12":
        return f"{period} (t.o.m. {latest_month}, preliminärt)"
    return f"{period} (helår; personalbestånd per oktober)"


def _unit_row(conn: duckdb.DuckDBPyConnection, scope: query.Scope, unit_id: str) -> dict:
    """The unit's row, or ``ScopeError``/``ValueError`` before anything else is read."""
    visible = query.units(conn, scope).filter(pl.col("unit_id") == unit_id)
    if visible.height == 0:
        if scope.level == "org":
            raise ValueError(f"enheten {unit_id!r} finns inte")
        # The same answer whether or not the unit exists: a narrow scope learns nothing.
        raise query.ScopeError(f"enheten {unit_id!r} ligger utanför din behörighet")
    return visible.row(0, named=True)


def default_period(conn: duckdb.DuckDBPyConnection, scope: query.Scope) -> str | None:
    """The newest year with key figures (what the dialogue page shows without a year filter)."""
    years = query.available_periods(conn, scope, "year")["period"].to_list()
    return years[-1] if years else None


def _action_lines(frame: pl.DataFrame) -> tuple[ActionLine, ...]:
    return tuple(
        ActionLine(
            dialogue_date=fmt_date(row["dialogue_date"]),
            action=row["action"],
            owner=row["owner"] or "",
            due_date=fmt_date(row["due_date"]) if row["due_date"] else "",
            status=dialogues.STATUS_LABELS.get(row["status"], row["status"]),
        )
        for row in frame.iter_rows(named=True)
    )


def _previous_actions(
    conn: duckdb.DuckDBPyConnection, scope: query.Scope, unit_id: str, day: dt.date
) -> tuple[str | None, tuple[ActionLine, ...]]:
    try:
        frame = dialogues.previous_actions(conn, scope, unit_id, day)
    except duckdb.CatalogException:  # a database opened read-only before the dialogue tables
        return None, ()
    if frame.height == 0:
        return None, ()
    previous = dialogues.previous_dialogue_date(conn, scope, unit_id, day)
    return (fmt_date(previous) if previous else None), _action_lines(frame)


THEME_NOTE_AREA = (
    "Antal enheter i området som har temat i en verksamhetsdialog eller ett stödärende "
    "under terminen. Vilka enheter visas inte för hela organisationen, och färre än "
    f"{theme_query.MIN_UNITS} enheter visas som ”färre än {theme_query.MIN_UNITS}”."
)
THEME_NOTE_UNIT = (
    "Teman som enhetens verksamhetsdialoger och stödärenden är märkta med under terminen."
)


def themes_for(
    conn: duckdb.DuckDBPyConnection, scope: query.Scope, unit: dict, day: dt.date
) -> tuple[tuple[ThemeLine, ...], bool]:
    """The brief's themes for the term of ``day`` and whether they are the area's counts.

    The rules are the query layer's (``query.themes``): a reader with a unit or area scope
    gets the unit's own themes; an organisation-wide reader the area's counts per theme,
    one to four units hidden.
    """
    try:
        if scope.level == "org":
            area = theme_query.themes_by_area_term(conn, scope, area=unit["area"], term=day)
            lines = [
                ThemeLine(
                    theme=r["theme"],
                    where=r["area"],
                    units=r["units"],
                    suppressed=bool(r["units_suppressed"]),
                    text=theme_query.theme_sentence(r),
                )
                for r in area.sort(
                    ["units_suppressed", "units", "theme"],
                    descending=[False, True, False],
                    nulls_last=True,
                ).iter_rows(named=True)
            ]
            return tuple(lines), True
        own = theme_query.unit_themes(conn, scope, unit["unit_id"], day)
    except duckdb.CatalogException:  # a database opened read-only before the theme tables
        return (), scope.level == "org"
    lines = []
    for r in own.iter_rows(named=True):
        where = ", ".join(
            w for w, on in (("dialog", r["in_dialogue"]), ("stödärende", r["in_request"])) if on
        )
        lines.append(ThemeLine(r["theme"], where, None, False, f"{r['theme']} ({where})"))
    return tuple(lines), False


def _this_dialogue(
    conn: duckdb.DuckDBPyConnection, scope: query.Scope, unit_id: str, day: dt.date
) -> tuple[tuple[str, ...], tuple[ActionLine, ...]]:
    """The notes (as lines) and actions saved for the dialogue on ``day``."""
    try:
        revisions = dialogues.note_revisions(conn, scope, unit_id, day)
        agreed = dialogues.actions(conn, scope, unit_id, day)
    except duckdb.CatalogException:  # a database opened read-only before the dialogue tables
        return (), ()
    notes = tuple(revisions["notes"].item(0).splitlines()) if revisions.height else ()
    return notes, _action_lines(agreed.sort("id"))


def build_brief(
    conn: duckdb.DuckDBPyConnection,
    scope: query.Scope,
    unit_id: str,
    *,
    period: str | None = None,
    dialogue_date: dt.date | None = None,
    now: dt.datetime | None = None,
    kind: str = UNDERLAG,
) -> Brief:
    """Gather one unit's brief for ``period`` (default: the newest year) with the caller's scope.

    ``kind``: ``'underlag'`` (before the dialogue) or ``'protokoll'`` (after it,
    with the notes and actions saved for ``dialogue_date``). Raises
    ``query.ScopeError`` for a unit outside ``scope``. A unit without figures
    for the period gets a brief whose ``has_data`` is False (the writers then
    say so) rather than an error.
    """
    if kind not in BRIEF_KINDS:
        raise ValueError(f"okänd typ av underlag {kind!r}: välj {' eller '.join(BRIEF_KINDS)}")
    unit = _unit_row(conn, scope, unit_id)
    day = dialogue_date or dt.date.today()
    period = period or default_period(conn, scope)
    latest = query.latest_month(conn, scope)
    form = unit["school_form"]
    base = {
        "unit_id": unit_id,
        "unit_name": unit["unit_name"] or unit_id,
        "area": unit["area"],
        "school_form": school_form_label(form),
        "dialogue_date": day,
        "period": period,
        "data_period": data_period_text(period, latest),
        "generated": now or dt.datetime.now().replace(microsecond=0),
    }
    previous_dialogue, actions = _previous_actions(conn, scope, unit_id, day)
    base |= {"previous_dialogue": previous_dialogue, "previous_actions": actions, "kind": kind}
    themes, by_area = themes_for(conn, scope, unit, day)
    base |= {
        "themes": themes,
        "themes_term": theme_query.term_label(day),
        "themes_by_area": by_area,
    }
    if kind == PROTOKOLL:
        notes, agreed = _this_dialogue(conn, scope, unit_id, day)
        base |= {"notes": notes, "agreed_actions": agreed}
    if period is None:
        return Brief(**base)
    talk = discussion.gather(conn, scope, unit_id, period)
    compare = talk.compare
    figures = key_figures(compare)
    if not figures:
        return Brief(**base)

    lead = discussion.indicators_for(form)[0]
    points = as_text(list(talk.points))

    trends = []
    for i in (lead, *TREND_INDICATORS):
        frame = query.trend_with_context(conn, scope, i, "unit", unit_id, "year").filter(
            pl.col("period") <= period
        )
        if frame.filter(pl.col("level") == "unit").height:
            trends.append(
                Trend(i, registry.get(i).name_sv, with_external_lines(conn, scope, frame, i))
            )

    placement = None
    # A unit-level scope may lack its area; its visible units are then the peers it can see.
    area_filter = unit["area"] if scope.allows_area(unit["area"]) else None
    peers = query.unit_values(conn, scope, [lead], "year", period, area=area_filter).filter(
        pl.col("area") == unit["area"]
    )
    if peers.filter(pl.col("unit_id") == unit_id).height:
        frame = peers.select("unit_id", "unit_name", "value", "suppressed")
        target = compare.filter(pl.col("indicator_id") == lead)["target"]
        placement = Placement(
            lead,
            f"{registry.get(lead).name_sv}: enheterna i {unit['area']}",
            frame,
            target.item(0) if target.len() else None,
        )
    return Brief(
        **base,
        key_figures=figures,
        trends=tuple(trends),
        placement=placement,
        talking_points=tuple(points),
        comparisons=comparisons_for(conn, scope, unit_id, period, figures),
        outlook=tuple(projection.unit_outlook(conn, scope, unit_id)),
        subject_gaps=subject_gaps(conn, scope, unit_id, period),
    )

"""View logic of the Verksamhetsdialog page (no Streamlit, no SQL).

The page calls ``query.compare`` for one unit and hands the frame here to
keep the figures the unit has, order them by ARUBA phase and turn them into
cards and a Swedish download table. Values stay numbers for the table;
suppression travels as ``<column>_suppressed`` (the ``kompetens.present.exports``
convention) and shows as ``..``. The last section reads and saves the dialogue
records for the page through ``kompetens.dialogue.dialogues``, which checks the
caller's scope; the functions above it are pure functions of frames.
"""

from __future__ import annotations

import datetime as dt

import duckdb
import polars as pl

from kompetens import query
from kompetens.access import auth
from kompetens.analysis import support
from kompetens.core.labels import PHASE_LABELS, TARGET_STATUS_LABELS
from kompetens.dialogue import dialogues, discussion
from kompetens.dialogue.briefs.content import BRIEF_KINDS, PROTOKOLL, UNDERLAG
from kompetens.indicators import registry
from kompetens.present.formatting import (
    delta_style,
    fmt_date,
    fmt_delta,
    fmt_number,
    fmt_value,
    md_text,
)
from kompetens.ui import components

#: The figures discussed in a dialogue, in ARUBA order (one list for page and brief:
#: ``kompetens.dialogue.discussion``). A unit shows those it has a figure for.
KEY_INDICATORS: tuple[str, ...] = discussion.KEY_INDICATORS

STATUS_WORDS: dict[str | None, str] = TARGET_STATUS_LABELS


def heading(unit_name: str, area: str, period: str) -> str:
    """``'Ekskolan · Norr · 2025'`` for a heading (which reads Markdown): names escaped, shown as typed."""
    return f"{md_text(unit_name)} · {md_text(area)} · {period}"


def with_figures(compare: pl.DataFrame) -> pl.DataFrame:
    """The rows of ``query.compare`` where the unit has a figure (a value, or a hidden one)."""
    return compare.filter(pl.col("unit_value").is_not_null() | pl.col("unit_suppressed"))


def area_of(units: pl.DataFrame, unit_id: str) -> str | None:
    """The area of ``unit_id`` in a ``query.units`` frame (None if it is not there)."""
    hit = units.filter(pl.col("unit_id") == unit_id)
    return hit["area"].item(0) if hit.height else None


def unit_labels(units: pl.DataFrame) -> dict[str, str]:
    """Unit id -> the selectbox label ``"Ekskolan (E1)"`` (name first, for typing to search)."""
    return {
        u: f"{name} ({u})"
        for u, name in zip(units["unit_id"].to_list(), units["unit_name"].to_list(), strict=True)
    }


def unit_from_param(value: str | None, units: pl.DataFrame) -> str | None:
    """The unit id a ``?enhet=`` value names among ``units`` (a ``query.units`` frame), or None.

    Accepted: the id (``E1``), this page's label (``Ekskolan (E1)``), the unit's name, or a
    label that starts with the name followed by `` (`` (Behörighet's ``Ekskolan (Norr)``).
    """
    if not value:
        return None
    ids = units["unit_id"].to_list()
    if value in ids:
        return value
    for unit_id, name in zip(ids, units["unit_name"].to_list(), strict=True):
        if value == f"{name} ({unit_id})":
            return unit_id
    for unit_id, name in zip(ids, units["unit_name"].to_list(), strict=True):
        if value == name or value.startswith(f"{name} ("):
            return unit_id
    return None


def default_area(
    area_names: list[str],
    *,
    sidebar_area: str | None,
    linked_unit_area: str | None,
    sidebar_changed: bool,
    neediest_area: str | None = None,
) -> str:
    """The page's area choice on a run: a shared ``?enhet=`` link opens its unit's area, unless the
    user has just changed the sidebar area (then the sidebar wins); else the sidebar area; else
    the area of the unit with the greatest support need; else the first area."""
    if linked_unit_area in area_names and not (sidebar_changed and sidebar_area):
        return linked_unit_area
    if sidebar_area in area_names:
        return sidebar_area
    if neediest_area in area_names:
        return neediest_area
    return area_names[0]


def neediest_area(conn: duckdb.DuckDBPyConnection, scope) -> str | None:
    """The area of the unit with the greatest support need in ``scope`` (None if none is ranked)."""
    ranked = query.support_need(conn, scope).filter(pl.col("rank").is_not_null())
    return ranked.sort("rank", "unit_id")["area"].item(0) if ranked.height else None


def phase_of(indicator_id: str) -> str:
    return PHASE_LABELS[registry.get(indicator_id).phase]


def colour_has_direction(indicator) -> bool:
    """A rank only means something when higher is better or worse (not for neutral figures)."""
    return str(indicator.direction) in ("higher_is_better", "higher_is_worse")


def card(row: dict, previous_label: str) -> dict[str, str | None]:
    """Swedish strings for one indicator card: value, delta, comparison line, rank."""
    ind = registry.get(row["indicator_id"])
    value = fmt_value(row["unit_value"], ind, suppressed=bool(row["unit_suppressed"]))
    rolling = "mån" in str(row.get("period_label") or "")
    if rolling:  # a 12-month figure in a year still running: compared with 12 months a year earlier
        previous_label = str(row["previous_label"])
    delta, colour, arrow = None, "off", "off"
    change = row["change"]
    if change is not None and not row["unit_suppressed"] and not row["previous_suppressed"]:
        delta = f"{fmt_delta(change, ind)} mot {previous_label}"
        colour, arrow = delta_style(change, str(ind.direction), fmt_delta(change, ind))
        if abs(change) < 1e-9:
            delta = f"oförändrat mot {previous_label}"
    parts = [
        f"Området {fmt_value(row['area_value'], ind, suppressed=bool(row['area_suppressed']))}",
        f"Organisationen {fmt_value(row['org_value'], ind, suppressed=bool(row.get('org_suppressed')))}",
    ]
    if row["target"] is not None:
        parts.append(f"Mål {fmt_value(row['target'], ind)}")
    rank = None
    if row["rank_in_area"] is not None and row["units_in_area"] and colour_has_direction(ind):
        rank = f"Plats {row['rank_in_area']} av {row['units_in_area']} i området"
    return {
        "name": ind.name_sv,
        "phase": phase_of(ind.id) + (f" · {row['period_label']}" if rolling else ""),
        "value": value,
        "delta": delta,
        "delta_colour": colour,
        "delta_arrow": arrow,
        "comparison": " · ".join(parts),
        "rank": rank,
        "help": ind.description,
    }


TABLE_LABELS: dict[str, str] = {
    "phase": "Fas",
    "name_sv": "Nyckeltal",
    "unit_text": "Enheten",
    "area_text": "Området",
    "org_text": "Organisationen",
    "target_text": "Mål",
    "previous_text": "Året innan",
    "change_text": "Förändring",
    "status_text": "Status",
    "rank_text": "Plats i området",
}


def display_table(compare: pl.DataFrame) -> pl.DataFrame:
    """One row per indicator with every figure as a Swedish string (``..`` when hidden).

    For the on-screen table and its downloads; the strings already carry
    suppression, so nothing hidden can reach a file.
    """
    rows = []
    for row in with_figures(compare).iter_rows(named=True):
        ind = registry.get(row["indicator_id"])
        hidden_change = row["unit_suppressed"] or row["previous_suppressed"]
        rows.append(
            {
                "phase": phase_of(ind.id),
                "name_sv": ind.name_sv,
                "unit_text": fmt_value(row["unit_value"], ind, suppressed=row["unit_suppressed"]),
                "area_text": fmt_value(
                    row["area_value"], ind, suppressed=bool(row["area_suppressed"])
                ),
                "org_text": fmt_value(
                    row["org_value"], ind, suppressed=bool(row.get("org_suppressed"))
                ),
                "target_text": fmt_value(row["target"], ind),
                "previous_text": fmt_value(
                    row["previous_value"], ind, suppressed=bool(row["previous_suppressed"])
                ),
                "change_text": fmt_delta(row["change"], ind, suppressed=bool(hidden_change)),
                "status_text": STATUS_WORDS.get(row["status"], STATUS_WORDS[None]),
                "rank_text": (
                    f"{row['rank_in_area']} av {row['units_in_area']}"
                    if row["rank_in_area"] is not None
                    else "–"
                ),
            }
        )
    return pl.DataFrame(rows, schema={c: pl.String for c in TABLE_LABELS})


def sparkline_values(series: pl.DataFrame, period: str | None) -> list[float]:
    """A unit's trend up to ``period``, oldest first; hidden or missing values are NaN (a gap).

    ``series``: yearly (``2025``) or 12-month values at one month a year (``2025-11``).
    """
    frame = series if period is None else series.filter(pl.col("period").str.slice(0, 4) <= period)
    return [
        float("nan") if hidden or value is None else float(value)
        for value, hidden in zip(
            frame["value"].to_list(), frame["suppressed"].to_list(), strict=True
        )
    ]


def drawable(values: list[float]) -> bool:
    """At least two real points: a sparkline worth drawing."""
    return sum(v == v for v in values) >= 2  # NaN != NaN


def sparkline(series: pl.DataFrame, period: str | None) -> tuple[list[float] | None, str | None]:
    """A card's sparkline values, or None and a note saying why it is left out.

    A hidden or missing value at the start is left out (the line starts later). One after
    that would break the line in a way a card's small chart cannot show, so the sparkline
    is left out and the note names the hidden periods. Fewer than two points: no line, no note.
    """
    values = sparkline_values(series, period)
    periods = (
        series if period is None else series.filter(pl.col("period").str.slice(0, 4) <= period)
    )["period"].to_list()
    start = next((i for i, v in enumerate(values) if v == v), len(values))
    values, periods = values[start:], periods[start:]
    gaps = [p for p, v in zip(periods, values, strict=True) if v != v]
    if len(values) - len(gaps) < 2:
        return None, None
    if gaps:
        verb = "är dolt eller saknas" if len(gaps) == 1 else "är dolda eller saknas"
        return None, f"Ingen trendlinje: {', '.join(gaps)} {verb} (`..`)."
    return values, None


HISTORY_LABELS: dict[str, str] = {
    "dialogue_date": "Datum",
    "notes": "Anteckningar",
    "created_by": "Skrivet av",
    "revisions": "Versioner",
    "actions": "Åtgärder",
    "actions_done": "Klara",
}


def history_table(history: pl.DataFrame) -> pl.DataFrame:
    """The dialogue history for display: ISO dates, Swedish column names applied by the page."""
    return history.select(
        pl.col("dialogue_date").map_elements(fmt_date, return_dtype=pl.String),
        pl.col("notes").fill_null("–"),
        pl.col("created_by").map_elements(
            auth.author_label, return_dtype=pl.String, skip_nulls=False
        ),
        "revisions",
        "actions",
        "actions_done",
    )


ACTION_LABELS: dict[str, str] = {
    "id": "Nr",
    "dialogue_date": "Dialog",
    "action": "Åtgärd",
    "owner": "Ansvarig",
    "due_date": "Klart senast",
    "status": "Status",
}


def action_table(actions: pl.DataFrame) -> pl.DataFrame:
    """Actions for the follow-up editor: ``id, dialogue_date, action, owner, due_date, status`` (Swedish status)."""
    return dialogues.with_status_labels(actions).select(
        "id", "dialogue_date", "action", "owner", "due_date", "status"
    )


def empty_new_actions(rows: int = 3) -> pl.DataFrame:
    """Blank rows for entering new actions (``action, owner, due_date``)."""
    return pl.DataFrame(
        {"action": [None] * rows, "owner": [None] * rows, "due_date": [None] * rows},
        schema={"action": pl.String, "owner": pl.String, "due_date": pl.Date},
    )


def default_dialogue_date(today: dt.date | None = None) -> dt.date:
    return today or dt.date.today()


# ---- Dialogue records: reads and writes through kompetens.dialogue (which checks the scope) ----

#: The status choices of the follow-up editor (Swedish words, ``ej klar`` first).
STATUS_OPTIONS: tuple[str, ...] = tuple(dialogues.STATUS_LABELS.values())


def discussion_for(
    conn: duckdb.DuckDBPyConnection, scope, unit_id: str, period: str
) -> discussion.Discussion:
    """The unit's figures, support-need drivers and talking points: what the brief prints too."""
    return discussion.gather(conn, scope, unit_id, period)


SUPPORT_LABELS: dict[str, str] = {
    "label": "Del av indexet",
    "figure": "Enhetens värde",
    "need": "Behov jämfört med samma skolform",
    "contribution": "Bidrag till indexet (poäng)",
}


#: The support-need component measured per teacher FTE; the dialogue shows the unit's gap in FTE.
GAP_COMPONENT = "certification_gap"
GAP_INDICATOR = "certification_gap_fte"
NEUTRAL_PERCENTILE = 50.0


def driver_value(driver, compare: pl.DataFrame | None = None) -> str:
    """The unit's value of one support-need component, or why none is shown (Swedish text).

    A hidden figure reads ``dold (färre än 5)``; a component without a figure says so, and
    whether it counted as the middle (percentile 50: a unit with nothing to measure, e.g. no
    advertised post, is neutral). The certification gap, which the index takes per teacher
    FTE, shows the unit's gap in FTE from ``compare`` (the dialogue's figures) and says so.
    """
    figure, indicator_id = driver.figure, driver.indicator_id
    note = ""
    if driver.component_id == GAP_COMPONENT and compare is not None:
        rows = compare.filter(pl.col("indicator_id") == GAP_INDICATOR)
        figure = rows.row(0, named=True) if rows.height else None
        indicator_id = GAP_INDICATOR
        note = " saknade heltidstjänster (indexet räknar per lärartjänst)"
    if figure is not None and indicator_id:
        if figure.get("unit_suppressed"):
            return "dold (färre än 5)"
        value = figure.get("unit_value")
        if value is not None:
            return fmt_value(value, registry.get(indicator_id)) + note
    if driver.percentile == NEUTRAL_PERCENTILE:
        return "inga uppgifter (räknas som mittvärdet)"
    return "inga uppgifter för perioden"


def support_table(need, compare: pl.DataFrame | None = None) -> pl.DataFrame:
    """Every component of the unit's support-need index, largest contribution first (Swedish text).

    ``need``: ``Discussion.support`` (a ``talking_points.SupportNeed``); ``compare``: the
    dialogue's figures (``Discussion.compare``), for the certification gap's value. Percentile
    p reads as "more need than p % of the other units of the same school form".
    """
    rows = [
        {
            "label": driver.label,
            "figure": driver_value(driver, compare),
            "need": f"större än hos {fmt_number(driver.percentile)}\u00a0% av de andra",
            "contribution": fmt_number(driver.contribution, decimals=1),
        }
        for driver in need.drivers
    ]
    return pl.DataFrame(rows, schema={c: pl.String for c in SUPPORT_LABELS})


def support_caption(need) -> str:
    """One line on the unit's index: score, rank and month, or what is missing."""
    if need.score is None:
        missing = ", ".join(need.missing) or "–"
        return f"Stödbehovsindex kan inte beräknas för {need.month}: aktuella värden saknas för {missing}."
    return (
        f"Stödbehovsindex {fmt_number(need.score)} av 100 ({need.month}), plats {need.rank} "
        "i organisationen. Varje del är ett nyckeltal ovan; indexet och vikterna förklaras på "
        "sidan Stödbehov."
    )


#: Every indicator that can drive a unit's support-need index (any school form).
SUPPORT_DRIVERS: frozenset[str] = frozenset(i for c in support.COMPONENTS for _, i in c.indicators)


def default_unit(
    conn: duckdb.DuckDBPyConnection, scope, units: pl.DataFrame, period: str | None
) -> str | None:
    """The unit a dialogue page opens on: the area's unit with the greatest support need.

    ``units``: the area's units (``query.units``). Ranked units first (1 = greatest
    need); then units with a figure for ``period``; else the first unit.
    """
    if units.height == 0:
        return None
    ids = units["unit_id"].to_list()
    ranked = query.support_need(conn, scope).filter(
        pl.col("unit_id").is_in(ids) & pl.col("rank").is_not_null()
    )
    if ranked.height:
        return ranked.sort("rank", "unit_id")["unit_id"].item(0)
    if period is not None:
        for unit_id in ids:
            figures = query.compare(conn, scope, unit_id, KEY_INDICATORS[:2], "year", period)
            if figures.filter(pl.col("unit_value").is_not_null()).height:
                return unit_id
    return ids[0]


def no_figures_hint(viewer) -> str:
    """What to do when a unit has no figures for the year, naming only pages the viewer has."""
    return components.import_hint(
        "Välj ett annat år i sidopanelen, eller importera personal-, enkät- och "
        "frånvarodata på sidan Import.",
        viewer,
        otherwise="Välj ett annat år i sidopanelen. Saknas data för enheten, kontakta HR som "
        "importerar den.",
    )


def follow_up(
    conn: duckdb.DuckDBPyConnection, scope, unit_id: str, day: dt.date
) -> tuple[dt.date | None, pl.DataFrame]:
    """(the unit's previous dialogue date before ``day``, its actions and older open ones)."""
    previous = dialogues.previous_dialogue_date(conn, scope, unit_id, day)
    return previous, dialogues.previous_actions(conn, scope, unit_id, day)


def save_statuses(
    conn: duckdb.DuckDBPyConnection,
    scope,
    before: pl.DataFrame,
    edited: pl.DataFrame,
    *,
    user: str | None,
) -> str:
    """Save the status changes between the follow-up table and its edited copy; the Swedish confirmation.

    ``ScopeError`` (from the dialogue layer) for an action outside ``scope``.
    """
    changed = dialogues.set_statuses(
        conn, scope, dialogues.status_changes(before, edited), user=user
    )
    if not changed:
        return "Ingen status ändrades."
    return f"Status uppdaterad för {changed} åtgärd{'er' if changed != 1 else ''}."


def save(
    conn: duckdb.DuckDBPyConnection,
    scope,
    unit_id: str,
    day: dt.date,
    notes: str | None,
    new_actions: pl.DataFrame | list[dict],
    *,
    user: str | None,
) -> str:
    """Save a dialogue's notes and new actions; the Swedish confirmation of what was saved.

    ``ScopeError`` for a unit outside ``scope``; ``ValueError`` (Swedish) when there is
    nothing to save.
    """
    rows = new_actions.to_dicts() if isinstance(new_actions, pl.DataFrame) else list(new_actions)
    saved = dialogues.save_dialogue(conn, scope, unit_id, day, notes, rows, user=user)
    n = len(saved.action_ids)
    parts = (["anteckningarna"] if saved.notes_saved else []) + (
        [f"{n} åtgärd{'er' if n != 1 else ''}"] if n else []
    )
    iso = saved.dialogue_date.isoformat()
    if parts:
        return f"Dialogen {iso} är sparad: {' och '.join(parts)}."
    return f"Dialogen {iso}: anteckningarna är oförändrade, inget nytt sparades."


def history(conn: duckdb.DuckDBPyConnection, scope, unit_id: str) -> pl.DataFrame:
    """Every dialogue of the unit, newest first (``dialogues.dialogue_history``)."""
    return dialogues.dialogue_history(conn, scope, unit_id)


def all_actions(conn: duckdb.DuckDBPyConnection, scope, unit_id: str) -> pl.DataFrame:
    """Every action agreed with the unit (``dialogues.actions``)."""
    return dialogues.actions(conn, scope, unit_id)


def unit_names(units: pl.DataFrame) -> dict[str, str]:
    """Unit id -> name, from a ``query.units`` frame."""
    return dict(zip(units["unit_id"].to_list(), units["unit_name"].to_list(), strict=True))


#: Action rows in the entry form (a button adds as many again).
NEW_ACTION_ROWS = 3


def saved_notes(conn: duckdb.DuckDBPyConnection, scope, unit_id: str, day: dt.date) -> str:
    """The notes saved for the dialogue on ``day`` (newest revision), or ``''``."""
    revisions = dialogues.note_revisions(conn, scope, unit_id, day)
    return revisions["notes"].item(0) if revisions.height else ""


def entry_rows(actions: list[str], owners: list[str], dates: list[dt.date | None]) -> list[dict]:
    """The entry form's action fields as rows for ``save`` (blank rows are dropped there)."""
    return [
        {"action": a, "owner": o, "due_date": d}
        for a, o, d in zip(actions, owners, dates, strict=True)
    ]


def dialogue_title(row: dict) -> str:
    """``'2026-03-10 · 2 åtgärder, 1 klar'`` for a row of ``dialogues.dialogue_history``."""
    n, done = row["actions"], row["actions_done"]
    if not n:
        return f"{fmt_date(row['dialogue_date'])} · inga åtgärder"
    plural = "åtgärd" if n == 1 else "åtgärder"
    return f"{fmt_date(row['dialogue_date'])} · {n} {plural}, {done} klar{'a' if done != 1 else ''}"


def action_lines(actions: pl.DataFrame, day: dt.date) -> list[str]:
    """One dialogue's actions as plain lines (shown with ``st.text``, never as Markdown).

    ``'Mentorer för nya lärare · ansvarig: Rektor · klart senast 2027-02-28 · ej klar'``
    """
    frame = dialogues.with_status_labels(actions.filter(pl.col("dialogue_date") == day)).sort("id")
    lines = []
    for row in frame.iter_rows(named=True):
        owner = row["owner"] or "–"
        due = fmt_date(row["due_date"]) if row["due_date"] else "–"
        lines.append(f"{row['action']} · ansvarig: {owner} · klart senast {due} · {row['status']}")
    return lines


#: The brief choice: ``underlag`` before the dialogue, ``protokoll`` after it.
BRIEF_CHOICES: dict[str, str] = BRIEF_KINDS


def default_brief_kind(history: pl.DataFrame, day: dt.date) -> str:
    """``protokoll`` once something is saved for the dialogue on ``day``, else ``underlag``."""
    saved = history.height and day in history["dialogue_date"].to_list()
    return PROTOKOLL if saved else UNDERLAG

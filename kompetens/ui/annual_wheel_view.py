"""View helpers of the Årshjul page: the year month by month, who has had their dialogue,
actions to follow up, the round-date form and the ``.ics`` download.

The page reads widgets and calls these; they read through the query layer
(``query.annual_wheel``, scoped; leadership gets aggregates) and write the round dates
through ``query.dialogue_rounds`` (audited, undoable). Names and free text are shown as
text (``md_text``), never as markdown.
"""

from __future__ import annotations

import datetime as dt

import duckdb
import polars as pl
import streamlit as st

from kompetens.access import audit
from kompetens.access.auth import AREA_MANAGER, HR, LEADERSHIP, author_label
from kompetens.core.labels import SUPPORT_STATUS_LABELS, school_form_label
from kompetens.present.formatting import (
    fmt_count,
    fmt_date,
    fmt_day_span,
    fmt_month_year,
    md_text,
)
from kompetens.query import ScopeError, areas
from kompetens.query import annual_wheel as wheel
from kompetens.query import dialogue_rounds as rounds
from kompetens.ui import components
from kompetens.ui.context import audit_user

FLASH = "_arshjul_flash"
#: Roles that set round dates on the page (an area manager for their areas; HR for any).
SETTERS: tuple[str, ...] = (AREA_MANAGER, HR)
#: Rows the round form offers (``rounds.MAX_ROUNDS``).
FORM_ROWS = rounds.MAX_ROUNDS

KIND_ICONS: dict[str, str] = {
    "round": ":material/forum:",
    "delivery": ":material/database:",
    "action": ":material/task_alt:",
    "support": ":material/support:",
}


def role_of(viewer) -> str | None:
    return getattr(viewer, "role", None)


def is_aggregate(viewer) -> bool:
    """Leadership sees counts per area, not units' actions or dialogues."""
    return role_of(viewer) == LEADERSHIP


def selection_text(area: str | None, school_form: str | None) -> str:
    """`` för Norr, grundskola`` (escaped for markdown) for the page's caption; empty for all."""
    parts = [p for p in (area, school_form_label(school_form) if school_form else None) if p]
    return f" för {md_text(', '.join(parts))}" if parts else ""


#: The period choice meaning "the twelve months from this month".
AHEAD = "ahead"


def period_options(today: dt.date) -> dict[str, str]:
    """``{key: Swedish label}``: the coming twelve months, then this, last and next year."""
    years = [today.year, today.year - 1, today.year + 1]
    return {AHEAD: "Kommande tolv månader"} | {str(y): str(y) for y in years}


def period_months(key: str, today: dt.date) -> list[tuple[int, int]]:
    """The twelve ``(year, month)`` a period choice shows, oldest first."""
    if key == AHEAD:
        first = today.year * 12 + today.month - 1
        return [((first + i) // 12, (first + i) % 12 + 1) for i in range(12)]
    return [(int(key), m) for m in range(1, 13)]


def month_bounds(months: list[tuple[int, int]]) -> tuple[dt.date, dt.date]:
    """The first day of the first month and the last day of the last."""
    (y0, m0), (y1, m1) = months[0], months[-1]
    after = dt.date(y1 + (m1 == 12), m1 % 12 + 1, 1)
    return dt.date(y0, m0, 1), after - dt.timedelta(days=1)


def event_line(row: dict) -> str:
    """One event as a markdown line: the days in bold, then the summary (escaped)."""
    days = fmt_day_span(row["start"], row["end"])
    late = " – **försenad**" if row.get("overdue") else ""
    return f"{KIND_ICONS.get(row['kind'], '')} **{days}** · {md_text(row['summary'])}{late}"


def months_of(events: pl.DataFrame, months: list[tuple[int, int]]) -> dict[tuple[int, int], list]:
    """``{(year, month): [event, …]}`` for every month shown; an event spanning months is in each."""
    out: dict[tuple[int, int], list[dict]] = {ym: [] for ym in months}
    for row in events.iter_rows(named=True):
        for year, month in months:
            first, last = month_bounds([(year, month)])
            if row["start"] <= last and row["end"] >= first:
                out[(year, month)].append(row)
    return out


#: Kinds listed one by one in a month card; the others (follow-ups) are counted, then listed
#: in the card's expander.
LISTED_KINDS = ("round", "delivery")


def follow_up_line(items: list[dict]) -> str:
    """``'12 uppföljningar, varav 5 försenade'`` for a month's actions and support follow-ups."""
    late = sum(bool(i.get("overdue")) for i in items)
    text = fmt_count(len(items), "uppföljning", "uppföljningar")
    return f"{KIND_ICONS['action']} {text}" + (f", varav **{late} försenade**" if late else "")


def show_months(
    events: pl.DataFrame, months: list[tuple[int, int]], today: dt.date, *, columns: int = 3
) -> None:
    """Twelve month cards, ``columns`` a row: the rounds and deliveries, then the month's
    follow-ups counted (listed in an expander); the current month is marked."""
    by_month = months_of(events, months)
    for first in range(0, len(months), columns):
        row = st.columns(columns)
        for column, (year, month) in zip(row, months[first : first + columns], strict=False):
            box = column.container(border=True)
            now = " (nu)" if (year, month) == (today.year, today.month) else ""
            box.markdown(f"**{fmt_month_year(year, month).capitalize()}{now}**")
            items = by_month[(year, month)]
            listed = [i for i in items if i["kind"] in LISTED_KINDS]
            follow = [i for i in items if i["kind"] not in LISTED_KINDS]
            if not items:
                box.caption("Inget inplanerat.")
            for item in listed:
                box.markdown(event_line(item))
            if follow:
                box.markdown(follow_up_line(follow))
                with box.expander("Visa uppföljningarna"):
                    for item in follow:
                        st.markdown(event_line(item))


def legend() -> str:
    return " · ".join(f"{KIND_ICONS[k]} {label}" for k, label in wheel.KIND_LABELS.items())


# --- dialogues this term ---------------------------------------------------------------------

STATUS_LABELS: dict[str, str] = {
    "unit_name": "Enhet",
    "area": "Område",
    "last_dialogue": "Senaste dialog",
}
AREA_STATUS_LABELS: dict[str, str] = {
    "area": "Område",
    "units": "Enheter",
    "had_dialogue": "Har haft dialog",
    "not_yet": "Inte ännu",
}


def show_dialogue_status(
    cur: duckdb.DuckDBPyConnection,
    scope,
    viewer,
    term: str,
    area: str | None,
    school_form: str | None = None,
) -> None:
    """ "Had dialogue this term / not yet": two unit lists, or counts per area for leadership."""
    if is_aggregate(viewer):
        by_area = wheel.dialogue_status_by_area(
            cur, scope, term, area=area, school_form=school_form
        )
        st.dataframe(
            by_area.rename(AREA_STATUS_LABELS), hide_index=True, width="stretch", key="arshjul_omr"
        )
        return
    status = wheel.dialogue_status(
        cur, scope, term, area=area, role=role_of(viewer), school_form=school_form
    )
    had = status.filter(pl.col("had_dialogue"))
    not_yet = status.filter(~pl.col("had_dialogue"))
    left, right = st.columns(2)
    with left:
        st.markdown(f"**Inte ännu ({len(not_yet)})**")
        if not_yet.height:
            st.dataframe(
                not_yet.select("unit_name", "area").rename(STATUS_LABELS, strict=False),
                hide_index=True,
                width="stretch",
                key="arshjul_inte_an",
            )
        else:
            st.caption("Alla enheter har haft sin dialog.")
    with right:
        st.markdown(f"**Har haft dialog ({len(had)})**")
        if had.height:
            shown = had.select(
                "unit_name", "area", pl.col("last_dialogue").map_elements(fmt_date, pl.String)
            ).sort("last_dialogue", descending=True)
            st.dataframe(
                shown.rename(STATUS_LABELS, strict=False),
                hide_index=True,
                width="stretch",
                key="arshjul_har",
            )
        else:
            st.caption("Ingen enhet har haft sin dialog ännu den här terminen.")


# --- actions to follow up --------------------------------------------------------------------

ACTION_LABELS: dict[str, str] = {
    "due_date": "Ska vara klar",
    "unit_name": "Enhet",
    "area": "Område",
    "action": "Åtgärd",
    "dialogue_date": "Från dialogen",
    "late": "Läge",
}


def show_actions_due(
    cur: duckdb.DuckDBPyConnection,
    scope,
    viewer,
    today: dt.date,
    area: str | None,
    school_form: str | None = None,
) -> None:
    """Open actions past their due date or due within 30 days (counts per area for leadership)."""
    due = wheel.actions_due(
        cur, scope, today=today, area=area, role=role_of(viewer), school_form=school_form
    )
    if due.height == 0:
        st.caption(
            f"Inga öppna åtgärder är försenade eller ska vara klara inom {wheel.DUE_SOON_DAYS} dagar."
        )
        return
    if is_aggregate(viewer):
        st.dataframe(
            due.rename(
                {
                    "area": "Område",
                    "overdue": "Försenade",
                    "due_soon": f"Ska vara klara inom {wheel.DUE_SOON_DAYS} dagar",
                }
            ),
            hide_index=True,
            width="stretch",
            key="arshjul_atgarder_omr",
        )
        return
    shown = due.select(
        pl.col("due_date").map_elements(fmt_date, pl.String),
        pl.when(pl.col("overdue"))
        .then(pl.lit("försenad"))
        .otherwise(pl.lit("snart"))
        .alias("late"),
        "unit_name",
        "action",
        pl.col("dialogue_date").map_elements(fmt_date, pl.String),
        "area",
    )
    st.dataframe(
        shown.rename(ACTION_LABELS), hide_index=True, width="stretch", key="arshjul_atgarder"
    )


# --- open report-backs ----------------------------------------------------------------------

REPORT_BACK_LABELS: dict[str, str] = {
    "request_date": "Datum",
    "request_id": "Ärende",
    "unit_name": "Enhet",
    "area": "Område",
    "support_function": "Stödfunktion",
    "topic": "Ämne",
    "status": "Status",
    "report_to": "Återrapportering till",
    "with_feedback": "Insatser med återkoppling",
    "open": "Öppna återrapporteringar",
}


def report_back_table(owed: pl.DataFrame) -> pl.DataFrame:
    """The open report-backs for a table: dates as ``2026-03-02``, status in Swedish; for
    leadership (counts per area and function) the counts as they are."""
    if "request_id" not in owed.columns:
        return owed
    return owed.select(
        pl.col("request_date").map_elements(fmt_date, pl.String),
        "request_id",
        "unit_name",
        "area",
        "support_function",
        "topic",
        pl.col("status").replace_strict(
            SUPPORT_STATUS_LABELS, default=pl.col("status"), return_dtype=pl.String
        ),
        "report_to",
        "with_feedback",
    )


def show_report_backs(
    cur: duckdb.DuckDBPyConnection,
    scope,
    viewer,
    area: str | None,
    school_form: str | None = None,
) -> None:
    """The requests whose report-back is owed ("vem återrapporterar vi till"); counts per area
    and support function for leadership."""
    owed = wheel.open_report_backs(
        cur, scope, area=area, school_form=school_form, role=role_of(viewer)
    )
    if owed.height == 0:
        st.caption("Inga öppna återrapporteringar.")
        return
    shown = report_back_table(owed)
    labels = {c: REPORT_BACK_LABELS[c] for c in shown.columns}
    st.dataframe(shown, hide_index=True, column_config=labels, key="arshjul_aterrapport")
    components.download_buttons(
        shown, "Öppna återrapporteringar", labels=labels, key="arshjul_aterrapport"
    )


# --- the .ics download -----------------------------------------------------------------------


def ics_download(
    cur: duckdb.DuckDBPyConnection,
    scope,
    viewer,
    area: str | None,
    today: dt.date,
    school_form: str | None = None,
) -> None:
    """The upcoming year's dates as a calendar file (audited as an export when clicked)."""
    data, n = wheel.upcoming_ics(
        cur, scope, today=today, area=area, role=role_of(viewer), school_form=school_form
    )
    name = wheel.ics_file_name(area, today)
    st.download_button(
        f"Ladda ner kalenderfil (.ics, {fmt_count(n, 'datum', 'datum')})",
        data=components.audited_download(lambda: data, audit.EXPORT, name, "ics"),
        file_name=name,
        mime="text/calendar",
        icon=":material/calendar_add_on:",
        key="arshjul_ics",
        on_click="ignore",
        help="Dialogomgångar, dataleveranser och uppföljningar ett år framåt, som heldagshändelser "
        "för Outlook, Google Kalender m.fl. En ny fil uppdaterar händelserna från en tidigare.",
    )


# --- setting the round dates -----------------------------------------------------------------


def settable_areas(cur: duckdb.DuckDBPyConnection, scope, viewer) -> list[str]:
    """The areas whose rounds this viewer may set on the page (none for other roles)."""
    if role_of(viewer) not in SETTERS:
        return []
    return [a for a in areas(cur, scope)["area"].to_list() if rounds.may_set(scope, a)]


def term_options(today: dt.date) -> list[str]:
    """This term and the next."""
    now = rounds.term_of(today)
    return [now, rounds.next_term(now)]


def show_flash(area: str, term: str) -> None:
    """What the last save or undo of this area and term did (kept until the next one: a rerun
    of the page, e.g. by a filter, does not wipe it)."""
    flash = st.session_state.get(FLASH)
    if flash and flash[0] == (area, term):
        st.success(md_text(flash[1]), icon=":material/check_circle:")


def rounds_in_force_text(in_force: pl.DataFrame) -> str:
    if in_force.height == 0:
        return "Inga dialogomgångar är satta."
    parts = [
        f"omgång {r['round_no']}: {fmt_day_span(r['start_date'], r['end_date'])}"
        for r in in_force.iter_rows(named=True)
    ]
    return "Satta nu: " + "; ".join(parts) + "."


def rounds_form(ctx, cur: duckdb.DuckDBPyConnection, scope, viewer, choices: list[str], today):
    """The area manager's form: an area and a term, then up to four rounds (first and last day)."""
    default_area = ctx.filters.area if ctx.filters.area in choices else choices[0]
    left, right = st.columns(2)
    area = left.selectbox(
        "Område", choices, index=choices.index(default_area), key="arshjul_form_omrade"
    )
    terms = term_options(today)
    term = right.selectbox(
        "Termin", terms, format_func=rounds.term_label, key="arshjul_form_termin"
    )
    first, last = rounds.term_bounds(term)
    in_force = rounds.current_rounds(cur, scope, area=area, terms=[term])
    show_flash(area, term)
    st.caption(md_text(rounds_in_force_text(in_force)))
    existing = in_force.rows(named=True)
    # The fields start from the rounds in force: a save or an undo gives them new keys.
    version = f"{area}_{term}_{in_force['change_id'][0] if in_force.height else 0}"
    with st.form(f"arshjul_rundor_{area}_{term}", enter_to_submit=False):
        st.caption(
            f"Ange första och sista dag för varje omgång inom {rounds.term_label(term)} "
            f"({fmt_date(first)}–{fmt_date(last)}). En endagsomgång behöver bara första dagen; "
            "lämna en rad tom för att ta bort omgången."
        )
        entered = []
        for i in range(FORM_ROWS):
            old = existing[i] if i < len(existing) else {}
            a, b, c = st.columns([1, 1, 2], vertical_alignment="bottom")
            start = a.date_input(
                f"Omgång {i + 1}, första dag",
                value=old.get("start_date"),
                min_value=first,
                max_value=last,
                format="YYYY-MM-DD",
                key=f"arshjul_start_{version}_{i}",
            )
            end = b.date_input(
                f"Omgång {i + 1}, sista dag",
                value=old.get("end_date"),
                min_value=first,
                max_value=last,
                format="YYYY-MM-DD",
                key=f"arshjul_slut_{version}_{i}",
            )
            note = c.text_input(
                f"Omgång {i + 1}, notering (valfri)",
                value=old.get("note") or "",
                max_chars=rounds.NOTE_MAX,
                key=f"arshjul_not_{version}_{i}",
            )
            entered.append({"start_date": start, "end_date": end, "note": note})
        submitted = st.form_submit_button("Spara dialogdatum", icon=":material/save:")
    if submitted:
        st.session_state.pop(FLASH, None)
        save(ctx, scope, viewer, area, term, entered)
    undo_section(ctx, cur, scope, viewer, area, term)


def save(ctx, scope, viewer, area: str, term: str, entered: list[dict]) -> None:
    """Save the form's rounds; Swedish errors under the form, a success line after the rerun."""
    user = audit_user(viewer)
    try:
        with ctx.writing("dialogdatum") as wcur:
            done = rounds.save_rounds(wcur, scope, area, term, entered, user, role=role_of(viewer))
    except rounds.RoundsRejected as problem:
        st.error(
            "Dialogdatumen sparades inte:\n\n"
            + "\n".join(f"- {md_text(m)}" for m in problem.messages),
            icon=":material/error:",
        )
        return
    except ScopeError as problem:
        st.error(md_text(str(problem)), icon=":material/block:")
        return
    st.session_state[FLASH] = ((area, term), done.message())
    st.rerun()


def undo_section(ctx, cur, scope, viewer, area: str, term: str) -> None:
    """The newest live save of this area and term, with a button that undoes it."""
    saved = rounds.round_changes(cur, scope).filter(
        (pl.col("area") == area) & (pl.col("term") == term) & pl.col("undone_at").is_null()
    )
    if saved.height == 0:
        return
    newest = saved.row(0, named=True)
    st.caption(
        md_text(
            f"Senast sparat: ändring {newest['change_id']}, {fmt_count(newest['rounds'], 'omgång', 'omgångar')}, "
            f"av {author_label(newest['saved_by'])} {fmt_date(newest['saved_at'])}."
        )
    )
    if st.button(
        f"Ångra ändring {newest['change_id']}", icon=":material/undo:", key="arshjul_angra"
    ):
        user = audit_user(viewer)
        try:
            with ctx.writing("dialogdatum") as wcur:
                message = rounds.undo_change(
                    wcur, scope, newest["change_id"], user, role=role_of(viewer)
                )
        except (rounds.UndoRefused, ScopeError) as problem:
            st.error(md_text(str(problem)), icon=":material/error:")
            return
        st.session_state[FLASH] = ((area, term), message)
        st.rerun()

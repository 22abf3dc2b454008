"""View helpers of the support register page (Stödregister): choices, tables, saves, follow-up.

The page (``views/stodregister.py``) reads widgets and calls these; they call the query
layer (``query.support_register``: reads, scope enforced there) and
``dialogue.support_register`` (writes through the importer, every change logged and
undoable). Codes are shown with their Swedish labels (``core.labels``); free text
(a request's description, a feedback note) is returned for ``st.dataframe`` /
``st.text``, never for markdown. Streamlit only in :func:`load_section` (drawn in two
places of the page).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import duckdb
import polars as pl

from kompetens.access.auth import LEADERSHIP, PRINCIPAL
from kompetens.core import support_register as lists
from kompetens.core import themes as theme_list
from kompetens.core.labels import (
    ASKER_ROLE_LABELS,
    EFFORT_TYPE_LABELS,
    SUPPORT_CHANNEL_LABELS,
    SUPPORT_STATUS_LABELS,
)
from kompetens.dialogue import support_register as form
from kompetens.ingest import free_text
from kompetens.ingest.errors import UndoRefused
from kompetens.present import charts
from kompetens.present.formatting import fmt_count, fmt_number
from kompetens.query import ScopeError
from kompetens.query import annual_wheel as wheel
from kompetens.query import support_register as read
from kompetens.ui.context import audit_user

PROACTIVE = "__proactive__"
ALL_FUNCTIONS = "Alla stödfunktioner"
#: Statuses of a request that still waits for something (the open lists).
OPEN_STATUSES: tuple[str, ...] = ("received", "planned", "in_progress")
#: The statuses an effort is recorded with (a request may also be declined).
EFFORT_STATUSES: tuple[str, ...] = ("planned", "in_progress", "done")
SCORES: tuple[int, ...] = (1, 2, 3, 4, 5)
FLASH = "_stodregister_flash"
NONCE = "_stodregister_form"

REQUEST_LABELS: dict[str, str] = {
    "request_id": "Ärende",
    "request_date": "Datum",
    "unit_name": "Enhet",
    "area": "Område",
    "asker_role": "Frågeställare",
    "channel": "Kanal",
    "topic": "Ämne",
    "themes": "Teman",
    "support_function": "Stödfunktion",
    "status": "Status",
    "report_to": "Återrapportering till",
    "efforts": "Insatser",
    "hours": "Timmar",
    "description": "Beskrivning",
}
UNANSWERED_LABELS: dict[str, str] = {
    "request_id": "Ärende",
    "request_date": "Datum",
    "days_waiting": "Dagar utan svar",
    "unit_name": "Enhet",
    "area": "Område",
    "support_function": "Stödfunktion",
    "topic": "Ämne",
    "report_to": "Återrapportering till",
}
EFFORT_LABELS: dict[str, str] = {
    "effort_id": "Insats",
    "request_id": "Ärende",
    "unit_name": "Enhet",
    "area": "Område",
    "support_function": "Stödfunktion",
    "effort_type": "Insatstyp",
    "start_date": "Start",
    "end_date": "Slut",
    "hours": "Timmar",
    "status": "Status",
    "feedback_score": "Återkoppling (1–5)",
    "feedback_note": "Kommentar",
}
OVERVIEW_LABELS: dict[str, str] = {
    "area": "Område",
    "support_function": "Stödfunktion",
    "requests": "Ärenden",
    "open": "Öppna",
    "declined": "Avböjda",
    "efforts": "Insatser",
    "hours": "Timmar",
    "with_feedback": "Med återkoppling",
    "feedback_mean": "Återkoppling, medel (1–5)",
}
LOAD_LABELS: dict[str, str] = {
    "month": "Månad",
    "support_function": "Stödfunktion",
    "requests": "Ärenden",
    "efforts": "Insatser",
    "hours": "Timmar",
}
CHANGE_LABELS: dict[str, str] = {
    "batch_id": "Ändring",
    "what": "Vad",
    "user_name": "Av",
    "imported_at": "När",
    "undone": "Ångrad",
}


# ---- who sees what (the page's choices; the query layer enforces the scope) ---------------


def details_visible(viewer) -> bool:
    """Leadership sees aggregates only; the other roles see the requests of their scope."""
    return getattr(viewer, "role", None) != LEADERSHIP


def may_answer(viewer) -> bool:
    """Whether the page offers recording support and changing a request's status.

    A principal files requests and agrees feedback; answering is the support
    functions', HR's and the area managers'.
    """
    return getattr(viewer, "role", None) != PRINCIPAL


def unit_choices(units: pl.DataFrame) -> dict[str, str]:
    """``{unit_id: "Ekskolan (E1)"}`` for the form's unit box (``query.support_register.filing_units``)."""
    return {r["unit_id"]: f"{r['unit_name']} ({r['unit_id']})" for r in units.iter_rows(named=True)}


def function_options(conn: duckdb.DuckDBPyConnection, scope) -> list[str]:
    """The support functions the form offers: a support function's own, else the whole list."""
    known = lists.list_values(conn, lists.FUNCTION)
    functions = getattr(scope, "functions", frozenset())
    return [f for f in known if f in functions] if functions else known


def theme_labels(conn: duckdb.DuckDBPyConnection) -> dict[int, str]:
    """``{theme id: label}`` of every theme, inactive ones too (a request may name one)."""
    return theme_list.labels_by_id(conn)


def options(conn: duckdb.DuckDBPyConnection) -> dict[str, dict]:
    """Form choices as ``{field: {value: Swedish label}}``; topics from the configured list,
    ``themes`` the active common themes (``{theme id: label}``, ``core.themes``)."""
    active = theme_list.theme_list(conn)
    return {
        "asker_role": ASKER_ROLE_LABELS,
        "channel": SUPPORT_CHANNEL_LABELS,
        "topic": {t: t for t in lists.list_values(conn, lists.TOPIC)},
        "status": SUPPORT_STATUS_LABELS,
        "effort_type": EFFORT_TYPE_LABELS,
        "themes": dict(zip(active["theme_id"].to_list(), active["label"].to_list(), strict=True)),
    }


def themes_value(theme_ids: Iterable[int] | None) -> str:
    """The picked themes as the request stores them: ids ascending, ``;``-separated (``''``: none)."""
    return theme_list.ids_text(theme_ids or ())


# ---- tables ---------------------------------------------------------------------------------


def _plain(frame: pl.DataFrame) -> pl.DataFrame:
    """Dates as ``2026-03-02`` (not a time of day) and missing text as ``–`` for a table."""
    return frame.with_columns(
        *(
            pl.col(c).dt.strftime("%Y-%m-%d").fill_null("–")
            for c, t in frame.schema.items()
            if t == pl.Date
        ),
        *(pl.col(c).fill_null("–") for c, t in frame.schema.items() if t == pl.String),
    )


def _labelled(frame: pl.DataFrame, columns: dict[str, dict[str, str]]) -> pl.DataFrame:
    return frame.with_columns(
        pl.col(c).replace_strict(labels, default=pl.col(c), return_dtype=pl.String)
        for c, labels in columns.items()
        if c in frame.columns
    )


def open_requests(requests: pl.DataFrame) -> pl.DataFrame:
    """The requests still waiting (received, planned or in progress)."""
    return requests.filter(pl.col("status").is_in(OPEN_STATUSES))


def by_function(frame: pl.DataFrame, function: str | None) -> pl.DataFrame:
    """Rows of one support function (None or ``ALL_FUNCTIONS``: every row)."""
    if function in (None, ALL_FUNCTIONS):
        return frame
    return frame.filter(pl.col("support_function") == function)


def request_row(requests: pl.DataFrame, request_id: str) -> dict:
    """One request of ``requests`` by id (the page's choice comes from the same frame)."""
    return requests.filter(pl.col("request_id") == request_id).row(0, named=True)


def efforts_of(efforts: pl.DataFrame, request_id: str) -> pl.DataFrame:
    """The efforts given on one request."""
    return efforts.filter(pl.col("request_id") == request_id)


def theme_names(ids_text: str | None, labels: dict[int, str]) -> str | None:
    """A request's stored themes (``'2;5'``) as their labels, ``'Rekrytering av speciallärare, Elevhälsa'``."""
    ids = theme_list.parse_ids(ids_text)
    return ", ".join(labels.get(i, str(i)) for i in ids) or None


def request_table(
    requests: pl.DataFrame, theme_labels: dict[int, str] | None = None
) -> pl.DataFrame:
    """Requests for a table or a download: Swedish labels for codes, columns as ``REQUEST_LABELS``;
    the themes as their labels (``theme_labels``: ``core.themes.labels_by_id``; without it
    the table has no themes column)."""
    if "themes" in requests.columns:
        if theme_labels is None:
            requests = requests.drop("themes")
        else:
            requests = requests.with_columns(
                pl.col("themes").map_elements(
                    lambda t: theme_names(t, theme_labels), return_dtype=pl.String, skip_nulls=True
                )
            )
    shown = _labelled(
        requests,
        {
            "asker_role": ASKER_ROLE_LABELS,
            "channel": SUPPORT_CHANNEL_LABELS,
            "status": SUPPORT_STATUS_LABELS,
        },
    )
    return _plain(shown.select([c for c in REQUEST_LABELS if c in shown.columns]))


def unanswered_table(unanswered: pl.DataFrame) -> pl.DataFrame:
    """Requests without an answer (``query.support_register.unanswered``), as ``UNANSWERED_LABELS``."""
    return _plain(unanswered.select(list(UNANSWERED_LABELS)))


def effort_table(efforts: pl.DataFrame) -> pl.DataFrame:
    """Efforts for a table or a download (a proactive effort's request reads "utan ärende")."""
    shown = _labelled(
        efforts, {"effort_type": EFFORT_TYPE_LABELS, "status": SUPPORT_STATUS_LABELS}
    ).with_columns(
        pl.col("request_id").fill_null("utan ärende (proaktiv)"),
        pl.col("feedback_score").cast(pl.String).fill_null("–"),
    )
    return _plain(shown.select([c for c in EFFORT_LABELS if c in shown.columns]))


def overview_table(overview: pl.DataFrame) -> pl.DataFrame:
    """Leadership's aggregates (``query.support_register.overview``) as ``OVERVIEW_LABELS``:
    no hours are 0, the mean feedback as Swedish text (``3,5``; ``–`` without feedback)."""
    means = [fmt_number(v, 1) for v in overview["feedback_mean"].to_list()]
    return overview.select(list(OVERVIEW_LABELS)).with_columns(
        pl.col("hours").fill_null(0.0),
        pl.Series("feedback_mean", means, dtype=pl.String),
    )


def load_chart(load: pl.DataFrame):
    """Requests per month, stacked by support function (whole numbers on the axis)."""
    fig = charts.stacked_bars(
        load,
        x="month",
        stack="support_function",
        value="requests",
        unit="count",
        height=320,
    )
    top = load.group_by("month").agg(pl.col("requests").sum())["requests"].max() or 0
    if top <= 10:
        fig.update_yaxes(dtick=1)
    return fig


def request_choices(requests: pl.DataFrame) -> dict[str, str]:
    """``{request_id: "S-2026-0003 · Ekskolan · Rekrytering"}``, newest first.

    No status in the label: a changed label would make the browser's select box a new
    widget and drop the choice after a status change.
    """
    return {
        r["request_id"]: f"{r['request_id']} · {r['unit_name']} · {r['topic']}"
        for r in requests.iter_rows(named=True)
    }


def effort_choices(efforts: pl.DataFrame) -> dict[str, str]:
    """``{effort_id: "I-2026-0002 · HR · Handledning"}``, newest first (no status: see above)."""
    return {
        r["effort_id"]: (
            f"{r['effort_id']} · {r['support_function']} · "
            f"{EFFORT_TYPE_LABELS.get(r['effort_type'], r['effort_type'])}"
        )
        for r in efforts.iter_rows(named=True)
    }


def request_facts(row: dict, theme_labels: dict[int, str] | None = None) -> pl.DataFrame:
    """One request as a two-column table (``Uppgift``, ``Värde``) without its free text."""
    facts = [
        ("Enhet", f"{row['unit_name']} ({row['unit_id']})"),
        ("Område", row["area"] or "–"),
        ("Datum", row["request_date"].isoformat() if row["request_date"] else "–"),
        ("Frågeställare", ASKER_ROLE_LABELS.get(row["asker_role"], row["asker_role"] or "–")),
        ("Kanal", SUPPORT_CHANNEL_LABELS.get(row["channel"], row["channel"] or "–")),
        ("Ämne", row["topic"] or "–"),
        ("Stödfunktion", row["support_function"] or "–"),
        ("Status", SUPPORT_STATUS_LABELS.get(row["status"], row["status"] or "–")),
        ("Återrapportering till", row["report_to"] or "–"),
        ("Teman", theme_names(row.get("themes"), theme_labels or {}) or "–"),
    ]
    return pl.DataFrame(
        {"Uppgift": [k for k, _ in facts], "Värde": [str(v) for _, v in facts]},
        schema={"Uppgift": pl.String, "Värde": pl.String},
    )


def load_table(load: pl.DataFrame) -> pl.DataFrame:
    """A support function's load per month (``query.support_register.load``), newest month first."""
    return load.sort(["month", "support_function"], descending=[True, False])


def load_section(conn, scope, area: str | None, key: str) -> None:
    """Draw the support functions' load per month: the chart, the table and its downloads."""
    import streamlit as st

    from kompetens.ui import components, figures

    load = read.load(conn, scope, area=area)
    if load.height == 0:
        components.empty_state("Inga ärenden eller insatser att visa belastning för.", "")
        return
    st.caption(
        "Ärenden per månad och stödfunktion; tabellen visar även stödet som gavs och timmarna."
    )
    figures.show(load_chart(load), key=f"{key}_chart")
    shown = load_table(load)
    st.dataframe(shown, hide_index=True, column_config=LOAD_LABELS, key=f"{key}_table")
    components.download_buttons(shown, "Stödfunktionernas belastning", labels=LOAD_LABELS, key=key)


def change_table(changes: pl.DataFrame) -> pl.DataFrame:
    """The register's changes for the undo list: what (from the batch's name), who, when, undone."""
    if changes.height == 0:
        return pl.DataFrame(schema=dict.fromkeys(CHANGE_LABELS, pl.String))
    return changes.select(
        pl.col("batch_id"),
        pl.col("file_name").str.replace(r"\.csv$", "").str.replace("^Formulär ", "").alias("what"),
        pl.col("user_name"),
        pl.col("imported_at").dt.strftime("%Y-%m-%d %H:%M").alias("imported_at"),
        pl.when(pl.col("undone_at").is_not_null())
        .then(pl.lit("ja"))
        .otherwise(pl.lit(""))
        .alias("undone"),
    )


def last_change(changes: pl.DataFrame) -> int | None:
    """The newest change that is not undone (the one "Ångra senaste ändringen" takes back)."""
    if changes.height == 0:
        return None
    open_ = changes.filter(pl.col("undone") == "")
    return int(open_["batch_id"][0]) if open_.height else None


#: Columns of the overdue dialogue actions (``overdue_actions``), in Swedish.
#: The days overdue come right after the unit: the action text is long, and on a narrow
#: screen the columns after it scroll out of view.
OVERDUE_ACTION_LABELS = {
    "unit_name": "Enhet",
    "days_overdue": "Dagar sedan",
    "due_date": "Klar senast",
    "action": "Åtgärd",
    "area": "Område",
    "dialogue_date": "Dialog",
}


def overdue_actions(
    conn: duckdb.DuckDBPyConnection,
    scope,
    today: dt.date,
    area: str | None,
    school_form: str | None,
) -> pl.DataFrame:
    """Open dialogue actions past their due date (``annual_wheel.actions_due``), longest overdue
    first. Grain: one action per row, with ``unit_id`` for the click to the unit and
    ``days_overdue`` (days since the due date, as of ``today``)."""
    due = wheel.actions_due(
        conn, scope, today=today, within_days=0, area=area, school_form=school_form
    )
    return (
        due.filter(pl.col("overdue"))
        .with_columns((pl.lit(today) - pl.col("due_date")).dt.total_days().alias("days_overdue"))
        .sort("days_overdue", "unit_name", descending=[True, False])
        .select("unit_id", *OVERDUE_ACTION_LABELS)
    )


def overdue_actions_table(actions: pl.DataFrame) -> pl.DataFrame:
    """``overdue_actions`` as shown: dates as ``YYYY-MM-DD`` text, without the unit id."""
    return actions.select(
        "unit_name",
        "days_overdue",
        pl.col("due_date").dt.to_string("%Y-%m-%d"),
        "action",
        "area",
        pl.col("dialogue_date").dt.to_string("%Y-%m-%d"),
    ).rename(OVERDUE_ACTION_LABELS)


def followup_caption(n_unanswered: int, n_without: int, days: int) -> str:
    """One line: how many requests wait for an answer and how many efforts lack feedback."""
    return (
        f"{fmt_count(n_unanswered, 'ärende', 'ärenden')} utan svar efter mer än {days} dagar, "
        f"{fmt_count(n_without, 'avslutad insats', 'avslutade insatser')} utan överenskommen "
        "återkoppling."
    )


# ---- saves ------------------------------------------------------------------------------------


def text_warnings(texts: Iterable[str | None]) -> list[str]:
    """Swedish warnings for free text that looks like a personnummer or an e-mail address.

    The register removes a personnummer before storing (``ingest.free_text``); an e-mail
    address is kept (it may be a function mailbox) but should not name a person.
    """
    warnings: list[str] = []
    removed = emails = False
    for text in texts:
        if text:
            _, pnr, email = free_text.check(text)
            removed, emails = removed or pnr, emails or email
    if removed:
        warnings.append(
            "Texten innehöll något som liknar ett personnummer. Det togs bort innan ärendet "
            "sparades: skriv aldrig personnummer i stödregistret."
        )
    if emails:
        warnings.append(
            "Texten innehåller en e-postadress. Skriv en funktion eller roll, aldrig en "
            "persons adress eller namn."
        )
    return warnings


def flash(state, ok: bool, message: str, warnings: list[str] | None = None) -> None:
    """Keep a save's outcome for the next run (the page reruns to show the new data)."""
    state[FLASH] = (ok, message, list(warnings or []))


def take_flash(state) -> tuple[bool, str, list[str]] | None:
    """The outcome kept by :func:`flash`, once."""
    return state.pop(FLASH, None)


def form_nonce(state) -> int:
    """The number in the new-request form's key; a save moves it on, so the form starts empty."""
    return int(state.get(NONCE, 0))


def next_form(state) -> None:
    state[NONCE] = form_nonce(state) + 1


def _outcome(call) -> tuple[bool, str]:
    try:
        return True, call().message
    except form.FormRejected as exc:
        return False, "Sparades inte: " + "; ".join(exc.messages) + "."
    except ScopeError as exc:
        return False, f"Sparades inte: {exc}."
    except KeyError as exc:
        return False, f"Sparades inte: {exc.args[0]} finns inte."


def submit_request(conn, scope, values: dict, viewer) -> tuple[bool, str]:
    """File a request from the form; ``(saved, Swedish message)``."""
    return _outcome(
        lambda: form.file_request(conn, scope, values, user=audit_user(viewer), role=_role(viewer))
    )


def submit_effort(conn, scope, values: dict, viewer) -> tuple[bool, str]:
    """Record support given (``request_id`` ``PROACTIVE`` = without a request); ``(saved, message)``."""
    clean = dict(values)
    if clean.get("request_id") == PROACTIVE:
        clean["request_id"] = None
    return _outcome(
        lambda: form.record_effort(conn, scope, clean, user=audit_user(viewer), role=_role(viewer))
    )


def submit_status(
    conn,
    scope,
    kind: str,
    row_id: str,
    status: str,
    viewer,
    *,
    feedback_score: int | None = None,
    feedback_note: str | None = None,
) -> tuple[bool, str]:
    """Change a request's or an effort's status (and an effort's feedback); ``(saved, message)``."""
    return _outcome(
        lambda: form.set_status(
            conn,
            scope,
            kind,
            row_id,
            status,
            user=audit_user(viewer),
            role=_role(viewer),
            feedback_score=feedback_score,
            feedback_note=(feedback_note or "").strip() or None,
        )
    )


def submit_feedback(
    conn, scope, effort_id: str, score: int | None, note: str | None, viewer
) -> tuple[bool, str]:
    """Save the feedback agreed with the unit (1–5 and a note); the effort is marked done."""
    if score not in SCORES:
        return False, "Sparades inte: Hjälpte det?: välj ett värde 1–5 som ni kommit överens om."
    return submit_status(
        conn,
        scope,
        "support_effort",
        effort_id,
        "done",
        viewer,
        feedback_score=score,
        feedback_note=note,
    )


def submit_undo(conn, scope, batch_id: int, viewer) -> tuple[bool, str]:
    """Undo one change of the register; ``(undone, Swedish message)``."""
    try:
        return True, form.undo(conn, scope, batch_id, user=audit_user(viewer), role=_role(viewer))
    except (UndoRefused, ScopeError) as exc:
        return False, f"Ångrades inte: {exc}"


def _role(viewer) -> str | None:
    return getattr(viewer, "role", None)


def today() -> dt.date:
    return dt.date.today()

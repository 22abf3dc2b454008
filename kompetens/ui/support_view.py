"""View helpers of the support register page (Stödregister) and of Stödbehov's "De som inte ber om stöd".

The page reads widgets and calls these; they call the query layer (reads, scoped) and
``dialogue.support_register`` (writes through the importer). Codes are shown with
their Swedish labels (``core.labels``); free text is shown as text, never markdown.
"""

from __future__ import annotations

import datetime as dt

import duckdb
import polars as pl

from kompetens.access.auth import LEADERSHIP
from kompetens.core import support_register as lists
from kompetens.core.labels import (
    ASKER_ROLE_LABELS,
    EFFORT_TYPE_LABELS,
    SCHOOL_FORM_LABELS,
    SUPPORT_CHANNEL_LABELS,
    SUPPORT_STATUS_LABELS,
)
from kompetens.dialogue import support_register as form
from kompetens.ingest.errors import UndoRefused
from kompetens.query import ScopeError
from kompetens.query import support_register as read

PROACTIVE = "__proactive__"
NO_FEEDBACK = 0
SCORE_LABELS: dict[int, str] = {NO_FEEDBACK: "ingen återkoppling än"} | {
    s: str(s) for s in range(1, 6)
}
FLASH = "_stodregister_flash"

REQUEST_LABELS: dict[str, str] = {
    "request_id": "Ärende",
    "request_date": "Datum",
    "unit_name": "Enhet",
    "area": "Område",
    "asker_role": "Frågeställare",
    "channel": "Kanal",
    "topic": "Ämne",
    "support_function": "Stödfunktion",
    "status": "Status",
    "report_to": "Återrapportering till",
    "efforts": "Insatser",
    "hours": "Timmar",
    "description": "Beskrivning",
}
EFFORT_LABELS: dict[str, str] = {
    "effort_id": "Insats",
    "request_id": "Ärende",
    "unit_name": "Enhet",
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
NEED_LABELS: dict[str, str] = {
    "quadrant_label": "Behov och stöd",
    "rank": "Rang",
    "unit_id": "Enhets-id",
    "unit_name": "Enhet",
    "area": "Område",
    "school_form": "Skolform",
    "score": "Stödbehov (0–100)",
    "requests": "Ärenden (12 mån)",
    "efforts": "Insatser (12 mån)",
    "hours": "Timmar (12 mån)",
}
CHANGE_LABELS: dict[str, str] = {
    "batch_id": "Ändring",
    "what": "Vad",
    "user_name": "Av",
    "imported_at": "När",
    "undone": "Ångrad",
}


def details_visible(viewer) -> bool:
    """Leadership sees aggregates; the other roles see the requests of their scope."""
    return getattr(viewer, "role", None) != LEADERSHIP


def options(conn: duckdb.DuckDBPyConnection) -> dict[str, dict[str, str]]:
    """Form choices as ``{field: {value: Swedish label}}``; topics and functions from the lists."""
    return {
        "asker_role": ASKER_ROLE_LABELS,
        "channel": SUPPORT_CHANNEL_LABELS,
        "topic": {t: t for t in lists.list_values(conn, lists.TOPIC)},
        "support_function": {f: f for f in lists.list_values(conn, lists.FUNCTION)},
        "status": SUPPORT_STATUS_LABELS,
        "effort_type": EFFORT_TYPE_LABELS,
    }


def _labelled(frame: pl.DataFrame, columns: dict[str, dict[str, str]]) -> pl.DataFrame:
    return frame.with_columns(
        pl.col(c).replace_strict(labels, default=pl.col(c), return_dtype=pl.String)
        for c, labels in columns.items()
        if c in frame.columns
    )


def request_table(requests: pl.DataFrame) -> pl.DataFrame:
    """Requests for a table or a download: Swedish labels for codes, columns as ``REQUEST_LABELS``."""
    shown = _labelled(
        requests,
        {
            "asker_role": ASKER_ROLE_LABELS,
            "channel": SUPPORT_CHANNEL_LABELS,
            "status": SUPPORT_STATUS_LABELS,
        },
    )
    return shown.select([c for c in REQUEST_LABELS if c in shown.columns])


def effort_table(efforts: pl.DataFrame) -> pl.DataFrame:
    """Efforts for a table or a download (a proactive effort's request reads "utan ärende")."""
    shown = _labelled(
        efforts, {"effort_type": EFFORT_TYPE_LABELS, "status": SUPPORT_STATUS_LABELS}
    ).with_columns(pl.col("request_id").fill_null("utan ärende (proaktiv)"))
    return shown.select([c for c in EFFORT_LABELS if c in shown.columns])


def request_choices(requests: pl.DataFrame) -> dict[str, str]:
    """``{request_id: "S-2026-0003 · Ekskolan · Rekrytering (Mottagen)"}``, newest first."""
    return {
        r["request_id"]: (
            f"{r['request_id']} · {r['unit_name']} · {r['topic']} "
            f"({SUPPORT_STATUS_LABELS.get(r['status'], r['status'])})"
        )
        for r in requests.iter_rows(named=True)
    }


def effort_choices(efforts: pl.DataFrame) -> dict[str, str]:
    """``{effort_id: "I-2026-0002 · Ekskolan · Handledning (Pågår)"}``, newest first."""
    return {
        r["effort_id"]: (
            f"{r['effort_id']} · {r['unit_name']} · "
            f"{EFFORT_TYPE_LABELS.get(r['effort_type'], r['effort_type'])} "
            f"({SUPPORT_STATUS_LABELS.get(r['status'], r['status'])})"
        )
        for r in efforts.iter_rows(named=True)
    }


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


def undoable(changes: pl.DataFrame) -> list[int]:
    """Batch ids of the listed changes that are not undone yet (newest first)."""
    return changes.filter(pl.col("undone") == "")["batch_id"].to_list()


def flash(state, ok: bool, message: str) -> None:
    """Keep a save's outcome for the next run (the page reruns to show the new data)."""
    state[FLASH] = (ok, message)


def take_flash(state) -> tuple[bool, str] | None:
    """The outcome kept by :func:`flash`, once."""
    return state.pop(FLASH, None)


def _outcome(call) -> tuple[bool, str]:
    try:
        return True, call().message
    except form.FormRejected as exc:
        return False, "Sparades inte: " + "; ".join(exc.messages) + "."
    except ScopeError as exc:
        return False, f"Sparades inte: {exc}."


def submit_request(conn, scope, values: dict, viewer) -> tuple[bool, str]:
    """File a request from the form; ``(saved, Swedish message)``."""
    return _outcome(
        lambda: form.file_request(conn, scope, values, user=_user(viewer), role=_role(viewer))
    )


def submit_effort(conn, scope, values: dict, viewer) -> tuple[bool, str]:
    """Record support given (``request_id`` ``PROACTIVE`` = without a request); ``(saved, message)``."""
    clean = dict(values)
    if clean.get("request_id") == PROACTIVE:
        clean["request_id"] = None
    if clean.get("feedback_score") == NO_FEEDBACK:
        clean["feedback_score"] = None
    return _outcome(
        lambda: form.record_effort(conn, scope, clean, user=_user(viewer), role=_role(viewer))
    )


def submit_status(
    conn,
    scope,
    kind: str,
    row_id: str,
    status: str,
    viewer,
    *,
    feedback_score: int = NO_FEEDBACK,
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
            user=_user(viewer),
            role=_role(viewer),
            feedback_score=None if feedback_score == NO_FEEDBACK else feedback_score,
            feedback_note=(feedback_note or "").strip() or None,
        )
    )


def submit_undo(conn, scope, batch_id: int, viewer) -> tuple[bool, str]:
    """Undo one change of the register; ``(undone, Swedish message)``."""
    try:
        return True, form.undo(conn, scope, batch_id, user=_user(viewer), role=_role(viewer))
    except (UndoRefused, ScopeError) as exc:
        return False, f"Ångrades inte: {exc}"


def _user(viewer) -> str:
    return getattr(viewer, "email", None) or "okänd"


def _role(viewer) -> str | None:
    return getattr(viewer, "role", None)


def today() -> dt.date:
    return dt.date.today()


# ---- "De som inte ber om stöd" (Stödbehov) ------------------------------------------------


def need_table(frame: pl.DataFrame) -> pl.DataFrame:
    """Need against support for a table or the download: the quadrant and school form in Swedish."""
    return frame.with_columns(
        pl.col("quadrant")
        .replace_strict(read.QUADRANT_LABELS, return_dtype=pl.String)
        .alias("quadrant_label"),
        pl.col("school_form").replace_strict(
            SCHOOL_FORM_LABELS, default=pl.col("school_form"), return_dtype=pl.String
        ),
    ).select(list(NEED_LABELS))


def not_asking_rows(shown: pl.DataFrame) -> pl.DataFrame:
    """The rows of :func:`need_table` in the quadrant "high need, no request, no support"."""
    label = read.QUADRANT_LABELS[read.HIGH_NO_SUPPORT]
    return shown.filter(pl.col("quadrant_label") == label)


def quadrant_counts(frame: pl.DataFrame) -> dict[str, int]:
    """Units per quadrant (every quadrant named, zero included), in ``QUADRANT_LABELS`` order."""
    counts = dict(frame.group_by("quadrant").len().iter_rows())
    return {key: int(counts.get(key, 0)) for key in read.QUADRANT_LABELS}


def not_asking_sentence(frame: pl.DataFrame) -> str:
    """One sentence naming how many units have high need but neither asked nor got support."""
    n = quadrant_counts(frame)[read.HIGH_NO_SUPPORT]
    if n == 0:
        return "Alla enheter med högt stödbehov har begärt eller fått stöd under de senaste tolv månaderna."
    units = "enhet" if n == 1 else "enheter"
    return (
        f"{n} {units} med högt stödbehov (översta fjärdedelen) har varken begärt eller fått stöd "
        "under de senaste tolv månaderna."
    )

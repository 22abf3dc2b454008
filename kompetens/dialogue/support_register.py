"""Writing the support register from the app's form: a request, support given, status, feedback.

Every change goes through the importer (``kompetens.ingest.import_bytes``) as a one-row
file of its kind, so the form obeys exactly the rules a file does (Swedish errors,
lists from the database, a personnummer removed from free text, dates not in the
future) and every change is a batch in the import log that :func:`undo` can take back
(a status change supersedes the earlier row; undoing it brings that row back). Each
change is also written to the audit log (``audit.SUPPORT_SAVED`` / ``SUPPORT_UNDONE``)
with the unit, the id and the batch, never the free text.

Scope: the caller's ``query.Scope`` decides which units' requests and efforts may be
filed or changed (a principal: their own unit; a support function: any unit, for its own
functions, and the requests addressed to it); anything else raises ``ScopeError``.
Grain of each call: one request or one effort.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass

import duckdb
import polars as pl

from kompetens.access import audit
from kompetens.core import store
from kompetens.core.contract import KINDS
from kompetens.core.labels import SUPPORT_STATUS_LABELS
from kompetens.ingest import ImportRejected, import_bytes, undo_batch
from kompetens.ingest.errors import UndoRefused
from kompetens.query import ScopeError
from kompetens.query import support_register as read


class FormRejected(ValueError):
    """The form's values break a rule; ``messages`` are Swedish, one per problem."""

    def __init__(self, messages: list[str]):
        super().__init__("; ".join(messages))
        self.messages = messages


@dataclass(frozen=True)
class Saved:
    """What a save did: the kind, the request or effort id, the batch (for undo) and a Swedish line."""

    kind: str
    row_id: str
    batch_id: int | None
    message: str


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        return "" if value != value else repr(value)
    return str(value).strip()


def _next_id(conn: duckdb.DuckDBPyConnection, kind: str, prefix: str, day: dt.date) -> str:
    """``S-2026-0007``: one more than the highest number of the year among every stored version."""
    key = "request_id" if kind == "support_request" else "effort_id"
    stem = f"{prefix}-{day.year}-"
    ids = [
        r[0]
        for r in store.rows(
            conn,
            # Table and column from the contract's constants; the prefix is bound.
            f"SELECT {key} FROM {kind} WHERE starts_with({key}, ?)",  # noqa: S608
            [stem],
        )
    ]
    numbers = [int(m.group(1)) for i in ids if (m := re.fullmatch(re.escape(stem) + r"(\d+)", i))]
    return f"{stem}{max(numbers, default=0) + 1:04d}"


def _save(
    conn: duckdb.DuckDBPyConnection,
    kind: str,
    values: Mapping[str, object],
    row_id: str,
    *,
    user: str,
    role: str | None,
    what: str,
) -> Saved:
    """Write one row of ``kind`` through the importer, log it, and say what was saved."""
    # Swedish labels as headers: the importer's messages then name the form's fields.
    columns = KINDS[kind].columns
    frame = pl.DataFrame(
        {c.label_sv: [_text(values.get(c.name))] for c in columns},
        schema=dict.fromkeys((c.label_sv for c in columns), pl.String),
    )
    data = frame.write_csv(separator=";").encode("utf-8")
    label = "stödärende" if kind == "support_request" else "stödinsats"
    try:
        result = import_bytes(conn, data, f"Formulär {label} {row_id}.csv", kind=kind, user=user)
    except ImportRejected as exc:
        raise FormRejected(
            [f"{i.column}: {i.message}" if i.column else i.message for i in exc.issues]
        ) from exc
    if result.already_imported:
        return Saved(
            kind, row_id, result.batch_id, f"Inget ändrades: {label} {row_id} är redan sparat så."
        )
    audit.log_event(
        conn,
        user,
        audit.SUPPORT_SAVED,
        target=_text(values.get("unit_id")),
        details={"typ": kind, "id": row_id, "batch": result.batch_id, "ändring": what},
        role=role,
    )
    notes = [w for w in result.warnings if "personnummer" in w or "e-postadress" in w]
    message = f"{label.capitalize()} {row_id} är sparat ({what}); ändringen kan ångras (batch {result.batch_id})."
    return Saved(kind, row_id, result.batch_id, " ".join([message, *notes]))


def _require_unit(conn, scope, unit_id, function, *, what: str = "ett ärende") -> str:
    """The form's unit; ``FormRejected`` when the unit or the support function is missing,
    ``ScopeError`` when the scope may not file for it with ``function``
    (``query.support_register.check_filing``). ``what``: the thing saved, for the message."""
    unit = _text(unit_id)
    missing = []
    if not unit:
        missing.append(f"Enhet: välj en enhet; {what} gäller alltid en enhet")
    if not _text(function):
        missing.append("Stödfunktion: välj en stödfunktion")
    if missing:
        raise FormRejected(missing)
    read.check_filing(conn, scope, unit, _text(function))
    return unit


def file_request(
    conn: duckdb.DuckDBPyConnection,
    scope,
    form: Mapping[str, object],
    *,
    user: str,
    role: str | None = None,
) -> Saved:
    """File a new support request (status ``received`` unless the form says otherwise).

    ``form``: the contract's request columns except ``request_id`` (given by the register:
    ``S-<year>-<n>``). ``FormRejected`` for values that break a rule; ``ScopeError`` for a
    unit outside ``scope``.
    """
    unit = _require_unit(conn, scope, form.get("unit_id"), form.get("support_function"))
    day = form.get("request_date") or dt.date.today()
    if not isinstance(day, dt.date):
        try:
            day = dt.date.fromisoformat(_text(day))
        except ValueError as exc:
            raise FormRejected([f"Datum: ogiltigt datum {_text(day)!r}; skriv ÅÅÅÅ-MM-DD"]) from exc
    row_id = _next_id(conn, "support_request", "S", day)
    values = {**form, "request_id": row_id, "unit_id": unit, "request_date": day}
    if not values.get("status"):  # missing or empty: a new request is received
        values["status"] = "received"
    return _save(conn, "support_request", values, row_id, user=user, role=role, what="nytt ärende")


def record_effort(
    conn: duckdb.DuckDBPyConnection,
    scope,
    form: Mapping[str, object],
    *,
    user: str,
    role: str | None = None,
) -> Saved:
    """Record support given: linked to ``form['request_id']`` (its unit is used) or proactive.

    ``FormRejected`` for broken rules; ``ScopeError`` for a unit outside ``scope``.
    """
    request_id = _text(form.get("request_id"))
    values = dict(form)
    if request_id:
        try:
            request = read.current_row(conn, scope, "support_request", request_id)
        except KeyError as exc:
            raise FormRejected([f"Ärende-id: ärendet {request_id} finns inte"]) from exc
        values["unit_id"] = request["unit_id"]
    unit = _require_unit(
        conn, scope, values.get("unit_id"), values.get("support_function"), what="en insats"
    )
    start = values.get("start_date") or dt.date.today()
    start_day = start if isinstance(start, dt.date) else dt.date.today()
    row_id = _next_id(conn, "support_effort", "I", start_day)
    values.update({"effort_id": row_id, "unit_id": unit, "start_date": start})
    values.setdefault("status", "planned")
    return _save(
        conn,
        "support_effort",
        values,
        row_id,
        user=user,
        role=role,
        what="insats" + (f" på ärende {request_id}" if request_id else " utan ärende (proaktiv)"),
    )


def set_status(
    conn: duckdb.DuckDBPyConnection,
    scope,
    kind: str,
    row_id: str,
    status: str,
    *,
    user: str,
    role: str | None = None,
    feedback_score: int | None = None,
    feedback_note: str | None = None,
) -> Saved:
    """Change a request's or an effort's status (an effort: with the feedback agreed with the unit).

    The row is written again with the new values (it supersedes the old one, which
    undo brings back). ``KeyError`` for an unknown id, ``ScopeError`` outside ``scope``.
    """
    row = read.current_row(conn, scope, kind, row_id)
    values = {**row, "status": status}
    what = f"status {SUPPORT_STATUS_LABELS.get(status, status).lower()}"
    if kind == "support_effort" and (feedback_score is not None or feedback_note):
        values["feedback_score"] = feedback_score
        values["feedback_note"] = feedback_note
        what += ", återkoppling"
        if status == "done" and values.get("end_date") is None:
            values["end_date"] = dt.date.today()
    return _save(conn, kind, values, row_id, user=user, role=role, what=what)


def undo(
    conn: duckdb.DuckDBPyConnection, scope, batch_id: int, *, user: str, role: str | None = None
) -> str:
    """Undo one change of the register (a batch listed by ``query.support_register.changes``).

    ``ScopeError`` if the batch is not a support change the scope may see; the importer's
    ``UndoRefused`` (Swedish) if a later change replaced it.
    """
    mine = read.changes(conn, scope, limit=10_000)
    if batch_id not in mine["batch_id"].to_list():
        raise ScopeError(f"ändring {batch_id} är ingen ändring i stödregistret som du kan se")
    try:
        done = undo_batch(conn, batch_id, user=user)
    except UndoRefused:
        raise
    audit.log_event(
        conn,
        user,
        audit.SUPPORT_UNDONE,
        target=None,
        details={"typ": done.kind, "batch": batch_id},
        role=role,
    )
    return str(done)

"""Reading the support register: requests, efforts, their changes, and need against support.

Scope is enforced here, as for key figures (``kompetens.query``): a principal sees the
requests and efforts of their own unit, an area manager those of their area, an
organisation-wide scope everything; an explicit unit outside the scope raises
``ScopeError``. A support function's scope (``Scope.for_functions``) sees, in every
unit, the requests addressed to its functions and the support given on them or by
them, and may file and record only for its functions (:func:`check_filing`).
Leadership is shown aggregates (``overview``, ``load``) rather than the requests'
free text: that choice is the page's, by role (``ui.support_register_view``).

Every function reads the live rows (``current_support_request``,
``current_support_effort``); the raw tables keep every version, which is what
makes each change undoable (``changes``). Free text is returned as stored (a
personnummer was removed on the way in) and must be rendered as text.

"De som inte ber om stöd" (:func:`need_versus_support`) sets each unit's support-need
score (the existing index, ``query.support_need``) against the requests it made and
the support it received in the twelve months up to the reference month.
"""

from __future__ import annotations

import datetime as dt

import duckdb
import polars as pl

from kompetens.access.scope import Scope, ScopeError
from kompetens.core import store
from kompetens.query.listings import latest_month, units
from kompetens.query.support_index import support_need

SUPPORT_KINDS: tuple[str, ...] = ("support_request", "support_effort")

#: The named quadrant, and the others, in the order a table lists them.
HIGH_NO_SUPPORT = "high_no_support"
QUADRANT_LABELS: dict[str, str] = {
    HIGH_NO_SUPPORT: "Högt behov, inget stöd begärt eller givet",
    "high_support": "Högt behov, stöd begärt eller givet",
    "low_support": "Lägre behov, stöd begärt eller givet",
    "low_no_support": "Lägre behov, inget stöd begärt eller givet",
    "unknown": "Behov okänt (saknar färska data)",
}
#: A unit has high need when its rank is in the top quarter of the ranked units (org-wide).
HIGH_NEED_SHARE = 0.25
WINDOW_MONTHS = 12

REQUEST_SCHEMA: dict[str, pl.DataType] = {
    "request_id": pl.String(),
    "unit_id": pl.String(),
    "unit_name": pl.String(),
    "area": pl.String(),
    "request_date": pl.Date(),
    "asker_role": pl.String(),
    "channel": pl.String(),
    "topic": pl.String(),
    "description": pl.String(),
    "support_function": pl.String(),
    "report_to": pl.String(),
    "status": pl.String(),
    "themes": pl.String(),  # common theme ids, ';'-separated ('2;5'), null for none
    "efforts": pl.Int64(),
    "hours": pl.Float64(),
}


def _visible(conn: duckdb.DuckDBPyConnection, scope: Scope, area: str | None) -> pl.DataFrame:
    # A support function works for every unit; its rows are limited by function instead.
    by_units = Scope.everything() if scope.functions else scope
    return units(conn, by_units, area=area).select("unit_id", "unit_name", "area")


def _request_functions(conn: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """``request_id, request_function``: the function each live request is addressed to."""
    frame = store.frame(
        conn, "SELECT request_id, support_function AS request_function FROM current_support_request"
    )
    if frame.height == 0:
        return pl.DataFrame(schema={"request_id": pl.String, "request_function": pl.String})
    return frame


def _effort_visible(scope: Scope) -> pl.Expr:
    """An effort row (with ``request_function`` joined) a support function's scope may see."""
    functions = sorted(scope.functions)
    return pl.col("support_function").is_in(functions) | pl.col("request_function").is_in(
        functions
    ).fill_null(False)


def check_unit(conn: duckdb.DuckDBPyConnection, scope: Scope, unit_id: str) -> dict:
    """The unit's ``unit_id, unit_name, area`` if the scope may see it; else ``ScopeError``."""
    found = _visible(conn, scope, None).filter(pl.col("unit_id") == unit_id)
    if found.height == 0:
        raise ScopeError(f"enheten {unit_id!r} ligger utanför din behörighet")
    return found.row(0, named=True)


def filing_units(
    conn: duckdb.DuckDBPyConnection, scope: Scope, *, area: str | None = None
) -> pl.DataFrame:
    """The units the scope may file a request or record support for: ``unit_id, unit_name, area``.

    Grain: one row per unit, in area and name order. A support function's scope: every unit.
    """
    return _visible(conn, scope, area)


def check_filing(
    conn: duckdb.DuckDBPyConnection, scope: Scope, unit_id: str, function: str | None
) -> dict:
    """May the scope file a request or record support for ``unit_id`` with ``function``?

    The unit as :func:`check_unit`; a support function's scope only for its own
    functions (``ScopeError`` otherwise). Returns the unit's row.
    """
    unit = check_unit(conn, scope, unit_id)
    if scope.functions and function not in scope.functions:
        raise ScopeError(
            f"stödfunktionen {function!r} är inte din; du registrerar för "
            + ", ".join(sorted(scope.functions))
        )
    return unit


def requests(
    conn: duckdb.DuckDBPyConnection,
    scope: Scope,
    *,
    area: str | None = None,
    unit_id: str | None = None,
) -> pl.DataFrame:
    """The live support requests the scope may see, newest first.

    Grain: one row per request (``REQUEST_SCHEMA``): the request's columns, the unit's
    name and area, and ``efforts`` / ``hours``: the efforts linked to it and their hours.
    """
    visible = _visible(conn, scope, area)
    if unit_id is not None:
        check_unit(conn, scope, unit_id)
        visible = visible.filter(pl.col("unit_id") == unit_id)
    frame = store.frame(
        conn,
        """SELECT r.*, count(e.effort_id) AS efforts, sum(e.hours) AS hours
        FROM current_support_request r
        LEFT JOIN current_support_effort e ON e.request_id = r.request_id
        GROUP BY ALL""",
    )
    if frame.height == 0:
        return pl.DataFrame(schema=REQUEST_SCHEMA)
    if scope.functions:
        frame = frame.filter(pl.col("support_function").is_in(sorted(scope.functions)))
    return (
        frame.join(visible, on="unit_id", how="inner")
        .select(list(REQUEST_SCHEMA))
        .cast(REQUEST_SCHEMA)
        .sort(["request_date", "request_id"], descending=True)
    )


def efforts(
    conn: duckdb.DuckDBPyConnection,
    scope: Scope,
    *,
    area: str | None = None,
    unit_id: str | None = None,
) -> pl.DataFrame:
    """The live support efforts the scope may see, newest first.

    Grain: one row per effort: its columns (``request_id`` null for proactive support)
    and the unit's ``unit_name, area``. A support function's scope: the efforts of its
    functions and those on requests addressed to it.
    """
    visible = _visible(conn, scope, area)
    if unit_id is not None:
        check_unit(conn, scope, unit_id)
        visible = visible.filter(pl.col("unit_id") == unit_id)
    frame = store.read_current(conn, "support_effort")
    if scope.functions:
        frame = (
            frame.join(_request_functions(conn), on="request_id", how="left")
            .filter(_effort_visible(scope))
            .drop("request_function")
        )
    return frame.join(visible, on="unit_id", how="inner").sort(
        ["start_date", "effort_id"], descending=True
    )


def current_row(conn: duckdb.DuckDBPyConnection, scope: Scope, kind: str, row_id: str) -> dict:
    """One live request or effort by id, as stored; ``ScopeError`` outside the scope, ``KeyError`` if none."""
    if kind not in SUPPORT_KINDS:
        raise ValueError(f"okänd typ {kind!r}")
    key = "request_id" if kind == "support_request" else "effort_id"
    frame = store.read_current(conn, kind).filter(pl.col(key) == row_id)
    if frame.height == 0:
        raise KeyError(row_id)
    row = frame.row(0, named=True)
    check_unit(conn, scope, row["unit_id"])
    if scope.functions:
        own = row["support_function"] in scope.functions
        if kind == "support_effort" and not own and row.get("request_id"):
            linked = _request_functions(conn).filter(pl.col("request_id") == row["request_id"])
            own = bool(linked.height) and linked["request_function"][0] in scope.functions
        if not own:
            raise ScopeError(f"{row_id} är inte ställt till din stödfunktion")
    return row


def changes(conn: duckdb.DuckDBPyConnection, scope: Scope, limit: int = 20) -> pl.DataFrame:
    """The newest changes to the register (each is an import batch), for the undo list.

    Grain: one row per batch of a support kind whose rows all belong to units the scope
    may see (a support function's scope: rows of its functions or on requests addressed
    to them): ``batch_id, kind, file_name, user_name, imported_at, undone_at, rows_written``.
    """
    visible = _visible(conn, scope, None)["unit_id"].to_list()
    if scope.functions:
        rows = store.frame(
            conn,
            """SELECT _batch_id AS batch_id, unit_id, support_function,
                CAST(NULL AS VARCHAR) AS request_id FROM support_request
            UNION ALL
            SELECT _batch_id, unit_id, support_function, request_id FROM support_effort""",
        )
        if rows.height:
            rows = rows.join(_request_functions(conn), on="request_id", how="left")
            ok = rows.with_columns(
                (pl.col("unit_id").is_in(visible) & _effort_visible(scope)).alias("ok")
            )
            allowed = ok.group_by("batch_id").agg(pl.col("ok").all()).filter("ok")["batch_id"]
        else:
            allowed = pl.Series("batch_id", [], dtype=pl.Int64)
    log = store.frame(
        conn,
        """SELECT batch_id, kind, file_name, user_name, imported_at, undone_at, rows_written
        FROM import_log WHERE kind IN ('support_request', 'support_effort')
        ORDER BY batch_id DESC""",
    )
    if log.height == 0:
        return log
    owners = store.frame(
        conn,
        """SELECT _batch_id AS batch_id, list(DISTINCT unit_id) AS units FROM support_request
        GROUP BY 1 UNION ALL
        SELECT _batch_id, list(DISTINCT unit_id) FROM support_effort GROUP BY 1""",
    )
    if not scope.functions:
        allowed = owners.filter(pl.col("units").list.eval(pl.element().is_in(visible)).list.all())[
            "batch_id"
        ]
    return log.filter(pl.col("batch_id").is_in(allowed.implode())).head(limit)


def overview(
    conn: duckdb.DuckDBPyConnection,
    scope: Scope,
    *,
    since: dt.date | None = None,
) -> pl.DataFrame:
    """Aggregates for leadership: requests and support per area and support function.

    Grain: one row per area × support function: ``requests``, ``open`` (received, planned
    or in progress), ``declined``, ``efforts``, ``hours``, ``feedback_mean`` (1–5, over the
    efforts with feedback) and ``with_feedback``. Requests from ``since`` (request date)
    and efforts from ``since`` (start date); everything when ``since`` is None.
    """
    req = requests(conn, scope)
    eff = efforts(conn, scope)
    if since is not None:
        req = req.filter(pl.col("request_date") >= since)
        eff = eff.filter(pl.col("start_date") >= since)
    keys = ["area", "support_function"]
    r = req.group_by(keys).agg(
        pl.len().cast(pl.Int64).alias("requests"),
        pl.col("status")
        .is_in(["received", "planned", "in_progress"])
        .sum()
        .cast(pl.Int64)
        .alias("open"),
        (pl.col("status") == "declined").sum().cast(pl.Int64).alias("declined"),
    )
    e = eff.group_by(keys).agg(
        pl.len().cast(pl.Int64).alias("efforts"),
        pl.col("hours").sum().alias("hours"),
        pl.col("feedback_score").mean().alias("feedback_mean"),
        pl.col("feedback_score").is_not_null().sum().cast(pl.Int64).alias("with_feedback"),
    )
    out = r.join(e, on=keys, how="full", coalesce=True)
    return out.with_columns(
        pl.col("requests", "open", "declined", "efforts", "with_feedback").fill_null(0)
    ).sort(keys)


def _window(reference: str) -> tuple[dt.date, dt.date]:
    """The twelve months ending with reference month ``YYYY-MM``: (first day, last day)."""
    year, month = int(reference[:4]), int(reference[5:7])
    nxt = dt.date(year + (month == 12), month % 12 + 1, 1)
    first = dt.date(year - 1 + (month == 12), month % 12 + 1, 1)
    return first, nxt - dt.timedelta(days=1)


def need_versus_support(
    conn: duckdb.DuckDBPyConnection,
    scope: Scope,
    *,
    period: str | None = None,
    weights: dict[str, float] | None = None,
) -> pl.DataFrame:
    """Each unit's support-need score against the support it asked for and received.

    Grain: one row per unit of the support-need index in the scope: ``unit_id, unit_name,
    area, school_form, score, rank, has_recent_data``, then ``requests`` (requests dated in
    the window), ``efforts`` and ``hours`` (efforts started or finished in the window, with
    or without a request), ``high_need`` (rank in the top quarter of the organisation's
    ranked units) and ``quadrant`` (a key of ``QUADRANT_LABELS``). The window is the twelve
    months ending with ``period`` (default: the newest month with figures). Units of the
    quadrant "high need, no request, no support" come first, by rank.
    """
    reference = period or latest_month(conn, Scope.everything())
    need = support_need(conn, scope, weights=weights, period=reference)
    base = need.select(
        "unit_id", "unit_name", "area", "school_form", "score", "rank", "has_recent_data"
    )
    ranked_all = support_need(conn, Scope.everything(), weights=weights, period=reference)
    n_ranked = ranked_all.filter(pl.col("rank").is_not_null()).height
    cutoff = max(1, round(n_ranked * HIGH_NEED_SHARE)) if n_ranked else 0
    if reference is None:
        counts_r = pl.DataFrame(schema={"unit_id": pl.String, "requests": pl.Int64})
        counts_e = pl.DataFrame(
            schema={"unit_id": pl.String, "efforts": pl.Int64, "hours": pl.Float64}
        )
    else:
        first, last = _window(reference)
        counts_r = store.frame(
            conn,
            """SELECT unit_id, count(*) AS requests FROM current_support_request
            WHERE request_date BETWEEN ? AND ? GROUP BY unit_id""",
            [first, last],
        )
        counts_e = store.frame(
            conn,
            """SELECT unit_id, count(*) AS efforts, sum(hours) AS hours FROM current_support_effort
            WHERE start_date <= ? AND coalesce(end_date, start_date) >= ? GROUP BY unit_id""",
            [last, first],
        )
        if counts_r.height == 0:
            counts_r = pl.DataFrame(schema={"unit_id": pl.String, "requests": pl.Int64})
        if counts_e.height == 0:
            counts_e = pl.DataFrame(
                schema={"unit_id": pl.String, "efforts": pl.Int64, "hours": pl.Float64}
            )
    out = (
        base.join(counts_r.cast({"requests": pl.Int64}), on="unit_id", how="left")
        .join(counts_e.cast({"efforts": pl.Int64, "hours": pl.Float64}), on="unit_id", how="left")
        .with_columns(pl.col("requests", "efforts").fill_null(0), pl.col("hours").fill_null(0.0))
        .with_columns((pl.col("rank") <= cutoff).fill_null(False).alias("high_need"))
    )
    asked = (pl.col("requests") > 0) | (pl.col("efforts") > 0)
    quadrant = (
        pl.when(~pl.col("has_recent_data"))
        .then(pl.lit("unknown"))
        .when(pl.col("high_need") & ~asked)
        .then(pl.lit(HIGH_NO_SUPPORT))
        .when(pl.col("high_need"))
        .then(pl.lit("high_support"))
        .when(asked)
        .then(pl.lit("low_support"))
        .otherwise(pl.lit("low_no_support"))
    )
    order = {key: i for i, key in enumerate(QUADRANT_LABELS)}
    return (
        out.with_columns(quadrant.alias("quadrant"))
        .with_columns(pl.col("quadrant").replace_strict(order, return_dtype=pl.Int64).alias("_q"))
        .sort(["_q", "rank", "unit_id"], nulls_last=True)
        .drop("_q")
    )


def not_asking(
    conn: duckdb.DuckDBPyConnection, scope: Scope, *, period: str | None = None
) -> pl.DataFrame:
    """Only the quadrant "high need, no request, no support" (see :func:`need_versus_support`)."""
    return need_versus_support(conn, scope, period=period).filter(
        pl.col("quadrant") == HIGH_NO_SUPPORT
    )


#: A request is unanswered while its status is still ``received``.
UNANSWERED_AFTER_DAYS = 14


def unanswered(
    conn: duckdb.DuckDBPyConnection,
    scope: Scope,
    *,
    days: int = UNANSWERED_AFTER_DAYS,
    today: dt.date | None = None,
    area: str | None = None,
    function: str | None = None,
) -> pl.DataFrame:
    """Requests still ``received`` (no answer) more than ``days`` days after they were made.

    Grain: one row per request (``requests`` columns) plus ``days_waiting``; the longest
    wait first. Filtered by area and support function when given.
    """
    today = today or dt.date.today()
    frame = requests(conn, scope, area=area)
    if function is not None:
        frame = frame.filter(pl.col("support_function") == function)
    return (
        frame.filter(pl.col("status") == "received")
        .with_columns(
            (pl.lit(today) - pl.col("request_date")).dt.total_days().alias("days_waiting")
        )
        .filter(pl.col("days_waiting") > days)
        .sort(["days_waiting", "request_id"], descending=[True, False])
    )


def without_feedback(
    conn: duckdb.DuckDBPyConnection,
    scope: Scope,
    *,
    area: str | None = None,
    function: str | None = None,
) -> pl.DataFrame:
    """Finished efforts (status ``done``) without agreed feedback, the oldest end first.

    Grain: one row per effort (``efforts`` columns). Filtered by area and support function.
    """
    frame = efforts(conn, scope, area=area)
    if function is not None:
        frame = frame.filter(pl.col("support_function") == function)
    return frame.filter((pl.col("status") == "done") & pl.col("feedback_score").is_null()).sort(
        ["end_date", "effort_id"], nulls_last=True
    )


#: Request statuses that are still open (not done, not declined).
OPEN_STATUSES: tuple[str, ...] = ("received", "planned", "in_progress")


LOAD_SCHEMA: dict[str, pl.DataType] = {
    "month": pl.String(),
    "support_function": pl.String(),
    "requests": pl.Int64(),
    "efforts": pl.Int64(),
    "hours": pl.Float64(),
}


def load(
    conn: duckdb.DuckDBPyConnection,
    scope: Scope,
    *,
    area: str | None = None,
    function: str | None = None,
) -> pl.DataFrame:
    """Each support function's load over time, from the requests and efforts the scope may see.

    Grain: one row per month (``YYYY-MM``) × support function that had a request or an
    effort: ``requests`` (requests dated in the month, addressed to the function),
    ``efforts`` (efforts of the function started in the month) and ``hours`` (those
    efforts' hours, 0 when none were given). Oldest month first.
    """
    req = requests(conn, scope, area=area)
    eff = efforts(conn, scope, area=area)
    if function is not None:
        req = req.filter(pl.col("support_function") == function)
        eff = eff.filter(pl.col("support_function") == function)
    keys = ["month", "support_function"]
    r = req.group_by(
        pl.col("request_date").dt.strftime("%Y-%m").alias("month"), "support_function"
    ).agg(pl.len().cast(pl.Int64).alias("requests"))
    e = (
        eff.group_by(pl.col("start_date").dt.strftime("%Y-%m").alias("month"), "support_function")
        .agg(
            pl.len().cast(pl.Int64).alias("efforts"),
            pl.col("hours").cast(pl.Float64).sum().alias("hours"),
        )
        .cast({"hours": pl.Float64})
    )
    out = r.join(e, on=keys, how="full", coalesce=True)
    if out.height == 0:
        return pl.DataFrame(schema=LOAD_SCHEMA)
    return (
        out.with_columns(pl.col("requests", "efforts").fill_null(0), pl.col("hours").fill_null(0.0))
        .select(list(LOAD_SCHEMA))
        .cast(LOAD_SCHEMA)
        .sort(keys)
    )


def open_report_backs(
    conn: duckdb.DuckDBPyConnection,
    scope: Scope,
    *,
    area: str | None = None,
    function: str | None = None,
) -> pl.DataFrame:
    """Requests whose report-back is still owed: "vem återrapporterar vi till".

    A request with a recipient (``report_to``) owes a report back until it is declined, or
    done with agreed feedback on at least one of its efforts. The register has no field for
    "reported back on"; feedback agreed with the unit is the closest recorded sign.

    Grain: one row per request (``requests`` columns) plus ``with_feedback`` (its efforts
    with feedback); the oldest request first. Filtered by area and support function.
    """
    frame = requests(conn, scope, area=area)
    if function is not None:
        frame = frame.filter(pl.col("support_function") == function)
    fed = (
        efforts(conn, scope, area=area)
        .filter(pl.col("request_id").is_not_null() & pl.col("feedback_score").is_not_null())
        .group_by("request_id")
        .agg(pl.len().cast(pl.Int64).alias("with_feedback"))
    )
    owed = pl.col("status").is_in(list(OPEN_STATUSES)) | (
        (pl.col("status") == "done") & (pl.col("with_feedback") == 0)
    )
    return (
        frame.filter(
            pl.col("report_to").is_not_null() & (pl.col("report_to").str.strip_chars() != "")
        )
        .join(fed, on="request_id", how="left")
        .with_columns(pl.col("with_feedback").fill_null(0))
        .filter(owed)
        .sort(["request_date", "request_id"])
    )

"""Settings of the computation an administrator may change: the retirement age.

The retirement age (years) is stored with the key figures (``key_figures_meta``,
``indicators.engine.stored_settings``; 66 until changed). Changing it recomputes every
key figure with the new age — ``retirement_forecast_5y`` and the rest — and from then on
the projection ("Prognos"), its retirement timeline and every later import use it. The
change is written to the audit log (``access.audit.SETTING_CHANGED``) in the same
connection. Called by ``kompetens settings --retirement-age`` and the Admin page, inside
the writer lock (``ops.database.writing``).
"""

from __future__ import annotations

from collections.abc import Callable

import duckdb

from kompetens.access import audit
from kompetens.indicators import engine
from kompetens.indicators.pipelines.grain import Settings

#: The retirement ages that may be set (years).
RETIREMENT_AGE_RANGE = (55, 75)


def retirement_age(conn: duckdb.DuckDBPyConnection) -> int:
    """The stored retirement age (the default before the first computation)."""
    return int(engine.stored_settings(conn).get("retirement_age", Settings().retirement_age))


def set_retirement_age(
    conn: duckdb.DuckDBPyConnection,
    age: int,
    user: str,
    *,
    role: str | None = None,
    progress: Callable[[float, str], None] | None = None,
) -> bool:
    """Store a new retirement age and recompute the key figures with it; False if it was already set.

    ``ValueError`` (Swedish) for an age outside ``RETIREMENT_AGE_RANGE``.
    """
    low, high = RETIREMENT_AGE_RANGE
    if isinstance(age, bool) or not isinstance(age, int) or not low <= age <= high:
        raise ValueError(f"Pensionsåldern ska vara ett helt antal år, {low}–{high}, inte {age!r}.")
    before = retirement_age(conn)
    if before == age and engine.read_meta(conn) is not None:
        return False
    settings = engine.stored_settings(conn)
    reference_month = int(settings.get("reference_month", Settings().reference_month))
    engine.recompute(conn, reference_month=reference_month, retirement_age=age, progress=progress)
    audit.log_event(
        conn,
        user or "okänd",
        audit.SETTING_CHANGED,
        "retirement_age",
        {"from": before, "to": age},
        role=role,
    )
    return True

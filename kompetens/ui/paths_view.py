"""Behörighet's certification-path section: path progress per unit for HR, overdue paths first.

Reads ``query.path_progress`` (key figures ``"certification_path_progress"``, breakdown
``path_status=``, and ``"expected_completions"`` of the year) per area and per unit, with the
whole-table mask (``..``). Counts are paths; nothing is shown without imported certification paths.
"""

from __future__ import annotations

import polars as pl
import streamlit as st

from kompetens import query
from kompetens.present.formatting import fmt_month_year, fmt_number
from kompetens.ui import components

#: The indicators this section shows (the page's home map, ``ui.homes``).
PATH_INDICATORS = ("certification_path_progress", "expected_completions")

#: Column -> Swedish heading, in display order.
COLUMNS: dict[str, str] = {
    "paths": "Utbildningar",
    "ongoing": "Pågår",
    "overdue": "Försenade",
    "completed": "Klara (behöriga)",
    "left": "Slutat",
    "expected_this_year": "Beräknat klara i år",
}


def path_period(cur, scope, year: str) -> str | None:
    """The period to show for the page's ``year``: the newest month when it is in that year
    (the current state), else the year itself (its reference month); None without paths."""
    months = query.path_periods(cur, scope)
    if not months:
        return None
    return months[-1] if months[-1].startswith(year) or year > months[-1] else year


def screen_table(rows: pl.DataFrame, name_heading: str) -> tuple[pl.DataFrame, dict]:
    """The rows as text for the screen (``..`` for a hidden count) and their column config."""
    # a data grid shows text as text (no Markdown), so names go in as they are
    shown = {"unit_name": rows["unit_name"].to_list()}
    for column in COLUMNS:
        shown[column] = [
            ".." if hidden else fmt_number(value)
            for value, hidden in zip(rows[column], rows[f"{column}_suppressed"], strict=True)
        ]
    config = {"unit_name": name_heading} | {
        c: st.column_config.TextColumn(label, alignment="right") for c, label in COLUMNS.items()
    }
    return pl.DataFrame(shown), config


def show(cur, scope, year: str, area: str | None) -> None:
    """The section (nothing when no certification paths are imported)."""
    period = path_period(cur, scope, year)
    if period is None:
        return
    units = query.path_progress(cur, scope, period, area)
    if units.height == 0:
        return
    st.header("Behörighetsgivande utbildningar")
    when = (
        f"{period} (oktober)"
        if len(period) == 4
        else fmt_month_year(int(period[:4]), int(period[5:7]))
    )
    st.caption(
        f"Läget {when} för påbörjade utbildningar (VAL, KPU, Lärarlyftet, ULV och andra) enligt "
        "den importerade filen. **Försenad**: beräknat klar har passerat utan att personen blivit "
        "behörig i personalfilen. Klara och slutade räknas i tolv månader. Antal utbildningar; "
        "`..` = dolt, färre än fem personer."
    )
    areas = query.path_progress(cur, scope, period, area, level="area")
    if areas.height > 1 or (areas.height == 1 and area is None):
        frame, config = screen_table(areas, "Område")
        st.dataframe(frame, hide_index=True, column_config=config, key="path_areas")
    frame, config = screen_table(units, "Enhet")
    st.dataframe(frame, hide_index=True, column_config=config, key="path_units")
    st.caption("Enheter med flest försenade utbildningar först.")
    components.download_buttons(
        units.drop("unit_id"),
        f"Behörighetsgivande utbildningar {period}",
        labels={
            "unit_name": "Enhet",
            "area": "Område",
            "school_form": "Skolform",
            **COLUMNS,
        },
        key="path_units",
    )

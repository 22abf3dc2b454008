"""Reusable page pieces: headline cards, status markers, empty states, downloads.

Everything here renders frames the query layer already scoped and suppressed;
no SQL and no Polars logic beyond picking columns to show.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

import polars as pl
import streamlit as st

from kompetens.core.labels import (
    SCHOOL_FORM_LABELS,
    TARGET_STATUS_LABELS,
    TARGET_STATUS_LEGEND,
    TARGET_STATUS_SYMBOLS,
)
from kompetens.indicators import registry
from kompetens.present import exports
from kompetens.present.formatting import delta_style, fmt_delta, fmt_value
from kompetens.query import previous_period

_STATUS_BADGES: dict[str | None, str] = {
    "green": "green-background",
    "yellow": "yellow-background",
    "red": "red-background",
    None: "gray-background",
}
#: A coloured badge with a symbol and the words (Streamlit markdown), per traffic-light status.
STATUS_LABELS: dict[str | None, str] = {
    status: f":{badge}[{TARGET_STATUS_SYMBOLS[status]} {TARGET_STATUS_LABELS[status]}]"
    for status, badge in _STATUS_BADGES.items()
}
#: The traffic light explained, for a caption under the cards.
STATUS_LEGEND = TARGET_STATUS_LEGEND
STATUS_SHORT: dict[str | None, str] = {"green": "🟢", "yellow": "🟡", "red": "🔴", None: "⚪"}


def indicator_name(indicator_id: str) -> str:
    return registry.get(indicator_id).name_sv


def indicator_unit(indicator_id: str) -> str:
    return registry.get(indicator_id).unit


def status_text(status: str | None) -> str:
    """A colour dot plus words (never colour alone: readable for colour-blind users and on paper)."""
    return STATUS_LABELS.get(status, STATUS_LABELS[None])


def headline_card(column, row: Mapping, *, period_label: str | None = None) -> None:
    """One metric card: value, change vs a year earlier (direction-aware colour), target and status."""
    indicator = registry.get(row["indicator_id"])
    suppressed = bool(row.get("suppressed"))
    value = fmt_value(row.get("value"), indicator, suppressed=suppressed)
    change = row.get("change")
    delta = None if change is None or suppressed else fmt_delta(change, indicator)
    delta_colour, delta_arrow = delta_style(change if delta else None, indicator.direction)
    period = period_label or row.get("period")
    with column.container(border=True):
        # The delta stays short (a narrow card cuts it off); what it compares with is in the caption.
        st.metric(
            indicator.name_sv,
            value,
            delta=delta,
            delta_color=delta_colour,
            delta_arrow=delta_arrow,
            help=indicator.description,
        )
        target = row.get("target")
        parts = [status_text(row.get("status"))]
        if target is not None:
            parts.append(f"mål {fmt_value(target, indicator)}")
        if period:
            compared = f", ändring mot {previous_period(str(period))}" if delta else ""
            parts.append(f"{period}{compared}")
        st.caption(" · ".join(parts))


def headline_card_or_gap(column, indicator_id: str, row: Mapping | None) -> None:
    """``headline_card``, or a card that says there are no figures for the period when ``row`` is None."""
    if row is None:
        with column.container(border=True):
            st.metric(indicator_name(indicator_id), "–")
            st.caption("Inga uppgifter för perioden")
        return
    headline_card(column, row)


def set_session_values(values: Mapping[str, object]) -> None:
    """Put widget values into session state (a button's ``on_click``, e.g. "reset the weights")."""
    for key, value in values.items():
        st.session_state[key] = value


def empty_state(
    what: str,
    how: str = "Importera data på sidan **Import** eller bygg demodata med `uv run kompetens demo`.",
) -> None:
    """Explain what is missing and how to get it, instead of an error or an empty chart."""
    st.info(f"**{what}**\n\n{how}", icon=":material/info:")


def _file_stem(name: str) -> str:
    return re.sub(r"[^0-9A-Za-zÅÄÖåäö_-]+", "_", name).strip("_") or "tabell"


def download_buttons(
    frame: pl.DataFrame,
    name: str,
    *,
    suppressible: Sequence[str] = (),
    labels: Mapping[str, str] | None = None,
    formats: Mapping[str, str] | None = None,
    key: str | None = None,
    audit_action: str | None = "export",
) -> None:
    """CSV and Excel downloads of a table, with suppression applied (``..``) as on screen.

    Every download is written to the audit log as ``audit_action`` (default
    ``export``; ``None`` logs nothing) with the table name and format, by the
    button's click callback (which costs one rerun).
    """
    stem = _file_stem(name)

    def clicked(file_format: str):
        if audit_action is None:
            return "ignore"
        from kompetens.ui.context import audit_page_event

        return lambda: audit_page_event(audit_action, name, {"format": file_format})

    left, right, _ = st.columns([1, 1, 4])
    left.download_button(
        "Ladda ner CSV",
        # A callable: the file is built only when someone clicks, not on every script run.
        data=lambda: exports.to_csv_bytes(frame, suppressible=suppressible, labels=labels),
        file_name=f"{stem}.csv",
        mime="text/csv",
        icon=":material/download:",
        key=f"{key or stem}_csv",
        on_click=clicked("csv"),
    )
    right.download_button(
        "Ladda ner Excel",
        data=lambda: exports.to_excel_bytes(
            {name[:31]: frame}, suppressible=suppressible, labels=labels, formats=formats
        ),
        file_name=f"{stem}.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        icon=":material/table:",
        key=f"{key or stem}_xlsx",
        on_click=clicked("xlsx"),
    )


SUPPORT_TABLE_LABELS: dict[str, str] = {
    "rank": "Rang",
    "unit_id": "Enhets-id",
    "unit_name": "Enhet",
    "area": "Område",
    "school_form": "Skolform",
    "score": "Stödbehov (0–100)",
    "drivers": "Drivs främst av",
}


def support_ranking_table(ranked: pl.DataFrame, *, key: str, decimals: int = 0) -> None:
    """The ranked support-need table (Översikt's top ten and Stödbehov's full list).

    ``ranked``: ``rank, unit_name, area, school_form, score, drivers`` (school form as a code).
    """
    shown = ranked.with_columns(ranked["school_form"].replace(SCHOOL_FORM_LABELS))
    st.dataframe(
        shown,
        hide_index=True,
        column_order=["rank", "unit_name", "area", "school_form", "score", "drivers"],
        column_config={
            "rank": st.column_config.NumberColumn(SUPPORT_TABLE_LABELS["rank"], format="%d"),
            "unit_name": SUPPORT_TABLE_LABELS["unit_name"],
            "area": SUPPORT_TABLE_LABELS["area"],
            "school_form": SUPPORT_TABLE_LABELS["school_form"],
            "score": st.column_config.ProgressColumn(
                SUPPORT_TABLE_LABELS["score"], min_value=0, max_value=100, format=f"%.{decimals}f"
            ),
            "drivers": SUPPORT_TABLE_LABELS["drivers"],
        },
        key=key,
    )

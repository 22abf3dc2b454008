"""Behörighet's subject view: qualification per unit and subject from teaching assignments.

Reads ``query.subject_units`` (key figures ``"certified_teaching_hours_share"`` and
``"uncertified_teaching_hours"``, breakdown ``subject=<code>``) and the count
``"subjects_without_certified_teacher"``; shows a unit x subject heat map and a table sorted by
the gap in hours. Nothing is shown without teaching assignments.
"""

from __future__ import annotations

import polars as pl
import streamlit as st

from kompetens import query
from kompetens.present.formatting import fmt_number, fmt_percent, md_text
from kompetens.present.subject_charts import subject_heatmap
from kompetens.ui import competence_views as views
from kompetens.ui import components, figures

#: The indicators this view shows (the page's home map, ``ui.homes``).
SUBJECT_INDICATORS = (
    "certified_teaching_hours_share",
    "uncertified_teaching_hours",
    "subjects_without_certified_teacher",
)
#: Units in the heat map at most (the table below has them all).
HEATMAP_UNITS = 30


def show(cur, scope, period: str, area: str | None, school_form: str | None) -> None:
    """The subject section of Behörighet (nothing when no teaching assignments are imported)."""
    rows = query.subject_units(cur, scope, period, area, school_form)
    if rows.height == 0:
        return
    st.header("Ämnen")
    st.caption(
        "Andel undervisningstimmar som hålls av lärare med behörighet i ämnet och årskurserna "
        "(Skolverkets definition), från importerade undervisningsuppdrag. Timmar per vecka; "
        "18 timmar motsvarar ungefär en heltidstjänst. `..` = dolt, färre än fem lärare."
    )
    at = ("area", area) if area else None
    cards = query.headline(cur, scope, list(SUBJECT_INDICATORS), "year", period, at=at)
    _, card_rows = views.headline_rows(cards)
    columns = st.columns(len(SUBJECT_INDICATORS))
    for column, indicator_id in zip(columns, SUBJECT_INDICATORS, strict=True):
        if indicator_id in card_rows:
            components.headline_card(column, card_rows[indicator_id])
    by_unit = (
        rows.group_by("unit_name", maintain_order=True)
        .agg(pl.col("uncertified_hours").fill_null(0).sum().alias("_gap"))
        .sort("_gap", descending=True)
    )
    top = by_unit.head(HEATMAP_UNITS)["unit_name"].to_list()
    figures.show(
        subject_heatmap(
            rows.filter(pl.col("unit_name").is_in(top))
            .join(by_unit, on="unit_name")
            .sort("_gap", descending=True)
        ),
        config={"displaylogo": False},
        key="subject_heatmap",
    )
    if by_unit.height > HEATMAP_UNITS:
        st.caption(f"De {HEATMAP_UNITS} enheterna med störst gap i timmar; alla finns i tabellen.")

    def text(values, hidden, fmt) -> list[str]:
        return [".." if h else fmt(v) for v, h in zip(values, hidden, strict=True)]

    screen = pl.DataFrame(
        {
            "unit_name": rows["unit_name"],
            "subject_name": rows["subject_name"],
            "share": text(rows["share"], rows["share_suppressed"], fmt_percent),
            "uncertified_hours": text(
                rows["uncertified_hours"],
                rows["uncertified_hours_suppressed"],
                lambda v: fmt_number(v, 1),
            ),
            "uncertified_fte": text(
                rows["uncertified_fte"],
                rows["uncertified_fte_suppressed"],
                lambda v: fmt_number(v, 1),
            ),
            "area": rows["area"],
        }
    )
    st.dataframe(
        screen,
        hide_index=True,
        column_config={
            "unit_name": "Enhet",
            "subject_name": "Ämne",
            "share": st.column_config.TextColumn("Andel behöriga timmar", alignment="right"),
            "uncertified_hours": st.column_config.TextColumn(
                "Obehöriga timmar/vecka", alignment="right"
            ),
            "uncertified_fte": st.column_config.TextColumn(
                "Motsvarar heltidstjänster", alignment="right"
            ),
            "area": "Område",
        },
        key="subject_table",
    )
    st.caption("Sorterad efter gapet i timmar, störst först.")
    components.download_buttons(
        rows.drop("subject"),
        f"Behörighet per ämne {period}",
        labels={
            "unit_id": "Enhets-id",
            "unit_name": "Enhet",
            "area": "Område",
            "school_form": "Skolform",
            "subject_name": "Ämne",
            "share": "Andel behöriga undervisningstimmar",
            "uncertified_hours": "Obehöriga undervisningstimmar per vecka",
            "uncertified_fte": "Obehöriga timmar som heltidstjänster",
        },
        formats={"share": "share", "uncertified_hours": "fte", "uncertified_fte": "fte"},
        key="subject_table",
    )


def gap_lines(gaps: pl.DataFrame) -> list[str]:
    """The dialogue's lines for a unit's largest subject gaps (``query.largest_subject_gaps``):
    'Matematik: 10,0 timmar i veckan utan behörig lärare (0,6 heltidstjänster)'."""
    return [
        f"{md_text(r['subject_name'])}: {fmt_number(r['uncertified_hours'], 1)} timmar i veckan "
        f"utan behörig lärare ({fmt_number(r['uncertified_fte'], 1)} heltidstjänster)"
        for r in gaps.iter_rows(named=True)
    ]

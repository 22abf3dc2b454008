"""Behörighet's subject view: qualification per unit and subject from teaching assignments.

Reads ``query.subject_units`` (key figures ``"certified_teaching_hours_share"`` and
``"uncertified_teaching_hours"``, breakdown ``subject=<code>``) and the count
``"subjects_without_certified_teacher"``; shows a unit x subject heat map and a table, filtered
by school form and grades and sorted by the gap in hours or the share, with a download, and the
drill from a unit to its subjects grade by grade (``query.unit_subject_grades``). Nothing is shown
without teaching assignments.
"""

from __future__ import annotations

import polars as pl
import streamlit as st

from kompetens import query
from kompetens.core.labels import GRADES_LABELS, SCHOOL_FORM_LABELS
from kompetens.dialogue.briefs.content import subject_gap_text
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


#: The subject view's sort orders (key: what ``sorted_subjects`` sorts by).
SUBJECT_SORTS = {
    "gap": "Gap i timmar (störst först)",
    "share": "Andel behöriga timmar (lägst först)",
}
_ALL = "alla"


def sorted_subjects(rows: pl.DataFrame, by: str) -> pl.DataFrame:
    """``query.subject_units`` rows by the gap in hours (largest first) or the share (lowest
    first); hidden values last, then unit and subject names."""
    column, descending = ("share", False) if by == "share" else ("uncertified_hours", True)
    return rows.sort(
        [column, "unit_name", "subject_name"],
        descending=[descending, False, False],
        nulls_last=True,
    )


def _texts(values, hidden, fmt) -> list[str]:
    return [
        ".." if h else ("–" if v is None else fmt(v)) for v, h in zip(values, hidden, strict=True)
    ]


def screen_rows(rows: pl.DataFrame) -> pl.DataFrame:
    """Subject rows as the screen shows them: Swedish numbers, ``..`` for a hidden figure, grades
    in words (``Årskurs 7–9``; all grades: ``Alla``)."""
    return pl.DataFrame(
        {
            "unit_name": rows["unit_name"],
            "subject_name": rows["subject_name"],
            "grades": [
                "Alla" if g is None else GRADES_LABELS.get(g, "Okända årskurser")
                for g in rows["grades"].to_list()
            ],
            "share": _texts(rows["share"], rows["share_suppressed"], fmt_percent),
            "uncertified_hours": _texts(
                rows["uncertified_hours"],
                rows["uncertified_hours_suppressed"],
                lambda v: fmt_number(v, 1),
            ),
            "uncertified_fte": _texts(
                rows["uncertified_fte"],
                rows["uncertified_fte_suppressed"],
                lambda v: fmt_number(v, 1),
            ),
            "area": rows["area"],
        },
        schema={c: pl.String for c in _SCREEN_COLUMNS},
    )


_SCREEN_COLUMNS = (
    "unit_name",
    "subject_name",
    "grades",
    "share",
    "uncertified_hours",
    "uncertified_fte",
    "area",
)
_COLUMN_CONFIG = {
    "unit_name": "Enhet",
    "subject_name": "Ämne",
    "grades": "Årskurser",
    "share": st.column_config.TextColumn("Andel behöriga timmar", alignment="right"),
    "uncertified_hours": st.column_config.TextColumn("Obehöriga timmar/vecka", alignment="right"),
    "uncertified_fte": st.column_config.TextColumn("Motsvarar heltidstjänster", alignment="right"),
    "area": "Område",
}
_DOWNLOAD_LABELS = {
    "unit_id": "Enhets-id",
    "unit_name": "Enhet",
    "area": "Område",
    "school_form": "Skolform",
    "subject_name": "Ämne",
    "grades": "Årskurser",
    "share": "Andel behöriga undervisningstimmar",
    "uncertified_hours": "Obehöriga undervisningstimmar per vecka",
    "uncertified_fte": "Obehöriga timmar som heltidstjänster",
}
_DOWNLOAD_FORMATS = {"share": "share", "uncertified_hours": "fte", "uncertified_fte": "fte"}


def _download_frame(rows: pl.DataFrame) -> pl.DataFrame:
    return views.with_school_form_labels(rows.drop("subject")).with_columns(
        pl.col("grades").replace_strict(GRADES_LABELS, default="Alla", return_dtype=pl.String)
    )


def show(cur, scope, period: str, area: str | None, school_form: str | None) -> None:
    """The subject section of Behörighet (nothing when no teaching assignments are imported):
    filters (school form, grades), sort (gap or share), heat map, table with download, and the
    drill from a unit to its subjects grade by grade."""
    every = query.subject_units(cur, scope, period, area, school_form)
    if every.height == 0:
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

    forms = sorted(every["school_form"].unique().to_list())
    # Two lists side by side and the grades on their own line: all three in one row cut the
    # grade buttons on an 800 px screen with the sidebar open.
    form_column, sort_column = st.columns(2)
    form = form_column.selectbox(
        "Skolform",
        options=[_ALL, *forms],
        format_func=lambda f: "Alla skolformer" if f == _ALL else SCHOOL_FORM_LABELS.get(f, f),
        key="amnen_skolform",
    )
    grades = st.segmented_control(
        "Årskurser",
        options=[_ALL, *GRADES_LABELS],
        format_func=lambda g: "Alla" if g == _ALL else g.replace("-", "–"),
        default=_ALL,
        required=True,
        key="amnen_arskurser",
        help="Timmarna i de årskurserna: F–3, 4–6, 7–9 eller gymnasiet (gy).",
    )
    sort = sort_column.selectbox(
        "Sortera efter",
        options=list(SUBJECT_SORTS),
        format_func=SUBJECT_SORTS.get,
        key="amnen_sortering",
    )
    form = None if form in (None, _ALL) else form
    grades = None if grades in (None, _ALL) else grades
    rows = sorted_subjects(
        query.subject_units(cur, scope, period, area, form or school_form, grades=grades),
        sort or "gap",
    )
    if rows.height == 0:
        components.empty_state(
            "Ingen undervisning i de årskurserna för urvalet.",
            "Välj andra årskurser eller en annan skolform.",
        )
        return

    by_unit = (
        rows.group_by("unit_name", maintain_order=True)
        .agg(pl.col("uncertified_hours").fill_null(0).sum().alias("_gap"))
        .sort("_gap", descending=True, maintain_order=True)
    )
    top = by_unit.head(HEATMAP_UNITS)["unit_name"].to_list()
    figures.show(
        subject_heatmap(
            rows.filter(pl.col("unit_name").is_in(top))
            .join(by_unit, on="unit_name")
            .sort("_gap", descending=True, maintain_order=True)
        ),
        config={"displaylogo": False},
        key="subject_heatmap",
    )
    if by_unit.height > HEATMAP_UNITS:
        st.caption(f"De {HEATMAP_UNITS} enheterna med störst gap i timmar; alla finns i tabellen.")

    event = st.dataframe(
        screen_rows(rows),
        hide_index=True,
        column_config=_COLUMN_CONFIG,
        on_select="rerun",
        selection_mode="single-row",
        key="subject_table",
    )
    st.caption(
        f"{rows.height} rader, sorterade efter "
        + ("gapet i timmar, störst först" if sort != "share" else "andelen, lägst först")
        + ". Klicka på en rad för att se enhetens ämnen per årskurs nedan. "
        "Nedladdningen följer filtren och sorteringen."
    )
    components.download_buttons(
        _download_frame(rows),
        f"Behörighet per ämne {period}",
        labels=_DOWNLOAD_LABELS,
        formats=_DOWNLOAD_FORMATS,
        key="subject_table",
    )
    picked = event.selection.rows if event is not None else []
    _unit_subjects(cur, scope, period, rows, rows["unit_id"][picked[0]] if picked else None)


def _unit_subjects(cur, scope, period: str, rows: pl.DataFrame, picked: str | None) -> None:
    """The drill: one unit's subjects grade by grade (``query.unit_subject_grades``, scope-checked
    in the query layer). A row clicked in the table above chooses the unit."""
    names = dict(zip(rows["unit_id"].to_list(), rows["unit_name"].to_list(), strict=True))
    options = list(names)
    # A newly clicked row opens its unit; the choice in the list below stays until the next click.
    if picked is not None and st.session_state.get("_amnen_klick") != picked:
        st.session_state["_amnen_klick"] = picked
        st.session_state["amnen_enhet"] = picked
    if st.session_state.get("amnen_enhet") not in options:
        st.session_state["amnen_enhet"] = None
    st.subheader("En enhets ämnen per årskurs")
    unit_id = st.selectbox(
        "Enhetens ämnen",
        options=options,
        format_func=lambda u: names.get(u, u),
        index=None,
        placeholder="Välj en enhet, eller klicka på en rad ovan",
        key="amnen_enhet",
    )
    if unit_id is None:
        return
    detail = query.unit_subject_grades(cur, scope, unit_id, period)
    if detail.height == 0:
        st.caption("Inga uppgifter per årskurs för enheten.")
        return
    st.dataframe(
        screen_rows(detail).drop("unit_name", "area"),
        hide_index=True,
        column_config=_COLUMN_CONFIG,
        key="unit_subject_table",
    )
    st.caption(
        f"{md_text(names[unit_id])}: undervisningstimmar per ämne och årskurser. `..` = dolt, "
        "färre än fem lärare, eller för att en dold uppgift annars kan räknas fram."
    )
    components.download_buttons(
        _download_frame(detail),
        f"Behörighet per ämne och årskurser {names[unit_id]} {period}",
        labels=_DOWNLOAD_LABELS,
        formats=_DOWNLOAD_FORMATS,
        key="unit_subject_table",
    )


def gap_lines(gaps: pl.DataFrame) -> list[str]:
    """The dialogue's lines for a unit's largest subject gaps (``query.largest_subject_gaps``):
    'Matematik: 10,0 timmar i veckan utan behörig lärare (0,6 heltidstjänster)' (the brief's
    words, ``subject_gap_text``; the name as text, not markdown)."""
    return [
        subject_gap_text(md_text(r["subject_name"]), r["uncertified_hours"], r["uncertified_fte"])
        for r in gaps.iter_rows(named=True)
    ]

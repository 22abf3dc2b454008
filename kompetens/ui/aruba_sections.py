"""The sections of the ARUBA page, drawn with Streamlit: one indicator's trend, ranking and spread,
a distribution (exit reasons), the Avveckla forecast and redundancy rule, and the phase's unit table.

The page (``views/aruba.py``) reads its controls and the sidebar filters into an
:class:`ArubaView` and calls these in order. Figures come from the query layer;
everything computed from them is in ``kompetens.ui.aruba_view`` (pure, tested
without a browser).
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import polars as pl
import streamlit as st

from kompetens import query
from kompetens.core.labels import (
    EXIT_REASON_LABELS,
    PERIOD_TYPE_LABELS,
    STAFF_CATEGORY_LABELS,
    school_form_label,
)
from kompetens.present import charts
from kompetens.present.formatting import area_phrase, md_text
from kompetens.ui import aruba_view as view
from kompetens.ui import benchmark_view, figures
from kompetens.ui.components import (
    download_buttons,
    empty_state,
    headline_card,
    import_hint,
    may_import,
    unit_click_caption,
    unit_page_click,
)

PLOT_CONFIG = {"displaylogo": False}


@dataclass(frozen=True)
class ArubaView:
    """What every section needs: the database, the scope and the choices on the page."""

    cur: duckdb.DuckDBPyConnection
    scope: query.Scope
    year: str
    area: str | None
    school_form: str | None
    phase: str
    monthly: bool
    #: The signed-in viewer: what a click on a unit opens depends on the role.
    viewer: object = None

    @property
    def level(self) -> str:
        return "area" if self.area else "org"

    @property
    def scope_id(self) -> str:
        return self.area or "org"

    @property
    def where(self) -> str:
        """``området Norr`` or ``hela organisationen``, inside a sentence (Markdown: name escaped)."""
        return md_text(area_phrase(self.area)) if self.area else "hela organisationen"

    @property
    def heading_caption(self) -> str:
        """What the trends and the unit values under the phase's heading cover."""
        form = f", skolform {school_form_label(self.school_form)}" if self.school_form else ""
        return (
            f"Trend för {self.where}{form}; enheternas värden för {self.year}. "
            "Årsvärden för personal avser oktober."
        )

    @property
    def colour(self) -> str:
        return charts.PHASE_COLOURS[self.phase]


def indicator_section(v: ArubaView, ind: view.Indicator) -> None:
    """One indicator of the phase: its trend beside its headline card, ranking and spread."""
    st.markdown(f"### {ind.name_sv}")
    st.caption(ind.description + (f" Kolada: {ind.kolada_id}." if ind.kolada_id else ""))
    by = view.DISTRIBUTION_INDICATORS.get(ind.id)
    if by:
        distribution(v, ind, by)
        return
    left, right = st.columns(2)
    with left:
        yearly = trend(v, ind)
    current = view.value_at(yearly, v.year, ind.id)
    with right:
        if not current.found:
            if yearly.height:  # figures exist, but only for later years
                st.info(view.only_later_text(ind, v.year, view.first_period(yearly)))
            else:
                empty_state(*view.missing_text(ind, v.year, importer=may_import()))
            return
        headline_card(st.container(), view.card_row(ind.id, current), period_label=current.period)
        if current.period != v.year:
            st.caption(f"Senaste värde: {current.period} (för {v.year} finns inget värde ännu).")
        ranking(
            v, ind, current.period, current.target, None if current.suppressed else current.value
        )


def trend(v: ArubaView, ind: view.Indicator) -> pl.DataFrame:
    """Trend chart (organisation or area) with target; returns the yearly series for the headline card."""
    breakdown = view.trend_breakdown(ind, v.school_form)
    period_type = view.trend_period_type(ind, v.monthly)
    yearly = query.series(v.cur, v.scope, ind.id, v.level, v.scope_id, "year", breakdown)
    lines = {}
    for label, line_breakdown in view.trend_lines(
        ind, breakdown, v.area or "Organisationen"
    ).items():
        if period_type == "year" and line_breakdown == breakdown:
            lines[label] = yearly
        else:
            lines[label] = query.series(
                v.cur, v.scope, ind.id, v.level, v.scope_id, period_type, line_breakdown
            )
    frame = view.combine_series(lines)
    if not view.has_visible(frame):
        st.caption(view.hidden_trend_text(frame))
    else:
        fig = view.memo_by_identity(
            ("trend", ind.id, v.area, v.colour),
            tuple(lines.values()),
            lambda: view.trend_figure(ind, frame, v.colour),
        )
        fig = benchmark_view.trend_lines(
            fig, v.cur, v.scope, ind.id, period_type, key=f"benchmark_lines_{ind.id}"
        )
        figures.show(fig, config=PLOT_CONFIG, key=f"trend_{ind.id}")
    notes = []
    if period_type == "rolling_12m":
        notes.append(PERIOD_TYPE_LABELS["rolling_12m"])
    if v.school_form and breakdown == "all":
        notes.append("skolformsfiltret gäller inte detta nyckeltal – visar alla skolformer")
    if notes:
        st.caption("Trend: " + "; ".join(notes) + ".")
    return yearly


def ranking(
    v: ArubaView,
    ind: view.Indicator,
    period: str,
    target: float | None,
    reference: float | None,
) -> None:
    """The units ranked for one period, the spread chart when the ranking is cut, and the spread in words."""
    values = query.unit_values(
        v.cur, v.scope, [ind.id], "year", period, area=v.area, school_form=v.school_form
    )
    if values.height == 0:
        st.caption(f"Inga enhetsvärden för {period}.")
        return
    summary = view.spread(values)
    if summary.minimum is None or summary.minimum == summary.maximum:
        # Nothing to rank: every unit hidden, or all visible units alike (e.g. zero retirements).
        st.markdown(view.spread_text(summary, ind))
        return
    fig, spread_fig, shown = view.memo_by_identity(
        ("ranking", ind.id, v.area, v.colour, target, reference),
        (values,),
        lambda: view.ranking_figures(
            ind,
            values,
            colour=v.colour,
            target=target,
            reference=reference,
            reference_label=v.area or "Organisationen",
        ),
    )
    key = f"rank_{ind.id}"
    figures.show(
        fig,
        config=PLOT_CONFIG,
        key=key,
        on_select=unit_page_click(v.viewer, key, values["unit_id"], values["school_form"]),
        selection_mode="points",
    )
    caption = unit_click_caption(v.viewer, "en stapel")
    if shown is not None:
        caption = f"{view.ranking_caption(shown, ind)} {caption}"
    st.caption(caption)
    if shown is not None:
        with st.expander("Spridning mellan alla enheter", icon=":material/scatter_plot:"):
            figures.show(spread_fig, config=PLOT_CONFIG, key=f"spread_{ind.id}")
    st.markdown(view.spread_text(summary, ind))


def distribution(v: ArubaView, ind: view.Indicator, by: str) -> None:
    """A share-of-total indicator (exit reasons): the distribution per year, stacked, and the year's table."""
    frame = query.breakdown_series(v.cur, v.scope, ind.id, v.level, v.scope_id, "year", by)
    if frame.height == 0:
        empty_state(*view.missing_text(ind, v.year, importer=may_import()))
        return
    latest = view.rows_of_period(frame, v.year)
    left, right = st.columns([3, 2])
    with left:
        if view.has_visible(frame):
            fig = charts.stacked_bars(
                frame,
                x="period",
                stack="category",
                value="value",
                unit=ind.unit,
                labels=EXIT_REASON_LABELS,
            )
            figures.show(fig, config=PLOT_CONFIG, key=f"dist_{ind.id}")
        else:
            st.caption(view.hidden_trend_text(frame))
    with right:
        st.markdown(f"**Fördelning {v.year}** ({v.where})")
        if latest.height == 0:
            st.caption(f"Inga avgångar registrerade {v.year}.")
        else:
            table = view.distribution_table(latest, EXIT_REASON_LABELS, ind.unit)
            st.dataframe(table, hide_index=True, key=f"disttab_{ind.id}")
    if latest.height:
        download_buttons(
            latest.select("category", "value", "suppressed"),
            f"{ind.name_sv} {v.year}",
            suppressible=["value"],
            labels={"category": "Orsak", "value": "Andel"},
            formats={"value": "share"},
            key=f"dl_{ind.id}",
        )


def forecast(v: ArubaView) -> None:
    """Avveckla: the retirement forecast per staff category, stacked per year."""
    st.markdown("### Pensionsprognos per personalkategori")
    ind = view.indicator(view.FORECAST_INDICATOR)
    frame = query.breakdown_series(
        v.cur, v.scope, ind.id, v.level, v.scope_id, "year", "staff_category"
    )
    if frame.height == 0:
        empty_state(*view.missing_text(ind, v.year, importer=may_import()))
        return
    st.caption(
        "Antal anställda som når pensionsåldern (66 år) inom fem år från respektive år, "
        f"per personalkategori – {v.where}."
    )
    if not view.has_visible(frame):
        st.caption(view.hidden_trend_text(frame))
        return
    fig = charts.stacked_bars(
        frame,
        x="period",
        stack="category",
        value="value",
        unit="count",
        labels=STAFF_CATEGORY_LABELS,
    )
    figures.show(fig, config=PLOT_CONFIG, key="forecast_by_category")
    download_buttons(
        frame.select("period", "category", "value", "suppressed"),
        "Pensionsprognos per kategori",
        suppressible=["value"],
        labels={"period": "År", "category": "Personalkategori", "value": "Antal"},
        key="dl_forecast",
    )


def redundancy(v: ArubaView) -> None:
    """Avveckla: redundant staff against open posts in the same category (counts, never people)."""
    st.markdown("### Övertaliga och öppna tjänster i samma kategori")
    st.caption(
        "Övertaliga ska erbjudas öppna tjänster i sin personalkategori innan någon anställs externt. "
        f"Antal per kategori (aldrig personer), oktober {v.year}."
    )
    matches = query.redundancy_matches(v.cur, v.scope, "year", v.year, area=v.area)
    if matches.height == 0:
        empty_state(
            f"Inga övertaliga utan placering {v.year}.",
            "Övertalighet läses ur filen **Händelser** (varsel om övertalighet, placering) och "
            "öppna tjänster ur **Rekryteringar**. "
            + import_hint("Importera dem på sidan **Import**."),
        )
        return
    summary = view.matches_summary(matches)
    if summary:
        st.markdown(summary)
    screen, download = view.matches_table(matches)
    st.dataframe(screen, hide_index=True, key="matches")
    download_buttons(download, f"Övertaliga och öppna tjänster {v.year}", key="dl_matches")


def unit_table(v: ArubaView, indicators: list[view.Indicator]) -> None:
    """Every unit's value of the phase's indicators (distributions left out), on screen and to download."""
    table_inds = [i for i in indicators if i.id not in view.DISTRIBUTION_INDICATORS]
    phase = view.phase_label(v.phase)
    st.markdown(f"### Alla enheter – {phase} {v.year}")
    wide = query.unit_table(
        v.cur,
        v.scope,
        [i.id for i in table_inds],
        "year",
        v.year,
        area=v.area,
        school_form=v.school_form,
    )
    if wide.height == 0:
        empty_state(f"Inga enhetsvärden för {phase} {v.year}.")
        return
    screen, download = view.unit_table(wide, table_inds)
    st.dataframe(
        screen,
        hide_index=True,
        key="phase_table",
        on_select=unit_page_click(v.viewer, "phase_table", wide["unit_id"], wide["school_form"]),
        selection_mode="single-row",
    )
    st.caption(unit_click_caption(v.viewer, "en rad"))
    download_buttons(download, f"ARUBA {phase} {v.year}", key="dl_phase")

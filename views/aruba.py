"""ARUBA: every indicator of a phase – trend against target, unit ranking and spread; Avveckla adds
the retirement forecast, the redundancy rule (place redundant staff before hiring externally) and exit reasons."""

from __future__ import annotations

import streamlit as st

from kompetens import query
from kompetens.indicators import registry
from kompetens.present import charts
from kompetens.ui import aruba_view as view
from kompetens.ui import homes
from kompetens.ui.components import download_buttons, empty_state, headline_card
from kompetens.ui.context import page_context

ctx = page_context()
cur = ctx.cursor()
scope = ctx.scope
year = ctx.filters.year
area = ctx.filters.area
school_form = ctx.filters.school_form
PLOT_CONFIG = {"displaylogo": False}

st.title("ARUBA")
st.caption(
    "Attrahera, Rekrytera, Utveckla, Behålla, Avveckla: varje nyckeltal i fasen med trend mot mål, "
    "enheterna rangordnade och spridningen mellan dem. `..` = färre än 5 personer."
)

controls = st.columns([4, 2])
with controls[0]:
    phase = st.segmented_control(
        "Fas",
        options=list(homes.ARUBA_PHASES),
        format_func=view.phase_label,
        default="attrahera",
        required=True,
        key="fas",
        bind="query-params",
    )
with controls[1]:
    resolution = st.segmented_control(
        "Trend per",
        options=["ar", "manad"],
        format_func={"ar": "År", "manad": "Månad"}.get,
        default="ar",
        required=True,
        key="trend",
        bind="query-params",
        help="Månad: månadsvärden för lager (t.ex. sjukfrånvaro), rullande 12 månader för flöden (t.ex. omsättning).",
    )
monthly = resolution == "manad"
phase = phase or "attrahera"
colour = charts.PHASE_COLOURS[phase]

if year is None:
    empty_state("Det finns inga nyckeltal ännu.")
    st.stop()

level, scope_id = ("area", area) if area else ("org", "org")
where = f"området {area}" if area else "hela organisationen"
form_text = f", skolform {school_form}" if school_form else ""
st.markdown(
    f'<h2 style="border-left: 10px solid {colour}; padding-left: 0.6rem; margin-bottom: 0">'
    f"{view.phase_label(phase)}</h2>",
    unsafe_allow_html=True,
)
st.markdown(f"*{view.PHASE_QUESTIONS[phase]}*")
st.caption(
    f"Trend för {where}{form_text}; enheternas värden för {year}. Årsvärden för personal avser oktober."
)

indicators = homes.indicators_on(homes.ARUBA, phase)


def trend_figure(ind: registry.Indicator, frame: query.pl.DataFrame):
    """The trend chart of one indicator (one or two lines and the target)."""
    fig = charts.trend(frame, x="period", y="value", unit=ind.unit, series="serie", target="target")
    if ind.id != "turnover_rate":  # one line: in the phase's colour
        fig.update_traces(line_color=colour, selector={"mode": "lines+markers"})
    if ind.number_format == "decimal_2":
        fig.update_yaxes(tickformat=",.2f")
    y_range = view.y_range(frame, ind.unit)
    if y_range:
        fig.update_yaxes(range=y_range)
    fig.update_layout(height=320, title=None)
    return fig


def ranking_figures(ind, values, target: float | None, reference: float | None):
    """(ranking chart, spread chart or None, units shown when the ranking is cut to the weak end)."""
    ranked, limited = view.ranking(values, ind)
    fig = charts.ranked_bars(ranked, label="unit_name", value="value", unit=ind.unit, colour=colour)
    if target is not None:
        charts.vertical_line(fig, target, "Mål")
    # Value labels sit outside the bars: keep them from being cut at the plot's edge.
    fig.update_traces(cliponaxis=False)
    fig.update_layout(margin={"t": 30, "r": 70})
    if not limited:
        return fig, None, None
    # The ranking shows only the weak end: draw every visible unit so the whole spread is seen.
    spread_fig = charts.unit_spread(
        view.visible_units(values),
        value="value",
        label="unit_name",
        unit=ind.unit,
        colour=colour,
        reference=reference,
        reference_label=area or "Organisationen",
        target=target,
    )
    return fig, spread_fig, ranked.height


def show_trend(ind: registry.Indicator) -> query.pl.DataFrame:
    """Trend chart (org or area) with target; returns the yearly series for the headline card."""
    breakdown = view.trend_breakdown(ind, school_form)
    pt = view.trend_period_type(ind, monthly)
    yearly = query.series(cur, scope, ind.id, level, scope_id, "year", breakdown)
    trend = (
        yearly if pt == "year" else query.series(cur, scope, ind.id, level, scope_id, pt, breakdown)
    )
    if ind.id == "turnover_rate" and breakdown == "all":
        without = query.series(cur, scope, ind.id, level, scope_id, pt, view.EXCL_RETIREMENT)
        frame = view.combine_series({"Alla avgångar": trend, "Utan pensionsavgångar": without})
        sources: tuple = (trend, without)
    else:
        frame = view.combine_series({area or "Organisationen": trend})
        sources = (trend,)
    if not view.has_visible(frame):
        st.caption(view.hidden_trend_text(frame))
    else:
        fig = view.memo_by_identity(
            ("trend", ind.id, area, colour), sources, lambda: trend_figure(ind, frame)
        )
        st.plotly_chart(fig, config=PLOT_CONFIG, key=f"trend_{ind.id}")
    notes = []
    if pt == "rolling_12m":
        notes.append("rullande 12 månader")
    if school_form and breakdown == "all":
        notes.append("skolformsfiltret gäller inte detta nyckeltal – visar alla skolformer")
    if notes:
        st.caption("Trend: " + "; ".join(notes) + ".")
    return yearly


def show_ranking(
    ind: registry.Indicator, period: str, target: float | None, reference: float | None
) -> None:
    values = query.unit_values(
        cur, scope, [ind.id], "year", period, area=area, school_form=school_form
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
        ("ranking", ind.id, area, colour, target, reference),
        (values,),
        lambda: ranking_figures(ind, values, target, reference),
    )
    st.plotly_chart(fig, config=PLOT_CONFIG, key=f"rank_{ind.id}")
    if shown is not None:
        st.caption(view.ranking_caption(shown, ind))
        st.plotly_chart(spread_fig, config=PLOT_CONFIG, key=f"spread_{ind.id}")
    st.markdown(view.spread_text(summary, ind))


def show_distribution(ind: registry.Indicator, by: str) -> None:
    """A share-of-total indicator (exit reasons): the distribution per year, stacked."""
    frame = query.breakdown_series(cur, scope, ind.id, level, scope_id, "year", by)
    if frame.height == 0:
        what, how = view.missing_text(ind, year)
        empty_state(what, how)
        return
    latest = view.rows_of_period(frame, year)
    left, right = st.columns([3, 2])
    with left:
        if view.has_visible(frame):
            fig = charts.stacked_bars(
                frame,
                x="period",
                stack="category",
                value="value",
                unit=ind.unit,
                labels=view.EXIT_REASON_LABELS,
            )
            st.plotly_chart(fig, config=PLOT_CONFIG, key=f"dist_{ind.id}")
        else:
            st.caption(view.hidden_trend_text(frame))
    with right:
        st.markdown(f"**Fördelning {year}** ({where})")
        if latest.height == 0:
            st.caption(f"Inga avgångar registrerade {year}.")
        else:
            table = view.distribution_table(latest, view.EXIT_REASON_LABELS, ind.unit)
            st.dataframe(table, hide_index=True, key=f"disttab_{ind.id}")
    if latest.height:
        download_buttons(
            latest.select("category", "value", "suppressed"),
            f"{ind.name_sv} {year}",
            suppressible=["value"],
            labels={"category": "Orsak", "value": "Andel"},
            formats={"value": "share"},
            key=f"dl_{ind.id}",
        )


for ind in indicators:
    with st.container(border=True):
        st.markdown(f"### {ind.name_sv}")
        st.caption(ind.description + (f" Kolada: {ind.kolada_id}." if ind.kolada_id else ""))
        by = view.DISTRIBUTION_INDICATORS.get(ind.id)
        if by:
            show_distribution(ind, by)
            continue
        left, right = st.columns(2)
        with left:
            yearly = show_trend(ind)
        current = view.value_at(yearly, year, ind.id)
        if not current.found:
            with right:
                if yearly.height:  # figures exist, but only for later years
                    st.info(view.only_later_text(ind, year, view.first_period(yearly)))
                else:
                    what, how = view.missing_text(ind, year)
                    empty_state(what, how)
            continue
        with right:
            card_col = st.container()
            headline_card(card_col, view.card_row(ind.id, current), period_label=current.period)
            if current.period != year:
                st.caption(f"Senaste värde: {current.period} (för {year} finns inget värde ännu).")
            show_ranking(
                ind, current.period, current.target, None if current.suppressed else current.value
            )

# ---- Avveckla: forecast, the redundancy rule, (exit reasons above) ----------------------------
if phase == "avveckla":
    st.markdown("### Pensionsprognos per personalkategori")
    forecast_ind = registry.get("retirement_forecast_5y")
    forecast = query.breakdown_series(
        cur, scope, forecast_ind.id, level, scope_id, "year", "staff_category"
    )
    if forecast.height == 0:
        what, how = view.missing_text(forecast_ind, year)
        empty_state(what, how)
    else:
        st.caption(
            "Antal anställda som når pensionsåldern (66 år) inom fem år från respektive år, "
            f"per personalkategori – {where}."
        )
    if forecast.height and not view.has_visible(forecast):
        st.caption(view.hidden_trend_text(forecast))
    elif forecast.height:
        fig = charts.stacked_bars(
            forecast,
            x="period",
            stack="category",
            value="value",
            unit="count",
            labels=view.STAFF_CATEGORY_LABELS,
        )
        st.plotly_chart(fig, config=PLOT_CONFIG, key="forecast_by_category")
        download_buttons(
            forecast.select("period", "category", "value", "suppressed"),
            "Pensionsprognos per kategori",
            suppressible=["value"],
            labels={"period": "År", "category": "Personalkategori", "value": "Antal"},
            key="dl_forecast",
        )

    st.markdown("### Övertaliga och öppna tjänster i samma kategori")
    st.caption(
        "Övertaliga ska erbjudas öppna tjänster i sin personalkategori innan någon anställs externt. "
        f"Antal per kategori (aldrig personer), oktober {year}."
    )
    matches = query.redundancy_matches(cur, scope, "year", year, area=area)
    if matches.height == 0:
        empty_state(
            f"Inga övertaliga utan placering {year}.",
            "Övertalighet läses ur filen **Händelser** (varsel om övertalighet, placering) och "
            "öppna tjänster ur **Rekryteringar**. Importera dem på sidan **Import**.",
        )
    else:
        summary = view.matches_summary(matches)
        if summary:
            st.markdown(summary)
        screen, download = view.matches_table(matches)
        st.dataframe(screen, hide_index=True, key="matches")
        download_buttons(download, f"Övertaliga och öppna tjänster {year}", key="dl_matches")

# ---- The phase's unit table --------------------------------------------------------------------
table_inds = [i for i in indicators if i.id not in view.DISTRIBUTION_INDICATORS]
st.markdown(f"### Alla enheter – {view.phase_label(phase)} {year}")
wide = query.unit_table(
    cur, scope, [i.id for i in table_inds], "year", year, area=area, school_form=school_form
)
if wide.height == 0:
    empty_state(f"Inga enhetsvärden för {view.phase_label(phase)} {year}.")
else:
    screen, download = view.unit_table(wide, table_inds)
    st.dataframe(screen, hide_index=True, key="phase_table")
    download_buttons(download, f"ARUBA {view.phase_label(phase)} {year}", key="dl_phase")

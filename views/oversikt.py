"""Översikt – the leadership's one screen: headline figures, trends against targets, support need."""

from __future__ import annotations

import streamlit as st

from kompetens import query
from kompetens.present import charts
from kompetens.present.formatting import fmt_count, md_text
from kompetens.ui import benchmark_view, components, figures, support_follow_view
from kompetens.ui import competence_views as views
from kompetens.ui.context import page_context

ctx = page_context()
cur = ctx.cursor()
scope = ctx.scope
filters = ctx.filters

# A narrower role sees its own part, not the whole organisation: say which.
where = md_text(filters.area) or {  # a name: shown as text
    "org": "Hela organisationen",
    "area": ", ".join(md_text(a) for a in sorted(scope.areas)),
    "unit": "Din enhet",
}.get(scope.level, "Hela organisationen")
st.title("Översikt")
st.caption(
    f"{where} · {filters.year or 'senaste året'} · personalens årsvärden avser oktober, "
    "flöden kalenderåret. Ändringen jämförs med samma period året innan."
)

at = ("area", filters.area) if filters.area else None
cards = query.headline(cur, scope, views.HEADLINE_INDICATORS, "year", filters.year, at=at)
if cards.height == 0:
    components.empty_state(
        "Det finns inga nyckeltal att visa ännu.",
        components.import_hint(
            "Importera personaldata (och gärna rekryteringar, händelser och enkäter) på sidan "
            "**Import**, eller bygg demodata med `uv run kompetens demo`."
        ),
    )
    st.stop()
card_scope, card_rows = views.headline_rows(cards)
if card_scope not in (None, "org", filters.area):
    # A viewer with several areas or units: the cards show one of them; the filter picks another.
    st.caption(
        f"Nyckeltalen gäller {md_text(card_scope)} – välj område i sidopanelen för ett annat."
    )


# Long indicator names wrap instead of being cut off in the narrow cards.
st.markdown(
    "<style>[data-testid='stMetricLabel'] * {white-space: normal !important; "
    "overflow: visible !important; text-overflow: clip !important;}</style>",
    unsafe_allow_html=True,
)
st.header("Behörighet och ett ledande mått per ARUBA-fas")
grid = st.columns(4) + st.columns(4)
for column, indicator_id in zip(grid, views.HEADLINE_INDICATORS, strict=False):
    phase, label = views.HEADLINE_HEADINGS[indicator_id]
    dot = views.heading_dot_colour(phase)  # readable in the light and the dark theme
    column.markdown(f"<span style='color:{dot}'>●</span> <b>{label}</b>", unsafe_allow_html=True)
    components.headline_card_or_gap(column, indicator_id, card_rows.get(indicator_id))
    benchmark_view.card_comparison(column, cur, scope, indicator_id, filters.year)
st.caption(
    "`..` = uppgiften döljs eftersom den bygger på färre än fem personer. "
    + components.STATUS_LEGEND
)

# ---- trends ---------------------------------------------------------------------------
st.header("Utveckling över tid")
pick, resolution_col = st.columns([3, 2])
indicator_id = pick.selectbox(
    "Mått",
    options=list(views.HEADLINE_INDICATORS),
    format_func=components.indicator_name,
    key="matt",
    bind="query-params",
)
resolution = resolution_col.segmented_control(
    "Upplösning",
    options=list(views.RESOLUTIONS),
    format_func=views.RESOLUTIONS.get,
    default="year",
    required=True,
    key="upplosning",
    bind="query-params",
)
trend_view = views.trend_view(indicator_id, resolution or "year")
if trend_view.note:
    st.caption(trend_view.note)
period_type = trend_view.period_type
colour = trend_view.colour

level, scope_id = views.trend_scope(scope, filters.area)
trend = views.until_year(
    query.trend_with_context(cur, scope, indicator_id, level, scope_id, period_type), filters.year
)
if trend.height == 0:
    components.empty_state(f"Det finns inga värden för {trend_view.name.lower()} ännu.")
else:
    st.markdown(f"**{trend_view.name}** – {where.lower() if not filters.area else where}")
    with st.spinner("Ritar trenden …"):
        fig = charts.trend(
            trend,
            x="period",
            y="value",
            unit=trend_view.unit,
            colour=colour,
            series="series",
            target="target",
        )
        fig = benchmark_view.trend_lines(fig, cur, scope, indicator_id, period_type)
        figures.show(fig, config={"displaylogo": False}, key="trend_main")
    if hidden := views.hidden_periods(trend):
        st.caption("`..` (dolt, färre än fem personer): " + ", ".join(hidden))

by_area = views.until_year(
    query.series_by_scope(cur, scope, indicator_id, "area", period_type), filters.year
)
if by_area.height:
    st.markdown(f"**Per område** – {trend_view.name.lower()}, streckad linje = mål")
    figures.show(
        charts.facet_trends(
            by_area,
            facet="scope_id",
            x="period",
            y="value",
            unit=trend_view.unit,
            target="target",
            colour=colour,
        ),
        config={"displaylogo": False},
        key="trend_areas",
    )

# ---- support need ---------------------------------------------------------------------
st.header("Störst stödbehov")
reference = views.reference_month(filters.year, query.latest_month(cur, scope))
index = views.filter_units(
    query.support_need(cur, scope, period=reference), filters.area, filters.school_form
)
top = views.ranked_units(index).head(10)
flagged = views.units_without_recent_data(index)
if top.height == 0:
    components.empty_state(
        "Inga enheter kan rangordnas efter stödbehov för urvalet.",
        "Stödbehovet bygger på färska värden för behörighet, personalomsättning, sjukfrånvaro m.m. "
        + components.import_hint("Importera de datasorterna på sidan **Import**."),
    )
else:
    st.caption(
        f"De tio enheter med störst stödbehov (referensmånad {reference}). "
        "Poängen 0–100 väger samman normaliserade nyckeltal; 100 = störst behov."
    )
    components.support_ranking_table(top, key="top_support", viewer=ctx.viewer)
    components.download_buttons(
        views.with_school_form_labels(top).select(
            "rank", "unit_id", "unit_name", "area", "school_form", "score", "drivers"
        ),
        "Störst stödbehov",
        labels=components.SUPPORT_TABLE_LABELS,
        key="top_support",
    )
if flagged.height:
    st.warning(
        f"{fmt_count(flagged.height, 'enhet', 'enheter')} saknar färska data och rangordnas inte – "
        "de som inte ber om stöd syns inte i statistiken heller.",
        icon=":material/visibility_off:",
    )
st.page_link(
    "views/stodbehov.py",
    label="Till Stödbehov: alla enheter, vikterna och vad som driver poängen",
    icon=":material/support:",
)

# ---- need against support: those who do not ask, and the support functions' follow-up ---------
if reference is not None:
    support_follow_view.need_versus_support_section(
        cur,
        scope,
        reference=reference,
        area=filters.area,
        school_form=filters.school_form,
        compact=True,
        key="overview_need_support",
    )
    support_follow_view.load_and_report_backs_section(cur, scope, ctx.viewer, area=filters.area)
if filters.school_form:
    st.caption(
        f"Skolformsfiltret ({views.school_form_label(filters.school_form)}) "
        "gäller listan över enheter; nyckeltalen ovan avser "
        f"{'området' if filters.area else 'hela organisationen'}."
    )

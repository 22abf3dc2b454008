"""ARUBA: every indicator of a phase – trend against target, unit ranking and spread; Avveckla adds
the retirement forecast, the redundancy rule (place redundant staff before hiring externally), exit reasons
and "rekrytera smart" (qualified teaching hours lost at exits beside hires, per subject)."""

from __future__ import annotations

import streamlit as st

from kompetens import query
from kompetens.ui import aruba_sections as sections
from kompetens.ui import aruba_view as view
from kompetens.ui import components, homes, recruit_smart_view
from kompetens.ui.components import empty_state
from kompetens.ui.context import page_context

ctx = page_context()
# A click on a unit's bar or row (a callback, before this run) opens that unit on its page.
components.follow_unit_click()
cur = ctx.cursor()
scope = ctx.scope
year = ctx.filters.year
area = ctx.filters.area
school_form = ctx.filters.school_form

st.title("ARUBA")
st.caption(
    "Attrahera, Rekrytera, Utveckla, Behålla, Avveckla: varje nyckeltal i fasen med trend mot mål, "
    "enheterna rangordnade och spridningen mellan dem. `..` = färre än 5 personer."
)

# A row that wraps on a narrow screen (two fixed columns cut the phase buttons at 800 px).
controls = st.container(horizontal=True, gap="large")
with controls:
    phase = st.segmented_control(
        "Fas",
        options=list(homes.ARUBA_PHASES),
        format_func=view.phase_label,
        default="attrahera",
        required=True,
        key="fas",
        bind="query-params",
    )
with controls:
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
phase = phase or "attrahera"

if year is None:
    empty_state("Det finns inga nyckeltal ännu.")
    st.stop()

page = sections.ArubaView(
    cur=cur,
    scope=scope,
    year=year,
    area=area,
    school_form=school_form,
    phase=phase,
    monthly=resolution == "manad",
    viewer=ctx.viewer,
)
st.markdown(
    f'<h2 style="border-left: 10px solid {page.colour}; padding-left: 0.6rem; margin-bottom: 0">'
    f"{view.phase_label(page.phase)}</h2>",
    unsafe_allow_html=True,
)
st.markdown(f"*{view.PHASE_QUESTIONS[page.phase]}*")
st.caption(page.heading_caption)

indicators = homes.indicators_on(homes.ARUBA, phase)
# One tab per indicator (and the phase's extra sections), so the page answers its question
# within two screens; only the open tab is computed (the choice is kept in the URL).
tab_labels = view.tab_labels(page.phase, indicators)
tabs = st.tabs(tab_labels, key=f"flik_{page.phase}", bind="query-params")
for tab, ind in zip(tabs, indicators, strict=False):
    if tab.open:
        with tab:
            sections.indicator_section(page, ind)
extra = dict(zip(tab_labels[len(indicators) :], tabs[len(indicators) :], strict=True))
if view.FORECAST_TAB in extra and extra[view.FORECAST_TAB].open:
    with extra[view.FORECAST_TAB]:
        sections.forecast(page)
if view.REDUNDANCY_TAB in extra and extra[view.REDUNDANCY_TAB].open:
    with extra[view.REDUNDANCY_TAB]:
        sections.redundancy(page)
        if query.may_see_people(ctx.viewer):  # lists of people: HR and the administrator only
            st.markdown(f"### För HR: övertaliga och öppna tjänster, oktober {year}")
            st.dataframe(
                view.placement_table(query.placement_match(cur, ctx.viewer, year)),
                hide_index=True,
                key="hr_match",
            )
            people = query.redundant_people(cur, ctx.viewer, year, area=area)
            st.markdown(f"**Övertaliga som ännu inte placerats** ({people.height})")
            st.dataframe(view.people_table(people), hide_index=True, key="hr_people")
            hires = query.hires_despite_redundancy(cur, ctx.viewer, year)
            st.markdown("**Anställningar trots oplacerade övertaliga i kategorin**")
            st.caption(view.flagged_hires_summary(hires))
            if hires.height:
                st.dataframe(view.flagged_hires_table(hires), hide_index=True, key="hr_hires")
if view.RECRUIT_SMART_TAB in extra and extra[view.RECRUIT_SMART_TAB].open:
    with extra[view.RECRUIT_SMART_TAB]:
        recruit_smart_view.show(cur, scope, year, area)
if extra[view.UNITS_TAB].open:
    with extra[view.UNITS_TAB]:
        sections.unit_table(page, indicators)

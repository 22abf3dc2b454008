"""Årshjul – the year's dialogue rounds, data deliveries and follow-ups, per area (issue 13)."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from kompetens.present.formatting import md_text
from kompetens.query import annual_wheel as wheel
from kompetens.query import dialogue_rounds as rounds
from kompetens.ui import annual_wheel_view as awv
from kompetens.ui.context import page_context

ctx = page_context()
cur = ctx.cursor()
scope = ctx.scope
viewer = ctx.viewer
area = ctx.filters.area
school_form = ctx.filters.school_form
today = dt.date.today()
term = rounds.term_of(today)

st.title("Årshjul")
st.caption(
    "Årets dialogomgångar, dataleveranser och uppföljningar"
    + awv.selection_text(area, school_form)
    + ". Välj område och skolform i sidofältet. Kalenderfilen lägger in datumen ett år framåt i din kalender."
)
awv.ics_download(cur, scope, viewer, area, today, school_form)

st.header(f"Dialoger {rounds.term_label(term)}")
st.caption("Enheter som har haft verksamhetsdialog (anteckningar eller åtgärder) den här terminen.")
awv.show_dialogue_status(cur, scope, viewer, term, area, school_form)

st.header("Åtgärder att följa upp")
st.caption(
    f"Öppna åtgärder från dialogerna som är försenade eller ska vara klara inom "
    f"{wheel.DUE_SOON_DAYS} dagar."
)
awv.show_actions_due(cur, scope, viewer, today, area, school_form)

st.header("Öppna återrapporteringar")
st.caption(
    "Vem återrapporterar vi till? Stödärenden med en mottagare för återrapporten, tills ärendet "
    "är avböjt eller klart med överenskommen återkoppling."
    + (" Ledningen ser antal per område och stödfunktion." if awv.is_aggregate(viewer) else "")
)
awv.show_report_backs(cur, scope, viewer, area, school_form)

choices = awv.settable_areas(cur, scope, viewer)
if choices:
    st.header("Sätt dialogdatum")
    awv.rounds_form(ctx, cur, scope, viewer, choices, today)

st.header("Året månad för månad")
periods = awv.period_options(today)
period = st.selectbox(
    "Visa", list(periods), format_func=periods.get, key="arshjul_period", width=260
)
months = awv.period_months(period, today)
first, last = awv.month_bounds(months)
st.caption(awv.legend())
events = wheel.calendar(
    cur,
    scope,
    first,
    last,
    today=today,
    area=area,
    role=awv.role_of(viewer),
    school_form=school_form,
)
awv.show_months(events, months, today)
with st.expander("Källor för dataleveranserna", icon=":material/info:"):
    for delivery in wheel.DELIVERIES:
        st.markdown(f"- **{md_text(delivery.summary)}**: {md_text(delivery.source)}")

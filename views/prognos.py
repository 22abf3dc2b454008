"""Prognos – will we reach the certified-share targets, and what would it take? (issue 12)."""

from __future__ import annotations

import streamlit as st

from kompetens.query import projection as qp
from kompetens.ui import components
from kompetens.ui import projection_scenarios_view as psv
from kompetens.ui import projection_view as pv
from kompetens.ui import retirement_view as rv
from kompetens.ui.context import page_context

ctx = page_context()
cur = ctx.cursor()
scope = ctx.scope

st.title("Prognos")
start = qp.start_month(cur)
if start is None:
    components.empty_state(
        "Det finns inga personalögonblicksbilder att göra en prognos på.",
        components.import_hint("Importera personalfiler med minst två års ögonblicksbilder."),
    )
    st.stop()
start_year = int(start[:4])
st.caption(
    f"Andelen behöriga lärare och legitimerade förskollärare 1–5 år framåt från {start}: "
    "pensionsavgångar efter födelseår, övriga avgångar, nya behöriga och nyanställningar i den "
    "takt de senaste åren visar. Bandet visar var 80 % av 500 simulerade utfall hamnar. "
    "Takterna och åren de bygger på visas längst ned under Takter som prognosen bygger på."
)

stored_age = qp.retirement_age(cur)
saved = psv.pick_saved(cur, scope, stored_age)
choice = pv.choose_scope(cur, scope, ctx.filters.area)
if choice is None:
    components.empty_state("Det finns inga enheter i din behörighet.")
    st.stop()

with st.expander("Scenario", icon=":material/tune:", expanded=True):
    scenario = pv.scenario_controls(stored_age, choice, saved.name if saved else None)
    st.caption("Åtgärderna gäller enheterna i det valda urvalet.")
    psv.saved_caption(saved, scenario, choice.key)
    psv.save_form(ctx, scope, choice.key, scenario, saved)

area = choice.area if choice.level != "org" else None
unit = choice.scope_id if choice.level == "unit" else None
with st.spinner("Räknar prognosen …"):
    result = qp.projection(cur, scope, scenario, area=area, unit=unit)
    baseline = None if pv.is_baseline(scenario) else qp.projection(cur, scope, area=area, unit=unit)
pv.show_scope(result, baseline, choice, scenario)

st.header("Pensionsavgångar de kommande fem åren")
rv.show_timeline(cur, scope, choice.level, choice.scope_id, choice.name, area, unit)

st.header("Vad krävs för att nå målet?")
st.caption(
    "Varje åtgärd räknas för sig, enhet för enhet, i nuvarande takt i övrigt. Områdets svar är "
    "summan av enheternas (för personalomsättningen: ett vägt medel)."
)
pv.what_it_takes_section(cur, scope, choice, start_year, result)

st.header("Så träffsäker var prognosen förra gången")
choices = pv.backtest_years(qp.snapshot_years(cur))
if not choices:
    st.caption("Det behövs minst tre års ögonblicksbilder för att pröva prognosen mot utfallet.")
else:
    from_year = st.selectbox(
        "Prognos gjord år",
        choices,
        index=choices.index(pv.default_backtest_year(choices)),
        key="prognos_backtest_year",
    )
    with st.spinner("Prövar prognosen mot utfallet …"):
        tested = qp.backtest(cur, scope, int(from_year))
    st.caption(
        f"Modellen kördes med det som var känt {tested.from_year} och jämfördes med utfallet "
        f"{tested.from_year + 1}–{tested.to_year}. Medelfel i procentenheter (prognosens median "
        "mot utfallet) för hela organisationen; enheter med färre än 5 personer är inte med."
    )
    for column, (label, value) in zip(st.columns(4), pv.backtest_summary(tested), strict=True):
        column.metric(label, value)
    st.caption(qp.coverage_line(tested))

with st.expander("Takter som prognosen bygger på"):
    st.dataframe(pv.rates_table(qp.rates(cur, scope, area=area), choice), hide_index=True)

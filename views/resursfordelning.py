"""Resursfördelning – the socio-economic allocation: today against a scenario (issue 19)."""

from __future__ import annotations

import streamlit as st

from kompetens.query import allocation as qa
from kompetens.ui import allocation_view as av
from kompetens.ui import components
from kompetens.ui.context import page_context

ctx = page_context()
cur = ctx.cursor()

st.title("Resursfördelning")
if not qa.has_data(cur):
    components.empty_state(
        "Det finns inga uppgifter om resursfördelningen.",
        components.import_hint(
            "Importera elevantal, socioekonomiskt index och resursfördelningens parametrar."
        ),
    )
    st.stop()
st.caption(
    "Den kompensatoriska potten fördelas efter elever gånger enhetens index över golvet. "
    "Flytta reglagen för att se vad ett annat golv, en utjämning av indexet eller ett tak för "
    "den årliga förändringen skulle betyda för varje enhet. Potten är densamma."
)
today = qa.decided_parameters(cur)
with st.expander("Scenario", icon=":material/tune:", expanded=True):
    av.pick_saved(cur, ctx.scope)
    params = av.controls(today)
    av.save_form(ctx, params)
result = qa.scenario(cur, ctx.scope, params)
if result is None or result.comparison.height == 0:
    components.empty_state("Det finns inga enheter med resursfördelning i din behörighet.")
    st.stop()
av.show(result)

st.header("Så räknades enhetens belopp")
st.caption("Med parametrarna som gäller i dag, steg för steg.")
names = av.unit_names(result)
unit = st.selectbox("Enhet", list(names), format_func=names.get, key="alloc_unit")
av.show_explanation(qa.unit_explanation(cur, ctx.scope, unit), names[unit])

av.show_competence_link(qa.competence_link(cur, ctx.scope), qa.segregation_by_year(cur, ctx.scope))

"""Stödbehov – units ranked by support need, with editable weights and what drives each score."""

from __future__ import annotations

import streamlit as st

from kompetens import query
from kompetens.ui import competence_views as views
from kompetens.ui import components, support_follow_view, support_need_view
from kompetens.ui.context import page_context
from kompetens.ui.theme_view import render_theme_section

ctx = page_context()
cur = ctx.cursor()
scope = ctx.scope
filters = ctx.filters

st.title("Stödbehov")
st.caption(
    "Vilka enheter behöver stöd mest, och varför? Varje nyckeltal görs om till en percentil "
    "0–100 inom skolformen (100 = störst behov) och vägs samman med vikterna nedan. "
    "Enheter som saknar färska uppgifter rangordnas inte utan listas för sig."
)

reference = views.reference_month(filters.year, query.latest_month(cur, scope))
if reference is None:
    components.empty_state("Det finns inga nyckeltal att beräkna stödbehov från.")
    st.stop()

# ---- the weights and all they decide (a fragment: a weight change reruns only this) ----------
support_need_view.need_by_weights(ctx, reference)

# ---- before and after support: what followed (never what it caused) ----------------------
with st.spinner("Jämför nyckeltalen före och efter stöd …"):
    support_follow_view.before_after_section(
        cur, scope, area=filters.area, school_form=filters.school_form
    )

# ---- common themes per area and term (scope decided in the query layer) --------------------
render_theme_section(cur, scope, area=filters.area)

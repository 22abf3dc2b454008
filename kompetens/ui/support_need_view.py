"""Stödbehov's weighted part, as a fragment: moving a weight reruns this part only.

The weights, the ranking they give, what drives it, the units without fresh data and need
against support. The before-and-after charts and the themes below it depend on no weight,
so a weight change leaves them (and their Plotly figures) alone in the browser.
"""

from __future__ import annotations

import streamlit as st

from kompetens import query
from kompetens.present import charts
from kompetens.present.formatting import fmt_count, fmt_number
from kompetens.ui import competence_views as views
from kompetens.ui import components, figures, support_follow_view

#: Units in "Vad driver poängen?".
CHART_UNITS = 20


@st.fragment
def need_by_weights(ctx, reference: str) -> None:
    """Everything the weights decide: the ranking, what drives it, the units without fresh data
    and need against support. A weight change reruns this part only (not the before-and-after
    charts and themes below, which no weight changes).

    ``ctx``: the page context (scope, sidebar filters, viewer); each run of the fragment reads
    through a cursor of its own, on the snapshot published then (a fragment rerun after
    someone's import reads the new figures). ``reference``: the month (``YYYY-MM``) the index
    is computed for.
    """
    cur, scope, filters, viewer = ctx.cursor(), ctx.scope, ctx.filters, ctx.viewer
    with st.expander("Vikter", icon=":material/tune:", expanded=False):
        st.caption(
            "Vikterna behöver inte summera till 100 %: de normaliseras över de nyckeltal som finns "
            "för enhetens skolform. Vikt 0 tar bort nyckeltalet ur indexet."
        )
        weight_columns = st.columns(2)
        weights: dict[str, float] = {}
        for index, (component, label) in enumerate(views.SUPPORT_COMPONENTS):
            percent = weight_columns[index % 2].slider(
                label,
                min_value=0,
                max_value=100,
                value=views.default_weight_percent(component),
                step=5,
                format="%d %%",
                key=views.WEIGHT_KEYS[component],
                bind="query-params",
            )
            weights[component] = percent / 100
        st.button(
            "Återställ standardvikterna",
            icon=":material/restart_alt:",
            on_click=components.set_session_values,
            args=(views.default_weight_state(),),
            key="reset_weights",
        )

    if sum(weights.values()) <= 0:
        st.warning("Minst en vikt måste vara större än noll.", icon=":material/warning:")
        return
    if views.weights_changed(weights):
        st.info(
            "Egna vikter används – rangordningen skiljer sig från standardvikterna.",
            icon=":material/tune:",
        )

    with st.spinner("Beräknar stödbehov …"):
        index = views.filter_units(
            query.support_need(cur, scope, weights=weights, period=reference),
            filters.area,
            filters.school_form,
        )
    ranked = views.ranked_units(index)
    flagged = views.units_without_recent_data(index)
    st.caption(
        f"Referensmånad {reference}; ett nyckeltal räknas om enheten har ett värde under de tolv "
        f"månaderna fram till dess. {fmt_count(ranked.height, 'enhet', 'enheter')} rangordnas, "
        f"{fmt_number(flagged.height)} saknar färska data."
    )

    # ---- ranking --------------------------------------------------------------------------
    st.header("Enheter efter stödbehov")
    if ranked.height == 0:
        components.empty_state(
            "Inga enheter i urvalet har färska uppgifter för alla nyckeltal i indexet.",
            components.import_hint(
                "Se listan nedan över vad som saknas, och importera det på sidan **Import**.",
                otherwise="Se listan nedan över vad som saknas; uppgifterna importeras av HR.",
            ),
        )
    else:
        components.support_ranking_table(ranked, key="ranking", decimals=1, viewer=viewer)
        components.download_buttons(
            views.support_download(index),
            "Stödbehov",
            labels=views.support_download_labels(components.SUPPORT_TABLE_LABELS),
            key="ranking",
        )

        st.header("Vad driver poängen?")
        chart = views.contributions_for_chart(index, CHART_UNITS)
        st.caption(
            f"De {min(CHART_UNITS, ranked.height)} enheter med störst stödbehov. Varje stapeldel är "
            "nyckeltalets bidrag: normaliserad vikt × percentil."
        )
        figures.show(
            charts.stacked_contributions(
                chart, label="unit_name", component="label_sv", contribution="contribution"
            ),
            config={"displaylogo": False},
            key="contributions",
        )

    # ---- the units that do not ask ----------------------------------------------------------
    st.header("De som inte ber om stöd – enheter utan färska data")
    if flagged.height == 0:
        st.success("Alla enheter i urvalet har färska uppgifter för indexets nyckeltal.")
    else:
        st.markdown(
            f"**{fmt_count(flagged.height, 'enhet', 'enheter')}** saknar färska uppgifter för minst ett nyckeltal "
            "(saknas, är äldre än tolv månader eller döljs för att de bygger på färre än fem personer). "
            "Tystnad i statistiken är inte detsamma som inget behov – följ upp dem i dialogen."
        )
        shown_flagged = views.with_school_form_labels(flagged)
        st.dataframe(
            shown_flagged,
            hide_index=True,
            column_order=["unit_name", "area", "school_form", "missing"],
            column_config={
                "unit_name": "Enhet",
                "area": "Område",
                "school_form": "Skolform",
                "missing": st.column_config.TextColumn("Saknas", width="large"),
            },
            key="flagged",
        )
        components.download_buttons(
            shown_flagged,
            "Enheter utan färska data",
            labels={
                "unit_id": "Enhets-id",
                "unit_name": "Enhet",
                "area": "Område",
                "school_form": "Skolform",
                "missing": "Saknas",
            },
            key="flagged",
        )

    # ---- need against support: the units that neither ask nor get support --------------------
    with st.spinner("Jämför stödbehov med stödregistret …"):
        support_follow_view.need_versus_support_section(
            cur,
            scope,
            reference=reference,
            weights=weights,
            area=filters.area,
            school_form=filters.school_form,
        )

"""Behörighet's one-unit section, as a fragment: choosing another unit reruns this section only.

A click on a row or bar above still reruns the whole page, and this with it.
"""

from __future__ import annotations

import streamlit as st

from kompetens import query
from kompetens.present import charts
from kompetens.present.formatting import md_text
from kompetens.ui import benchmark_view, components, figures
from kompetens.ui import competence_views as views


@st.fragment
def show(cur, scope, table, share_id: str, share_name: str, period: str) -> None:
    """Behörighet's "En enhet i detalj": cards, licence table, categories and trend of one unit.

    ``table``: the page's ``query.certification_units`` rows (one per unit); ``period`` a year.
    """
    st.header("En enhet i detalj")
    names = views.unit_names(table)
    choices = views.unit_choices(table)
    unit_id = st.selectbox(
        "Enhet",
        options=list(choices),
        index=None,
        format_func=lambda u: choices.get(u, u),
        placeholder="Välj en enhet …",
        key="enhet",
        bind="query-params",
    )
    if unit_id is None:
        st.caption("Välj en enhet för att se kategorier, legitimation och behörighet samt trend.")
    else:
        compared = query.compare(
            cur,
            scope,
            unit_id,
            [
                share_id,
                "certification_gap_fte",
                "on_certification_path_share",
                "temporary_teacher_share",
            ],
            "year",
            period,
        )
        unit_cards = views.unit_cards(compared, period)
        for column, card in zip(st.columns(max(len(unit_cards), 1)), unit_cards, strict=False):
            with column.container(border=True):
                st.metric(
                    card["name"],
                    card["value"],
                    delta=card["delta"],
                    # The sign is set from the number: Swedish formatting writes U+2212, not "-".
                    delta_color=card["delta_colour"],
                    delta_arrow=card["delta_arrow"],
                    help=card["help"],
                )
                st.caption(card["caption"])

        licence_col, category_col = st.columns(2)
        with licence_col:
            st.markdown("**Legitimation och behörighet** (heltidstjänster)")
            licence = query.licence_status(cur, scope, unit_id, period)
            if licence.height == 0:
                st.caption("Inga personaluppgifter för enheten i referensmånaden.")
            else:
                st.dataframe(
                    views.licence_screen(licence),
                    hide_index=True,
                    placeholder="..",
                    column_order=["label", "fte", "share"],
                    column_config={
                        "label": "Status",
                        "fte": st.column_config.TextColumn("FTE", alignment="right"),
                        "share": st.column_config.TextColumn("Andel", alignment="right"),
                    },
                    key="licence",
                )
        with category_col:
            st.markdown("**Per personalkategori**")
            by_category = views.category_table(
                {
                    "temporary_share": query.breakdown(
                        cur,
                        scope,
                        "temporary_teacher_share",
                        "unit",
                        unit_id,
                        "year",
                        period,
                        "staff_category",
                    ),
                    "path_share": query.breakdown(
                        cur,
                        scope,
                        "on_certification_path_share",
                        "unit",
                        unit_id,
                        "year",
                        period,
                        "staff_category",
                    ),
                }
            )
            if by_category.height == 0:
                st.caption("Inga uppdelningar per kategori för enheten.")
            else:
                by_category = views.with_category_labels(by_category)
                st.dataframe(
                    views.share_texts(by_category, ["temporary_share", "path_share"]),
                    hide_index=True,
                    placeholder="..",
                    column_order=["category", "temporary_share", "path_share"],
                    column_config={
                        "category": "Kategori",
                        "temporary_share": st.column_config.TextColumn(
                            "Visstidsanställda", alignment="right"
                        ),
                        "path_share": st.column_config.TextColumn(
                            "På väg mot behörighet", alignment="right"
                        ),
                    },
                    key="categories",
                )
        # Downloads below the two tables: in a half-width column the buttons' labels get cut off.
        if licence.height:
            st.caption("Legitimation och behörighet:")
            components.download_buttons(
                licence.drop("status"),
                f"Legitimation {names.get(unit_id, unit_id)} {period}",
                labels={
                    "label": "Status",
                    "fte": "FTE",
                    "share": "Andel",
                    "n_individuals": "Antal personer",
                },
                suppressible=["fte", "share", "n_individuals"],
                key="licence",
            )
        if by_category.height:
            st.caption("Per personalkategori:")
            components.download_buttons(
                by_category,
                f"Kategorier {names.get(unit_id, unit_id)} {period}",
                labels={
                    "category": "Kategori",
                    "temporary_share": "Visstidsanställda",
                    "path_share": "På väg mot behörighet",
                },
                key="categories",
            )

        unit_trend = query.trend_with_context(cur, scope, share_id, "unit", unit_id, "year")
        if unit_trend.height:
            st.markdown(
                f"**{share_name}** – {md_text(names.get(unit_id, unit_id))} jämfört med område och organisation"
            )
            fig = charts.trend(
                unit_trend, x="period", y="value", unit="share", series="series", target="target"
            )
            fig = benchmark_view.trend_lines(fig, cur, scope, share_id, key="unit_trend_benchmarks")
            figures.show(fig, config={"displaylogo": False}, key="unit_trend")
            if hidden := views.hidden_points(unit_trend):
                st.caption(f"`..` (dolt): {md_text(hidden)}")

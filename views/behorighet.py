"""Behörighet – certification unit by unit: table, ranking, one unit in detail, pedagogical segregation."""

from __future__ import annotations

import streamlit as st

from kompetens import query
from kompetens.present import charts
from kompetens.present.formatting import (
    area_phrase,
    fmt_correlation,
    fmt_number,
    fmt_value,
    md_text,
)
from kompetens.ui import benchmark_view, components, figures, paths_view, subject_view, unit_detail
from kompetens.ui import competence_views as views
from kompetens.ui.context import page_context

ctx = page_context()
cur = ctx.cursor()
scope = ctx.scope
filters = ctx.filters

st.title("Behörighet")
# Long indicator names wrap instead of being cut off in the narrow metric cards.
st.markdown(
    "<style>[data-testid='stMetricLabel'] * {white-space: normal !important; "
    "overflow: visible !important; text-overflow: clip !important;}</style>",
    unsafe_allow_html=True,
)
# A click on a unit elsewhere (ARUBA) opened it here: its category, and a pointer to its detail.
opened = st.session_state.pop(components.OPENED_UNIT, None)
if opened:
    st.info(
        "Enheten du klickade på visas under [En enhet i detalj](#en-enhet-i-detalj) längre ned.",
        icon=":material/arrow_downward:",
    )
category = st.segmented_control(
    "Personalkategori",
    options=list(views.CERTIFICATION_CATEGORY_LABELS),
    format_func=views.CERTIFICATION_CATEGORY_LABELS.get,
    default=opened or views.default_certification_category(query.units(cur, scope)),
    required=True,
    key="kategori",
    bind="query-params",
    help="Lärare i skolor mäts som andel behöriga (legitimation och behörighet i minst ett ämne); "
    "förskollärare i förskolor som andel med förskollärarlegitimation.",
)
category = category or "teacher"
share_id = query.CERTIFICATION_SHARES[category]
share_name = components.indicator_name(share_id)
category_name = views.category_label(category)

years = query.available_periods(cur, scope, "year", share_id)["period"].to_list()
if not years:
    components.empty_state(
        "Det finns inga uppgifter om behörighet ännu.",
        "Behörighet beräknas från personalfilen (legitimation, behörighet, tjänstgöringsgrad). "
        + components.import_hint(
            "Importera den på sidan **Import**, eller bygg demodata med `uv run kompetens demo`."
        ),
    )
    st.stop()
period = filters.year if filters.year in years else years[-1]
where = md_text(filters.area or "Hela organisationen")  # a name: shown as text
target_where = md_text(area_phrase(filters.area)) if filters.area else "hela organisationen"
st.caption(
    f"{where} · {period} (oktober) · {share_name}. Heltidstjänster (FTE) vägs efter "
    "tjänstgöringsgrad. `..` = dolt, bygger på färre än fem personer."
)

at = ("area", filters.area) if filters.area else None
cards = query.headline(cur, scope, [share_id], "year", period, at=at)
_, card_rows = views.headline_rows(cards)
target = card_rows.get(share_id, {}).get("target")

table = query.certification_units(cur, scope, category, period, filters.area, filters.school_form)

card_column, reached_column, below_column, hidden_column = st.columns([2, 1, 1, 1])
if share_id in card_rows:
    components.headline_card(card_column, card_rows[share_id])
    benchmark_view.card_comparison(card_column, cur, scope, share_id, period)
counts = views.status_counts(table)
reached_column.metric("Enheter som når målet", fmt_number(counts["reached"]))
below_column.metric("Enheter under målet", fmt_number(counts["below"]))
hidden_column.metric(
    "Enheter med dolt värde (..)",
    fmt_number(counts["hidden"]),
    help="Andelen bygger på färre än fem personer, eller döljs så att en annan dold uppgift "
    "inte kan räknas fram.",
)

# ---- the unit table -------------------------------------------------------------------
# A click on a unit's row or bar opens it: below on this page, or in the dialogue (area managers).
components.follow_unit_click()
st.header("Enheter")
if table.height == 0:
    components.empty_state(
        f"Inga enheter med {share_name.lower()} för urvalet.",
        "Prova en annan personalkategori, ett annat område eller en annan skolform i filtren.",
    )
else:
    table = views.with_path_counts(
        table,
        query.unit_values(
            cur,
            scope,
            ["on_certification_path_share"],
            "year",
            period,
            area=filters.area,
            school_form=filters.school_form,
            breakdown=f"staff_category={category}",
        ),
    )
    sort_col, search_col = st.columns([2, 3])
    sort = sort_col.selectbox(
        "Sortera efter",
        options=list(views.CERTIFICATION_SORTS),
        format_func=views.CERTIFICATION_SORTS.get,
        key="sortering",
        bind="query-params",
    )
    search = search_col.text_input(
        "Sök enhet eller område",
        key="sok_enhet",
        placeholder="t.ex. Ekskolan eller Norr",
        icon=":material/search:",
    )
    shown = views.sorted_units(table, sort or "gap", search)
    screen = views.certification_screen(shown)
    share_heading = "Andel behöriga" if category == "teacher" else "Andel legitimerade"
    st.dataframe(
        screen,
        hide_index=True,
        placeholder="..",
        # What the question needs first (share, gap, the people on a path), so these fit the
        # screen without sideways scrolling; the rest follows.
        column_order=[
            "unit_name",
            "share",
            "gap_fte",
            "path",
            "status",
            "target",
            "temporary_share",
            "teacher_fte",
            "area",
            "school_form",
        ],
        column_config={
            # Widths in pixels for the first four columns (at most 240 + 130 + 235 + 115 px and the
            # selection box): they fit the main area of an 800 px screen (sidebar closed) and of
            # a 1400 px screen with the sidebar open, headings whole.
            "unit_name": st.column_config.TextColumn(
                "Enhet", pinned=True, width=views.name_width(screen["unit_name"].to_list())
            ),
            "gap_fte": st.column_config.TextColumn(
                views.GAP_NAME,
                alignment="right",
                width=235,
                help="Så många fler heltidstjänster med behörig personal behövs för att nå målet.",
            ),
            "share": st.column_config.TextColumn(share_heading, alignment="right", width=130),
            "target": st.column_config.TextColumn("Mål", alignment="right"),
            "status": "Status",
            "path": st.column_config.TextColumn(
                "På väg",
                alignment="right",
                width=115,
                help="På väg mot behörighet: antal obehöriga personer som går en "
                "behörighetsgivande utbildning (VAL, KPU, Lärarlyftet) och, inom parentes, deras "
                "andel av de obehöriga. `..` = färre än fem personer eller dolt.",
            ),
            "temporary_share": st.column_config.TextColumn("Visstidsanställda", alignment="right"),
            "teacher_fte": st.column_config.TextColumn(f"{category_name} (FTE)", alignment="right"),
            "area": "Område",
            "school_form": "Skolform",
        },
        on_select=components.unit_click(ctx.viewer, "unit_table", "enhet", screen["unit_id"]),
        selection_mode="single-row",
        key="unit_table",
    )
    st.caption(
        f"{shown.height} av {table.height} enheter. Klicka på en rad för att öppna enheten. "
        "Nedladdningen följer sorteringen och sökningen ovan. `..` = dolt för att skydda enskilda "
        "(färre än fem personer, eller för att en dold uppgift annars kan räknas fram)."
    )
    components.download_buttons(
        views.with_school_form_labels(shown).drop("status"),
        f"Behörighet per enhet {period}",
        labels={
            "unit_id": "Enhets-id",
            "unit_name": "Enhet",
            "area": "Område",
            "school_form": "Skolform",
            "socioeconomic_index": "Socioekonomiskt index",
            "share": share_name,
            "certified_fte": "Behöriga (FTE)",
            "teacher_fte": f"{category_name} (FTE)",
            "target": "Mål",
            "gap_fte": views.GAP_NAME,
            "path_count": "På väg mot behörighet (personer)",
            "path_share": "På väg mot behörighet (andel av obehöriga)",
            "temporary_share": "Visstidsanställda",
        },
        formats={
            "share": "share",
            "target": "share",
            "path_share": "share",
            "temporary_share": "share",
            "gap_fte": "fte",
            "teacher_fte": "fte",
            "certified_fte": "fte",
        },
        key="unit_table",
    )

    ranked, cut = views.ranking_units(table)
    st.header("Lägst och högst andel" if cut else "Enheterna sorterade efter andel")
    if cut:
        st.caption(
            f"De {views.RANKING_EACH_SIDE} enheterna med lägst och de {views.RANKING_EACH_SIDE} "
            "med högst andel; alla enheter finns i tabellen ovan."
        )
    figures.show(
        charts.ranked_bars(
            ranked,
            label="unit_name",
            value="share",
            unit="share",
            target=target,
            suppressed="share_suppressed",
            key_column="unit_id",
        ),
        config={"displaylogo": False},
        on_select=components.unit_click(ctx.viewer, "ranked", "enhet", ranked["unit_id"]),
        selection_mode="points",
        key="ranked",
    )
    st.caption(
        "Klicka på en stapel för att öppna enheten."
        + (
            f" Streckad linje: målet {fmt_value(target, 'share')} för {target_where}."
            if target is not None
            else ""
        )
    )


benchmark_view.reconciliation_table(cur, scope, period, area=filters.area, staff_category=category)


# ---- subjects (teaching assignments; nothing without them) ---------------------------
if category == "teacher":
    subject_view.show(cur, scope, period, filters.area, filters.school_form)

# ---- certification paths (nothing without them) ---------------------------------------
paths_view.show(cur, scope, period, filters.area)

# ---- one unit -------------------------------------------------------------------------
unit_detail.show(cur, scope, table, share_id, share_name, period)

# ---- pedagogical segregation ----------------------------------------------------------
st.header("Pedagogisk segregation")
if category != "teacher":
    st.caption(
        "Analysen jämför skolornas andel behöriga lärare med deras socioekonomiska index – "
        "välj personalkategorin Lärare (skolor)."
    )
else:
    result = query.segregation(
        cur, scope, period, area=filters.area, school_form=filters.school_form
    )
    points = views.visible_points(result.points)
    stats = result.stats
    if points.height == 0:
        components.empty_state(
            "Inga skolor med både andel behöriga lärare och socioekonomiskt index för urvalet.",
            "Socioekonomiskt index kommer från enhetsfilen. "
            + components.import_hint("Importera den på sidan **Import**."),
        )
    else:
        st.markdown(f"**{stats.interpretation_sv}**")
        figures.show(
            charts.scatter_with_fit(
                points,
                x="socioeconomic_index",
                y="value",
                size="denominator",
                label="unit_name",
                x_title="Socioekonomiskt index (högre = större behov)",
                y_title="Andel behöriga lärare",
                fit=views.fitted_line(result.points),
            ),
            config={"displaylogo": False},
            key="segregation",
        )
        s1, s2, s3, s4 = st.columns([1, 1, 1, 2])
        s1.metric("Skolor", fmt_number(stats.n_schools))
        s2.metric(
            "Korrelation (r)",
            fmt_correlation(stats.pearson),
            help="Pearsons korrelation, vägd med lärarnas heltidstjänster. −1 till 1; "
            "negativt = lägre andel behöriga där indexet (behoven) är högre.",
        )
        s3.metric(
            "Rangkorrelation",
            fmt_correlation(stats.spearman),
            help="Spearmans rangkorrelation, vägd med lärarnas heltidstjänster.",
        )
        s4.metric(
            "Skillnad högsta − lägsta kvartil",
            (
                fmt_number(stats.quartile_gap * 100, 1) + " procentenheter"
                if stats.quartile_gap is not None
                else "–"
            ),
            help="Andel behöriga i kvartilen med högst index (störst behov) minus kvartilen med lägst.",
        )
        if stats.quartile_gap is not None:
            st.caption(
                f"Kvartilen med högst socioekonomiskt index (störst behov) har "
                f"{fmt_value(stats.top_quartile_share, 'share')} behöriga lärare, kvartilen med lägst "
                f"{fmt_value(stats.bottom_quartile_share, 'share')}. Bubblans storlek = lärarnas heltidstjänster."
            )
        hidden_schools = result.points.height - points.height
        if hidden_schools:
            st.caption(
                f"{hidden_schools} skolor visas inte (`..` eller saknat index) och ingår inte i beräkningen."
            )
        st.caption(
            "Obs: Skolverkets andel behöriga (Kolada N15814) väger varje lärare efter undervisningstimmar "
            "i de ämnen och årskurser läraren är behörig i. Personaldata i Kompetens har en flagga per person "
            "(behörig i minst ett ämne läraren undervisar i), så värdena kan skilja sig från Skolverkets."
        )
        components.download_buttons(
            views.with_school_form_labels(result.points),
            f"Pedagogisk segregation {period}",
            suppressible=["value", "numerator", "denominator"],
            labels={
                "unit_id": "Enhets-id",
                "unit_name": "Enhet",
                "area": "Område",
                "school_form": "Skolform",
                "socioeconomic_index": "Socioekonomiskt index",
                "value": "Andel behöriga lärare",
                "numerator": "Behöriga lärare (FTE)",
                "denominator": "Lärare (FTE)",
            },
            formats={"value": "share", "numerator": "fte", "denominator": "fte"},
            key="segregation",
        )

"""Datakvalitet: coverage of every data kind per unit and month, stale and missing data, hidden
(suppressed) figures and the latest imports — the gaps in the statistics made visible."""

from __future__ import annotations

import streamlit as st

from kompetens import query
from kompetens.present import charts
from kompetens.present.formatting import fmt_number, md_text
from kompetens.query import records
from kompetens.ui import components, figures
from kompetens.ui import quality_view as view
from kompetens.ui.context import page_context

ctx = page_context()
cur = ctx.cursor()
scope = ctx.scope

#: Above this many units the organisation-wide heatmap shows areas (one row per unit is unreadable).
MAX_UNIT_ROWS = 60

st.title("Datakvalitet")
st.caption(
    "Var finns data, var saknas de och vilka värden döljs? Luckor i statistiken ska synas, inte gömmas."
)

units_in_view = query.units(cur, scope, area=ctx.filters.area)
if units_in_view.height == 0:
    components.empty_state("Det finns inga enheter ännu.")
    st.stop()

# ---- Incomplete staff snapshots (far fewer people or units than the one before) -----------------
incomplete = query.incomplete_snapshots(cur, scope)
if incomplete.height:
    st.header("Ofullständiga ögonblicksbilder")
    st.caption(
        "En personalögonblicksbild med färre än 80 % av personerna eller enheterna i den "
        "föregående räknas inte som senaste månad i nyckeltalen förrän hela ögonblicksbilden "
        "är importerad eller HR bekräftar att organisationen verkligen har krympt."
    )
    st.dataframe(
        view.incomplete_table(incomplete), hide_index=True, width="stretch", placeholder="–"
    )
    if view.may_confirm_snapshots(ctx.viewer):
        for day in view.unconfirmed_dates(incomplete):
            if st.button(f"Bekräfta ögonblicksbilden {day}", key=f"dq_confirm_{day}"):
                with ctx.writing(f"bekräfta ögonblicksbild {day}") as wcur:
                    progress = components.progress_bar("Nyckeltalen räknas om")
                    st.session_state["dq_confirmed"] = view.confirm_snapshot(
                        wcur, ctx.viewer, day, progress
                    )
                query.clear_cache()
                st.rerun()
    if done := st.session_state.pop("dq_confirmed", None):
        st.success(done, icon=":material/check_circle:")

# ---- Coverage heatmap ------------------------------------------------------------------------
st.header("Täckning per enhet och månad")
kind_choice = st.segmented_control(
    "Datatyp",
    options=list(view.KIND_OPTIONS),
    default=view.ALL_MONTHLY,
    required=True,
    key="typ",
    bind="query-params",
    wrap=True,
)
kind = view.KIND_OPTIONS[kind_choice or view.ALL_MONTHLY]
many = units_in_view.height > MAX_UNIT_ROWS
per_unit = st.toggle(
    "En rad per enhet",
    value=not many,
    key=f"dq_per_unit_{ctx.filters.area}",
    help="Med många enheter visas områden (andel enheter med data) tills du väljer en rad per enhet.",
)
by = "unit" if per_unit else "area"
with st.spinner("Räknar täckning …"):
    coverage = query.coverage(cur, scope, kind, area=ctx.filters.area, by=by)
if coverage.height == 0:
    components.empty_state(
        f"Det finns inga rader av typen {kind_choice.lower()} ännu.",
        "Importera filen på sidan **Import** (mallar finns där).",
    )
else:
    if kind is None:
        explanation = (
            "Andel av månadsdata som finns för enheten och månaden: personal och sjukfrånvaro "
            "(100 % = båda, 50 % = en av dem). Tomt = enheten fanns inte då."
        )
    else:
        explanation = (
            f"Mörk = det finns rader av typen {kind_choice.lower()} den månaden, ljus = inga. "
            "Tomt = enheten fanns inte då. Händelser, rekryteringar och praktik förekommer inte "
            "varje månad, så ljusa rutor är där inte alltid fel."
        )
    if by == "area":
        explanation += " Per område: genomsnittlig täckning över områdets öppna enheter."
    st.caption(explanation)
    heatmap = charts.coverage_heatmap(
        view.heatmap_frame(coverage, by), row="row", column="month", value="coverage"
    )
    heatmap.update_yaxes(autorange="reversed")  # alphabetical from the top, like the tables
    figures.show(
        heatmap,
        config={"displaylogo": False},
        width="stretch",
        key="coverage_heatmap",
    )

# ---- Stale and missing data --------------------------------------------------------------------
st.header("Inaktuella och saknade data")
stale_months = st.slider(
    "Inaktuell när senaste data är äldre än (månader efter de andra enheterna)",
    min_value=1,
    max_value=24,
    value=3,
    key="dq_stale_months",
)
freshness = query.data_freshness(cur, scope, stale_months=stale_months, area=ctx.filters.area)
counts = view.freshness_counts(freshness)
c1, c2, c3, c4 = st.columns(4)
c1.metric("Saknas helt", counts["missing"], help="Enhet och datatyp utan en enda rad.")
c2.metric("Inaktuella", counts["stale"], help="Senaste rad äldre än gränsen ovan.")
c3.metric(
    "Med luckor",
    counts["gaps"],
    help="Månader utan personal- eller sjukfrånvarodata mitt i serien.",
)
c4.metric("Aktuella", counts["ok"])
problems = view.freshness_table(freshness)
if problems.height == 0:
    st.success(
        "Alla enheter har aktuell personal-, sjukfrånvaro- och enkätdata.",
        icon=":material/check_circle:",
    )
else:
    st.dataframe(
        problems.rename(view.FRESHNESS_LABELS), hide_index=True, width="stretch", placeholder="–"
    )
    components.download_buttons(
        problems, "Inaktuella och saknade data", labels=view.FRESHNESS_LABELS, key="dq_fresh"
    )
if opened := view.opened_text(freshness):
    st.caption(f"Öppnade under perioden (inga data förväntas före öppningen): {md_text(opened)}")

# ---- Suppressed cells -------------------------------------------------------------------------
st.header("Dolda värden")
cells = query.suppressed_cells(cur, scope, "year", period=ctx.filters.year)
period_label = ctx.filters.year or view.newest_period(cells) or "senaste året"
whole = view.whole_figures(cells)
st.caption(
    f"Värden som visas som .. för {period_label}: de bygger på färre än fem personer, eller döljs "
    "så att ett dolt värde inte kan räknas fram ur en summa."
)
if cells.height == 0:
    st.info("Inga värden är dolda för perioden.", icon=":material/info:")
else:
    c1, c2 = st.columns(2)
    c1.metric(
        "Dolda nyckeltal",
        fmt_number(whole.height),
        help="Enhetens, områdets eller organisationens värde.",
    )
    c2.metric(
        "Dolda delvärden",
        fmt_number(cells.height - whole.height),
        help="Uppdelningar per personalkategori, skolform m.m.",
    )
    with_splits = st.toggle("Visa även delvärden (uppdelningar)", key="dq_splits")
    table = view.suppressed_table(cells if with_splits else whole)
    st.dataframe(
        table.rename(view.SUPPRESSED_LABELS), hide_index=True, width="stretch", placeholder="–"
    )
    components.download_buttons(
        table, f"Dolda värden {period_label}", labels=view.SUPPRESSED_LABELS, key="dq_suppressed"
    )

# ---- Latest imports ------------------------------------------------------------------------------
st.header("Senaste importer")
role = getattr(ctx.viewer, "role", None)
if not records.may_see_imports(scope, role):
    st.caption("Importloggen visas för användare med behörighet för hela organisationen.")
else:
    imports = view.imports_table(records.imports(cur, scope, role))
    if imports.height == 0:
        components.empty_state("Inga filer är importerade ännu.")
    else:
        latest = imports.head(10)
        st.dataframe(
            view.imports_screen(latest).rename(view.IMPORT_LABELS),
            hide_index=True,
            width="stretch",
            placeholder="–",
            column_config={
                view.IMPORT_LABELS[col]: st.column_config.TextColumn(alignment="right")
                for col in view.IMPORT_COUNTS
            },
        )
        components.download_buttons(
            imports, "Importlogg", labels=view.IMPORT_LABELS, key="dq_imports"
        )
        st.page_link(
            "views/importera.py",
            label="Importera eller ångra på sidan Import",
            icon=":material/upload_file:",
        )

"""Indikatorer: the catalogue of every key figure, generated from the registry, searchable and downloadable."""

from __future__ import annotations

import streamlit as st

from kompetens.present.charts import PHASE_COLOURS
from kompetens.ui import catalogue
from kompetens.ui.components import download_buttons, empty_state
from kompetens.ui.context import page_context

ctx = page_context()

st.title("Indikatorer")
st.caption(
    "Alla nyckeltal i Kompetens med definition, formel, källfiler och Kolada-motsvarighet. "
    "Katalogen skapas ur indikatorregistret, så den stämmer alltid med det som räknas. "
    "Formeln är registrets exakta definition och står på engelska."
)

full = catalogue.catalogue_frame()
query_text = st.text_input(
    "Sök indikator",
    key="sok",
    bind="query-params",
    placeholder="t.ex. omsättning, sjukfrånvaro, N00216, Rekrytera",
    icon=":material/search:",
)
shown = catalogue.search_catalogue(full, query_text)
st.caption(f"{shown.height} av {full.height} indikatorer")

download_buttons(
    shown,
    "Indikatorkatalog",
    labels=catalogue.CATALOGUE_LABELS,
    key="katalog",
)

if shown.height == 0:
    empty_state(
        f"Ingen indikator matchar ”{query_text}”.",
        "Sök på en del av namnet, ett Kolada-id (t.ex. N00216) eller en ARUBA-fas.",
    )

# The overview table per phase; the description and formula are in each indicator's details below.
# A static table: every cell wraps and is read whole, at any width, without sideways scrolling
# (the interactive grid cut the names and the source files off in fixed-width columns).
TABLE_COLUMNS = ["name_sv", "unit", "direction", "sources", "kolada_id", "default_target"]

for phase, phase_sv in catalogue.phases():
    members = catalogue.of_phase(shown, phase)
    if members.height == 0:
        continue
    # The current state's black would vanish in the dark theme: the text colour instead.
    colour = PHASE_COLOURS.get(phase, "#000000")
    colour = "currentColor" if colour.upper() == "#000000" else colour
    st.markdown(
        f'<h2 style="border-left: 8px solid {colour}; padding-left: 0.5rem">{phase_sv}</h2>',
        unsafe_allow_html=True,
    )
    st.table(
        members.select(TABLE_COLUMNS).rename(
            {c: catalogue.CATALOGUE_LABELS[c] for c in TABLE_COLUMNS}
        ),
        hide_index=True,
    )
    for row in members.iter_rows(named=True):
        with st.expander(f"{row['name_sv']} – formel och detaljer", expanded=bool(query_text)):
            st.markdown(f"**{row['name_sv']}** (`{row['indicator_id']}`, {row['name_en']})")
            st.markdown(row["description"])
            st.markdown(f"**Formel.** {row['formula']}")
            details = [
                ("Enhet", row["unit"]),
                ("Riktning", row["direction"]),
                ("Källfiler", row["sources"]),
                ("Nivå", row["grain"]),
                ("Perioder", row["period_types"]),
                ("Uppdelningar", row["breakdowns"]),
                ("Kolada", row["kolada_id"]),
                ("Standardmål", row["default_target"]),
                ("Visas på", row["pages"]),
            ]
            st.markdown("\n".join(f"- **{k}:** {v}" for k, v in details))
            if row["note"] != "–":
                st.caption(f"Anmärkning: {row['note']}")

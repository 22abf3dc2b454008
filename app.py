"""Kompetens – the app frame and the one navigation registry."""

from __future__ import annotations

import streamlit as st

from kompetens import paths, store
from kompetens.contract import KINDS

st.set_page_config(page_title="Kompetens", page_icon="📊", layout="wide")


@st.cache_resource(show_spinner=False)
def _database_ready() -> str:
    """Build the demo database on first start if there is none (once per server process)."""
    from kompetens.demo import ensure_demo_database

    with st.spinner("Första start: bygger demodata (tar en halv minut) …"):
        ensure_demo_database()
    return str(paths.db_path())


def start_page() -> None:
    st.title("Kompetens")
    st.caption(
        "Kompetensförsörjning enligt ARUBA – Attrahera, Rekrytera, Utveckla, Behålla, Avveckla"
    )
    conn = store.connect(_database_ready(), read_only=True)
    try:
        counts = store.table_counts(conn)
        snapshots = store.scalar(conn, "SELECT count(DISTINCT snapshot_date) FROM current_staff")
        staff = store.scalar(conn, "SELECT count(DISTINCT employee_id) FROM current_staff")
    finally:
        conn.close()
    cols = st.columns(3)
    cols[0].metric("Enheter", f"{counts['units']:,}".replace(",", "\u00a0"))
    cols[1].metric("Anställda (alla ögonblicksbilder)", f"{staff:,}".replace(",", "\u00a0"))
    cols[2].metric("Ögonblicksbilder", f"{snapshots:,}".replace(",", "\u00a0"))
    st.dataframe(
        {"Filtyp": [KINDS[k].label_sv for k in counts], "Rader": list(counts.values())},
        hide_index=True,
    )


navigation = st.navigation([st.Page(start_page, title="Start", icon="🏠", default=True)])
navigation.run()

"""Kompetens – the app frame and the one navigation registry.

Every run: make sure there is a database (the demo is built on first start),
draw the shared sidebar filters (kept in the URL so a link reproduces the
view), hand pages a :class:`PageContext` and run the chosen page. Pages live
in ``pages/`` and are thin: they read widgets, call ``kompetens.query`` and
render.
"""

from __future__ import annotations

import streamlit as st

from kompetens import query
from kompetens.ui import frame
from kompetens.ui.context import Filters, PageContext, default_db_path, set_page_context

st.set_page_config(
    page_title="Kompetens",
    page_icon=":material/insights:",
    layout="wide",
    initial_sidebar_state="expanded",
    menu_items={"About": "Kompetens – kompetensförsörjning enligt ARUBA i skolan."},
)
frame.apply_style()

db_path = default_db_path()
frame.ensure_database(db_path)

# Access scope: everything until sign-in and roles arrive (they narrow this, never the pages).
scope = query.Scope.everything()
filters: Filters = frame.sidebar_filters(db_path, scope)
set_page_context(PageContext(db_path=db_path, filters=filters, scope=scope))

PAGES = {
    "Ledning": [
        st.Page(
            "pages/oversikt.py",
            title="Översikt",
            icon=":material/dashboard:",
            url_path="oversikt",
            default=True,
        ),
    ],
    "Analys": [
        st.Page(
            "pages/behorighet.py",
            title="Behörighet",
            icon=":material/school:",
            url_path="behorighet",
        ),
        st.Page("pages/aruba.py", title="ARUBA", icon=":material/autorenew:", url_path="aruba"),
        st.Page(
            "pages/stodbehov.py", title="Stödbehov", icon=":material/support:", url_path="stodbehov"
        ),
    ],
    "Dialog": [
        st.Page(
            "pages/dialog.py", title="Verksamhetsdialog", icon=":material/forum:", url_path="dialog"
        ),
    ],
    "Data": [
        st.Page(
            "pages/datakvalitet.py",
            title="Datakvalitet",
            icon=":material/fact_check:",
            url_path="datakvalitet",
        ),
        st.Page(
            "pages/importera.py", title="Import", icon=":material/upload_file:", url_path="import"
        ),
        st.Page(
            "pages/indikatorer.py",
            title="Indikatorer",
            icon=":material/menu_book:",
            url_path="indikatorer",
        ),
    ],
}

st.navigation(PAGES, position="sidebar", expanded=True).run()

"""Kompetens – the app frame and the one navigation registry.

Every run: make sure there is a database (the demo is built on first start),
find out who is using the app and build their scope (``kompetens.ui.signin``:
OIDC sign-in when ``[auth]`` is configured, else an explicit demo mode), draw
the shared sidebar filters (kept in the URL so a link reproduces the view),
hand pages a :class:`PageContext` and run the chosen page among those the
role may use. Pages live in ``views/`` and are thin: they read widgets, call
``kompetens.query`` and render.
"""

from __future__ import annotations

import streamlit as st

from kompetens import wiring
from kompetens.ui import frame, signin
from kompetens.ui.context import Filters, PageContext, default_db_path, set_page_context

wiring.wire()  # migrations and the recompute-after-import hook; idempotent on every rerun

st.set_page_config(
    page_title="Kompetens",
    # A file in the repository, served by this server: a ":material/…:" favicon is fetched
    # from a font CDN outside the municipality's network (and fails offline).
    page_icon=str(frame.FAVICON),
    layout="wide",
    # "auto": open on a wide screen, collapsed on a narrow one (a tablet, a split screen).
    initial_sidebar_state="auto",
    menu_items={"About": "Kompetens – kompetensförsörjning enligt ARUBA i skolan."},
)
frame.apply_style()

db_path = default_db_path()
signin.refuse_demo_in_production()
frame.ensure_database(db_path)
frame.keep_downloads_short()  # a downloaded file answers at /media/… for half a minute at most
signin.apply_audit_retention(db_path)

# Access scope: rebuilt on every run from the signed-in user (or the demo role picker), never
# read back from session state or the URL; a ?omrade=/?enhet= outside it is denied and logged.
viewer = signin.gate(db_path, all_areas_label=frame.ALL_AREAS)
scope = viewer.scope
filters: Filters = frame.sidebar_filters(db_path, scope)
set_page_context(PageContext(db_path=db_path, filters=filters, scope=scope, viewer=viewer))

# Pages the role may not use are hidden from the menu (and refused if opened by URL); the role's
# first page is its home page (kompetens.access.auth.ROLE_PAGES; a new page must be given to roles there).
page = signin.page_maker(viewer)
PAGES = {
    "Ledning": [
        page(
            "views/oversikt.py",
            title="Översikt",
            icon=":material/dashboard:",
            url_path="oversikt",
        ),
    ],
    "Analys": [
        page(
            "views/behorighet.py",
            title="Behörighet",
            icon=":material/school:",
            url_path="behorighet",
        ),
        page("views/aruba.py", title="ARUBA", icon=":material/autorenew:", url_path="aruba"),
        page(
            "views/stodbehov.py", title="Stödbehov", icon=":material/support:", url_path="stodbehov"
        ),
        page(
            "views/prognos.py", title="Prognos", icon=":material/trending_up:", url_path="prognos"
        ),
        page(
            "views/resursfordelning.py",
            title="Resursfördelning",
            icon=":material/account_balance:",
            url_path="resursfordelning",
        ),
    ],
    "Dialog": [
        page(
            "views/dialog.py", title="Verksamhetsdialog", icon=":material/forum:", url_path="dialog"
        ),
        page(
            "views/stodregister.py",
            title="Stödregister",
            icon=":material/volunteer_activism:",
            url_path="stodregister",
        ),
        page("views/arshjul.py", title="Årshjul", icon=":material/event:", url_path="arshjul"),
    ],
    "Data": [
        page(
            "views/datakvalitet.py",
            title="Datakvalitet",
            icon=":material/fact_check:",
            url_path="datakvalitet",
        ),
        page(
            "views/importera.py", title="Import", icon=":material/upload_file:", url_path="import"
        ),
        page(
            "views/indikatorer.py",
            title="Indikatorer",
            icon=":material/menu_book:",
            url_path="indikatorer",
        ),
    ],
    "Administration": [
        page(
            "views/admin.py",
            title="Användare och logg",
            icon=":material/admin_panel_settings:",
            url_path="admin",
        ),
    ],
}

# A page outside the role, or a query.ScopeError raised by a page, shows "no access" and is logged.
signin.run_navigation(db_path, viewer, PAGES)

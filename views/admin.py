"""Admin: who may sign in (role and scope) and the audit log."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from kompetens.present.formatting import md_text
from kompetens.query import records
from kompetens.ui import admin_view as view
from kompetens.ui import components, settings_view
from kompetens.ui.context import NO_ACCESS_MESSAGE, page_context

ctx = page_context()
viewer = ctx.viewer
if not view.is_admin(viewer):
    # The navigation hides this page from other roles; this is the second lock
    # (and ``records`` refuses the reads to anyone else: the third).
    st.error(NO_ACCESS_MESSAGE, icon=":material/lock:")
    st.stop()
cur = ctx.cursor()

st.title("Användare och logg")
st.caption(
    "Vem som får logga in, med vilken roll och behörighet, och granskningsloggen över "
    "inloggningar, öppnade dialoger, exporter, importer och nekad åtkomst."
)
users_tab, log_tab, settings_tab = st.tabs(["Användare", "Granskningslogg", "Inställningar"])

with users_tab:
    if flash := st.session_state.pop("_admin_flash", None):
        st.success(md_text(flash), icon=":material/check_circle:")  # names an e-mail
    users = records.users(cur, viewer)
    if users.height == 0:
        components.empty_state(
            "Inga användare ännu.",
            "Lägg till den första nedan eller med `uv run kompetens users add E-POST --role hr`.",
        )
    else:
        st.dataframe(view.users_table(users), hide_index=True, width="stretch")

    unit_names = view.unit_choices(records.known_units(cur, viewer))
    st.header("Lägg till eller ändra")
    role = st.selectbox(
        "Roll",
        options=list(view.ROLES),
        format_func=view.role_label,
        key="admin_roll",
    )
    with st.form("admin_add_user", clear_on_submit=True, border=True):
        email = st.text_input("E-postadress", placeholder="fornamn.efternamn@kommun.se")
        areas: list[str] = []
        unit_ids: list[str] = []
        functions: list[str] = []
        if role == view.AREA_MANAGER:
            areas = st.multiselect("Områden", options=records.known_areas(cur, viewer))
        elif role == view.PRINCIPAL:
            unit_ids = st.multiselect(
                "Enheter", options=list(unit_names), format_func=lambda u: unit_names.get(u, u)
            )
        elif role == view.SUPPORT:
            functions = st.multiselect("Stödfunktioner", options=view.support_functions(cur))
        else:
            st.caption(view.role_scope_text(role))
        if st.form_submit_button("Spara", type="primary", icon=":material/person_add:"):
            try:
                with ctx.writing("användare") as wcur:
                    saved = view.save_user(
                        wcur, viewer, email, role, areas=areas, units=unit_ids, functions=functions
                    )
            except ValueError as problem:
                st.error(md_text(problem))
            else:
                st.session_state["_admin_flash"] = saved
                st.rerun()

    active = view.active_emails(users)
    if active:
        st.header("Ta bort behörighet")
        left, right = st.columns([3, 1], vertical_alignment="bottom")
        chosen = left.selectbox("Användare", options=active, key="admin_ta_bort")
        if right.button("Ta bort", icon=":material/person_remove:", key="admin_ta_bort_knapp"):
            try:
                with ctx.writing("användare") as wcur:
                    removed = view.remove_user(wcur, viewer, chosen)
            except ValueError as problem:
                st.error(md_text(problem))
            else:
                if removed:
                    st.session_state["_admin_flash"] = removed
                    st.rerun()

with log_tab:
    today = dt.date.today()
    a, b, c, d = st.columns(4)
    since = a.date_input(
        "Från", value=today - dt.timedelta(days=30), format="YYYY-MM-DD", key="logg_fran"
    )
    until = b.date_input("Till och med", value=today, format="YYYY-MM-DD", key="logg_till")
    who = c.text_input("Användare (e-post)", key="logg_anvandare").strip() or None
    action = d.selectbox(
        "Händelse",
        options=list(view.ACTION_OPTIONS),
        format_func=view.action_label,
        key="logg_handelse",
    )
    events = records.audit_events(
        cur, viewer, since=since, until=view.day_after(until), user=who, action=action
    )
    st.caption(view.log_caption(events))
    if events.height == 0:
        components.empty_state(
            "Inga händelser för de valda filtren.", "Välj en längre period eller ta bort filtren."
        )
    else:
        shown = view.events_table(events)
        st.dataframe(shown, hide_index=True, width="stretch")
        components.download_buttons(
            shown, f"Granskningslogg {since} till {until}", audit_action=view.AUDIT_EXPORT
        )

with settings_tab:
    settings_view.retirement_age_section(ctx, cur)
    settings_view.support_lists_section(ctx, cur)

"""Admin: who may sign in (role and scope) and the audit log."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from kompetens.access import audit, auth
from kompetens.ui import components
from kompetens.ui.context import NO_ACCESS_MESSAGE, page_context

ctx = page_context()
viewer = ctx.viewer
if viewer is None or viewer.role != auth.ADMIN:
    # The navigation hides this page from other roles; this is the second lock.
    st.error(NO_ACCESS_MESSAGE, icon=":material/lock:")
    st.stop()
cur = ctx.cursor()

st.title("Användare och logg")
st.caption(
    "Vem som får logga in, med vilken roll och behörighet, och granskningsloggen över "
    "inloggningar, öppnade dialoger, exporter, importer och nekad åtkomst."
)
users_tab, log_tab = st.tabs(["Användare", "Granskningslogg"])

with users_tab:
    if flash := st.session_state.pop("_admin_flash", None):
        st.success(flash, icon=":material/check_circle:")
    users = auth.list_users(cur)
    if users.height == 0:
        components.empty_state(
            "Inga användare ännu.",
            "Lägg till den första nedan eller med `uv run kompetens users add E-POST --role hr`.",
        )
    else:
        st.dataframe(auth.users_display(users), hide_index=True, width="stretch")

    units = auth.known_units(cur)
    unit_names = dict(zip(units["unit_id"].to_list(), units["unit_name"].to_list(), strict=True))
    st.subheader("Lägg till eller ändra")
    role = st.selectbox(
        "Roll",
        options=list(auth.ROLES),
        format_func=lambda r: auth.ROLE_LABELS[r],
        key="admin_roll",
    )
    with st.form("admin_add_user", clear_on_submit=True, border=True):
        email = st.text_input("E-postadress", placeholder="fornamn.efternamn@kommun.se")
        areas: list[str] = []
        unit_ids: list[str] = []
        if role == auth.AREA_MANAGER:
            areas = st.multiselect("Områden", options=auth.known_areas(cur))
        elif role == auth.PRINCIPAL:
            unit_ids = st.multiselect(
                "Enheter",
                options=list(unit_names),
                format_func=lambda u: f"{unit_names.get(u, u)} ({u})",
            )
        else:
            st.caption(
                "Rollen gäller hela organisationen."
                if role != auth.ADMIN
                else "Administratören ser användare och logg, inga nyckeltal."
            )
        if st.form_submit_button("Spara", type="primary", icon=":material/person_add:"):
            try:
                row = auth.add_user(
                    cur, email, role, areas=areas, units=unit_ids, added_by=viewer.email
                )
            except ValueError as problem:
                st.error(str(problem))
            else:
                st.session_state["_admin_flash"] = (
                    f"{row['email']} har nu rollen {auth.ROLE_LABELS[role]}."
                )
                st.rerun()

    active = users.filter(users["active"])["email"].to_list()
    if active:
        st.subheader("Ta bort behörighet")
        left, right = st.columns([3, 1], vertical_alignment="bottom")
        chosen = left.selectbox("Användare", options=active, key="admin_ta_bort")
        if right.button("Ta bort", icon=":material/person_remove:", key="admin_ta_bort_knapp"):
            if chosen == viewer.email:
                st.error("Du kan inte ta bort din egen behörighet.")
            elif auth.remove_user(cur, chosen, removed_by=viewer.email):
                st.session_state["_admin_flash"] = f"{chosen} har inte längre åtkomst."
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
        options=[None, *audit.ACTION_LABELS],
        format_func=lambda x: "Alla händelser" if x is None else audit.ACTION_LABELS[x],
        key="logg_handelse",
    )
    events = audit.list_events(
        cur, since=since, until=until + dt.timedelta(days=1), user=who, action=action
    )
    st.caption(
        f"{events.height:,} händelser. ".replace(",", "\u00a0")
        + f"Händelser äldre än {audit.retention_days()} dagar rensas automatiskt "
        f"({audit.RETENTION_ENV}). Importer och ångringar kommer från importloggen."
    )
    if events.height == 0:
        components.empty_state(
            "Inga händelser för de valda filtren.", "Välj en längre period eller ta bort filtren."
        )
    else:
        shown = audit.display_frame(events)
        st.dataframe(shown, hide_index=True, width="stretch")
        components.download_buttons(
            shown, f"Granskningslogg {since} till {until}", audit_action=audit.AUDIT_EXPORT
        )

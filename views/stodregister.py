"""Stödregister – who asked for support, what support was given, did it help; follow-up and undo."""

from __future__ import annotations

import streamlit as st

from kompetens.query import support_register as register
from kompetens.ui import components
from kompetens.ui import support_proactive_view as proactive_view
from kompetens.ui import support_register_view as view
from kompetens.ui.context import page_context

ctx = page_context()
cur = ctx.cursor()
scope = ctx.scope
viewer = ctx.viewer
area = ctx.filters.area
components.follow_unit_click()

st.title("Stödregister")
st.caption(
    "Vem bad om stöd, vilket stöd gavs och hjälpte det? Ärenden från enheterna, insatser från "
    "stödfunktionerna, status och återkoppling. Varje ändring loggas och kan ångras."
)

flashed = view.take_flash(st.session_state)
if flashed is not None:
    ok, message, warnings = flashed
    (st.success if ok else st.error)(message, icon=":material/check:" if ok else ":material/error:")
    for warning in warnings:
        st.warning(warning, icon=":material/warning:")


if not view.details_visible(viewer):
    # Leadership: aggregates per area and support function, never a request's free text.
    st.header("Ärenden och stöd per område och stödfunktion")
    overview = view.overview_table(register.overview(cur, scope))
    if overview.height == 0:
        components.empty_state("Det finns inga ärenden eller insatser i stödregistret ännu.", "")
    else:
        st.dataframe(overview, hide_index=True, column_config=view.OVERVIEW_LABELS, key="overview")
        components.download_buttons(
            overview, "Stödregister per område", labels=view.OVERVIEW_LABELS, key="overview"
        )
    st.header("Belastning per månad")
    view.load_section(cur, scope, area, "load")
    st.stop()

requests = register.requests(cur, scope, area=area)
choices = view.options(cur)
functions = view.function_options(cur, scope)

new_tab, list_tab, proactive_tab, follow_tab, load_tab, change_tab = st.tabs(
    ["Nytt ärende", "Ärenden", "Stöd utan ärende", "Uppföljning", "Belastning", "Ändringar"]
)

with new_tab:
    units = view.unit_choices(register.filing_units(cur, scope, area=area))
    nonce = view.form_nonce(st.session_state)
    st.caption(
        "Skriv aldrig namn eller personnummer: frågeställaren anges med sin roll. Ett "
        "personnummer i texten tas bort innan ärendet sparas."
    )
    with st.form(f"new_request_{nonce}", enter_to_submit=False):
        left, right = st.columns(2)
        unit_id = components.pick_one(left, "Enhet", units, placeholder="Välj enhet")
        request_date = right.date_input("Datum", value=view.today(), format="YYYY-MM-DD")
        asker = left.selectbox(
            "Frågeställarens roll",
            options=list(choices["asker_role"]),
            format_func=choices["asker_role"].get,
        )
        channel = right.selectbox(
            "Kanal", options=list(choices["channel"]), format_func=choices["channel"].get
        )
        topic = left.selectbox("Ämne", options=list(choices["topic"]))
        function = components.pick_one(
            right, "Stödfunktion som tillfrågas", functions, placeholder="Välj stödfunktion"
        )
        themes = st.multiselect(
            "Gemensamma teman (valfritt)",
            options=list(choices["themes"]),
            format_func=choices["themes"].get,
            placeholder="Välj teman",
            help="Teman från den gemensamma listan (Verksamhetsdialog › Teman); "
            "ledningen ser dem per område och termin.",
        )
        description = st.text_area("Beskrivning", max_chars=1000)
        report_to = st.text_input(
            "Vem återrapporterar vi till? (roll eller funktion, aldrig ett namn)", max_chars=100
        )
        if st.form_submit_button("Registrera ärendet", type="primary", icon=":material/add:"):
            warnings = view.text_warnings([description, report_to])
            with ctx.writing("stödärende") as wcur:
                ok, message = view.submit_request(
                    wcur,
                    scope,
                    {
                        "unit_id": unit_id,
                        "request_date": request_date,
                        "asker_role": asker,
                        "channel": channel,
                        "topic": topic,
                        "description": description,
                        "support_function": function,
                        "report_to": report_to,
                        "themes": view.themes_value(themes),
                    },
                    viewer,
                )
            if ok:
                view.next_form(st.session_state)
                view.flash(st.session_state, ok, message, warnings)
                st.rerun()
            st.error(message, icon=":material/error:")

with list_tab:
    show_all = st.toggle("Visa även klara och avböjda ärenden", key="sr_alla")
    chosen_function = st.selectbox(
        "Stödfunktion", options=[view.ALL_FUNCTIONS, *functions], key="sr_funktion"
    )
    listed = view.by_function(
        requests if show_all else view.open_requests(requests), chosen_function
    )
    if listed.height == 0:
        components.empty_state("Inga ärenden i urvalet.", "")
    else:
        shown = view.request_table(listed, view.theme_labels(cur))
        st.dataframe(shown, hide_index=True, column_config=view.REQUEST_LABELS, key="requests")
        components.download_buttons(
            shown, "Stödärenden", labels=view.REQUEST_LABELS, key="requests"
        )

    st.header("Ett ärende")
    request_options = view.request_choices(requests)
    request_id = st.selectbox(
        "Välj ärende",
        options=list(request_options),
        format_func=request_options.get,
        index=None,
        placeholder="Välj ett ärende för att se det, ge stöd eller återkoppla",
        key="arende",
        bind="query-params",
    )
    if request_id is not None:
        row = view.request_row(requests, request_id)
        st.dataframe(
            view.request_facts(row, view.theme_labels(cur)), hide_index=True, key="request_facts"
        )
        st.caption("Beskrivning")
        st.text(row["description"] or "–")
        linked = view.efforts_of(register.efforts(cur, scope), request_id)
        if linked.height:
            st.dataframe(
                view.effort_table(linked),
                hide_index=True,
                column_config=view.EFFORT_LABELS,
                key="request_efforts",
            )
        if view.may_answer(viewer):
            with st.form(f"effort_{request_id}", enter_to_submit=False):
                st.subheader("Ge stöd")
                left, right = st.columns(2)
                effort_function = left.selectbox(
                    "Stödfunktion",
                    options=functions,
                    index=functions.index(row["support_function"])
                    if row["support_function"] in functions
                    else None,
                )
                effort_type = right.selectbox(
                    "Insatstyp",
                    options=list(choices["effort_type"]),
                    format_func=choices["effort_type"].get,
                )
                start = left.date_input("Startdatum", value=view.today(), format="YYYY-MM-DD")
                end = right.date_input("Slutdatum", value=None, format="YYYY-MM-DD")
                hours = left.number_input("Timmar", min_value=0.0, step=0.5, value=None)
                effort_status = right.selectbox(
                    "Insatsens status",
                    options=list(view.EFFORT_STATUSES),
                    format_func=choices["status"].get,
                )
                if st.form_submit_button("Registrera stödet", icon=":material/add_task:"):
                    with ctx.writing("stödinsats") as wcur:
                        ok, message = view.submit_effort(
                            wcur,
                            scope,
                            {
                                "request_id": request_id,
                                "support_function": effort_function,
                                "effort_type": effort_type,
                                "status": effort_status,
                                "start_date": start,
                                "end_date": end,
                                "hours": hours,
                            },
                            viewer,
                        )
                    if ok:
                        view.flash(st.session_state, ok, message)
                        st.rerun()
                    st.error(message, icon=":material/error:")
            with st.form(f"status_{request_id}", enter_to_submit=False):
                st.subheader("Ändra ärendets status")
                statuses = list(choices["status"])
                status = st.selectbox(
                    "Ny status",
                    options=statuses,
                    index=statuses.index(row["status"]),
                    format_func=choices["status"].get,
                )
                if st.form_submit_button("Spara status", icon=":material/save:"):
                    with ctx.writing("status för stödärende") as wcur:
                        ok, message = view.submit_status(
                            wcur, scope, "support_request", request_id, status, viewer
                        )
                    if ok:
                        view.flash(st.session_state, ok, message)
                        st.rerun()
                    st.error(message, icon=":material/error:")
        effort_options = view.effort_choices(linked)
        if effort_options:
            with st.form(f"feedback_{request_id}", enter_to_submit=False):
                st.subheader("Återkoppling")
                st.caption("Överenskommen med enheten. Insatsen markeras som klar.")
                effort_id = st.selectbox(
                    "Insats", options=list(effort_options), format_func=effort_options.get
                )
                score = st.radio(
                    "Hjälpte det? (1 = inte alls, 5 = mycket)",
                    options=list(view.SCORES),
                    index=None,
                    horizontal=True,
                )
                note = st.text_input("Kort kommentar", max_chars=300)
                if st.form_submit_button("Spara återkopplingen", icon=":material/reviews:"):
                    warnings = view.text_warnings([note])
                    with ctx.writing("återkoppling på stödinsats") as wcur:
                        ok, message = view.submit_feedback(
                            wcur, scope, effort_id, score, note, viewer
                        )
                    if ok:
                        view.flash(st.session_state, ok, message, warnings)
                        st.rerun()
                    st.error(message, icon=":material/error:")

with proactive_tab:
    proactive_view.render(ctx, cur, scope, viewer, area, functions, choices)

with follow_tab:
    left, right = st.columns(2)
    days = left.number_input(
        "Utan svar efter (dagar)",
        min_value=0,
        max_value=365,
        value=register.UNANSWERED_AFTER_DAYS,
        step=1,
        key="sr_dagar",
    )
    follow_function = right.selectbox(
        "Stödfunktion", options=[view.ALL_FUNCTIONS, *functions], key="sr_uppfoljning_funktion"
    )
    function_filter = None if follow_function == view.ALL_FUNCTIONS else follow_function
    unanswered = register.unanswered(
        cur, scope, days=int(days), today=view.today(), area=area, function=function_filter
    )
    without = register.without_feedback(cur, scope, area=area, function=function_filter)
    st.caption(view.followup_caption(unanswered.height, without.height, int(days)))
    clickable = components.has_dialogue(viewer)
    st.header("Ärenden utan svar")
    if unanswered.height == 0:
        components.empty_state("Inga ärenden väntar på svar.", "")
    else:
        shown = view.unanswered_table(unanswered)
        st.dataframe(
            shown,
            hide_index=True,
            column_config=view.UNANSWERED_LABELS,
            on_select=components.dialogue_click("sr_unanswered", unanswered["unit_id"])
            if clickable
            else "ignore",
            selection_mode="single-row",
            key="sr_unanswered",
        )
        if clickable:
            st.caption("Klicka på en rad för att öppna enheten i Verksamhetsdialog.")
        components.download_buttons(
            shown, "Ärenden utan svar", labels=view.UNANSWERED_LABELS, key="unanswered"
        )
    st.header("Stöd utan överenskommen återkoppling")
    if without.height == 0:
        components.empty_state("Alla avslutade insatser har återkoppling.", "")
    else:
        shown = view.effort_table(without)
        st.dataframe(
            shown,
            hide_index=True,
            column_config=view.EFFORT_LABELS,
            on_select=components.dialogue_click("sr_without", without["unit_id"])
            if clickable
            else "ignore",
            selection_mode="single-row",
            key="sr_without",
        )
        components.download_buttons(
            shown, "Stöd utan återkoppling", labels=view.EFFORT_LABELS, key="without_feedback"
        )
    if clickable:  # the units' own dialogue actions: for the roles that hold the dialogues
        st.header("Dialogåtgärder efter sista datum")
        st.caption(
            "Överenskomna åtgärder från verksamhetsdialogerna som inte är klara fast sista datum "
            "har passerat. Listan följer område och skolform, inte stödfunktion."
        )
        late = view.overdue_actions(cur, scope, view.today(), area, ctx.filters.school_form)
        if late.height == 0:
            components.empty_state("Inga åtgärder har passerat sitt sista datum.", "")
        else:
            shown = view.overdue_actions_table(late)
            st.dataframe(
                shown,
                hide_index=True,
                on_select=components.dialogue_click("sr_late_actions", late["unit_id"]),
                selection_mode="single-row",
                key="sr_late_actions",
            )
            st.caption("Klicka på en rad för att öppna enheten i Verksamhetsdialog.")
            components.download_buttons(shown, "Dialogåtgärder efter sista datum", key="late")

with load_tab:
    view.load_section(cur, scope, area, "sr_load")

with change_tab:
    changes = view.change_table(register.changes(cur, scope))
    if changes.height == 0:
        components.empty_state("Inga ändringar i stödregistret ännu.", "")
    else:
        st.dataframe(changes, hide_index=True, column_config=view.CHANGE_LABELS, key="changes")
        last = view.last_change(changes)
        if last is not None and st.button(
            f"Ångra den senaste ändringen ({last})", icon=":material/undo:", key="sr_undo"
        ):
            with ctx.writing(f"ångra ändring {last}") as wcur:
                ok, message = view.submit_undo(wcur, scope, last, viewer)
            view.flash(st.session_state, ok, message)
            st.rerun()

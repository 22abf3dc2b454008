"""Stödregister's tab "Stöd utan ärende": proactive support, given without a request.

The issue's question "what do we do with those who do not ask for support?" has a
second half: support the functions give on their own initiative must be recorded too,
or the need-versus-support view counts those units as left alone. This tab offers:

- a form (the support role, HR and area managers: ``support_register_view.may_answer``)
  that records one effort with no request: unit, support function, kind of effort,
  dates, hours and status. It writes through ``dialogue.support_register.record_effort``
  (the importer: Swedish errors, nothing written on a broken rule, one undoable batch in
  the import log, an audit event);
- the proactive efforts the scope may see (``query.support_register.efforts`` with
  ``request_id`` null), newest first;
- the feedback agreed with the unit for one of them (every role with the page but
  leadership: a principal agrees it for their own unit).

Grain of the list: one row per live proactive effort. Streamlit only in :func:`render`.
"""

from __future__ import annotations

import polars as pl

from kompetens.core.labels import EFFORT_TYPE_LABELS
from kompetens.query import support_register as read
from kompetens.ui import support_register_view as view

NONCE = "_stodregister_proactive_form"
FORM = "proactive_effort"
FEEDBACK_FORM = "proactive_feedback"


def proactive(efforts: pl.DataFrame) -> pl.DataFrame:
    """The efforts given without a request (``request_id`` null), in the order given."""
    return efforts.filter(pl.col("request_id").is_null())


def feedback_choices(efforts: pl.DataFrame) -> dict[str, str]:
    """``{effort_id: "I-2026-0004 · Ekskolan · HR · Handledning"}`` for the feedback box."""
    return {
        r["effort_id"]: (
            f"{r['effort_id']} · {r['unit_name']} · {r['support_function']} · "
            f"{EFFORT_TYPE_LABELS.get(r['effort_type'], r['effort_type'])}"
        )
        for r in efforts.iter_rows(named=True)
    }


def form_nonce(state) -> int:
    """The number in the form's key; a save moves it on, so the form starts empty again."""
    return int(state.get(NONCE, 0))


def next_form(state) -> None:
    state[NONCE] = form_nonce(state) + 1


def form_key(state) -> str:
    return f"{FORM}_{form_nonce(state)}"


def render(ctx, cur, scope, viewer, area: str | None, functions: list[str], choices) -> None:
    """Draw the tab: the form (when the viewer may answer), the list and the feedback form."""
    import streamlit as st

    from kompetens.ui import components

    if view.may_answer(viewer):
        st.caption(
            "Stöd som stödfunktionen gett på eget initiativ, utan att enheten bett om det. "
            "Det räknas som stöd i vyn över behov och stöd (Stödbehov, Översikt)."
        )
        units = view.unit_choices(read.filing_units(cur, scope, area=area))
        key = form_key(st.session_state)
        # Unit and function have no key: their id follows their options, so a box with a
        # single option (a principal's unit, a support function's own) starts on it.
        with st.form(key, enter_to_submit=False):
            st.subheader("Registrera stöd utan ärende")
            left, right = st.columns(2)
            unit_id = components.pick_one(left, "Enhet", units, placeholder="Välj enhet")
            function = components.pick_one(
                right, "Stödfunktion", functions, placeholder="Välj stödfunktion"
            )
            effort_type = left.selectbox(
                "Insatstyp",
                options=list(choices["effort_type"]),
                format_func=choices["effort_type"].get,
                key=f"{key}_type",
            )
            status = right.selectbox(
                "Insatsens status",
                options=list(view.EFFORT_STATUSES),
                format_func=choices["status"].get,
                key=f"{key}_status",
            )
            start = left.date_input(
                "Startdatum", value=view.today(), format="YYYY-MM-DD", key=f"{key}_start"
            )
            end = right.date_input("Slutdatum", value=None, format="YYYY-MM-DD", key=f"{key}_end")
            hours = left.number_input(
                "Timmar", min_value=0.0, step=0.5, value=None, key=f"{key}_hours"
            )
            if st.form_submit_button(
                "Registrera stödet utan ärende", type="primary", icon=":material/add_task:"
            ):
                with ctx.writing("proaktiv stödinsats") as wcur:
                    ok, message = view.submit_effort(
                        wcur,
                        scope,
                        {
                            "request_id": view.PROACTIVE,
                            "unit_id": unit_id,
                            "support_function": function,
                            "effort_type": effort_type,
                            "status": status,
                            "start_date": start,
                            "end_date": end,
                            "hours": hours,
                        },
                        viewer,
                    )
                if ok:
                    next_form(st.session_state)
                    view.flash(st.session_state, ok, message)
                    st.rerun()
                st.error(message, icon=":material/error:")

    st.subheader("Stöd utan ärende")
    given = proactive(read.efforts(cur, scope, area=area))
    if given.height == 0:
        components.empty_state("Inget stöd utan ärende är registrerat i urvalet.", "")
        return
    shown = view.effort_table(given)
    st.dataframe(shown, hide_index=True, column_config=view.EFFORT_LABELS, key="sr_proactive")
    components.download_buttons(
        shown, "Stöd utan ärende", labels=view.EFFORT_LABELS, key="sr_proactive"
    )
    options = feedback_choices(given)
    with st.form(FEEDBACK_FORM, enter_to_submit=False):
        st.subheader("Återkoppling på stöd utan ärende")
        st.caption("Överenskommen med enheten. Insatsen markeras som klar.")
        effort_id = st.selectbox(
            "Insats", options=list(options), format_func=options.get, key="pr_feedback_effort"
        )
        score = st.radio(
            "Hjälpte det? (1 = inte alls, 5 = mycket)",
            options=list(view.SCORES),
            index=None,
            horizontal=True,
            key="pr_feedback_score",
        )
        note = st.text_input("Kort kommentar", max_chars=300, key="pr_feedback_note")
        if st.form_submit_button("Spara återkopplingen", icon=":material/reviews:"):
            warnings = view.text_warnings([note])
            with ctx.writing("återkoppling på proaktiv stödinsats") as wcur:
                ok, message = view.submit_feedback(wcur, scope, effort_id, score, note, viewer)
            if ok:
                view.flash(st.session_state, ok, message, warnings)
                st.rerun()
            st.error(message, icon=":material/error:")

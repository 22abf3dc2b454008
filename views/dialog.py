"""Verksamhetsdialog: one unit against its area, the organisation and its targets, with talking
points, notes and agreed actions (saved per unit and dialogue date) and last time's follow-up."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from kompetens import query
from kompetens.query import projection
from kompetens.ui import benchmark_view, components, subject_view, support_follow_view
from kompetens.ui import dialogue_view as view
from kompetens.ui.brief_downloads import render_brief_downloads
from kompetens.ui.context import page_context
from kompetens.ui.theme_view import render_dialogue_themes

ctx = page_context()
cur = ctx.cursor()
scope = ctx.scope
FLASH = "_dialog_flash"
SAVES = "_dialog_saves"
#: Who writes (the signed-in user when the frame provides one; else the login name).
USER = getattr(getattr(ctx, "viewer", None), "email", None)

st.title("Verksamhetsdialog")
st.caption(
    "Underlag för dialogen mellan verksamhetschef och rektor: enhetens nyckeltal mot området, "
    "organisationen och målen, samtalspunkter, anteckningar och överenskomna åtgärder."
)

area_names = query.areas(cur, scope)["area"].to_list()
if not area_names:
    components.empty_state("Det finns inga enheter att visa.")
    st.stop()

# ---- Choose area, then unit -------------------------------------------------------------
# The unit selectbox is bound to ?enhet=. A bound selectbox keeps its *label* in the URL
# ("Ekskolan (E1)"), so a shared link by id (?enhet=E1) or by Behörighet's label
# ("Ekskolan (Norr)") is translated to this page's label before the widget is drawn.
all_units = query.units(cur, scope)
requested = st.session_state.get("enhet") or st.query_params.get("enhet")
linked_unit = view.unit_from_param(requested, all_units)
sidebar_changed = st.session_state.get("_dialog_sidebar_area", ctx.filters.area) != ctx.filters.area
st.session_state["_dialog_sidebar_area"] = ctx.filters.area
default_area = view.default_area(
    area_names,
    sidebar_area=ctx.filters.area,
    linked_unit_area=view.area_of(all_units, linked_unit) if linked_unit else None,
    sidebar_changed=sidebar_changed,
    neediest_area=view.neediest_area(cur, scope),
)
left, right, when = st.columns([2, 3, 2])
area = left.selectbox(
    "Område",
    options=area_names,
    index=area_names.index(default_area),
    key=f"dialog_area_{ctx.filters.area}",
)
unit_frame = query.units(cur, scope, area=area, school_form=ctx.filters.school_form)
if unit_frame.height == 0:
    components.empty_state(
        f"{view.md_text(area)} har inga enheter för den valda skolformen.",
        "Välj en annan skolform eller ett annat område i sidopanelen.",
    )
    st.stop()
years = query.available_periods(cur, scope, "year")["period"].to_list()
period = ctx.filters.year or (years[-1] if years else None)
labels = view.unit_labels(unit_frame)  # unit id -> "Ekskolan (E1)"
# Without a link the page opens on the area's unit with the greatest support need.
chosen = (
    linked_unit
    if linked_unit in labels
    else view.default_unit(cur, scope, unit_frame, period) or next(iter(labels))
)
st.session_state["enhet"] = labels[chosen]
unit_label = right.selectbox(
    "Enhet", options=list(labels.values()), index=None, key="enhet", bind="query-params"
)
unit_id = view.unit_from_param(unit_label, unit_frame) or chosen
unit_names = view.unit_names(unit_frame)
dialogue_date = when.date_input(
    "Dialogens datum", value=dt.date.today(), format="YYYY-MM-DD", key="dialog_date"
)

if period is None:
    components.empty_state("Det finns inga nyckeltal ännu.", view.no_figures_hint(ctx.viewer))
    st.stop()
previous_label = query.previous_period(period)

try:
    # One gatherer for the page and the brief: figures, support-need drivers, talking points.
    talk = view.discussion_for(cur, scope, unit_id, period)
except query.ScopeError:
    st.error("Du har inte behörighet att se den här enheten.")
    st.stop()
compare = talk.compare
shown = talk.shown
series = talk.series
history = view.history(cur, scope, unit_id)

if flash := st.session_state.pop(FLASH, None):
    st.success(flash, icon=":material/check_circle:")

st.header(view.heading(unit_names[unit_id], area, period))
render_brief_downloads(
    ctx,
    unit_id,
    area,
    period=period,
    dialogue_date=dialogue_date,
    default_kind=view.default_brief_kind(history, dialogue_date),
)
if shown.height == 0:
    components.empty_state(
        f"{view.md_text(unit_names[unit_id])} har inga nyckeltal för {period}.",
        view.no_figures_hint(ctx.viewer),
    )
else:
    # ---- Key indicators: cards with value, change, area/org/target, traffic light, sparkline ----
    # One wrapping row of equal cards (frame.DIALOGUE_CARDS_STYLE): three to a row on a laptop,
    # two on a split screen or tablet, every row as high as its tallest card.
    with st.container(horizontal=True, gap="small", key="dialog_cards"):
        for row in shown.to_dicts():
            card = view.card(row, previous_label)
            values, no_line = view.sparkline(series[row["indicator_id"]], period)
            with st.container(border=True, key=f"dialog_card_{row['indicator_id']}"):
                st.caption(card["phase"])
                st.markdown(f"**{card['name']}**", help=card["help"])
                # The metric's own sparkline (the unit's trend; left out, with a note, when a
                # hidden value would break it): a Plotly figure per card (charts.sparkline)
                # costs ~14 ms each, ~0.2 s per run.
                st.metric(
                    card["name"],
                    card["value"],
                    delta=card["delta"],
                    delta_color=card["delta_colour"],
                    delta_arrow=card["delta_arrow"],
                    label_visibility="collapsed",
                    chart_data=values,
                    chart_type="line",
                )
                if no_line:
                    st.caption(no_line)
                st.markdown(components.status_text(row["status"]))
                st.caption(card["comparison"] + (f" · {card['rank']}" if card["rank"] else ""))
                benchmark_view.card_comparison(st, cur, scope, row["indicator_id"], period, unit_id)

    # ---- Outlook: the certified share 5 years ahead at the observed pace (as in the brief) ----
    for line in projection.unit_outlook(cur, scope, unit_id):
        st.markdown(f":material/trending_up: **Prognos:** {line}")

    # ---- The unit's three largest subject gaps (teaching assignments; none without them) ------
    subject_gaps = subject_view.gap_lines(query.largest_subject_gaps(cur, scope, unit_id, period))
    if subject_gaps:
        st.markdown("**Största ämnesgapen:** " + "; ".join(subject_gaps) + ".")

    # ---- Support need: what drives the unit's index ---------------------------------------
    if talk.support is not None:
        st.header("Vad driver enhetens stödbehov")
        st.caption(view.support_caption(talk.support))
        if talk.support.drivers:
            # A static table: the explanations ("dold (färre än 5)", the gap in FTE) wrap.
            st.table(
                view.support_table(talk.support, compare).rename(view.SUPPORT_LABELS),
                hide_index=True,
            )

    # ---- Talking points (the same function and inputs as the brief) -----------------------
    st.header("Samtalspunkter")
    with st.container(key="dialog_talking_points"):
        for point in talk.points:
            st.text(f"• {point.text}")
    st.caption(
        "Genererade ur siffrorna: stödbehovets största delar, störst avstånd till målet, största "
        "förändringarna mot året innan, placering i området och trender. Värden som bygger på "
        "färre än fem personer används aldrig. Samma punkter står i underlaget (PDF och Excel)."
    )

    with st.expander("Alla nyckeltal som tabell"):
        table = view.display_table(compare)
        st.dataframe(table.rename(view.TABLE_LABELS), hide_index=True, width="stretch")
        components.download_buttons(
            table,
            f"Dialog {unit_names[unit_id]} {period}",
            labels=view.TABLE_LABELS,
            key="dialog_table",
        )

# ---- The support the unit asked for and received (the support register) --------------------
support_follow_view.unit_support_section(cur, scope, unit_id, unit_names[unit_id])

# ---- Follow-up of the previous dialogue's actions ------------------------------------------
st.header("Uppföljning av förra dialogens åtgärder")
previous_date, follow_up = view.follow_up(cur, scope, unit_id, dialogue_date)
if previous_date is None or follow_up.height == 0:
    st.info(
        "Det finns inga åtgärder från en tidigare dialog med enheten att följa upp.",
        icon=":material/info:",
    )
else:
    st.caption(
        f"Åtgärder från dialogen {previous_date.isoformat()} och äldre åtgärder som ännu inte är klara. "
        "Ändra status och spara."
    )
    with st.form(f"follow_up_{unit_id}", border=False):
        edited = st.data_editor(
            view.action_table(follow_up),
            hide_index=True,
            width="stretch",
            disabled=["id", "dialogue_date", "action", "owner", "due_date"],
            placeholder="–",  # an action without an owner or a date: a dash, not "None"
            column_config={
                "id": st.column_config.NumberColumn("Nr", width="small"),
                "dialogue_date": st.column_config.DateColumn("Dialog", format="YYYY-MM-DD"),
                "action": st.column_config.TextColumn("Åtgärd", width="large"),
                "owner": st.column_config.TextColumn("Ansvarig"),
                "due_date": st.column_config.DateColumn("Klart senast", format="YYYY-MM-DD"),
                "status": st.column_config.SelectboxColumn(
                    "Status", options=list(view.STATUS_OPTIONS), required=True
                ),
            },
            key=f"follow_up_editor_{unit_id}",
        )
        if st.form_submit_button("Spara status", icon=":material/task_alt:"):
            try:
                with ctx.writing("status för åtgärder") as wcur:
                    confirmation = view.save_statuses(wcur, scope, follow_up, edited, user=USER)
            except query.ScopeError:
                st.error("Du har inte behörighet att ändra åtgärder för den här enheten.")
            else:
                st.session_state[FLASH] = confirmation
                st.rerun()

# ---- This dialogue: notes and agreed actions -------------------------------------------------
# One form: notes and every action field (text, owner, due date) are sent together when saved.
# The widgets get new keys after a save, so they show what is saved (the notes) or are empty
# again (the action rows), whatever the browser kept.
st.header("Anteckningar och överenskomna åtgärder")
saves = st.session_state.get(SAVES, 0)
rows_key = f"_dialog_action_rows_{unit_id}"
n_rows = st.session_state.get(rows_key, view.NEW_ACTION_ROWS)
form_key = f"{unit_id}_{dialogue_date.isoformat()}_{saves}"
with st.form(f"dialogue_{form_key}", clear_on_submit=False, enter_to_submit=False):
    notes = st.text_area(
        f"Anteckningar från dialogen {dialogue_date.isoformat()}",
        value=view.saved_notes(cur, scope, unit_id, dialogue_date),
        height=200,
        placeholder="Vad kom ni fram till?",
        key=f"dialog_notes_{form_key}",
    )
    st.caption(
        "Skriv om verksamheten, inte om enskilda medarbetare: inga namn, personnummer eller "
        "hälsouppgifter. Nya åtgärder (tomma rader sparas inte; datum skrivs ÅÅÅÅ-MM-DD):"
    )
    texts_, owners, dates = [], [], []
    for i in range(n_rows):
        what, who, due = st.columns([5, 2, 2])
        texts_.append(
            what.text_input(
                f"Åtgärd {i + 1}", key=f"dialog_action_{form_key}_{i}", placeholder="Vad ska göras?"
            )
        )
        owners.append(
            who.text_input(
                "Ansvarig", key=f"dialog_owner_{form_key}_{i}", placeholder="t.ex. rektor"
            )
        )
        dates.append(
            due.date_input(
                "Klart senast",
                value=None,
                format="YYYY-MM-DD",
                min_value=dt.date(2000, 1, 1),
                max_value=dt.date(2100, 12, 31),
                key=f"dialog_due_{form_key}_{i}",
                help="Skriv datumet som ÅÅÅÅ-MM-DD, t.ex. 2027-02-28, eller välj i kalendern.",
            )
        )
    submitted = st.form_submit_button("Spara dialogen", type="primary", icon=":material/save:")
if st.button("Fler rader för åtgärder", icon=":material/add:", key=f"dialog_more_{unit_id}"):
    st.session_state[rows_key] = n_rows + view.NEW_ACTION_ROWS
    st.rerun()
if submitted:
    try:
        with ctx.writing("dialoganteckning") as wcur:
            confirmation = view.save(
                wcur,
                scope,
                unit_id,
                dialogue_date,
                notes,
                view.entry_rows(texts_, owners, dates),
                user=USER,
            )
    except query.ScopeError:
        st.error("Du har inte behörighet att spara dialoger för den här enheten.")
    except ValueError as exc:
        st.warning(f"Inget sparades: {view.md_text(str(exc))}.")
    else:
        st.session_state[SAVES] = saves + 1
        st.session_state.pop(rows_key, None)
        st.session_state[FLASH] = confirmation
        st.rerun()

render_dialogue_themes(ctx, cur, scope, unit_id, dialogue_date)

# ---- History: every saved dialogue in full (notes and actions as plain text) -----------------
st.header("Tidigare dialoger")
if history.height == 0:
    st.info("Inga dialoger är sparade för enheten ännu.", icon=":material/info:")
else:
    all_actions = view.all_actions(cur, scope, unit_id)
    for number, record in enumerate(history.iter_rows(named=True)):
        with st.expander(view.dialogue_title(record), expanded=number == 0):
            if record["notes"]:
                st.text(record["notes"])
            else:
                st.caption("Inga anteckningar sparades.")
            lines = view.action_lines(all_actions, record["dialogue_date"])
            if lines:
                st.caption("Överenskomna åtgärder")
                for line in lines:
                    st.text(f"☐ {line}" if not line.endswith("· klar") else f"☑ {line}")
    table = view.history_table(history)
    st.caption("Ladda ner alla dialoger med enheten:")
    components.download_buttons(
        table, f"Dialoger {unit_names[unit_id]}", labels=view.HISTORY_LABELS, key="dialog_history"
    )
    if all_actions.height:
        actions_table = view.action_table(all_actions)
        st.caption("Ladda ner alla åtgärder med enheten:")
        components.download_buttons(
            actions_table,
            f"Åtgärder {unit_names[unit_id]}",
            labels=view.ACTION_LABELS,
            key="dialog_actions_all",
        )

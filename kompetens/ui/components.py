"""Reusable page pieces: headline cards, status markers, empty states, downloads.

Everything here renders frames the query layer already scoped and suppressed;
no SQL and no Polars logic beyond picking columns to show.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Mapping, Sequence

import duckdb
import polars as pl
import streamlit as st

from kompetens.core.labels import (
    SCHOOL_FORM_LABELS,
    TARGET_STATUS_LABELS,
    TARGET_STATUS_LEGEND,
    TARGET_STATUS_SYMBOLS,
)
from kompetens.core.progress import Progress, as_line
from kompetens.indicators import registry
from kompetens.present import exports
from kompetens.present.formatting import delta_style, fmt_delta, fmt_value, md_text, value_texts
from kompetens.query import previous_period

_STATUS_BADGES: dict[str | None, str] = {
    "green": "green-background",
    "yellow": "yellow-background",
    "red": "red-background",
    None: "gray-background",
}
#: A coloured badge with a symbol and the words (Streamlit markdown), per traffic-light status.
STATUS_LABELS: dict[str | None, str] = {
    status: f":{badge}[{TARGET_STATUS_SYMBOLS[status]} {TARGET_STATUS_LABELS[status]}]"
    for status, badge in _STATUS_BADGES.items()
}
#: The traffic light explained, for a caption under the cards.
STATUS_LEGEND = TARGET_STATUS_LEGEND
_LOG = logging.getLogger(__name__)
STATUS_SHORT: dict[str | None, str] = {"green": "🟢", "yellow": "🟡", "red": "🔴", None: "⚪"}


def indicator_name(indicator_id: str) -> str:
    return registry.get(indicator_id).name_sv


def indicator_unit(indicator_id: str) -> str:
    return registry.get(indicator_id).unit


def status_text(status: str | None) -> str:
    """A colour dot plus words (never colour alone: readable for colour-blind users and on paper)."""
    return STATUS_LABELS.get(status, STATUS_LABELS[None])


def headline_card(column, row: Mapping, *, period_label: str | None = None) -> None:
    """One metric card: value, change vs a year earlier (direction-aware colour), target and status."""
    indicator = registry.get(row["indicator_id"])
    suppressed = bool(row.get("suppressed"))
    value = fmt_value(row.get("value"), indicator, suppressed=suppressed)
    change = row.get("change")
    delta = None if change is None or suppressed else fmt_delta(change, indicator)
    delta_colour, delta_arrow = delta_style(change if delta else None, indicator.direction, delta)
    period = period_label or row.get("period")
    with column.container(border=True):
        # The delta stays short (a narrow card cuts it off); what it compares with is in the caption.
        st.metric(
            indicator.name_sv,
            value,
            delta=delta,
            delta_color=delta_colour,
            delta_arrow=delta_arrow,
            help=indicator.description,
        )
        target = row.get("target")
        parts = [status_text(row.get("status"))]
        if target is not None:
            parts.append(f"mål {fmt_value(target, indicator)}")
        if period:
            compared = f", ändring mot {previous_period(str(period))}" if delta else ""
            parts.append(f"{period}{compared}")
        st.caption(" · ".join(parts))


def headline_card_or_gap(column, indicator_id: str, row: Mapping | None) -> None:
    """``headline_card``, or a card that says there are no figures for the period when ``row`` is None."""
    if row is None:
        with column.container(border=True):
            st.metric(indicator_name(indicator_id), "–")
            st.caption("Inga uppgifter för perioden")
        return
    headline_card(column, row)


def set_session_values(values: Mapping[str, object]) -> None:
    """Put widget values into session state (a button's ``on_click``, e.g. "reset the weights")."""
    for key, value in values.items():
        st.session_state[key] = value


#: Said instead of import advice to a role without the Import page.
ASK_HR = "Uppgifterna importeras av HR – kontakta HR om de saknas."
DEFAULT_IMPORT_ADVICE = (
    "Importera data på sidan **Import** eller bygg demodata med `uv run kompetens demo`."
)


def progress_bar(start: str, where=None) -> Progress:
    """A progress bar (in ``where``, default the page) and the ``Progress`` that moves it.

    Messages are shown as text, never markdown (they can hold a file's name), each starting
    with a capital letter (the engine's steps are written as parts of a line: "läser data").
    """
    bar = (where or st).progress(0.0, text=md_text(start))

    def progress(fraction: float, message: str = "") -> None:
        bar.progress(max(0.0, min(1.0, fraction)), text=md_text(as_line(message or start)))

    return progress


def may_import(viewer=None) -> bool:
    """Whether the viewer's role (default: the signed-in viewer) has the Import page."""
    from kompetens.access.auth import ROLE_PAGES
    from kompetens.ui.context import current_viewer

    viewer = viewer if viewer is not None else current_viewer()
    return "import" in ROLE_PAGES.get(getattr(viewer, "role", None) or "", ())


def import_hint(advice: str, viewer=None, *, otherwise: str = ASK_HR) -> str:
    """``advice`` (which names the Import page) for a role that has that page, ``otherwise``
    for the others: advice names only pages the role can open."""
    return advice if may_import(viewer) else otherwise


def empty_state(what: str, how: str | None = None) -> None:
    """Explain what is missing and how to get it, instead of an error or an empty chart.

    Without ``how``: import advice for a role with the Import page, else who to ask.
    """
    how = how if how is not None else import_hint(DEFAULT_IMPORT_ADVICE)
    st.info(f"**{what}**\n\n{how}", icon=":material/info:")


def _file_stem(name: str) -> str:
    return re.sub(r"[^0-9A-Za-zÅÄÖåäö_-]+", "_", name).strip("_") or "tabell"


def audited_download(
    build: Callable[[], bytes], action: str | None, target: str, file_format: str
) -> Callable[[], bytes]:
    """A download button's ``data``: ``build`` made on the click, and the download audited then.

    Streamlit runs it on a server thread when the button is clicked, outside
    any script run, so who is downloading is read now, while the page is
    drawn. Pair it with ``on_click="ignore"``: the click then costs no rerun,
    which would give the page's other download buttons new ids (a click on
    one of them before the browser had the new ids would get no file).
    ``action`` None: no audit event.
    """
    if action is None:
        return build
    from kompetens.ui.context import (
        CONTEXT_KEY,
        audit_user,
        current_viewer,
        default_db_path,
        log_event,
    )

    context = st.session_state.get(CONTEXT_KEY)
    viewer = current_viewer()
    db_path = getattr(context, "db_path", None) or default_db_path()
    user = audit_user(viewer)
    role = getattr(viewer, "role", None)

    def data() -> bytes:
        payload = build()
        try:
            log_event(db_path, user, action, target, {"format": file_format}, role=role)
        except (duckdb.Error, OSError):  # never fail the download for the log
            _LOG.exception("could not write the audit event %s %s", action, target)
        return payload

    return data


def download_buttons(
    frame: pl.DataFrame,
    name: str,
    *,
    suppressible: Sequence[str] = (),
    labels: Mapping[str, str] | None = None,
    formats: Mapping[str, str] | None = None,
    key: str | None = None,
    audit_action: str | None = "export",
) -> None:
    """CSV and Excel downloads of a table, with suppression applied (``..``) as on screen.

    Every download is written to the audit log as ``audit_action`` (default
    ``export``; ``None`` logs nothing) with the table name and format, when
    the click makes the file (:func:`audited_download`).
    """
    stem = _file_stem(name)

    # A horizontal row sized to its buttons: fixed column shares cut "Ladda ner …" on a narrow screen.
    row = st.container(horizontal=True, gap="small")
    row.download_button(
        "Ladda ner CSV",
        # A callable: the file is built only when someone clicks, not on every script run.
        data=audited_download(
            lambda: exports.to_csv_bytes(frame, suppressible=suppressible, labels=labels),
            audit_action,
            name,
            "csv",
        ),
        file_name=f"{stem}.csv",
        mime="text/csv",
        icon=":material/download:",
        key=f"{key or stem}_csv",
        on_click="ignore",
        width="content",
    )
    row.download_button(
        "Ladda ner Excel",
        data=audited_download(
            lambda: exports.to_excel_bytes(
                {name[:31]: frame}, suppressible=suppressible, labels=labels, formats=formats
            ),
            audit_action,
            name,
            "xlsx",
        ),
        file_name=f"{stem}.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        icon=":material/table:",
        key=f"{key or stem}_xlsx",
        on_click="ignore",
        width="content",
    )


SUPPORT_TABLE_LABELS: dict[str, str] = {
    "rank": "Rang",
    "unit_id": "Enhets-id",
    "unit_name": "Enhet",
    "area": "Område",
    "school_form": "Skolform",
    "score": "Stödbehov (0–100)",
    "drivers": "Drivs främst av",
}


def support_ranking_table(
    ranked: pl.DataFrame, *, key: str, decimals: int = 0, viewer=None
) -> None:
    """The ranked support-need table (Översikt's top ten and Stödbehov's full list).

    ``ranked``: ``unit_id, rank, unit_name, area, school_form, score, drivers`` (school form
    as a code). For a ``viewer`` whose role has the Verksamhetsdialog, a click on a row
    opens the dialogue on that unit.
    """
    follow_unit_click()
    clickable = has_dialogue(viewer)
    # The score as Swedish text (``82,0``): Streamlit's number formats write a decimal point.
    kind = "decimal1" if decimals else "integer"
    shown = ranked.with_columns(
        ranked["school_form"].replace(SCHOOL_FORM_LABELS),
        pl.Series("score", value_texts(ranked["score"].to_list(), kind)),
    )
    st.dataframe(
        shown,
        hide_index=True,
        column_order=["rank", "unit_name", "area", "school_form", "score", "drivers"],
        column_config={
            "rank": st.column_config.NumberColumn(SUPPORT_TABLE_LABELS["rank"], format="%d"),
            "unit_name": SUPPORT_TABLE_LABELS["unit_name"],
            "area": SUPPORT_TABLE_LABELS["area"],
            "school_form": SUPPORT_TABLE_LABELS["school_form"],
            "score": st.column_config.TextColumn(SUPPORT_TABLE_LABELS["score"], alignment="right"),
            "drivers": SUPPORT_TABLE_LABELS["drivers"],
        },
        on_select=dialogue_click(key, ranked["unit_id"]) if clickable else "ignore",
        selection_mode="single-row",
        key=key,
    )
    if clickable:
        st.caption("Klicka på en rad för att öppna enheten i Verksamhetsdialog.")


# ---- click-through: a unit's bar or row opens that unit ---------------------------------

_DIALOGUE_REQUEST = "_open_unit_in_dialogue"


def opens_dialogue(viewer) -> bool:
    """Whether a click on a unit opens the Verksamhetsdialog (the role whose home page it is:
    the area manager) rather than the unit's detail on the same page."""
    from kompetens.access.auth import ROLE_PAGES

    pages = ROLE_PAGES.get(getattr(viewer, "role", None) or "", ())
    return bool(pages) and pages[0] == "dialog"


def unit_click(viewer, source_key: str, target_key: str, unit_ids: Sequence[str]):
    """An ``on_select`` callback for a table or chart of units (``source_key`` is its widget key).

    The clicked unit (``competence_views.unit_of_selection``) is put into the widget
    ``target_key`` (the page's unit choice); for a role that opens the dialogue,
    ``follow_unit_click`` then switches page. A callback runs only when the
    selection changes, so a later choice in the unit box is not overridden.
    """
    from kompetens.ui.competence_views import unit_of_selection

    ids = list(unit_ids)
    dialogue = opens_dialogue(viewer)

    def apply() -> None:
        state = st.session_state.get(source_key)
        selection = state.get("selection") if state is not None else None
        unit = unit_of_selection(selection, ids)
        if unit is None:
            return
        # The unit goes into the unit choice either way: the dialogue page reads it (by id)
        # from the same key, ``enhet``, on its first run after the switch.
        st.session_state[target_key] = unit
        if dialogue:
            st.session_state[_DIALOGUE_REQUEST] = unit

    return apply


def follow_unit_click() -> None:
    """Open the page a click on a unit asked for (``unit_click``, ``unit_page_click``), if any:
    the Verksamhetsdialog, or Behörighet's unit detail."""
    # The unit travels in session state (``unit_click``): the page's ``?enhet=`` is bound to
    # its unit box and cannot be set directly. An empty mapping (not None) replaces the query
    # string without the clear() that bound parameters refuse; the sidebar's bound filters
    # write themselves back on the new page.
    if st.session_state.pop(_DIALOGUE_REQUEST, None):
        st.switch_page("views/dialog.py", query_params={})
    if st.session_state.pop(_DETAIL_REQUEST, None):
        st.switch_page("views/behorighet.py", query_params={})


_DETAIL_REQUEST = "_open_unit_in_behorighet"
#: Set for one run of Behörighet after a click elsewhere opened a unit there: the staff
#: category to show (the page's category control takes it as its default; setting the bound
#: widget's state directly would warn about a default and a session value at once).
OPENED_UNIT = "_opened_unit_category"
#: School form -> the staff category whose certification Behörighet shows for it.
CERTIFICATION_CATEGORY_OF_FORM: dict[str, str] = {
    "forskola": "preschool_teacher",
    "grundskola": "teacher",
    "gymnasieskola": "teacher",
    "anpassad_grundskola": "teacher",
    "anpassad_gymnasieskola": "teacher",
}


def unit_page_click(
    viewer, source_key: str, unit_ids: Sequence[str], school_forms: Sequence[str | None]
):
    """An ``on_select`` callback for a chart or table of units on a page without a unit detail
    (ARUBA): the clicked unit opens in the Verksamhetsdialog for the role whose home it is
    (area managers), else in Behörighet's unit detail (a school's teachers, a preschool's
    preschool teachers). A unit Behörighet does not cover (a central unit, a leisure-time
    centre) opens in the dialogue when the role has it; otherwise a note says why nothing opened.
    """
    from kompetens.ui.competence_views import unit_of_selection

    ids = list(unit_ids)
    forms = dict(zip(ids, school_forms, strict=True))
    dialogue, can_dialogue = opens_dialogue(viewer), has_dialogue(viewer)

    def apply() -> None:
        state = st.session_state.get(source_key)
        unit = unit_of_selection(state.get("selection") if state is not None else None, ids)
        if unit is None:
            return
        category = CERTIFICATION_CATEGORY_OF_FORM.get(forms.get(unit) or "")
        if dialogue or (category is None and can_dialogue):
            st.session_state["enhet"] = unit
            st.session_state[_DIALOGUE_REQUEST] = unit
        elif category is not None:
            st.session_state["enhet"] = unit
            st.session_state[_DETAIL_REQUEST] = unit
            st.session_state[OPENED_UNIT] = category
        else:
            st.toast("Enheten har ingen egen vy i Behörighet (ingen skola eller förskola).")

    return apply


def unit_click_caption(viewer, what: str = "en stapel eller en rad") -> str:
    """What a click on a unit opens, for the caption under a chart or table (``unit_page_click``)."""
    if opens_dialogue(viewer):
        return f"Klicka på {what} för att öppna enheten i Verksamhetsdialog."
    return f"Klicka på {what} för att öppna enheten i Behörighet."


def has_dialogue(viewer) -> bool:
    """Whether the viewer's role has the Verksamhetsdialog page."""
    from kompetens.access.auth import ROLE_PAGES

    return "dialog" in ROLE_PAGES.get(getattr(viewer, "role", None) or "", ())


def dialogue_click(source_key: str, unit_ids: Sequence[str]):
    """An ``on_select`` callback: the clicked unit opens in the Verksamhetsdialog (``follow_unit_click``)."""
    from kompetens.ui.competence_views import unit_of_selection

    ids = list(unit_ids)

    def apply() -> None:
        state = st.session_state.get(source_key)
        unit = unit_of_selection(state.get("selection") if state is not None else None, ids)
        if unit is not None:
            st.session_state["enhet"] = unit
            st.session_state[_DIALOGUE_REQUEST] = unit

    return apply


def name_and_save(
    ctx,
    key: str,
    save: Callable[[duckdb.DuckDBPyConnection, str], object],
    *,
    name_key: str,
    label: str,
    placeholder: str,
    button: str,
    what: str,
    value: str = "",
    max_chars: int | None = None,
):
    """A one-line form: a name and a save button, as the saved scenarios use it.

    On submit, ``save(cursor, name)`` runs under ``ctx.writing(what)`` (the one writer); a
    ``ValueError`` or ``ScopeError`` (Swedish by contract) is shown as an error. Returns what
    ``save`` returned, or ``None`` when nothing was saved. ``key`` is the form's key,
    ``name_key`` the name field's.
    """
    from kompetens.access.scope import ScopeError
    from kompetens.present.formatting import md_text

    with st.form(key, border=False, enter_to_submit=False):
        left, right = st.columns([3, 1], vertical_alignment="bottom")
        name = left.text_input(
            label, value=value, max_chars=max_chars, placeholder=placeholder, key=name_key
        )
        submitted = right.form_submit_button(button, icon=":material/save:")
    if not submitted:
        return None
    try:
        with ctx.writing(what) as wcur:
            return save(wcur, name)
    except (ValueError, ScopeError) as problem:
        st.error(md_text(str(problem)), icon=":material/error:")
        return None


def pick_one(where, label: str, options: Sequence | Mapping, *, placeholder: str, key=None):
    """A selectbox that preselects the only option and otherwise asks (no silent default).

    ``options``: the values, or a mapping of value -> Swedish label. ``where`` is ``st`` or a
    column. Returns the picked value, or ``None`` while nothing is picked.
    """
    values = list(options)
    return where.selectbox(
        label,
        options=values,
        format_func=options.get if isinstance(options, Mapping) else str,
        index=0 if len(values) == 1 else None,
        placeholder=placeholder,
        key=key,
    )

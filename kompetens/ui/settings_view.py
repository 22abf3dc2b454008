"""The Admin page's settings: the retirement age (``kompetens.ops.settings``) and the
support register's lists (``kompetens.core.support_register``).

Saving a new age recomputes every key figure with it, under the writer lock; the
projection, its retirement timeline and the retirement forecast then use it. A value
added to the support register's topics or support functions is valid in the form and
in imported files from then on (the importer's message for an unknown value points
here: ``SUPPORT_LISTS_PLACE``); it is written to the audit log as a changed setting.
"""

from __future__ import annotations

import streamlit as st

from kompetens.access import audit
from kompetens.core import support_register as support_lists
from kompetens.ops import settings as ops_settings
from kompetens.present.formatting import md_text
from kompetens.query import projection as qp
from kompetens.ui.context import audit_user

_FLASH = "_admin_settings_flash"
_LISTS_FLASH = "_admin_lists_flash"


def retirement_age_section(ctx, cur) -> None:
    """The retirement age: the current setting, a field to change it, and the recompute."""
    if flash := st.session_state.pop(_FLASH, None):
        st.success(flash, icon=":material/check_circle:")
    current = qp.retirement_age(cur)
    low, high = ops_settings.RETIREMENT_AGE_RANGE
    st.caption(
        "Pensionsåldern används för prognosen över andelen behöriga, pensionsavgångarna per år "
        "och nyckeltalet Når pensionsålder inom fem år. När den ändras räknas alla nyckeltal om "
        "(det kan ta någon minut)."
    )
    with st.form("admin_settings", border=True):
        age = st.number_input(
            "Pensionsålder (år)",
            min_value=low,
            max_value=high,
            value=int(current),
            step=1,
            key="admin_pensionsalder",
        )
        submitted = st.form_submit_button("Spara och räkna om", icon=":material/save:")
    if not submitted:
        return
    viewer = getattr(ctx, "viewer", None)
    user = audit_user(viewer)
    try:
        with (
            st.spinner("Räknar om nyckeltalen med den nya pensionsåldern …"),
            ctx.writing("pensionsålder") as wcur,
        ):
            changed = ops_settings.set_retirement_age(
                wcur, int(age), user, role=getattr(viewer, "role", None)
            )
    except ValueError as problem:
        st.error(md_text(str(problem)), icon=":material/error:")
        return
    st.session_state[_FLASH] = (
        f"Pensionsåldern är nu {int(age)} år; nyckeltalen är omräknade."
        if changed
        else f"Pensionsåldern är redan {int(age)} år; inget ändrades."
    )
    st.rerun()


def add_list_value(conn, list_name: str, value: str, viewer) -> str:
    """Add ``value`` to a support register list and log it; returns the Swedish confirmation.

    ``ValueError`` (Swedish) for an empty value or one already on the list (nothing written).
    """
    added = support_lists.add_list_value(conn, list_name, value, user=audit_user(viewer))
    _log_list_change(conn, viewer, list_name, "tillagt", added)
    return f"{added} är tillagt i listan {support_lists.LIST_LABELS[list_name].lower()}."


def remove_list_value(conn, list_name: str, value: str, viewer) -> str:
    """Remove an added, unused value from a support register list and log it; returns the
    Swedish confirmation. ``ValueError`` (Swedish) when it cannot go (nothing written)."""
    removed = support_lists.remove_list_value(conn, list_name, value)
    _log_list_change(conn, viewer, list_name, "borttaget", removed)
    return f"{removed} är borttaget ur listan {support_lists.LIST_LABELS[list_name].lower()}."


def _log_list_change(conn, viewer, list_name: str, change: str, value: str) -> None:
    """One audit event for a value added to (``'tillagt'``) or removed from (``'borttaget'``) a list."""
    audit.log_event(
        conn,
        audit_user(viewer),
        audit.SETTING_CHANGED,
        target=f"support_{list_name}",
        details={"lista": support_lists.LIST_LABELS[list_name], change: value},
        role=getattr(viewer, "role", None),
    )


def support_lists_section(ctx, cur) -> None:
    """The support register's two lists as they stand, and a form to add a value to one."""
    st.subheader(support_lists.LISTS_PLACE_TITLE)
    if flash := st.session_state.pop(_LISTS_FLASH, None):
        st.success(md_text(flash), icon=":material/check_circle:")
    st.caption(
        "Ämnen och stödfunktioner som stödärenden och insatser kan ha, i formuläret och i "
        "importerade filer. Ett tillagt värde kan tas bort så länge inget ärende eller ingen "
        "insats använder det (t.ex. ett felstavat värde)."
    )
    left, right = st.columns(2)
    for column, list_name in ((left, support_lists.TOPIC), (right, support_lists.FUNCTION)):
        column.markdown(f"**{support_lists.LIST_LABELS[list_name]}**")
        column.text(", ".join(support_lists.list_values(cur, list_name)))
    with st.form("admin_support_lists", border=True, clear_on_submit=True):
        list_name = st.selectbox(
            "Lista",
            options=list(support_lists.LIST_LABELS),
            format_func=support_lists.LIST_LABELS.get,
            key="admin_lista",
        )
        value = st.text_input("Nytt värde", max_chars=60, key="admin_listvarde")
        submitted = st.form_submit_button("Lägg till", icon=":material/add:")
    if submitted:
        try:
            with ctx.writing("stödregistrets listor") as wcur:
                message = add_list_value(wcur, list_name, value, getattr(ctx, "viewer", None))
        except ValueError as problem:
            st.error(md_text(f"Lades inte till: {problem}."), icon=":material/error:")
        else:
            st.session_state[_LISTS_FLASH] = message
            st.rerun()
    added = {
        (name, v): f"{v} ({support_lists.LIST_LABELS[name].lower()})"
        for name in support_lists.LIST_LABELS
        for v in support_lists.removable_values(cur, name)
    }
    if not added:
        return
    with st.form("admin_support_lists_remove", border=True, clear_on_submit=True):
        picked = st.selectbox(
            "Ta bort ett tillagt värde",
            options=list(added),
            format_func=added.get,
            index=None,
            placeholder="Välj värde",
            key="admin_listvarde_bort",
        )
        remove = st.form_submit_button("Ta bort", icon=":material/delete:")
    if not remove:
        return
    if picked is None:
        st.error("Välj ett värde att ta bort.", icon=":material/error:")
        return
    try:
        with ctx.writing("stödregistrets listor") as wcur:
            message = remove_list_value(wcur, *picked, getattr(ctx, "viewer", None))
    except ValueError as problem:
        st.error(md_text(f"Togs inte bort: {problem}."), icon=":material/error:")
        return
    st.session_state[_LISTS_FLASH] = message
    st.rerun()

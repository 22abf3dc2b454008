"""The Admin page's settings: the retirement age (``kompetens.ops.settings``).

Saving a new age recomputes every key figure with it, under the writer lock; the
projection, its retirement timeline and the retirement forecast then use it.
"""

from __future__ import annotations

import streamlit as st

from kompetens.ops import settings as ops_settings
from kompetens.present.formatting import md_text
from kompetens.query import projection as qp

_FLASH = "_admin_settings_flash"


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
    user = getattr(viewer, "email", None) or "okänd"
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

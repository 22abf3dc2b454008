"""Saved scenarios on the Prognos page: pick one (a link reopens it), save, delete, compare.

Grain: one saved scenario (``kompetens.query.projection_scenarios``) = a name, the scope
its levers act on (``org``, ``area:<area>``, ``unit:<unit id>``: the page's scope keys) and
the levers. Picking one writes its levers into the sliders' session state *before* the
sliders are drawn, once per pick; the pick itself is bound to the address
(``?prognos_scenario=<name>``), so a copied link reopens the scenario.
"""

from __future__ import annotations

from urllib.parse import quote

import streamlit as st

from kompetens.access.scope import ScopeError
from kompetens.analysis.projection import Scenario
from kompetens.present.formatting import md_text
from kompetens.query import projection_scenarios as qps
from kompetens.ui import components
from kompetens.ui.context import audit_user
from kompetens.ui.projection_view import KEYS

#: The saved-scenario pick (bound to the address) and its session keys.
PICK = "prognos_scenario"
_LOADED = "_prognos_scenario_loaded"
_PENDING = "_prognos_scenario_pending"
_FLASH = "_prognos_scenario_flash"


def slider_state(saved: qps.SavedScenario, stored_age: int) -> dict:
    """The sliders' session-state values (``projection_view.KEYS``) that reproduce a saved scenario."""
    s = saved.scenario
    own = s.certified_hire_share is not None
    return {
        KEYS["scope"]: saved.scope_key,
        KEYS["turnover"]: round(s.turnover_delta * 200) / 2,  # fraction -> pp in half steps
        KEYS["own_hire_share"]: own,
        KEYS["hire_share"]: int(round((s.certified_hire_share or 0.5) * 100)),
        KEYS["places"]: int(round(s.extra_path_places)),
        KEYS["age"]: int(s.retirement_age or stored_age),
        KEYS["growth"]: round(s.fte_growth * 200) / 2,
    }


def same_levers(a: Scenario, b: Scenario) -> bool:
    """Whether two scenarios have the same levers (names and scope aside)."""
    return (
        abs(a.turnover_delta - b.turnover_delta) < 1e-9
        and a.certified_hire_share == b.certified_hire_share
        and abs(a.extra_path_places - b.extra_path_places) < 1e-9
        and a.retirement_age == b.retirement_age
        and abs(a.fte_growth - b.fte_growth) < 1e-9
    )


def link(name: str) -> str:
    """The page's address that reopens a saved scenario (relative to the app)."""
    return f"prognos?{PICK}={quote(name, safe='')}"


def pick_saved(cur, scope, stored_age: int) -> qps.SavedScenario | None:
    """The saved-scenario select box (bound to the address); loads a newly picked one into the sliders.

    Call it before the scope box and the sliders are drawn.
    """
    pending = st.session_state.pop(_PENDING, None)
    if pending is not None:  # a name just saved, or "" after a delete
        st.session_state[PICK] = pending or None
    names = qps.list_scenarios(cur, scope)["name"].to_list()
    requested = st.query_params.get(PICK)
    if requested and requested not in names and st.session_state.get(PICK) is None:
        st.warning(
            f"Scenariot {md_text(requested)} finns inte, eller gäller något utanför din "
            "behörighet. Prognosen visas i nuvarande takt.",
            icon=":material/warning:",
        )
    if not names:
        return None
    picked = st.selectbox(
        "Sparat scenario",
        names,
        index=None,
        placeholder="Välj ett sparat scenario (eller ställ in reglagen nedan)",
        key=PICK,
        bind="query-params",
    )
    if picked is None:
        st.session_state.pop(_LOADED, None)
        return None
    try:
        saved = qps.get_scenario(cur, scope, picked)
    except ScopeError:
        return None
    if saved is None:
        return None
    if st.session_state.get(_LOADED) != saved.name:
        st.session_state.update(slider_state(saved, stored_age))
        st.session_state[_LOADED] = saved.name
    return saved


def saved_caption(saved: qps.SavedScenario | None, scenario: Scenario, scope_key: str) -> None:
    """Who saved the picked scenario, whether the sliders still match it, and its link."""
    if saved is None:
        return
    when = saved.saved_at.strftime("%Y-%m-%d") if saved.saved_at else ""
    st.caption(f"Sparat av {md_text(saved.saved_by)} {when}. Länk som öppnar scenariot igen:")
    st.code(link(saved.name), language=None)
    if not same_levers(saved.scenario, scenario) or saved.scope_key != scope_key:
        st.caption("Reglagen eller urvalet har ändrats sedan scenariot sparades.")


def save_form(ctx, scope, scope_key: str, scenario: Scenario, saved: qps.SavedScenario | None):
    """Name and save the sliders' scenario for the chosen scope; delete the picked one."""
    if flash := st.session_state.pop(_FLASH, None):
        st.success(md_text(flash), icon=":material/check_circle:")
    viewer = getattr(ctx, "viewer", None)
    user = audit_user(viewer)
    role = getattr(viewer, "role", None)
    done = components.name_and_save(
        ctx,
        "prognos_save_scenario",
        lambda wcur, name: qps.save_scenario(
            wcur, scope, name, scope_key, scenario, user, role=role
        ),
        name_key="prognos_scenario_name",
        label="Spara reglagen som ett namngivet scenario",
        placeholder="t.ex. Fler utbildningsplatser 2027",
        button="Spara scenario",
        what="prognosscenario",
        value=saved.name if saved else "",
        max_chars=qps.NAME_MAX,
    )
    if done is not None:
        st.session_state[_PENDING] = done.name
        st.session_state[_LOADED] = done.name
        st.session_state[_FLASH] = f"Scenariot {done.name} är sparat."
        st.rerun()
    if saved is not None and st.button(
        "Ta bort det sparade scenariot", icon=":material/delete:", key="prognos_scenario_delete"
    ):
        with ctx.writing("prognosscenario") as wcur:
            qps.delete_scenario(wcur, scope, saved.name, user, role=role)
        st.session_state[_PENDING] = ""
        st.session_state.pop(_LOADED, None)
        st.session_state[_FLASH] = f"Scenariot {saved.name} är borttaget."
        st.rerun()

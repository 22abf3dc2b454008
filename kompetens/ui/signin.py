"""The frame's gate: who is using the app, what they may see, and the audit of it.

Two modes, decided on every run:

- **Sign-in** when ``[auth]`` is configured in ``.streamlit/secrets.toml``:
  Streamlit's built-in OIDC (``st.login`` / ``st.user`` / ``st.logout``; see
  ``docs/sign-in.md``). The signed-in e-mail is looked up in the users table
  (``kompetens.access.auth``) on every run; an unknown or removed address gets the
  polite no-access page and nothing else.
- **Demo mode** without ``[auth]``: a role picker in the sidebar and a visible
  "Demoläge" banner. Refused when ``KOMPETENS_ENV=production``.

The scope always comes from the user (or the demo picker) in this run, never
from session state or the URL. A ``?omrade=`` or ``?enhet=`` outside the scope,
or a page context in session state that the frame did not write, shows the
no-access message and is logged (``access_denied``); so is a
``query.ScopeError`` raised while a page runs.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

import polars as pl
import streamlit as st
from streamlit.errors import StreamlitAPIException

from kompetens import query
from kompetens.access import audit, auth
from kompetens.core import support_register as support_lists
from kompetens.present.formatting import md_text
from kompetens.ui import homes
from kompetens.ui.context import (
    CONTEXT_KEY,
    NO_ACCESS_MESSAGE,
    SEAL_KEY,
    context_is_forged,
    log_event,
    shared_connection,
    writing,
)

PRODUCTION_ENV = "KOMPETENS_ENV"
SIGNED_IN_KEY = "_kompetens_signed_in_as"
DENIAL_KEY = "_kompetens_denial"
LAST_DIALOGUE_KEY = "_kompetens_last_dialogue"

DEMO_ROLE_KEY = "demo_roll"
DEMO_AREAS_KEY = "demo_omraden"
DEMO_UNIT_KEY = "demo_enhet"
DEMO_FUNCTIONS_KEY = "demo_funktioner"

PRODUCTION_REFUSAL = (
    "**Kompetens startar inte i demoläge i produktion.** Inloggning är inte konfigurerad: "
    "avsnittet `[auth]` saknas i `.streamlit/secrets.toml`, men `KOMPETENS_ENV=production` är satt. "
    "Konfigurera inloggning (se docs/sign-in.md) eller ta bort `KOMPETENS_ENV=production` "
    "för att köra demoläget."
)

#: URL parameters that name an area or a unit, checked against the scope before any page runs.
AREA_PARAM = "omrade"
UNIT_PARAM = "enhet"


# ---------------------------------------------------------------------------------------------
# Pure checks (tested without Streamlit)


def is_production(env: Mapping[str, str] | None = None) -> bool:
    return (os.environ if env is None else env).get(PRODUCTION_ENV, "").strip().lower() in (
        "production",
        "prod",
    )


def area_param_allowed(value: str, visible_areas: list[str], all_label: str) -> bool:
    """A ``?omrade=`` value is fine when it is the "all areas" label or an area in scope."""
    return value == all_label or value in visible_areas


def units_named_by(value: str, units: pl.DataFrame) -> list[str]:
    """The unit ids a ``?enhet=`` value names: one id, none, or several when it is ambiguous.

    Pages put the unit id (``E1``), Verksamhetsdialog's label (``"Ekskolan (E1)"``)
    or Behörighet's label (``"Ekskolan (Norr)"``, the name and the area) in the
    URL. A value names a unit only in one of those exact forms or as the bare
    name: ``"Ekskolan (S1)"`` (one unit's name with another unit's id) or
    ``"Ekskolan (Söder)"`` (the wrong area) names no unit.
    """
    named = []
    for unit_id, name, area in zip(
        units["unit_id"].to_list(),
        units["unit_name"].to_list(),
        units["area"].to_list(),
        strict=True,
    ):
        forms = {unit_id}
        if name:
            forms |= {name, f"{name} ({unit_id})"}
            if area:
                forms.add(f"{name} ({area})")
        if value in forms:
            named.append(unit_id)
    return named


def unit_param_allowed(value: str, units: pl.DataFrame, visible_ids: set[str]) -> bool:
    """A ``?enhet=`` value is fine when it names exactly one unit, and that unit is in scope.

    Anything else — another unit, a value that names no unit, or one that
    names two (a name two units share, an id that is also another unit's
    name) — is refused, so probing cannot tell a hidden unit from a missing one.
    """
    named = units_named_by(value, units)
    return len(named) == 1 and named[0] in visible_ids


def repeated_link_params(params: Mapping[str, list[str]]) -> list[str]:
    """The scope parameters (``omrade``, ``enhet``) given more than once in a link.

    ``params`` maps each parameter to all its values (``st.query_params.get_all``).
    Streamlit reads the last of repeated values, so ``?enhet=S1&enhet=E1``
    would show E1 while naming S1: such a link is ambiguous and refused.
    """
    return [name for name in (AREA_PARAM, UNIT_PARAM) if len(params.get(name, [])) > 1]


# ---------------------------------------------------------------------------------------------
# Mode and identity


def auth_configured() -> bool:
    """True when ``[auth]`` is in the secrets (sign-in mode); False means demo mode."""
    try:
        return "auth" in st.secrets
    except Exception:  # no secrets file at all: StreamlitSecretNotFoundError
        return False


def refuse_demo_in_production() -> None:
    """Stop the app with a clear message when demo mode would start under ``KOMPETENS_ENV=production``."""
    if is_production() and not auth_configured():
        st.error(PRODUCTION_REFUSAL, icon=":material/block:")
        st.stop()


@st.cache_resource(show_spinner=False)
def _purge_once(db_path: str) -> int:
    with writing(db_path, "rensning av granskningsloggen") as conn:
        return audit.apply_retention(conn)


def apply_audit_retention(db_path: str) -> int:
    """Purge audit events older than the retention period, once per server process.

    A malformed ``KOMPETENS_AUDIT_RETENTION_DAYS`` stops the app with a Swedish
    message rather than keeping entries for an unknown period.
    """
    try:
        return _purge_once(db_path)
    except ValueError as problem:
        st.error(
            f"Granskningsloggens lagringstid är fel inställd: {problem}.", icon=":material/block:"
        )
        st.stop()


def _log(db_path: str, user: str, action: str, target=None, details=None, role=None) -> None:
    log_event(db_path, user, action, target, details, role=role)


ROLE_CHANGED_KEY = "_kompetens_demo_role_changed"


def _switch_keeping_params(page) -> None:
    """Switch to ``page`` with the link's parameters where Streamlit allows it.

    A parameter bound to one of the frame's widgets (``?ar=``, the year) cannot be set by a
    page switch once the widget has run ("Cannot directly set query parameter"); the page
    then opens with the parameters Streamlit accepts: the unbound ones.
    """
    params = st.query_params.to_dict()
    try:
        st.switch_page(page, query_params=params)
    except StreamlitAPIException:
        bound = {key for key in params if key in st.session_state}
        st.switch_page(page, query_params={k: v for k, v in params.items() if k not in bound})


def _kept(key: str) -> str:
    """A plain session-state copy of a demo widget's value.

    Streamlit drops the state of the frame's widgets when a page switch
    reruns the app (``st.switch_page``, a click in the menu), so the choice is
    kept under a key of its own and given back to the widget as its default.
    """
    return f"_kompetens_kept_{key}"


def _keep(key: str) -> None:
    st.session_state[_kept(key)] = st.session_state[key]
    if key == DEMO_ROLE_KEY:
        st.session_state[ROLE_CHANGED_KEY] = True


def _demo_viewer(db_path: str) -> auth.Viewer:
    """Demo mode: the role (and area/unit) chosen in the sidebar; HR by default."""
    units = auth.known_units(shared_connection(db_path))
    area_names = sorted(set(units["area"].drop_nulls().to_list()))
    # The area manager starts on an area with schools (not one of central units only).
    first_area = (auth.areas_with_schools(shared_connection(db_path)) or area_names)[:1]
    with st.sidebar:
        st.markdown("## Demoläge")
        kept_role = st.session_state.get(_kept(DEMO_ROLE_KEY), auth.HR)
        role = st.selectbox(
            "Visa appen som",
            options=list(auth.ROLES),
            index=auth.ROLES.index(kept_role) if kept_role in auth.ROLES else 0,
            format_func=lambda r: auth.ROLE_LABELS[r],
            key=DEMO_ROLE_KEY,
            on_change=_keep,
            args=(DEMO_ROLE_KEY,),
            help="Utan inloggning kan du prova rollerna. Varje roll ser bara sina sidor och sin del av data.",
        )
        areas: list[str] = []
        unit_ids: list[str] = []
        if role == auth.AREA_MANAGER and area_names:
            kept_areas = [
                a for a in st.session_state.get(_kept(DEMO_AREAS_KEY), []) if a in area_names
            ]
            areas = (
                st.multiselect(
                    "Verksamhetschefens områden",
                    options=area_names,
                    default=kept_areas or first_area,
                    key=DEMO_AREAS_KEY,
                    on_change=_keep,
                    args=(DEMO_AREAS_KEY,),
                )
                or first_area
            )
        if role == auth.PRINCIPAL and units.height:
            names = dict(zip(units["unit_id"].to_list(), units["unit_name"].to_list(), strict=True))
            options = list(names)
            kept_unit = st.session_state.get(_kept(DEMO_UNIT_KEY))
            # The principal starts on a school (not a central unit without teachers).
            schools = [u for u in auth.units_with_schools(shared_connection(db_path)) if u in names]
            first_unit = schools[0] if schools else options[0]
            unit_ids = [
                st.selectbox(
                    "Rektorns enhet",
                    options=options,
                    index=options.index(kept_unit if kept_unit in names else first_unit),
                    format_func=lambda u: f"{names.get(u, u)} ({u})",
                    key=DEMO_UNIT_KEY,
                    on_change=_keep,
                    args=(DEMO_UNIT_KEY,),
                )
            ]
        functions: list[str] = []
        if role == auth.SUPPORT:
            known = support_lists.list_values(shared_connection(db_path), support_lists.FUNCTION)
            kept_functions = [
                f for f in st.session_state.get(_kept(DEMO_FUNCTIONS_KEY), []) if f in known
            ]
            functions = (
                st.multiselect(
                    "Stödfunktionens funktioner",
                    options=known,
                    default=kept_functions or known[:1],
                    key=DEMO_FUNCTIONS_KEY,
                    on_change=_keep,
                    args=(DEMO_FUNCTIONS_KEY,),
                )
                or known[:1]
            )
        st.divider()
    unit_areas = dict(zip(units["unit_id"].to_list(), units["area"].to_list(), strict=True))
    scope = auth.scope_for_role(role, areas, unit_ids, unit_areas, functions)
    return auth.Viewer(
        email=f"demo:{role}",
        role=role,
        scope=scope,
        demo=True,
        areas=tuple(sorted(scope.areas)),
        units=tuple(unit_ids),
        functions=tuple(sorted(scope.functions)),
    )


def _sign_in_page() -> None:
    st.title("Kompetens")
    st.markdown(
        "Nyckeltal för kompetensförsörjning i skolan. Logga in med ditt konto i organisationen."
    )
    if st.button("Logga in", type="primary", icon=":material/login:", key="logga_in"):
        st.login()


def _no_access_page() -> None:
    st.title("Ingen åtkomst")
    denial = st.session_state.get(DENIAL_KEY)
    if denial == "unknown_user":
        email = getattr(st.user, "email", None) or ""
        st.info(
            f"Du är inloggad som **{email}**, men kontot har ingen behörighet i Kompetens ännu. "
            "Kontakta den som administrerar Kompetens i din organisation om du behöver åtkomst.",
            icon=":material/lock:",
        )
        if st.button("Logga ut", icon=":material/logout:", key="ingen_atkomst_logga_ut"):
            st.logout()
            st.stop()
    else:
        st.error(NO_ACCESS_MESSAGE, icon=":material/lock:")
        if st.button("Till startsidan", icon=":material/home:", key="ingen_atkomst_hem"):
            st.query_params.clear()
            st.session_state.pop(DENIAL_KEY, None)
            st.rerun()


def _only_page(fn) -> None:
    """Show only this page and stop: no navigation is registered, so no other page is reachable.

    (A navigation holding just this page would answer a deep link such as
    ``/dialog`` with Streamlit's "page not found" dialog first.)
    """
    fn()
    st.stop()


def deny(db_path: str, viewer: auth.Viewer | None, reason: str, target: str | None = None) -> None:
    """Log an access denial and show the no-access page instead of anything else."""
    _log(
        db_path,
        viewer.email if viewer else "okänd",
        audit.ACCESS_DENIED,
        target,
        reason,
        role=viewer.role if viewer else None,
    )
    st.session_state[DENIAL_KEY] = reason
    _only_page(_no_access_page)


def _note_sign_in(db_path: str, viewer: auth.Viewer) -> None:
    """Log a sign-in once per sign-in: new tabs and reloads reuse the identity cookie.

    A signed-in user's sign-in is keyed on the identity token's ``auth_time``
    (or ``iat``), so every session opened with the same cookie is one sign-in;
    in demo mode once per session and role (a role switch counts as one).
    """
    identity = (viewer.email, viewer.role, viewer.areas, viewer.units)
    if st.session_state.get(SIGNED_IN_KEY) == identity:
        return
    st.session_state[SIGNED_IN_KEY] = identity
    if viewer.demo:
        _log(db_path, viewer.email, audit.SIGN_IN, None, {"demo": True}, role=viewer.role)
        return
    stamp = st.user.get("auth_time") or st.user.get("iat")
    details = {"auth_time": stamp} if stamp is not None else None
    if details is None or not audit.has_event(
        shared_connection(db_path), viewer.email, audit.SIGN_IN, details
    ):
        _log(db_path, viewer.email, audit.SIGN_IN, None, details, role=viewer.role)


def _signed_in_sidebar(db_path: str, viewer: auth.Viewer) -> None:
    with st.sidebar:
        st.caption(f"Inloggad som **{md_text(viewer.email)}** · {auth.ROLE_LABELS[viewer.role]}")
        if st.button("Logga ut", icon=":material/logout:", key="logga_ut"):
            _log(db_path, viewer.email, audit.SIGN_OUT, role=viewer.role)
            st.session_state.pop(SIGNED_IN_KEY, None)
            st.logout()
            st.stop()  # st.logout only queues the redirect: nothing more may run as this user
        st.divider()


def _check_link_params(db_path: str, viewer: auth.Viewer, all_areas_label: str) -> None:
    """Deny an ambiguous or out-of-scope ``?omrade=``/``?enhet=`` before the filters would use it."""
    given = {name: st.query_params.get_all(name) for name in (AREA_PARAM, UNIT_PARAM)}
    for name in repeated_link_params(given):
        deny(db_path, viewer, f"?{name}= flera gånger i länken", " & ".join(given[name]))
    cur = shared_connection(db_path).cursor()
    area = st.query_params.get(AREA_PARAM)
    if area is not None:
        visible = query.areas(cur, viewer.scope)["area"].to_list()
        if not area_param_allowed(area, visible, all_areas_label):
            deny(db_path, viewer, f"?{AREA_PARAM}= utanför behörigheten", area)
    unit = st.query_params.get(UNIT_PARAM)
    if unit is not None:
        visible_ids = set(query.units(cur, viewer.scope)["unit_id"].to_list())
        if not unit_param_allowed(unit, auth.known_units(cur), visible_ids):
            deny(db_path, viewer, f"?{UNIT_PARAM}= utanför behörigheten", unit)


def gate(db_path: str, *, all_areas_label: str) -> auth.Viewer:
    """Who is using the app in this run, with the scope rebuilt from the users table (or demo picker).

    Shows and stops at the sign-in page, the no-access page or a denial when
    that is all this run may show; otherwise returns the viewer.
    """
    if not auth_configured():
        viewer = _demo_viewer(db_path)
        st.warning(
            "**Demoläge** – ingen inloggning är konfigurerad. Välj roll i sidopanelen för att se "
            "appen som HR, verksamhetschef, rektor, ledning, administratör eller stödfunktion. "
            "Använd inte demoläget för riktiga personaluppgifter.",
            icon=":material/science:",
        )
    else:
        if not st.user.get("is_logged_in"):
            st.session_state.pop(SIGNED_IN_KEY, None)
            _only_page(_sign_in_page)
        # Entra ID puts the address in `email` when that optional claim is configured, else
        # (usually) in `preferred_username`.
        email = str(st.user.get("email") or st.user.get("preferred_username") or "")
        viewer = auth.viewer_for(shared_connection(db_path), email)
        if viewer is None:
            st.session_state[DENIAL_KEY] = "unknown_user"
            if st.session_state.get(SIGNED_IN_KEY) != ("unknown", email):
                _log(db_path, email or "okänd", audit.ACCESS_DENIED, None, "okänd användare")
                st.session_state[SIGNED_IN_KEY] = ("unknown", email)
            _only_page(_no_access_page)
        _signed_in_sidebar(db_path, viewer)
    if context_is_forged():
        # Someone wrote a page context (e.g. a wider scope) into session state: never use it.
        st.session_state.pop(CONTEXT_KEY, None)
        st.session_state.pop(SEAL_KEY, None)
        deny(db_path, viewer, "förfalskat sessionstillstånd")
    _note_sign_in(db_path, viewer)
    _check_link_params(db_path, viewer, all_areas_label)
    st.session_state.pop(DENIAL_KEY, None)
    return viewer


# ---------------------------------------------------------------------------------------------
# Navigation


def page_id(page) -> str:
    """A page's own url path, also for the default page (whose public ``url_path`` is ``""``)."""
    return getattr(page, "_url_path", None) or page.url_path


def page_maker(viewer: auth.Viewer):
    """``st.Page`` for the registry in ``app.py``: hidden unless the role may use it.

    Hidden pages stay registered, so a link from one page to another never
    breaks; opening one the role may not use shows "no access"
    (:func:`run_navigation`). No page is the default: the role's home page is
    reached from ``/`` through a hidden start page (see :func:`run_navigation`).
    """
    allowed = auth.pages_for_role(viewer.role)

    def page(script, *, title: str, icon: str | None = None, url_path: str):
        return st.Page(
            script,
            title=title,
            icon=icon,
            url_path=url_path,
            visibility="visible" if url_path in allowed else "hidden",
        )

    return page


def _menu(pages: Mapping[str, list]) -> dict[str, list]:
    """Sections with a visible page keep their place; hidden pages go in an unnamed section last."""
    menu = {
        section: [p for p in entries if p.visibility == "visible"]
        for section, entries in pages.items()
    }
    menu = {section: entries for section, entries in menu.items() if entries}
    hidden = [p for entries in pages.values() for p in entries if p.visibility != "visible"]
    if hidden:
        menu[""] = menu.get("", []) + hidden
    return menu


START_PAGE = "start"


def _start_page() -> None:
    """The page behind "/": never run, :func:`run_navigation` forwards to the home page first."""


def run_navigation(db_path: str, viewer: auth.Viewer, pages: Mapping[str, list]) -> None:
    """Show the role's pages and run the chosen one.

    A page outside the role (opened by URL) and a ``query.ScopeError`` raised
    while a page runs both show the no-access message and are logged.
    """
    allowed = auth.pages_for_role(viewer.role)
    start_id = homes.start_page(viewer.role, allowed)
    given = [p for entries in pages.values() for p in entries]
    # The role's home if this navigation has it, else its first page the role may see.
    home = next(
        (p for p in given if page_id(p) == start_id),
        next((p for p in given if page_id(p) in allowed), given[0]),
    )
    menu = _menu(pages)
    # The default page of a navigation answers at "/" only: a shared link to its own path
    # (/oversikt) would get Streamlit's "page not found". So "/" is a hidden start page that
    # forwards to the role's home page, which keeps an address of its own.
    start = st.Page(
        _start_page, title=home.title, url_path=START_PAGE, default=True, visibility="hidden"
    )
    menu[""] = [start, *menu.get("", [])]
    navigation = st.navigation(menu, position="sidebar", expanded=True)
    chosen = page_id(navigation)
    if chosen == START_PAGE or (
        chosen not in allowed and st.session_state.pop(ROLE_CHANGED_KEY, False)
    ):
        # "/" opens the role's home page; so does a new demo role that may not use this page.
        st.session_state.pop(ROLE_CHANGED_KEY, None)
        _switch_keeping_params(home)
    st.session_state.pop(ROLE_CHANGED_KEY, None)
    if chosen not in allowed:
        _log(
            db_path,
            viewer.email,
            audit.ACCESS_DENIED,
            chosen,
            "sidan ingår inte i rollen",
            role=viewer.role,
        )
        st.error(NO_ACCESS_MESSAGE, icon=":material/lock:")
        return
    refused = False
    try:
        navigation.run()
    except query.ScopeError as error:
        refused = True
        _log(db_path, viewer.email, audit.ACCESS_DENIED, chosen, str(error), role=viewer.role)
        st.error(NO_ACCESS_MESSAGE, icon=":material/lock:")
    finally:  # also when the page stopped early (st.stop) or asked for a rerun
        if not refused:
            _note_dialogue(db_path, viewer, chosen)


def _note_dialogue(db_path: str, viewer: auth.Viewer, url_path: str) -> None:
    """Log which unit's dialogue page was opened (once per unit in a row, per session)."""
    if url_path != "dialog":
        return
    # The page's unit selectbox is bound to ?enhet= (same key); its state is this run's choice.
    value = st.session_state.get(UNIT_PARAM) or st.query_params.get(UNIT_PARAM)
    if not value or not isinstance(value, str):
        return
    named = units_named_by(value, auth.known_units(shared_connection(db_path)))
    unit = named[0] if len(named) == 1 else value
    key = (viewer.email, unit)
    if st.session_state.get(LAST_DIALOGUE_KEY) != key:
        _log(db_path, viewer.email, audit.DIALOGUE_OPENED, unit, role=viewer.role)
        st.session_state[LAST_DIALOGUE_KEY] = key

"""What every page receives from the frame: the database, the caller's scope and the shared filters.

``app.py`` builds a :class:`PageContext` on every run (after the sidebar filters)
and stores it in ``st.session_state``; pages read it with :func:`page_context`.
Pages never open the database or widen the scope themselves.

The frame rebuilds the context — and the scope, from the signed-in user — on
every run; it never reads a scope back from session state. The stored context
is sealed with a per-process HMAC (:func:`set_page_context`) so that a value
written into session state by anything but the frame is detected
(:func:`context_is_forged`) and treated as a tampering attempt.
:func:`audit_page_event` lets pages log what the current user did.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from collections.abc import Mapping
from dataclasses import dataclass

import duckdb
import streamlit as st

from kompetens.core import paths, store

CONTEXT_KEY = "_kompetens_context"
SEAL_KEY = "_kompetens_context_seal"

#: What a page shows when the query layer refuses a request (``query.ScopeError``).
NO_ACCESS_MESSAGE = (
    "Du har inte behörighet att se det här. Om du behöver åtkomst, kontakta den som "
    "administrerar Kompetens i din organisation."
)

_LOG = logging.getLogger(__name__)


@dataclass(frozen=True)
class Filters:
    """The sidebar filters shared by all pages (and kept in the URL)."""

    year: str | None  # 'YYYY' — the yearly period shown; None = latest
    area: str | None  # None = all areas in scope
    school_form: str | None  # None = all school forms


@dataclass(frozen=True)
class PageContext:
    db_path: str
    filters: Filters
    scope: object  # kompetens.query.Scope
    viewer: object = (
        None  # kompetens.access.auth.Viewer: who is signed in (e-mail, role, demo or not)
    )

    def cursor(self) -> duckdb.DuckDBPyConnection:
        """A cursor of the process-wide connection: one per query/thread (connections aren't thread-safe)."""
        return shared_connection(self.db_path).cursor()


@st.cache_resource(show_spinner=False)
def shared_connection(db_path: str) -> duckdb.DuckDBPyConnection:
    """One connection per server process and database file; callers take cursors from it."""
    return store.connect(db_path)


def default_db_path() -> str:
    return str(paths.db_path())


@st.cache_resource(show_spinner=False)
def _seal_secret() -> bytes:
    """A random key per server process (kept across reruns and module reloads)."""
    return secrets.token_bytes(32)


def _seal(context: object) -> str:
    return hmac.new(_seal_secret(), repr(context).encode(), hashlib.sha256).hexdigest()


def set_page_context(context: PageContext) -> None:
    st.session_state[CONTEXT_KEY] = context
    st.session_state[SEAL_KEY] = _seal(context)


def context_is_forged() -> bool:
    """True when session state holds a page context the frame did not write (e.g. a widened scope)."""
    context = st.session_state.get(CONTEXT_KEY)
    if context is None:
        return False
    seal = st.session_state.get(SEAL_KEY)
    return not isinstance(seal, str) or not hmac.compare_digest(seal, _seal(context))


def current_viewer():
    """The ``auth.Viewer`` the frame set for this session, or None (no context, or a forged one)."""
    if context_is_forged():
        return None
    context = st.session_state.get(CONTEXT_KEY)
    return getattr(context, "viewer", None)


def audit_page_event(
    action: str, target: str | None = None, details: str | Mapping | None = None
) -> None:
    """Write an audit event for the current user (``kompetens.access.audit``), e.g. from a download callback.

    Never breaks the page: a failed write is logged to the server log.
    """
    from kompetens.access import audit

    context = st.session_state.get(CONTEXT_KEY)
    viewer = current_viewer()
    db_path = getattr(context, "db_path", None) or default_db_path()
    user = getattr(viewer, "email", None) or "okänd"
    role = getattr(viewer, "role", None)
    try:
        audit.log_event(shared_connection(db_path), user, action, target, details, role=role)
    except duckdb.Error:
        _LOG.exception("could not write the audit event %s %s", action, target)


def page_context() -> PageContext:
    _rerun_through_the_frame()
    context = st.session_state.get(CONTEXT_KEY)
    if context is None:
        st.error("Sidan måste öppnas via appens meny.")
        st.stop()
    return context


def _rerun_through_the_frame() -> None:
    """Recover from Streamlit's legacy ``pages/`` auto-discovery.

    On a freshly started server (and in every ``AppTest`` run), Streamlit
    decides whether the app uses the old ``pages/`` folder convention before
    ``app.py`` has had a chance to call ``st.navigation``. If the first request
    is a shared deep link (``/behorighet?ar=2025``) the page script then runs
    alone, without the frame (and with a stale context from an earlier run). Switching the flag off and rerunning sends the request
    through ``app.py``, whose ``st.navigation`` resolves the same URL.
    """
    from streamlit.runtime.pages_manager import PagesManager

    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()

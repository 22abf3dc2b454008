"""What every page receives from the frame: the database, the caller's scope and the shared filters.

``app.py`` builds a :class:`PageContext` on every run (after the sidebar filters)
and stores it in ``st.session_state``; pages read it with :func:`page_context`.
Pages never open the database or widen the scope themselves.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import streamlit as st

from kompetens import paths, store

CONTEXT_KEY = "_kompetens_context"


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

    def cursor(self) -> duckdb.DuckDBPyConnection:
        """A cursor of the process-wide connection: one per query/thread (connections aren't thread-safe)."""
        return shared_connection(self.db_path).cursor()


@st.cache_resource(show_spinner=False)
def shared_connection(db_path: str) -> duckdb.DuckDBPyConnection:
    """One connection per server process and database file; callers take cursors from it."""
    return store.connect(db_path)


def default_db_path() -> str:
    return str(paths.db_path())


def set_page_context(context: PageContext) -> None:
    st.session_state[CONTEXT_KEY] = context


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

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

How the app holds the database (docs/operations.md): it never keeps the
database file open. Pages read a published read-only snapshot
(:func:`shared_connection`, :meth:`PageContext.cursor`), which a writer
replaces atomically after it committed, so a page sees the old data or the new,
never a lock error, also while ``kompetens import`` runs from cron. A page
that writes (an import, an undo, a dialogue note, a user) does so in
:func:`writing` / :meth:`PageContext.writing`: the writer lock, a short
read-write connection, and a new snapshot when it closes. Audit events go
through :func:`log_event`, which queues an event when another writer holds the
lock and writes it as soon as the lock is free.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import logging
import secrets
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass

import duckdb
import streamlit as st

from kompetens.core import locking, paths, snapshot
from kompetens.core.locking import DatabaseBusy
from kompetens.ops import database

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
        """A read-only cursor on the current snapshot: one per query/thread (connections aren't thread-safe)."""
        return shared_connection(self.db_path).cursor()

    @contextmanager
    def writing(
        self, purpose: str, *, timeout: float | None = None
    ) -> Iterator[duckdb.DuckDBPyConnection]:
        """A short read-write connection for a page that changes data (see :func:`writing`).

        While another writer (e.g. someone else's import) holds the lock the page
        says so and waits; if it is still busy after ``timeout`` seconds the page
        shows the Swedish message and stops: nothing was written.
        """
        notice = st.empty()

        def on_wait(holder: locking.Holder | None) -> None:
            notice.info(busy_text(holder), icon=":material/hourglass_top:")

        user = getattr(self.viewer, "email", None)
        try:
            with writing(
                self.db_path, purpose, timeout=timeout, on_wait=on_wait, user=user
            ) as conn:
                notice.empty()
                yield conn
        except DatabaseBusy as busy:
            notice.empty()
            st.error(str(busy), icon=":material/lock_clock:")
            st.stop()


#: Seconds a page waits for another writer before it says the database is busy.
PAGE_WRITE_TIMEOUT = 120.0
#: Seconds an audit event waits for the lock before it is queued (written later).
AUDIT_WAIT = 0.5
#: Seconds the app's first page waits for a publication (e.g. behind a long import).
START_TIMEOUT = 600.0


class AppDatabase:
    """How one server process holds one database: a snapshot reader and an audit queue.

    Thread-safe: every Streamlit session thread shares it.
    """

    def __init__(self, db_path: str):
        self.db_path = db_path
        self.reader = snapshot.Reader(db_path)
        self._queue: list[tuple] = []
        self._in_flight = 0  # taken from the queue by a flush that has not finished
        self._queue_lock = threading.Lock()
        self._flusher: threading.Thread | None = None
        self._last_audit_write: dt.datetime | None = None
        self._late_publication: threading.Timer | None = None

    def connection(self) -> duckdb.DuckDBPyConnection:
        """The current snapshot's read-only connection (callers take cursors from it)."""
        self._catch_up()
        conn = self.reader.connection()
        if conn is None:  # first start: nothing published yet
            database.ensure_published(self.db_path, timeout=START_TIMEOUT)
            conn = self.reader.connection()
        if conn is None:
            raise database.NoDatabase(f"Databasen {self.db_path} har ingen publicerad kopia.")
        return conn

    def _catch_up(self) -> None:
        """Publish when the database changed without a publication (a writer that died,
        or one that wrote without the lock), unless a writer is at work right now."""
        published = self.reader.published or snapshot.read_pointer(self.db_path)
        if published is None or not snapshot.is_behind(self.db_path, published):
            return
        # A writer at work publishes when it is done; the old snapshot serves meanwhile.
        with suppress(DatabaseBusy, duckdb.Error, database.NoDatabase):
            database.publish(self.db_path, timeout=0)

    # -- audit events -----------------------------------------------------------------------

    def log_event(self, event: tuple) -> None:
        with self._queue_lock:
            self._queue.append(event)
        if not self.flush(timeout=AUDIT_WAIT):
            self._start_flusher()

    def pending_events(self) -> int:
        """Audit events not yet written (queued, or being written)."""
        with self._queue_lock:
            return len(self._queue) + self._in_flight

    def flush(self, timeout: float) -> bool:
        """Write the queued audit events; False when the lock stayed busy (they stay queued)."""
        from kompetens.access import audit

        with self._queue_lock:
            events, self._queue = self._queue, []
            self._in_flight += len(events)
        if not events:
            return True
        written = False
        try:
            with database.writing(
                self.db_path, "granskningslogg", timeout=timeout, quiet=True
            ) as conn:
                for user, action, target, details, role, at in events:
                    audit.log_event(conn, user, action, target, details, role=role, at=at)
                written = True  # committed: a failed publication must not write them twice
            self._last_audit_write = dt.datetime.now(dt.UTC)
            self._publish_later()
        except DatabaseBusy:
            pass
        except duckdb.Error:
            _LOG.exception("could not write %d audit events", len(events))
        finally:
            with self._queue_lock:
                self._in_flight -= len(events)
                if not written:  # back to the front of the queue, in their order
                    self._queue[:0] = events
        return written

    def _publish_later(self) -> None:
        """Publish the audit events a quiet write only acknowledged, once the minute is over."""
        with self._queue_lock:
            if self._late_publication is not None and self._late_publication.is_alive():
                return
            self._late_publication = threading.Timer(
                database.QUIET_PUBLISH_SECONDS + 1, self._publish_if_unpublished
            )
            self._late_publication.daemon = True
            self._late_publication.start()

    def _publish_if_unpublished(self) -> None:
        current = snapshot.read_pointer(self.db_path)
        written = self._last_audit_write
        if current is None or written is None:
            return
        if dt.datetime.fromisoformat(current.published_at) < written:
            # A writer at work publishes when it is done: then nothing is left to do here.
            with suppress(DatabaseBusy, duckdb.Error, database.NoDatabase):
                database.publish(self.db_path, timeout=5.0)

    def _start_flusher(self) -> None:
        with self._queue_lock:
            if self._flusher is not None and self._flusher.is_alive():
                return
            self._flusher = threading.Thread(
                target=self._flush_until_empty, name="kompetens-audit-flush", daemon=True
            )
            self._flusher.start()

    def _flush_until_empty(self) -> None:
        while self.pending_events():
            if not self.flush(timeout=5.0):
                time.sleep(1.0)


@st.cache_resource(show_spinner=False)
def app_database(db_path: str) -> AppDatabase:
    """The process's :class:`AppDatabase` for a database file."""
    return AppDatabase(db_path)


def shared_connection(db_path: str) -> duckdb.DuckDBPyConnection:
    """The current published snapshot of the database, read-only; callers take cursors from it."""
    return app_database(db_path).connection()


@contextmanager
def writing(
    db_path: str,
    purpose: str,
    *,
    timeout: float | None = None,
    on_wait=None,
    user: str | None = None,
) -> Iterator[duckdb.DuckDBPyConnection]:
    """A short read-write connection to the database under the writer lock.

    Waits at most ``timeout`` seconds (``PAGE_WRITE_TIMEOUT`` when None) for
    another writer, then raises ``DatabaseBusy`` with a Swedish message;
    ``on_wait(holder)`` is called once if it has to wait. On leaving, a new
    snapshot is published and the app's pages read it from their next query.
    """
    limit = PAGE_WRITE_TIMEOUT if timeout is None else timeout
    with database.writing(db_path, purpose, timeout=limit, on_wait=on_wait, user=user) as conn:
        yield conn


def log_event(
    db_path: str,
    user: str,
    action: str,
    target: str | None = None,
    details: str | Mapping | None = None,
    *,
    role: str | None = None,
) -> None:
    """Write an audit event (``kompetens.access.audit``), queued while another writer holds the lock."""
    at = dt.datetime.now(dt.UTC)
    app_database(db_path).log_event((user, action, target, details, role, at))


def busy_text(holder: locking.Holder | None) -> str:
    """Swedish: someone else is writing (e.g. another import); what this page does meanwhile."""
    who = f": {holder.describe()}" if holder else ""
    return f"En annan import eller ändring pågår{who}. Vänta – din tur kommer när den är klar …"


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


def audit_user(viewer: object) -> str:
    """Who the audit log names for ``viewer``: the signed-in e-mail, or ``'okänd'`` without one."""
    return getattr(viewer, "email", None) or "okänd"


def audit_page_event(
    action: str, target: str | None = None, details: str | Mapping | None = None
) -> None:
    """Write an audit event for the current user (``kompetens.access.audit``), e.g. from a download callback.

    Never breaks the page: a failed write is logged to the server log.
    """
    context = st.session_state.get(CONTEXT_KEY)
    viewer = current_viewer()
    db_path = getattr(context, "db_path", None) or default_db_path()
    user = audit_user(viewer)
    role = getattr(viewer, "role", None)
    try:
        log_event(db_path, user, action, target, details, role=role)
    except (duckdb.Error, OSError):
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

"""Scoped reads of the app's own records for pages: the import log, the audit log and the user list.

These are not key figures, so no suppression applies, but they are gated here
like every other read of the query layer; a page never reads them directly.

- **The import log** (``import_log``: one row per import batch; file name,
  kind, row counts, who imported and when, undone or not) describes the whole
  organisation's data, so it is shown only to an organisation-wide scope.
  Of the roles (``kompetens.access.auth``), HR and leadership have that
  scope; of those, only HR is given the pages that show the log
  (Datakvalitet and Import). The app passes the signed-in role too, and a
  role without those pages (leadership) is refused as well, so only HR
  sees it. An area or unit scope (area managers, principals, the admin's
  empty unit scope) gets ``ScopeError``: another area's file names and
  volumes are not theirs to see.
- **The user list and the audit log** are the administrator's: every function
  takes the signed-in ``Viewer`` and raises ``ScopeError`` for any other role
  (the navigation hides the Admin page from them; this is the second lock).
"""

from __future__ import annotations

import datetime as dt

import duckdb
import polars as pl

from kompetens.access import audit, auth
from kompetens.access.scope import Scope, ScopeError
from kompetens.ingest.writer import list_imports

#: The pages (``auth.ROLE_PAGES`` url paths) that show the import log.
IMPORT_LOG_PAGES: frozenset[str] = frozenset({"datakvalitet", "import"})


def may_see_imports(scope: Scope, role: str | None = None) -> bool:
    """Whether ``scope`` (and ``role``, when given) may read the import log: an organisation-wide
    scope, and a role that is given Datakvalitet or Import."""
    if scope.level != "org":
        return False
    return role is None or bool(IMPORT_LOG_PAGES & set(auth.ROLE_PAGES.get(role, ())))


def imports(conn: duckdb.DuckDBPyConnection, scope: Scope, role: str | None = None) -> pl.DataFrame:
    """The import log, newest first: one row per batch (``batch_id, file_name, kind, rows_written,
    rows_replaced, rows_rejected, user_name, imported_at, undone_at`` …).

    ``ScopeError`` unless ``scope`` is organisation-wide and ``role`` (the signed-in
    role, when given) is one with Datakvalitet or Import (see the module docstring).
    """
    if not may_see_imports(scope, role):
        raise ScopeError("importloggen visas bara för behörighet över hela organisationen")
    cur = conn.cursor()
    try:
        return list_imports(cur)
    finally:
        cur.close()


def _require_admin(viewer: object) -> None:
    if getattr(viewer, "role", None) != auth.ADMIN:
        raise ScopeError("användare och granskningslogg visas bara för administratören")


def users(conn: duckdb.DuckDBPyConnection, viewer: object) -> pl.DataFrame:
    """Every user, active or not (``auth.list_users``: one row per e-mail); administrator only."""
    _require_admin(viewer)
    return auth.list_users(conn)


def known_units(conn: duckdb.DuckDBPyConnection, viewer: object) -> pl.DataFrame:
    """The current units (``unit_id, unit_name, area``) a principal's scope can be given; administrator only."""
    _require_admin(viewer)
    return auth.known_units(conn)


def known_areas(conn: duckdb.DuckDBPyConnection, viewer: object) -> list[str]:
    """The areas an area manager's scope can be given, sorted; administrator only."""
    _require_admin(viewer)
    return auth.known_areas(conn)


def audit_events(
    conn: duckdb.DuckDBPyConnection,
    viewer: object,
    *,
    since: dt.date | dt.datetime | None = None,
    until: dt.date | dt.datetime | None = None,
    user: str | None = None,
    action: str | None = None,
) -> pl.DataFrame:
    """Audit events newest first, ``since`` inclusive to ``until`` exclusive (``audit.list_events``:
    one row per event, imports and undos from the import log included); administrator only."""
    _require_admin(viewer)
    return audit.list_events(conn, since=since, until=until, user=user, action=action)

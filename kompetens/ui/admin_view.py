"""View logic of the Admin page: the roles to choose from, user changes, the audit log for display.

Reads go through ``kompetens.query.records`` (administrator only); the two
writes (add or change a user, remove one) go through ``kompetens.access.auth``,
which validates the role and scope and writes each change to the audit log.
No Streamlit here.
"""

from __future__ import annotations

import datetime as dt

import duckdb
import polars as pl

from kompetens.access import audit, auth
from kompetens.core import support_register as support_lists
from kompetens.present.formatting import fmt_count

ROLES: tuple[str, ...] = auth.ROLES
AREA_MANAGER = auth.AREA_MANAGER
PRINCIPAL = auth.PRINCIPAL
ADMIN = auth.ADMIN
SUPPORT = auth.SUPPORT
#: The audit event written when the log itself is downloaded.
AUDIT_EXPORT = audit.AUDIT_EXPORT
#: Action filter of the log: None (every action) first, then the known actions.
ACTION_OPTIONS: tuple[str | None, ...] = (None, *audit.ACTION_LABELS)


def is_admin(viewer: object) -> bool:
    return getattr(viewer, "role", None) == auth.ADMIN


def role_label(role: str) -> str:
    """``area_manager`` -> ``Verksamhetschef (område)``."""
    return auth.ROLE_LABELS[role]


def action_label(action: str | None) -> str:
    """An audit action in Swedish; None is the filter's "every action"."""
    return "Alla händelser" if action is None else audit.ACTION_LABELS[action]


def role_scope_text(role: str) -> str:
    """What a role without an area or unit choice may see."""
    if role == auth.ADMIN:
        return "Administratören ser användare och logg, inga nyckeltal."
    return "Rollen gäller hela organisationen."


def users_table(users: pl.DataFrame) -> pl.DataFrame:
    """The user list (``records.users``) with Swedish headings and role names."""
    return auth.users_display(users)


def active_emails(users: pl.DataFrame) -> list[str]:
    """The e-mail addresses of active users, in list order."""
    return users.filter(pl.col("active"))["email"].to_list()


def unit_choices(units: pl.DataFrame) -> dict[str, str]:
    """Unit id -> ``"Ekskolan (E1)"`` for the principal's unit choice (``records.known_units``)."""
    return {
        unit_id: f"{name} ({unit_id})"
        for unit_id, name in zip(
            units["unit_id"].to_list(), units["unit_name"].to_list(), strict=True
        )
    }


def save_user(
    conn: duckdb.DuckDBPyConnection,
    viewer: object,
    email: str,
    role: str,
    *,
    areas: list[str],
    units: list[str],
    functions: list[str] | None = None,
) -> str:
    """Add or change a user; returns the Swedish confirmation. ``ValueError`` with a Swedish
    message for a bad e-mail, role or scope (nothing is written then)."""
    row = auth.add_user(
        conn,
        email,
        role,
        areas=areas,
        units=units,
        functions=functions or (),
        added_by=viewer.email,
    )
    return f"{row['email']} har nu rollen {auth.ROLE_LABELS[role]}."


def support_functions(conn: duckdb.DuckDBPyConnection) -> list[str]:
    """The support functions a support function user may be given (the register's list)."""
    return support_lists.list_values(conn, support_lists.FUNCTION)


def remove_user(conn: duckdb.DuckDBPyConnection, viewer: object, email: str) -> str | None:
    """Deactivate ``email``; returns the confirmation, or None when there was nothing to remove.

    ``ValueError`` when the administrator tries to remove their own access.
    """
    if email == viewer.email:
        raise ValueError("Du kan inte ta bort din egen behörighet.")
    if auth.remove_user(conn, email, removed_by=viewer.email):
        return f"{email} har inte längre åtkomst."
    return None


def log_caption(events: pl.DataFrame) -> str:
    """How many events the filter found and how long events are kept."""
    return (
        f"{fmt_count(events.height, 'händelse', 'händelser')}. "
        f"Händelser äldre än {audit.retention_days()} dagar rensas automatiskt "
        f"({audit.RETENTION_ENV}). Importer och ångringar kommer från importloggen."
    )


def events_table(events: pl.DataFrame) -> pl.DataFrame:
    """Audit events for the table and the download: local time, Swedish actions and headings."""
    return audit.display_frame(events)


def day_after(day: dt.date) -> dt.date:
    """The exclusive end of a "to and including" date filter."""
    return day + dt.timedelta(days=1)

"""Who may see what: roles, the pages each role may use, and the users table.

Roles (``ROLES``):

- ``hr`` — everything, including Import and Datakvalitet; scope: the organisation.
- ``area_manager`` — their areas (verksamhetschef): scope ``area`` over the given areas.
- ``principal`` — their unit(s) (rektor): scope ``unit``, with the units' own
  areas for comparison (looked up when the scope is built, so a unit that moves
  area is compared with its new area).
- ``leadership`` — all units, the aggregated pages (no dialogue records, no
  Import, no Datakvalitet); scope: the organisation.
- ``admin`` — users and the audit log (the Admin page) and no key figures:
  an empty unit scope, so only the organisation aggregate would be visible.
- ``support`` — a support function (Stödfunktion: HR, PC, EH …): the support register's
  requests addressed to the user's functions, in every unit, and the support given on
  them (``Scope.for_functions``, enforced by ``query.support_register``); no unit figures.

Grain of ``users``: one row per e-mail address (``functions``: a support function
user's functions, from the register's list ``core.support_register``; version 12) (lower-cased; the OIDC
provider's ``email`` claim). Removing a user deactivates the row
(``active = false``) so that who had access stays answerable; adding the
address again re-activates it with the new role and scope. Every change is
written to the audit log. All SQL uses bound parameters.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import duckdb
import polars as pl

from kompetens.access import audit
from kompetens.access.scope import Scope
from kompetens.core import store
from kompetens.core import support_register as support_lists

HR = "hr"
AREA_MANAGER = "area_manager"
PRINCIPAL = "principal"
LEADERSHIP = "leadership"
ADMIN = "admin"
SUPPORT = "support"

ROLES: tuple[str, ...] = (HR, AREA_MANAGER, PRINCIPAL, LEADERSHIP, ADMIN, SUPPORT)

ROLE_LABELS: dict[str, str] = {
    HR: "HR",
    AREA_MANAGER: "Verksamhetschef (område)",
    PRINCIPAL: "Rektor (enhet)",
    LEADERSHIP: "Ledning",
    ADMIN: "Administratör",
    SUPPORT: "Stödfunktion",
}


def author_label(user: str | None) -> str:
    """Who wrote or confirmed something, as a reader should see it.

    A signed-in user is their e-mail; the demo mode's ``demo:<role>`` is the role's
    Swedish name, ``"Verksamhetschef (område) (demoläge)"``; nothing known is ``–``.
    """
    if not user:
        return "–"
    if user.startswith("demo:"):
        return f"{ROLE_LABELS.get(user[5:], user[5:])} (demoläge)"
    return user


#: The pages (``st.Page`` url paths in ``app.py``) each role may use; the first is the role's
#: home page (the menu keeps ``app.py``'s order). A page missing here is shown to nobody: a new
#: page must be given to roles on purpose.
ROLE_PAGES: dict[str, tuple[str, ...]] = {
    HR: (
        "oversikt",
        "behorighet",
        "aruba",
        "stodbehov",
        "prognos",
        "resursfordelning",
        "dialog",
        "stodregister",
        "arshjul",
        "datakvalitet",
        "import",
        "indikatorer",
    ),
    # The area manager's home is the dialogue (their job), opening on the unit most in need.
    AREA_MANAGER: (
        "dialog",
        "oversikt",
        "behorighet",
        "aruba",
        "stodbehov",
        "prognos",
        "stodregister",
        "arshjul",
        "indikatorer",
    ),
    PRINCIPAL: (
        "oversikt",
        "behorighet",
        "aruba",
        "stodbehov",
        "resursfordelning",
        "dialog",
        "stodregister",
        "arshjul",
        "indikatorer",
    ),
    # Leadership sees the register's aggregates only (no request's free text).
    LEADERSHIP: (
        "oversikt",
        "behorighet",
        "aruba",
        "stodbehov",
        "prognos",
        "resursfordelning",
        "stodregister",
        "arshjul",
        "indikatorer",
    ),
    ADMIN: ("admin",),
    SUPPORT: ("stodregister",),
}

USER_SCHEMA: dict[str, pl.DataType] = {
    "email": pl.String(),
    "role": pl.String(),
    "areas": pl.List(pl.String()),
    "units": pl.List(pl.String()),
    "functions": pl.List(pl.String()),
    "added_by": pl.String(),
    "added_at": pl.Datetime(time_unit="us", time_zone="UTC"),
    "active": pl.Boolean(),
}


def _migration_users() -> list[str]:
    """Users mapped to a role and a scope (areas for area managers, units for principals)."""
    roles = ", ".join(f"'{r}'" for r in ROLES)
    return [
        f"""CREATE TABLE users (
    email VARCHAR PRIMARY KEY,
    role VARCHAR NOT NULL CHECK (role IN ({roles})),
    areas VARCHAR[] NOT NULL DEFAULT [],
    units VARCHAR[] NOT NULL DEFAULT [],
    added_by VARCHAR NOT NULL,
    added_at TIMESTAMPTZ NOT NULL,
    active BOOLEAN NOT NULL DEFAULT true
)"""
    ]


#: Schema version 5 (registered by ``kompetens.wiring``; never renumber a released migration).
USERS_MIGRATION = store.Migration(5, "users", _migration_users)


def _migration_user_functions() -> list[str]:
    """The users table again, with today's roles in its CHECK and a support user's ``functions``.

    DuckDB cannot change a CHECK constraint in place, so the table is rebuilt and every
    row copied (``functions`` empty for the users there were).
    """
    roles = ", ".join(f"'{r}'" for r in ROLES)
    return [
        f"""CREATE TABLE users_v12 (
    email VARCHAR PRIMARY KEY,
    role VARCHAR NOT NULL CHECK (role IN ({roles})),
    areas VARCHAR[] NOT NULL DEFAULT [],
    units VARCHAR[] NOT NULL DEFAULT [],
    functions VARCHAR[] NOT NULL DEFAULT [],
    added_by VARCHAR NOT NULL,
    added_at TIMESTAMPTZ NOT NULL,
    active BOOLEAN NOT NULL DEFAULT true
)""",
        """INSERT INTO users_v12 (email, role, areas, units, functions, added_by, added_at, active)
SELECT email, role, areas, units, [], added_by, added_at, active FROM users""",
        "DROP TABLE users",
        "ALTER TABLE users_v12 RENAME TO users",
    ]


#: Schema version 12: the support function role and its functions.
USER_FUNCTIONS_MIGRATION = store.Migration(12, "user_functions", _migration_user_functions)


@dataclass(frozen=True)
class Viewer:
    """The person using the app in this run: e-mail, role and the scope built from them."""

    email: str
    role: str
    scope: Scope
    demo: bool = False
    areas: tuple[str, ...] = field(default=())
    units: tuple[str, ...] = field(default=())
    functions: tuple[str, ...] = field(default=())

    @property
    def label(self) -> str:
        return f"{self.email} ({ROLE_LABELS.get(self.role, self.role)})"


def normalise_email(email: str) -> str:
    """Lower-cased and trimmed; raises ``ValueError`` for something that is not an address."""
    value = (email or "").strip().lower()
    if not value or "@" not in value or any(c.isspace() for c in value) or value.startswith("@"):
        raise ValueError(f"'{email}' är ingen giltig e-postadress")
    return value


def check_role(role: str) -> str:
    if role not in ROLES:
        raise ValueError(f"Okänd roll '{role}'. Giltiga roller: {', '.join(ROLES)}.")
    return role


def pages_for_role(role: str) -> tuple[str, ...]:
    """The url paths of the pages ``role`` may use (``ValueError`` for an unknown role)."""
    return ROLE_PAGES[check_role(role)]


def scope_for_role(
    role: str,
    areas: Iterable[str] = (),
    units: Iterable[str] = (),
    unit_areas: Mapping[str, str] | None = None,
    functions: Iterable[str] = (),
) -> Scope:
    """The data scope of a role. ``unit_areas`` (unit id → area) gives a principal's comparison
    areas; ``functions`` a support function user's functions."""
    check_role(role)
    if role == SUPPORT:
        return Scope.for_functions(functions)
    if role in (HR, LEADERSHIP):
        return Scope.everything()
    if role == AREA_MANAGER:
        return Scope.for_areas(*areas)
    if role == PRINCIPAL:
        units = tuple(units)
        lookup = unit_areas or {}
        return Scope.for_units(units, areas=[lookup[u] for u in units if u in lookup])
    return Scope("unit")  # admin: users and audit only, no unit figures


def known_units(conn: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """Every current unit (``unit_id, unit_name, area``), for validating and choosing scopes."""
    cur = conn.cursor()
    try:
        frame = store.frame(
            cur,
            "SELECT DISTINCT unit_id, unit_name, area FROM current_units "
            "WHERE unit_id IS NOT NULL ORDER BY area, unit_name, unit_id",
        )
    finally:
        cur.close()
    schema = {"unit_id": pl.String, "unit_name": pl.String, "area": pl.String}
    if frame.height == 0:
        return pl.DataFrame(schema=schema)
    return frame.cast(schema, strict=False).unique("unit_id", keep="first", maintain_order=True)


def known_areas(conn: duckdb.DuckDBPyConnection) -> list[str]:
    return sorted(set(known_units(conn)["area"].drop_nulls().to_list()))


def areas_with_schools(conn: duckdb.DuckDBPyConnection) -> list[str]:
    """Areas with at least one school or preschool (not only central units), sorted.

    The demo's area manager starts on the first of them: an area of central
    units only has no figures to discuss.
    """
    cur = conn.cursor()
    try:
        rows = store.rows(
            cur,
            "SELECT DISTINCT area FROM current_units WHERE area IS NOT NULL "
            "AND coalesce(school_form, '') <> 'central' ORDER BY area",
        )
    finally:
        cur.close()
    return [area for (area,) in rows]


def units_with_schools(conn: duckdb.DuckDBPyConnection) -> list[str]:
    """Unit ids of schools and preschools (not central units), in the order units are listed.

    The demo's principal starts on the first of them: a central unit has no teachers, so most
    of a principal's figures would be empty.
    """
    cur = conn.cursor()
    try:
        rows = store.rows(
            cur,
            "SELECT unit_id FROM (SELECT DISTINCT unit_id, unit_name, area FROM current_units "
            "WHERE unit_id IS NOT NULL AND coalesce(school_form, '') <> 'central') "
            "ORDER BY area, unit_name, unit_id",
        )
    finally:
        cur.close()
    return [unit for (unit,) in rows]


def validate_functions(
    conn: duckdb.DuckDBPyConnection, role: str, functions: Iterable[str]
) -> tuple[str, ...]:
    """A support function user's functions, spelt as the register's list spells them.

    The support role needs at least one function of the list; every other role takes
    none (``ValueError`` with a Swedish message). Returns them de-duplicated, sorted.
    """
    given = sorted({f.strip() for f in functions if f and f.strip()})
    if role != SUPPORT:
        if given:
            raise ValueError("Bara rollen support (stödfunktion) ges stödfunktioner (--functions).")
        return ()
    if not given:
        raise ValueError("En stödfunktion behöver minst en funktion (--functions), t.ex. HR.")
    known = support_lists.list_values(conn, support_lists.FUNCTION)
    by_fold = {support_lists.fold(k): k for k in known}
    unknown = [f for f in given if support_lists.fold(f) not in by_fold]
    if unknown:
        raise ValueError(
            f"Okänd stödfunktion: {', '.join(unknown)}. Kända stödfunktioner: {', '.join(known)}."
        )
    return tuple(sorted({by_fold[support_lists.fold(f)] for f in given}))


def validate_scope(
    conn: duckdb.DuckDBPyConnection, role: str, areas: Iterable[str], units: Iterable[str]
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Check that a role gets the scope it needs and that the areas and units exist.

    Area managers need at least one area (and no units), principals at least one
    unit (and no areas: theirs are looked up); the organisation-wide roles, admin and
    support functions take neither. Returns the de-duplicated, sorted (areas, units).
    """
    check_role(role)
    areas = tuple(sorted({a.strip() for a in areas if a and a.strip()}))
    units = tuple(sorted({u.strip() for u in units if u and u.strip()}))
    if role == AREA_MANAGER:
        if not areas:
            raise ValueError("En verksamhetschef behöver minst ett område (--area).")
        if units:
            raise ValueError("En verksamhetschef ges områden (--area), inte enheter.")
    elif role == PRINCIPAL:
        if not units:
            raise ValueError("En rektor behöver minst en enhet (--unit).")
        if areas:
            raise ValueError(
                "En rektor ges enheter (--unit); området för jämförelse hämtas från enheten."
            )
    elif role == SUPPORT and (areas or units):
        raise ValueError(
            "En stödfunktion ges funktioner (--functions), inte områden eller enheter."
        )
    elif areas or units:
        raise ValueError(
            f"Rollen {role} gäller hela organisationen och tar inga områden eller enheter."
        )
    known = known_units(conn)
    unknown_areas = [a for a in areas if a not in set(known["area"].to_list())]
    if unknown_areas:
        raise ValueError(
            f"Okänt område: {', '.join(unknown_areas)}. Kända områden: {', '.join(known_areas(conn)) or 'inga'}."
        )
    unknown_units = [u for u in units if u not in set(known["unit_id"].to_list())]
    if unknown_units:
        raise ValueError(
            f"Okänd enhet: {', '.join(unknown_units)}. Ange enhetens id (unit_id) som i enhetsfilen."
        )
    return areas, units


def add_user(
    conn: duckdb.DuckDBPyConnection,
    email: str,
    role: str,
    *,
    areas: Iterable[str] = (),
    units: Iterable[str] = (),
    functions: Iterable[str] = (),
    added_by: str,
) -> dict:
    """Give ``email`` a role and scope (replacing an earlier grant, re-activating a removed user).

    Validates the role, the scope it needs and that areas, units and support functions
    exist (``ValueError`` with a Swedish message). Logs ``user_added``. Returns the row.
    """
    address = normalise_email(email)
    areas, units = validate_scope(conn, role, areas, units)
    functions = validate_functions(conn, role, functions)
    now = dt.datetime.now(dt.UTC)
    cur = conn.cursor()
    try:
        cur.execute(
            "INSERT INTO users (email, role, areas, units, functions, added_by, added_at, active) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, true) ON CONFLICT (email) DO UPDATE SET "
            "role = excluded.role, areas = excluded.areas, units = excluded.units, "
            "functions = excluded.functions, "
            "added_by = excluded.added_by, added_at = excluded.added_at, active = true",
            [address, role, list(areas), list(units), list(functions), added_by, now],
        )
    finally:
        cur.close()
    audit.log_event(
        conn,
        added_by,
        audit.USER_ADDED,
        address,
        {"role": role, "areas": list(areas), "units": list(units)}
        | ({"functions": list(functions)} if functions else {}),
    )
    return {
        "email": address,
        "role": role,
        "areas": list(areas),
        "units": list(units),
        "functions": list(functions),
        "added_by": added_by,
        "added_at": now,
        "active": True,
    }


def remove_user(conn: duckdb.DuckDBPyConnection, email: str, *, removed_by: str) -> bool:
    """Deactivate a user (their row stays, inactive). False when there was no active user."""
    address = normalise_email(email)
    cur = conn.cursor()
    try:
        active = store.scalar(
            cur, "SELECT count(*) FROM users WHERE email = ? AND active", [address]
        )
        if not active:
            return False
        cur.execute("UPDATE users SET active = false WHERE email = ?", [address])
    finally:
        cur.close()
    audit.log_event(conn, removed_by, audit.USER_REMOVED, address)
    return True


def list_users(conn: duckdb.DuckDBPyConnection, *, include_inactive: bool = True) -> pl.DataFrame:
    """Users, active first then by e-mail. Grain: one row per user; columns ``USER_SCHEMA``."""
    cur = conn.cursor()
    try:
        frame = store.frame(
            cur,
            "SELECT email, role, areas, units, functions, added_by, added_at, active FROM users "
            "WHERE active OR ? ORDER BY active DESC, email",
            [include_inactive],
        )
    finally:
        cur.close()
    if frame.height == 0:
        return pl.DataFrame(schema=USER_SCHEMA)
    return frame.cast(USER_SCHEMA, strict=False)


def user_scope(conn: duckdb.DuckDBPyConnection, email: str) -> tuple[str, Scope] | None:
    """(role, Scope) of an active user, or None for an unknown or removed address."""
    try:
        address = normalise_email(email)
    except ValueError:
        return None
    cur = conn.cursor()
    try:
        found = store.rows(
            cur,
            "SELECT role, areas, units, functions FROM users WHERE email = ? AND active",
            [address],
        )
    finally:
        cur.close()
    if not found:
        return None
    role, areas, units, functions = found[0]
    unit_areas: dict[str, str] = {}
    if role == PRINCIPAL:
        known = known_units(conn)
        unit_areas = dict(zip(known["unit_id"].to_list(), known["area"].to_list(), strict=True))
    return role, scope_for_role(role, areas or (), units or (), unit_areas, functions or ())


def viewer_for(conn: duckdb.DuckDBPyConnection, email: str) -> Viewer | None:
    """The signed-in user's ``Viewer`` (rebuilt from the users table on every run), or None."""
    found = user_scope(conn, email)
    if found is None:
        return None
    role, scope = found
    return Viewer(
        email=normalise_email(email),
        role=role,
        scope=scope,
        areas=tuple(sorted(scope.areas)),
        units=tuple(sorted(scope.units)),
        functions=tuple(sorted(scope.functions)),
    )


def users_display(users: pl.DataFrame) -> pl.DataFrame:
    """Users for the admin table: Swedish headers, role names, scope as text, ``Ja``/``Nej``."""
    scope = (
        pl.when(pl.col("role") == AREA_MANAGER)
        .then(pl.col("areas").list.join(", "))
        .when(pl.col("role") == PRINCIPAL)
        .then(pl.col("units").list.join(", "))
        .when(pl.col("role") == SUPPORT)
        .then(pl.lit("ärenden till ") + pl.col("functions").list.join(", "))
        .when(pl.col("role") == ADMIN)
        .then(pl.lit("användare och logg"))
        .otherwise(pl.lit("hela organisationen"))
    )
    return users.select(
        pl.col("email").alias("E-post"),
        pl.col("role")
        .replace_strict(ROLE_LABELS, default=pl.col("role"), return_dtype=pl.String)
        .alias("Roll"),
        scope.alias("Behörighet"),
        pl.col("added_by").alias("Tillagd av"),
        pl.col("added_at")
        .dt.convert_time_zone("Europe/Stockholm")
        .dt.strftime("%Y-%m-%d %H:%M")
        .alias("Tillagd"),
        pl.when(pl.col("active")).then(pl.lit("Ja")).otherwise(pl.lit("Nej")).alias("Aktiv"),
    )

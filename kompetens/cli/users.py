"""Users: who may sign in, with which role and scope (kompetens.access.auth)."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from kompetens.cli.common import (
    EXIT_REJECTED,
    EXIT_USAGE,
    DbOption,
    GuardedTyper,
    cli_actor,
    console,
    err,
    tell_waiting,
)
from kompetens.ops import database

# ---------------------------------------------------------------------------------------------
# Users: who may sign in, with which role and scope (kompetens.access.auth)

users_app = GuardedTyper(
    help="Användare: vem som får logga in, med vilken roll och behörighet.",
    no_args_is_help=True,
)


@users_app.command("add")
def users_add(
    email: Annotated[str, typer.Argument(help="E-postadress (som i inloggningen).")],
    role: Annotated[
        str,
        typer.Option(
            "--role",
            help="Roll: hr, area_manager, principal, leadership, admin eller support (stödfunktion).",
        ),
    ],
    area: Annotated[
        list[str] | None,
        typer.Option("--area", help="Område (verksamhetschef; kan upprepas)."),
    ] = None,
    unit: Annotated[
        list[str] | None,
        typer.Option("--unit", help="Enhetens id (rektor; kan upprepas)."),
    ] = None,
    functions: Annotated[
        list[str] | None,
        typer.Option(
            "--functions",
            "--function",
            help="Stödfunktion, t.ex. HR eller EH (rollen support; kan upprepas).",
        ),
    ] = None,
    db: DbOption = None,
) -> None:
    """Lägg till en användare eller ändra en befintligs roll och behörighet."""
    from kompetens.access import auth

    if role not in auth.ROLES:
        err.print(f"[red]Okänd roll '{role}'. Giltiga roller: {', '.join(auth.ROLES)}.[/red]")
        raise typer.Exit(EXIT_USAGE)
    try:
        address = auth.normalise_email(email)
    except ValueError as problem:
        err.print(f"[red]{problem}.[/red]")
        raise typer.Exit(EXIT_USAGE) from None
    try:
        with database.writing(db, f"användare {address}", on_wait=tell_waiting) as conn:
            row = auth.add_user(
                conn,
                address,
                role,
                areas=area or (),
                units=unit or (),
                functions=[f for given in functions or () for f in given.split(",")],
                added_by=cli_actor(),
            )
    except ValueError as problem:
        err.print(f"[red]{problem}[/red]")
        raise typer.Exit(EXIT_REJECTED) from None
    scope = ", ".join(row["areas"] or row["units"] or row["functions"]) or "hela organisationen"
    console.print(f"{row['email']} har rollen {auth.ROLE_LABELS[role]} ({scope}).")


@users_app.command("list")
def users_list(
    all_: Annotated[bool, typer.Option("--alla", help="Visa även borttagna användare.")] = False,
    db: DbOption = None,
) -> None:
    """Lista användarna med roll och behörighet."""
    from kompetens.access import auth

    with database.reading(db, on_wait=tell_waiting) as conn:
        users = auth.list_users(conn, include_inactive=all_)
    if users.is_empty():
        console.print("Inga användare ännu. Lägg till med 'kompetens users add'.")
        return
    table = Table(title="Användare")
    for column in (
        "E-post",
        "Roll",
        "Områden",
        "Enheter",
        "Stödfunktioner",
        "Tillagd av",
        "Tillagd",
        "Aktiv",
    ):
        table.add_column(column)
    for row in users.iter_rows(named=True):
        table.add_row(
            row["email"],
            row["role"],
            ", ".join(row["areas"] or []),
            ", ".join(row["units"] or []),
            ", ".join(row["functions"] or []),
            row["added_by"],
            row["added_at"].strftime("%Y-%m-%d %H:%M") if row["added_at"] else "",
            "ja" if row["active"] else "nej",
        )
    console.print(table)


@users_app.command("remove")
def users_remove(
    email: Annotated[str, typer.Argument(help="E-postadress.")],
    db: DbOption = None,
) -> None:
    """Ta bort en användares behörighet (raden sparas som inaktiv för spårbarhet)."""
    from kompetens.access import auth

    try:
        address = auth.normalise_email(email)
    except ValueError as problem:
        err.print(f"[red]{problem}.[/red]")
        raise typer.Exit(EXIT_USAGE) from None
    with database.writing(db, f"användare {address}", on_wait=tell_waiting) as conn:
        removed = auth.remove_user(conn, address, removed_by=cli_actor())
    if not removed:
        err.print(f"[red]Det finns ingen aktiv användare {address}.[/red]")
        raise typer.Exit(EXIT_REJECTED)
    console.print(f"{address} har inte längre åtkomst.")


# ---------------------------------------------------------------------------------------------
# Dialogue briefs (kompetens.dialogue.briefs)

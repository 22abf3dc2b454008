"""The settings command: show the computation's settings, or change the retirement age."""

from __future__ import annotations

from typing import Annotated

import typer

from kompetens.cli.common import (
    EXIT_REJECTED,
    DbOption,
    cli_actor,
    console,
    err,
    progress_bar,
    tell_waiting,
)
from kompetens.ops import database


def settings(
    retirement_age: Annotated[
        int | None,
        typer.Option(
            "--retirement-age",
            help="Ny pensionsålder (år). Alla nyckeltal räknas om med den; prognosen och "
            "pensionsavgångarna per år använder den.",
        ),
    ] = None,
    db: DbOption = None,
) -> None:
    """Visa inställningarna, eller ändra pensionsåldern (räknar om nyckeltalen)."""
    from kompetens.ops import settings as ops_settings

    if retirement_age is None:
        with database.reading(db, on_wait=tell_waiting) as conn:
            age = ops_settings.retirement_age(conn)
        console.print(f"Pensionsålder: {age} år.")
        return
    try:
        with (
            progress_bar("Räknar om nyckeltalen") as progress,
            database.writing(db, "pensionsålder", on_wait=tell_waiting) as conn,
        ):
            before = ops_settings.retirement_age(conn)
            changed = ops_settings.set_retirement_age(
                conn, retirement_age, cli_actor(), progress=progress
            )
    except ValueError as problem:
        err.print(f"[red]{problem}[/red]")
        raise typer.Exit(EXIT_REJECTED) from None
    if changed:
        console.print(
            f"Pensionsåldern är nu {retirement_age} år (var {before}); nyckeltalen är omräknade."
        )
    else:
        console.print(f"Pensionsåldern är redan {retirement_age} år; inget ändrades.")

"""The arshjul command: the annual wheel's upcoming dates as an ``.ics`` calendar file."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from kompetens.cli.common import EXIT_USAGE, DbOption, console, err, tell_waiting
from kompetens.ops import database
from kompetens.present.formatting import fmt_number


def arshjul(
    out: Annotated[
        Path,
        typer.Option("--out", help="Kalenderfil att skriva (.ics), för Outlook, Google m.fl."),
    ],
    area: Annotated[
        str | None,
        typer.Option("--area", help="Bara områdets dialogomgångar och uppföljningar."),
    ] = None,
    db: DbOption = None,
) -> None:
    """Skriv årshjulets kommande datum (ett år framåt) som en kalenderfil (.ics)."""
    from kompetens import query
    from kompetens.query import annual_wheel

    if out.suffix.lower() != ".ics":
        err.print(f"[red]Filen {out} ska sluta på .ics (en kalenderfil).[/red]")
        raise typer.Exit(EXIT_USAGE)
    if not out.parent.exists():
        err.print(f"[red]Mappen {out.parent} finns inte.[/red]")
        raise typer.Exit(EXIT_USAGE)
    scope = query.Scope.everything()
    with database.reading(db, on_wait=tell_waiting) as conn:
        if area is not None and area not in query.areas(conn, scope)["area"].to_list():
            known = ", ".join(query.areas(conn, scope)["area"].to_list())
            err.print(f"[red]Området '{area}' finns inte. Områden: {known}.[/red]")
            raise typer.Exit(EXIT_USAGE)
        data, n = annual_wheel.upcoming_ics(conn, scope, area=area)
    out.write_bytes(data)
    what = area or "hela organisationen"
    console.print(f"Skrev {fmt_number(n)} händelser för {what} till {out} (ett år framåt).")

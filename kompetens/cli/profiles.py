"""Mapping profiles: how an HR system's export maps onto the data contract (kompetens.ingest.profiles)."""

from __future__ import annotations

from pathlib import Path
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
# Mapping profiles: how an HR system's export maps onto the data contract (kompetens.ingest.profiles)

profiles_app = GuardedTyper(
    help="Mappningsprofiler: hur ett HR-systems export översätts till datakontraktet.",
    no_args_is_help=True,
)


@profiles_app.command("list")
def profiles_list(db: DbOption = None) -> None:
    """Lista de sparade profilerna (varje version, nyaste först)."""
    from kompetens.ingest import profiles

    with database.reading(db, on_wait=tell_waiting) as conn:
        saved = profiles.list_profiles(conn)
    if saved.is_empty():
        console.print(
            "Inga profiler ännu. Spara en på sidan Import eller med 'kompetens profiles import'."
        )
        return
    table = Table(title="Mappningsprofiler")
    for column in ("Namn", "Version", "Filtyp", "Rubriksignatur", "Sparad", "Av"):
        table.add_column(column)
    for row in saved.iter_rows(named=True):
        table.add_row(
            row["name"],
            str(row["version"]),
            row["kind"],
            row["signature"],
            row["saved_at"].strftime("%Y-%m-%d %H:%M") if row["saved_at"] else "",
            row["saved_by"],
        )
    console.print(table)


@profiles_app.command("show")
def profiles_show(
    name: Annotated[str, typer.Argument(help="Profilens namn.")],
    version: Annotated[int | None, typer.Option("--version", help="En äldre version.")] = None,
    db: DbOption = None,
) -> None:
    """Visa en profil som TOML."""
    from kompetens.ingest import profiles

    try:
        with database.reading(db, on_wait=tell_waiting) as conn:
            found = profiles.load_profile(conn, name, version)
    except profiles.ProfileError as problem:
        err.print(str(problem), markup=False)
        raise typer.Exit(EXIT_USAGE) from None
    console.print(f"# version {found.version}", markup=False)
    console.print(profiles.to_toml(found), markup=False, highlight=False)


@profiles_app.command("export")
def profiles_export(
    name: Annotated[str, typer.Argument(help="Profilens namn.")],
    out: Annotated[Path, typer.Option("--out", help="Fil att skriva (.toml eller .json).")],
    db: DbOption = None,
) -> None:
    """Skriv en profil till en TOML- eller JSON-fil (för att dela den med en annan kommun)."""
    from kompetens.ingest import profiles

    try:
        with database.reading(db, on_wait=tell_waiting) as conn:
            found = profiles.load_profile(conn, name)
    except profiles.ProfileError as problem:
        err.print(str(problem), markup=False)
        raise typer.Exit(EXIT_USAGE) from None
    profiles.write_profile_file(found, out)
    console.print(
        f"Profilen '{found.name}' (version {found.version}) skrevs till {out}.", markup=False
    )


@profiles_app.command("import")
def profiles_import(
    file: Annotated[Path, typer.Argument(help="En profil som .toml eller .json.")],
    db: DbOption = None,
) -> None:
    """Läs in en profil från en fil; ett befintligt namn får en ny version."""
    from kompetens.ingest import profiles

    try:
        found = profiles.read_profile_file(file)
    except profiles.ProfileError as problem:
        err.print(str(problem), markup=False)
        raise typer.Exit(EXIT_REJECTED) from None
    with database.writing(db, f"profiles import {file.name}", on_wait=tell_waiting) as conn:
        saved = profiles.save_profile(conn, found, cli_actor())
        from kompetens.access import audit

        audit.log_event(
            conn,
            cli_actor(),
            profiles.AUDIT_ACTION,
            saved.name,
            {"version": saved.version, "kind": saved.kind, "file": file.name},
        )
    console.print(
        f"Profilen '{saved.name}' sparades som version {saved.version} ({saved.kind}).",
        markup=False,
    )

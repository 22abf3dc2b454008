"""Operations: backup, restore, doctor and the watched inbox (kompetens.ops)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from kompetens.cli.common import (
    EXIT_REJECTED,
    EXIT_USAGE,
    DbOption,
    console,
    err,
    say_error,
    tell_waiting,
)
from kompetens.core import paths


def backup_(
    folder: Annotated[Path, typer.Argument(help="Ny eller tom mapp för säkerhetskopian.")],
    db: DbOption = None,
) -> None:
    """Ta en konsekvent säkerhetskopia av databasen (går bra medan appen körs)."""
    from kompetens.ops import backup

    try:
        manifest = backup.backup(folder, db, on_wait=tell_waiting)
    except backup.BackupError as refused:
        say_error(str(refused))
        raise typer.Exit(EXIT_USAGE) from None
    rows = f"{sum(manifest.row_counts.values()):,}".replace(",", "\u00a0")
    console.print(
        f"Säkerhetskopian finns i {folder}: dataversion {manifest.data_version}, {rows} rader i "
        f"{len(manifest.row_counts)} tabeller, nyckeltalens kontrollsumma {manifest.figures_checksum}.",
        markup=False,
    )
    err.print(
        "Pseudonymnyckeln ingår inte. Säkerhetskopiera den separat och förvara den åtskild "
        "från databasen (se docs/operations.md).",
        style="yellow",
        markup=False,
    )


def restore_(
    folder: Annotated[
        Path, typer.Argument(help="Mapp med en säkerhetskopia ('kompetens backup').")
    ],
    db: DbOption = None,
) -> None:
    """Återställ databasen från en säkerhetskopia (kontrolleras före och efter)."""
    from kompetens.ops import backup

    try:
        result = backup.restore(folder, db, on_wait=tell_waiting)
    except backup.BackupError as refused:
        say_error(str(refused))
        raise typer.Exit(EXIT_REJECTED) from None
    manifest = result.manifest
    console.print(
        f"Återställde {paths.db_path(db)} från {folder} ({manifest.created_at[:16].replace('T', ' ')}): "
        f"radantal och nyckeltalens kontrollsumma stämmer med manifestet.",
        markup=False,
    )
    if result.previous is not None:
        console.print(f"Den tidigare databasen sparades som {result.previous}.", markup=False)
    if result.recomputed:
        console.print("Nyckeltalen räknades om med den här versionen av Kompetens.")
    if result.key_matches is False:
        err.print(
            "Pseudonymnyckeln som används nu är inte den som data pseudonymiserades med: nya "
            "importer skulle ge samma personer nya pseudonymer. Återställ nyckeln från dess "
            "säkerhetskopia innan nästa import.",
            style="yellow",
            markup=False,
        )


def doctor_(db: DbOption = None) -> None:
    """Kontrollera databasen, nyckeltalen, nyckeln, låset och diskutrymmet."""
    from kompetens.ops import doctor

    findings = doctor.check(db)
    marks = {doctor.OK: "[green]OK[/green]", doctor.WARNING: "[yellow]VARNING[/yellow]", doctor.PROBLEM: "[red]FEL[/red]"}  # fmt: skip
    for finding in findings:
        console.print(f"{marks[finding.level]}  [bold]{finding.topic}[/bold]: ", end="")
        console.print(finding.text, markup=False, highlight=False)
        if finding.advice:
            console.print(f"      Gör så här: {finding.advice}", markup=False, highlight=False)
    if any(f.level == doctor.PROBLEM for f in findings):
        raise typer.Exit(EXIT_REJECTED)


def watch_(
    folder: Annotated[Path, typer.Argument(help="Inkorgen: mappen dit exportfilerna levereras.")],
    once: Annotated[
        bool, typer.Option("--once", help="Gå igenom inkorgen en gång och avsluta.")
    ] = False,
    interval: Annotated[
        float, typer.Option("--intervall", help="Sekunder mellan genomgångarna.")
    ] = 30.0,
    db: DbOption = None,
) -> None:
    """Bevaka en inkorg: nya filer importeras i tur och ordning; avvisade flyttas undan med rapport."""
    from kompetens.ops import watch

    if not folder.is_dir():
        say_error(f"Mappen {folder} finns inte.")
        raise typer.Exit(EXIT_USAGE)
    rejected = 0
    if not once:
        console.print(f"Bevakar {folder} (var {interval:g} s). Avsluta med Ctrl+C.", markup=False)
    for outcome in watch.watch(folder, db, once=once, interval=interval):
        style = {"avvisad": "red", "väntar": "yellow"}.get(outcome.status)
        (err if style else console).print(
            f"{outcome.file}: {outcome.status}. {outcome.message}",
            style=style,
            markup=False,
            highlight=False,
        )
        rejected += outcome.status == "avvisad"
    if once and rejected:
        raise typer.Exit(EXIT_REJECTED)

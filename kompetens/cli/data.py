"""Data commands: demo, import, imports, undo, template, figures."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from kompetens.cli.common import (
    EXIT_REFUSED,
    EXIT_REJECTED,
    EXIT_USAGE,
    DbOption,
    console,
    err,
    figures_current,
    print_log,
    progress_bar,
    tell_waiting,
)
from kompetens.core import locking, paths
from kompetens.core.contract import KINDS
from kompetens.ops import database


def demo(
    db: DbOption = None,
    employees: Annotated[
        int, typer.Option(help="Antal anställda i den fiktiva organisationen.")
    ] = 5000,
    years: Annotated[
        int | None, typer.Option(help="Antal år bakåt (standard: från januari 2019).")
    ] = None,
    seed: Annotated[int, typer.Option(help="Slumpfrö; samma frö ger samma data.")] = 42,
) -> None:
    """Bygg demodatabasen (ersätter databasfilen) via den riktiga importen."""
    from kompetens.demo import build_demo

    target = paths.db_path(db)
    with (
        locking.writer_lock(target, "demodata", on_wait=tell_waiting),
        progress_bar("Bygger demodata") as progress,
    ):
        counts = build_demo(db, employees=employees, years=years, seed=seed, progress=progress)
        database.publish_under_lock(target)
    table = Table(title=f"Demodatabas: {target}")
    table.add_column("Filtyp")
    table.add_column("Rader", justify="right")
    for kind, count in counts.items():
        table.add_row(
            KINDS[kind].label_sv if kind in KINDS else kind, f"{count:,}".replace(",", " ")
        )
    console.print(table)


def import_(
    file: Annotated[Path, typer.Argument(help="CSV-, XLSX- eller Parquet-fil.", exists=False)],
    kind: Annotated[
        str | None,
        typer.Option(
            "--kind", help=f"Filtyp ({', '.join(KINDS)}); gissas från rubrikerna om den saknas."
        ),
    ] = None,
    partial: Annotated[
        bool,
        typer.Option(
            "--partial",
            help="Importera giltiga rader och skriv avvisade rader till en fil bredvid.",
        ),
    ] = False,
    profile: Annotated[
        str | None,
        typer.Option(
            "--profile",
            help="Mappningsprofil (namn, se 'kompetens profiles list'); annars används en sparad "
            "profil vars rubriker stämmer med filen.",
        ),
    ] = None,
    db: DbOption = None,
) -> None:
    """Importera en fil enligt datakontraktet (allt eller inget, om inte --partial)."""
    from kompetens.ingest import ImportRejected, import_file

    if not file.is_file():
        err.print(f"[red]Filen {file} finns inte.[/red]")
        raise typer.Exit(EXIT_USAGE)
    if kind is not None and kind not in KINDS:
        err.print(f"[red]Okänd filtyp '{kind}'. Giltiga: {', '.join(KINDS)}.[/red]")
        raise typer.Exit(EXIT_USAGE)
    try:
        with (
            database.writing(db, f"import {file.name}", on_wait=tell_waiting) as conn,
            progress_bar(f"Importerar {file.name}") as progress,
        ):
            result = import_file(
                conn, file, kind=kind, partial=partial, progress=progress, profile=profile
            )
    except ImportRejected as rejected:
        err.print(f"[red]{rejected}[/red]")
        err.print("Inget från filen skrevs till databasen.")
        raise typer.Exit(EXIT_REJECTED) from None
    except ValueError as problem:
        err.print(f"[red]{problem}[/red]")
        raise typer.Exit(EXIT_REJECTED) from None
    for warning in result.warnings:
        err.print(f"[yellow]Varning: {warning}[/yellow]")
    if result.already_imported:
        console.print(f"{file.name} är redan importerad – inget ändrades.")
        return
    console.print(str(result))
    if result.rejected_file is not None:
        console.print(f"[yellow]{result.rejected_note}[/yellow]")


def imports(db: DbOption = None) -> None:
    """Lista importloggen (nyaste först)."""
    from kompetens.ingest import list_imports

    with database.reading(db, on_wait=tell_waiting) as conn:
        log = list_imports(conn)
    if log.is_empty():
        console.print("Inga importer ännu.")
        return
    columns = (
        "batch_id",
        "kind",
        "file_name",
        "rows_written",
        "rows_replaced",
        "user_name",
        "imported_at",
        "undone_at",
    )
    print_log(log, columns, "Importlogg")


def undo(
    batch_id: Annotated[int, typer.Argument(help="Batchnummer från 'kompetens imports'.")],
    db: DbOption = None,
) -> None:
    """Ångra en import (batch): dess rader tas bort och det den ersatte återställs."""
    from kompetens.ingest import UndoRefused, undo_batch

    try:
        with (
            database.writing(db, f"ångra batch {batch_id}", on_wait=tell_waiting) as conn,
            progress_bar(f"Ångrar batch {batch_id}") as progress,
        ):
            result = undo_batch(conn, batch_id, progress=progress)
    except UndoRefused as refused:
        err.print(f"[red]{refused}[/red]")
        raise typer.Exit(EXIT_REFUSED) from None
    console.print(str(result))


def template(
    kind: Annotated[str, typer.Argument(help=f"Filtyp: {', '.join(KINDS)}.")],
    out: Annotated[
        Path | None, typer.Option("--out", help="Fil att skriva (.csv eller .xlsx).")
    ] = None,
    swedish: Annotated[
        bool, typer.Option("--svenska/--english", help="Svenska eller engelska rubriker.")
    ] = True,
) -> None:
    """Skriv en tom mall med rubrikerna för en filtyp."""
    from kompetens.ingest import write_template

    if kind not in KINDS:
        err.print(f"[red]Okänd filtyp '{kind}'. Giltiga: {', '.join(KINDS)}.[/red]")
        raise typer.Exit(EXIT_USAGE)
    target = out or Path(f"{kind}_mall.csv")
    written = write_template(kind, target, language="sv" if swedish else "en")
    console.print(f"Skrev mallen {written}.")


def figures(
    out: Annotated[Path, typer.Option("--out", help="Fil att skriva: .csv eller .parquet.")],
    indicator: Annotated[
        list[str] | None,
        typer.Option("--indicator", help="Bara denna indikator (kan upprepas). Standard: alla."),
    ] = None,
    with_benchmarks: Annotated[
        bool,
        typer.Option(
            "--with-benchmarks",
            help="Ta med jämförelsevärden (Kolada, Skolverket) med källkolumner.",
        ),
    ] = False,
    db: DbOption = None,
) -> None:
    """Exportera nyckeltalen (värden på färre än 5 personer lämnas tomma, suppressed = true)."""
    from kompetens.indicators import REGISTRY
    from kompetens.query.export import FORMATS, export_figures

    if out.suffix.lower() not in FORMATS:
        err.print("[red]Filen måste sluta på .csv eller .parquet.[/red]")
        raise typer.Exit(EXIT_USAGE)
    unknown = [i for i in indicator or [] if i not in REGISTRY]
    if unknown:
        err.print(
            f"[red]Okänd indikator: {', '.join(unknown)}. Giltiga: {', '.join(REGISTRY)}.[/red]"
        )
        raise typer.Exit(EXIT_USAGE)
    figures_current(db)
    with database.reading(db, on_wait=tell_waiting) as conn:
        rows = export_figures(conn, out, indicator or None)
        if with_benchmarks:
            from kompetens.query.benchmarks import append_benchmark_rows

            rows += append_benchmark_rows(conn, out, indicator or None)
    console.print(f"Skrev {rows:,} rader till {out}.".replace(",", "\u00a0"))

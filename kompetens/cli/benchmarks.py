"""``kompetens benchmarks …``: external benchmarks from Kolada and Skolverket (import, fetch, log, undo, settings)."""

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
    GuardedTyper,
    console,
    err,
    print_log,
    progress_bar,
    tell_waiting,
)
from kompetens.ops import database

benchmarks_app = GuardedTyper(
    help="Jämförelsevärden från Kolada och Skolverket (riket, liknande kommuner, skolenheter).",
    no_args_is_help=True,
)


def _years(text: str | None) -> list[int] | None:
    """``'2015-2024'`` or ``'2022,2023'`` -> the years; None when not given."""
    if not text:
        return None
    years: list[int] = []
    for part in text.split(","):
        first, _, last = part.strip().partition("-")
        if not first.isdigit() or (last and not last.isdigit()):
            raise ValueError(
                f"'{part}' är inget år eller intervall (t.ex. 2015-2024 eller 2023,2024)."
            )
        years += list(range(int(first), int(last or first) + 1))
    return years


@benchmarks_app.command("import")
def import_(
    file: Annotated[Path, typer.Argument(help="Koladas JSON-svar eller Skolverkets JSON/CSV.")],
    period: Annotated[
        str | None,
        typer.Option(
            "--period", help="Läsår för en Skolverket-CSV utan läsår i filen (t.ex. 2023/24)."
        ),
    ] = None,
    db: DbOption = None,
) -> None:
    """Importera jämförelsevärden från en fil, som källan lämnar den (allt eller inget)."""
    from kompetens.external.errors import ExternalRejected
    from kompetens.external.writer import import_benchmark_file

    if not file.is_file():
        err.print(f"[red]Filen {file} finns inte.[/red]")
        raise typer.Exit(EXIT_USAGE)
    data = file.read_bytes()
    try:
        with database.writing(db, f"jämförelsevärden {file.name}", on_wait=tell_waiting) as conn:
            result = import_benchmark_file(conn, file.name, data, period=period)
    except ExternalRejected as rejected:
        err.print(str(rejected), style="red", markup=False, highlight=False)
        err.print("Inget från filen skrevs till databasen.")
        raise typer.Exit(EXIT_REJECTED) from None
    console.print(str(result), markup=False, highlight=False)


@benchmarks_app.command("fetch")
def fetch_(
    municipality: Annotated[
        str | None, typer.Option("--municipality", help="Egen kommunkod (standard: inställningen).")
    ] = None,
    years: Annotated[
        str | None,
        typer.Option(
            "--years", help="År att hämta: 2015-2024 eller 2023,2024 (standard: de tio senaste)."
        ),
    ] = None,
    kpi: Annotated[
        list[str] | None,
        typer.Option("--kpi", help="Kolada-nyckeltal (kan upprepas; standard: inställningen)."),
    ] = None,
    db: DbOption = None,
) -> None:
    """Hämta jämförelsevärden från Koladas och Skolverkets öppna API:er (kräver internet)."""
    from kompetens.external.errors import ExternalRejected, FetchFailed
    from kompetens.external.fetch import fetch_benchmarks

    try:
        chosen_years = _years(years)
    except ValueError as bad:
        err.print(str(bad), style="red", markup=False, highlight=False)
        raise typer.Exit(EXIT_USAGE) from None
    try:
        with (
            database.writing(db, "hämtning av jämförelsevärden", on_wait=tell_waiting) as conn,
            progress_bar("Hämtar jämförelsevärden") as progress,
        ):
            result = fetch_benchmarks(
                conn,
                municipality=municipality,
                years=chosen_years,
                kpis=kpi or None,
                progress=progress,
            )
    except (FetchFailed, ExternalRejected) as failed:
        err.print(str(failed), style="red", markup=False, highlight=False)
        raise typer.Exit(EXIT_REJECTED) from None
    console.print(str(result), markup=False, highlight=False)


@benchmarks_app.command("list")
def list_(db: DbOption = None) -> None:
    """Lista importerna och hämtningarna av jämförelsevärden (nyaste först)."""
    from kompetens.external.writer import list_benchmark_imports

    with database.reading(db, on_wait=tell_waiting) as conn:
        log = list_benchmark_imports(conn)
    if log.is_empty():
        console.print("Inga jämförelsevärden importerade ännu.")
        return
    columns = (
        "batch_id",
        "how",
        "file_name",
        "rows_written",
        "rows_replaced",
        "user_name",
        "imported_at",
        "undone_at",
    )
    print_log(log, columns, "Jämförelsevärden: importlogg")


@benchmarks_app.command("undo")
def undo_(
    batch_id: Annotated[int, typer.Argument(help="Batchnummer från 'kompetens benchmarks list'.")],
    db: DbOption = None,
) -> None:
    """Ångra en import eller hämtning av jämförelsevärden."""
    from kompetens.external.errors import UndoRefusedExternal
    from kompetens.external.writer import undo_benchmarks

    try:
        with database.writing(
            db, f"ångra jämförelsebatch {batch_id}", on_wait=tell_waiting
        ) as conn:
            result = undo_benchmarks(conn, batch_id)
    except UndoRefusedExternal as refused:
        err.print(str(refused), style="red", markup=False, highlight=False)
        raise typer.Exit(EXIT_REFUSED) from None
    console.print(str(result), markup=False, highlight=False)


@benchmarks_app.command("settings")
def settings_(
    municipality: Annotated[
        str | None, typer.Option("--municipality", help="Egen kommunkod (1283).")
    ] = None,
    municipality_name: Annotated[
        str | None, typer.Option("--municipality-name", help="Egen kommuns namn.")
    ] = None,
    group_id: Annotated[
        str | None, typer.Option("--group", help="Koladas id för jämförelsegruppen (G…).")
    ] = None,
    group_name: Annotated[
        str | None, typer.Option("--group-name", help="Jämförelsegruppens namn.")
    ] = None,
    group_title: Annotated[
        str | None,
        typer.Option("--group-title", help="Titel att söka gruppen på när --group saknas."),
    ] = None,
    kpis: Annotated[
        str | None, typer.Option("--kpis", help="Kolada-nyckeltal, kommaseparerade.")
    ] = None,
    kolada_url: Annotated[
        str | None, typer.Option("--kolada-url", help="Koladas API-adress.")
    ] = None,
    skolverket_url: Annotated[
        str | None, typer.Option("--skolverket-url", help="Skolverkets API-adress.")
    ] = None,
    timeout: Annotated[
        float | None, typer.Option("--timeout", help="Längsta väntan per svar (s).")
    ] = None,
    retries: Annotated[
        int | None, typer.Option("--retries", help="Nya försök efter serverfel/time-out.")
    ] = None,
    db: DbOption = None,
) -> None:
    """Visa eller ändra inställningarna för jämförelsevärden (kommun, grupp, nyckeltal, adresser)."""
    from kompetens.external.errors import ExternalRejected
    from kompetens.external.writer import SETTINGS, read_settings, write_settings

    given = {
        "municipality": municipality,
        "municipality_name": municipality_name,
        "group_id": group_id,
        "group_name": group_name,
        "group_title": group_title,
        "kpis": kpis,
        "kolada_url": kolada_url,
        "skolverket_url": skolverket_url,
        "timeout_seconds": None if timeout is None else f"{timeout:g}",
        "retries": None if retries is None else str(retries),
    }
    changes = {k: v for k, v in given.items() if v is not None}
    try:
        if changes:
            with database.writing(
                db, "inställningar för jämförelsevärden", on_wait=tell_waiting
            ) as conn:
                current = write_settings(conn, changes)
        else:
            with database.reading(db, on_wait=tell_waiting) as conn:
                current = read_settings(conn)
    except ExternalRejected as rejected:
        err.print(str(rejected), style="red", markup=False, highlight=False)
        raise typer.Exit(EXIT_REJECTED) from None
    table = Table(title="Inställningar för jämförelsevärden")
    for column in ("Inställning", "Värde", "Betydelse"):
        table.add_column(column)
    for key, value in current.items():
        table.add_row(key, value or "–", SETTINGS[key][1])
    console.print(table)

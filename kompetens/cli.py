"""The ``kompetens`` command line.

Messages to the user are in Swedish, like the app, and no command shows a
traceback (every command runs inside :func:`_guarded`). Exit codes:

0 done; 1 rejected input (the report says what to fix; for ``doctor``: a problem
was found); 2 usage error (also: no database); 3 refused (an undo that would break
later imports, a database made by a newer version, or another writer held the
database longer than ``KOMPETENS_LOCK_TIMEOUT`` seconds); 4 unexpected error
(a Swedish message; ``KOMPETENS_DEBUG=1`` shows the traceback); 130 interrupted.

Commands that change data take the writer lock and publish a snapshot when they
are done; commands that only read use the published snapshot and never wait
(``kompetens.ops.database``, docs/operations.md).
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import click
import duckdb
import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from kompetens import wiring
from kompetens.core import locking, paths, store
from kompetens.core.contract import KINDS
from kompetens.ops import database

EXIT_REJECTED = 1
EXIT_USAGE = 2
EXIT_REFUSED = 3
EXIT_FAILED = 4
EXIT_INTERRUPTED = 130

console = Console()
err = Console(stderr=True)


def _say_error(message: str) -> None:
    err.print(message, style="red", markup=False, highlight=False)


def _guarded(fn: Callable) -> Callable:
    """Run a command so that the user sees a Swedish message and an exit code, never a traceback."""

    @functools.wraps(fn)
    def run(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except (typer.Exit, typer.Abort, click.exceptions.Exit, click.ClickException):
            raise
        except locking.DatabaseBusy as busy:
            _say_error(str(busy))
            raise typer.Exit(EXIT_REFUSED) from None
        except database.NoDatabase as missing:
            _say_error(f"{missing} Bygg demodata med 'kompetens demo' eller ange --db.")
            raise typer.Exit(EXIT_USAGE) from None
        except store.NewerDatabaseError as newer:
            _say_error(str(newer))
            raise typer.Exit(EXIT_REFUSED) from None
        except KeyboardInterrupt:
            _say_error("Avbrutet.")
            raise typer.Exit(EXIT_INTERRUPTED) from None
        except Exception as problem:
            if os.environ.get("KOMPETENS_DEBUG"):
                raise
            _say_error(_unexpected(problem))
            raise typer.Exit(EXIT_FAILED) from None

    return run


def _unexpected(problem: Exception) -> str:
    if isinstance(problem, duckdb.IOException) and "lock" in str(problem).lower():
        return (
            "Databasen hålls öppen av ett annat program (kanske en äldre version av Kompetens "
            f"eller ett eget skript): {problem}. Stäng det och försök igen."
        )
    if isinstance(problem, OSError):
        return f"Filen kunde inte läsas eller skrivas: {problem}."
    return (
        f"Ett oväntat fel inträffade ({type(problem).__name__}: {problem}). Inget mer gjordes. "
        "Kör igen med KOMPETENS_DEBUG=1 för detaljer, och kontakta den som förvaltar Kompetens."
    )


class _GuardedTyper(typer.Typer):
    """A Typer whose every command runs inside :func:`_guarded`."""

    def command(self, *args, **kwargs):
        register = super().command(*args, **kwargs)

        def decorator(fn: Callable) -> Callable:
            register(_guarded(fn))
            return fn

        return decorator


def _tell_waiting(holder: locking.Holder | None) -> None:
    """Say once, on stderr, that this command waits for another writer."""
    who = holder.describe() if holder else "en annan skrivning"
    limit = f"{locking.timeout_from_env():g}".replace(".", ",")
    err.print(
        f"Databasen används just nu av {who}. Väntar (högst {limit} s, KOMPETENS_LOCK_TIMEOUT) …",
        style="yellow",
        markup=False,
        highlight=False,
    )


app = _GuardedTyper(
    name="kompetens",
    help="Kompetens – nyckeltal för kompetensförsörjning (ARUBA) i skolan.",
    no_args_is_help=True,
    add_completion=False,
)


@app.callback()
def _wire() -> None:
    wiring.wire()  # before any command opens a database


DbOption = Annotated[
    Path | None,
    typer.Option("--db", help="Databasfil (standard: KOMPETENS_DB eller data/kompetens.duckdb)."),
]


@contextmanager
def progress_bar(description: str) -> Iterator[Callable[[float, str], None]]:
    """A rich progress bar driven by ``progress(fraction, message)`` callbacks."""
    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        TextColumn("{task.percentage:>3.0f} %"),
        TimeElapsedColumn(),
        console=err,
        transient=False,
    ) as bar:
        task = bar.add_task(description, total=1.0)

        def update(fraction: float, message: str = "") -> None:
            bar.update(
                task, completed=max(0.0, min(1.0, fraction)), description=message or description
            )

        yield update
        bar.update(task, completed=1.0)


@app.command()
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
        locking.writer_lock(target, "demodata", on_wait=_tell_waiting),
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


@app.command("import")
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
            database.writing(db, f"import {file.name}", on_wait=_tell_waiting) as conn,
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


@app.command()
def imports(db: DbOption = None) -> None:
    """Lista importloggen (nyaste först)."""
    from kompetens.ingest import list_imports

    with database.reading(db, on_wait=_tell_waiting) as conn:
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
    table = Table(title="Importlogg")
    for column in columns:
        table.add_column(column)
    for row in log.iter_rows(named=True):
        table.add_row(*["" if row.get(c) is None else str(row[c]) for c in columns])
    console.print(table)


@app.command()
def undo(
    batch_id: Annotated[int, typer.Argument(help="Batchnummer från 'kompetens imports'.")],
    db: DbOption = None,
) -> None:
    """Ångra en import (batch): dess rader tas bort och det den ersatte återställs."""
    from kompetens.ingest import UndoRefused, undo_batch

    try:
        with database.writing(db, f"ångra batch {batch_id}", on_wait=_tell_waiting) as conn:
            result = undo_batch(conn, batch_id)
    except UndoRefused as refused:
        err.print(f"[red]{refused}[/red]")
        raise typer.Exit(EXIT_REFUSED) from None
    console.print(str(result))


@app.command()
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


@app.command("figures")
def figures(
    out: Annotated[Path, typer.Option("--out", help="Fil att skriva: .csv eller .parquet.")],
    indicator: Annotated[
        list[str] | None,
        typer.Option("--indicator", help="Bara denna indikator (kan upprepas). Standard: alla."),
    ] = None,
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
    _figures_current(db)
    with database.reading(db, on_wait=_tell_waiting) as conn:
        rows = export_figures(conn, out, indicator or None)
    console.print(f"Skrev {rows:,} rader till {out}.".replace(",", "\u00a0"))


def _figures_current(db: Path | None) -> None:
    """Recompute stale key figures (older code, or a recompute that never finished) and publish them."""
    target = paths.db_path(db)
    if not target.exists():
        raise database.NoDatabase(f"Databasen {target} finns inte.")
    if database.needs_publication(target):
        with progress_bar("Publicerar aktuella nyckeltal") as update:
            database.ensure_published(target, progress=update, on_wait=_tell_waiting)


# ---------------------------------------------------------------------------------------------
# Users: who may sign in, with which role and scope (kompetens.access.auth)

users_app = _GuardedTyper(
    help="Användare: vem som får logga in, med vilken roll och behörighet.",
    no_args_is_help=True,
)
app.add_typer(users_app, name="users")


def _cli_actor() -> str:
    """Who made a change from the command line, for the audit log."""
    from kompetens.ingest.writer import current_user

    return f"cli:{current_user()}"


@users_app.command("add")
def users_add(
    email: Annotated[str, typer.Argument(help="E-postadress (som i inloggningen).")],
    role: Annotated[
        str,
        typer.Option("--role", help="Roll: hr, area_manager, principal, leadership eller admin."),
    ],
    area: Annotated[
        list[str] | None,
        typer.Option("--area", help="Område (verksamhetschef; kan upprepas)."),
    ] = None,
    unit: Annotated[
        list[str] | None,
        typer.Option("--unit", help="Enhetens id (rektor; kan upprepas)."),
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
        with database.writing(db, f"användare {address}", on_wait=_tell_waiting) as conn:
            row = auth.add_user(
                conn, address, role, areas=area or (), units=unit or (), added_by=_cli_actor()
            )
    except ValueError as problem:
        err.print(f"[red]{problem}[/red]")
        raise typer.Exit(EXIT_REJECTED) from None
    scope = ", ".join(row["areas"] or row["units"]) or "hela organisationen"
    console.print(f"{row['email']} har rollen {auth.ROLE_LABELS[role]} ({scope}).")


@users_app.command("list")
def users_list(
    all_: Annotated[bool, typer.Option("--alla", help="Visa även borttagna användare.")] = False,
    db: DbOption = None,
) -> None:
    """Lista användarna med roll och behörighet."""
    from kompetens.access import auth

    with database.reading(db, on_wait=_tell_waiting) as conn:
        users = auth.list_users(conn, include_inactive=all_)
    if users.is_empty():
        console.print("Inga användare ännu. Lägg till med 'kompetens users add'.")
        return
    table = Table(title="Användare")
    for column in ("E-post", "Roll", "Områden", "Enheter", "Tillagd av", "Tillagd", "Aktiv"):
        table.add_column(column)
    for row in users.iter_rows(named=True):
        table.add_row(
            row["email"],
            row["role"],
            ", ".join(row["areas"] or []),
            ", ".join(row["units"] or []),
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
    with database.writing(db, f"användare {address}", on_wait=_tell_waiting) as conn:
        removed = auth.remove_user(conn, address, removed_by=_cli_actor())
    if not removed:
        err.print(f"[red]Det finns ingen aktiv användare {address}.[/red]")
        raise typer.Exit(EXIT_REJECTED)
    console.print(f"{address} har inte längre åtkomst.")


# ---------------------------------------------------------------------------------------------
# Dialogue briefs (kompetens.dialogue.briefs)


@app.command("brief")
def brief(
    out: Annotated[
        Path,
        typer.Option(
            "--out",
            help="Med --unit: en .pdf- eller .xlsx-fil. Med --area: en mapp för zip och Excel.",
        ),
    ],
    unit: Annotated[str | None, typer.Option("--unit", help="Enhetens id (en enhet).")] = None,
    area: Annotated[
        str | None, typer.Option("--area", help="Område: en PDF per enhet (zip) och en Excel-fil.")
    ] = None,
    period: Annotated[
        str | None,
        typer.Option("--period", help="År (ÅÅÅÅ). Standard: senaste året med nyckeltal."),
    ] = None,
    dialogue_date: Annotated[
        str | None, typer.Option("--datum", help="Dialogens datum (ÅÅÅÅ-MM-DD). Standard: i dag.")
    ] = None,
    protokoll: Annotated[
        bool,
        typer.Option(
            "--protokoll/--underlag",
            help="Protokoll efter dialogen (anteckningar och åtgärder sparade för --datum) "
            "eller underlag före dialogen (förra dialogens åtgärder och plats för anteckningar).",
        ),
    ] = False,
    db: DbOption = None,
) -> None:
    """Skriv underlag för verksamhetsdialog: en enhet som PDF/Excel, eller ett helt område."""
    import datetime as dt
    import re

    from kompetens import query
    from kompetens.dialogue.briefs import excel
    from kompetens.dialogue.briefs.area import build_area
    from kompetens.dialogue.briefs.charts import ChartRenderer
    from kompetens.dialogue.briefs.content import build_brief
    from kompetens.dialogue.briefs.pdf import render_pdf

    if (unit is None) == (area is None):
        err.print("[red]Ange antingen --unit ENHET eller --area OMRÅDE.[/red]")
        raise typer.Exit(EXIT_USAGE)
    if period is not None and not re.fullmatch(r"\d{4}", period):
        err.print(f"[red]--period ska vara ett år (ÅÅÅÅ), inte '{period}'.[/red]")
        raise typer.Exit(EXIT_USAGE)
    suffix = out.suffix.lower()
    if unit is not None and suffix not in (".pdf", ".xlsx"):
        err.print("[red]Med --unit måste --out sluta på .pdf eller .xlsx.[/red]")
        raise typer.Exit(EXIT_USAGE)
    try:
        day = dt.date.fromisoformat(dialogue_date) if dialogue_date else dt.date.today()
    except ValueError:
        err.print(f"[red]--datum ska skrivas ÅÅÅÅ-MM-DD, inte '{dialogue_date}'.[/red]")
        raise typer.Exit(EXIT_USAGE) from None
    target = paths.db_path(db)
    if not target.is_file():
        err.print(f"[red]Databasen {target} finns inte.[/red]")
        raise typer.Exit(EXIT_USAGE)
    # The command line is an administrator's tool: it sees the whole organisation, like `figures`.
    scope = query.Scope.everything()
    _figures_current(target)  # stale figures are recomputed (and published) first
    conn = database.open_reader(target, on_wait=_tell_waiting)
    from kompetens.indicators.engine import is_stale

    if is_stale(conn):  # another writer kept the lock: the published figures are older
        err.print(
            "[yellow]Nyckeltalen kunde inte räknas om just nu (en annan skrivning pågår). "
            "Kör kommandot igen när den är klar innan underlaget skickas.[/yellow]"
        )
    renderer = None
    try:
        if unit is not None:
            if unit not in query.units(conn, scope)["unit_id"].to_list():
                err.print(f"[red]Enheten '{unit}' finns inte.[/red]")
                raise typer.Exit(EXIT_USAGE)
            if suffix == ".pdf":  # Chromium starts on a thread while the figures are read
                renderer = ChartRenderer().start_in_background()
            with progress_bar(f"Underlag för {unit}") as progress:
                progress(0.05, "Hämtar nyckeltal")
                try:
                    content = build_brief(
                        conn,
                        scope,
                        unit,
                        period=period,
                        dialogue_date=day,
                        kind="protokoll" if protokoll else "underlag",
                    )
                except ValueError as problem:
                    err.print(f"[red]{problem}.[/red]")
                    raise typer.Exit(EXIT_USAGE) from None
                if suffix == ".pdf":
                    progress(0.3, "Ritar diagram och sätter PDF")
                    data = render_pdf(content, renderer)
                else:
                    progress(0.6, "Skriver Excel-filen")
                    data = excel.unit_workbook(content)
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_bytes(data)
            if not content.has_data:
                err.print(f"[yellow]{content.no_data_text}[/yellow]")
            console.print(f"Skrev {out} ({content.unit_name}, {content.period or '–'}).")
            return
        if area not in query.areas(conn, scope)["area"].to_list():
            known = ", ".join(query.areas(conn, scope)["area"].to_list())
            err.print(f"[red]Området '{area}' finns inte. Områden: {known}.[/red]")
            raise typer.Exit(EXIT_USAGE)
        renderer = ChartRenderer().start_in_background()
        with progress_bar(f"Underlag för {area}") as progress:
            result = build_area(
                conn,
                scope,
                area,
                period=period,
                dialogue_date=day,
                progress=progress,
                renderer=renderer,
                kind="protokoll" if protokoll else "underlag",
            )
        out.mkdir(parents=True, exist_ok=True)
        (out / result.zip_name).write_bytes(result.zip_bytes)
        (out / result.workbook_name).write_bytes(result.workbook_bytes)
        console.print(
            f"Skrev {out / result.zip_name} ({len(result.pdf_names)} PDF) "
            f"och {out / result.workbook_name}."
        )
    finally:
        if renderer is not None:
            renderer.close()
        conn.close()


# ---------------------------------------------------------------------------------------------
# Operations: backup, restore, doctor, watched inbox (kompetens.ops, docs/operations.md)


@app.command("backup")
def backup_(
    folder: Annotated[Path, typer.Argument(help="Ny eller tom mapp för säkerhetskopian.")],
    db: DbOption = None,
) -> None:
    """Ta en konsekvent säkerhetskopia av databasen (går bra medan appen körs)."""
    from kompetens.ops import backup

    try:
        manifest = backup.backup(folder, db, on_wait=_tell_waiting)
    except backup.BackupError as refused:
        _say_error(str(refused))
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


@app.command("restore")
def restore_(
    folder: Annotated[
        Path, typer.Argument(help="Mapp med en säkerhetskopia ('kompetens backup').")
    ],
    db: DbOption = None,
) -> None:
    """Återställ databasen från en säkerhetskopia (kontrolleras före och efter)."""
    from kompetens.ops import backup

    try:
        result = backup.restore(folder, db, on_wait=_tell_waiting)
    except backup.BackupError as refused:
        _say_error(str(refused))
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


@app.command("doctor")
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


@app.command("watch")
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
        _say_error(f"Mappen {folder} finns inte.")
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


# ---------------------------------------------------------------------------------------------
# Mapping profiles: how an HR system's export maps onto the data contract (kompetens.ingest.profiles)

profiles_app = _GuardedTyper(
    help="Mappningsprofiler: hur ett HR-systems export översätts till datakontraktet.",
    no_args_is_help=True,
)
app.add_typer(profiles_app, name="profiles")


@profiles_app.command("list")
def profiles_list(db: DbOption = None) -> None:
    """Lista de sparade profilerna (varje version, nyaste först)."""
    from kompetens.ingest import profiles

    with database.reading(db, on_wait=_tell_waiting) as conn:
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
        with database.reading(db, on_wait=_tell_waiting) as conn:
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
        with database.reading(db, on_wait=_tell_waiting) as conn:
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
    with database.writing(db, f"profiles import {file.name}", on_wait=_tell_waiting) as conn:
        saved = profiles.save_profile(conn, found, _cli_actor())
        from kompetens.access import audit

        audit.log_event(
            conn,
            _cli_actor(),
            profiles.AUDIT_ACTION,
            saved.name,
            {"version": saved.version, "kind": saved.kind, "file": file.name},
        )
    console.print(
        f"Profilen '{saved.name}' sparades som version {saved.version} ({saved.kind}).",
        markup=False,
    )


if __name__ == "__main__":  # last: every command is registered by now
    app()

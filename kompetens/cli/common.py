"""What every command shares: the Swedish error guard, exit codes, consoles, the --db option,
the progress bar and the waiting message."""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import click
import duckdb
import polars as pl
import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from kompetens.core import locking, paths, store
from kompetens.core.progress import as_line
from kompetens.ops import database

EXIT_REJECTED = 1
EXIT_USAGE = 2
EXIT_REFUSED = 3
EXIT_FAILED = 4
EXIT_INTERRUPTED = 130

console = Console()
err = Console(stderr=True)


def say_error(message: str) -> None:
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
            say_error(str(busy))
            raise typer.Exit(EXIT_REFUSED) from None
        except database.NoDatabase as missing:
            say_error(f"{missing} Bygg demodata med 'kompetens demo' eller ange --db.")
            raise typer.Exit(EXIT_USAGE) from None
        except store.NewerDatabaseError as newer:
            say_error(str(newer))
            raise typer.Exit(EXIT_REFUSED) from None
        except KeyboardInterrupt:
            say_error("Avbrutet.")
            raise typer.Exit(EXIT_INTERRUPTED) from None
        except Exception as problem:
            if os.environ.get("KOMPETENS_DEBUG"):
                raise
            say_error(_unexpected(problem))
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


class GuardedTyper(typer.Typer):
    """A Typer whose every command runs inside :func:`_guarded`."""

    def command(self, *args, **kwargs):
        register = super().command(*args, **kwargs)

        def decorator(fn: Callable) -> Callable:
            register(_guarded(fn))
            return fn

        return decorator


def tell_waiting(holder: locking.Holder | None) -> None:
    """Say once, on stderr, that this command waits for another writer."""
    who = holder.describe() if holder else "en annan skrivning"
    limit = f"{locking.timeout_from_env():g}".replace(".", ",")
    err.print(
        f"Databasen används just nu av {who}. Väntar (högst {limit} s, KOMPETENS_LOCK_TIMEOUT) …",
        style="yellow",
        markup=False,
        highlight=False,
    )


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
                task,
                completed=max(0.0, min(1.0, fraction)),
                description=as_line(message or description),
            )

        yield update
        bar.update(task, completed=1.0)


def cli_actor() -> str:
    """Who made a change from the command line, for the audit log."""
    from kompetens.ingest.writer import current_user

    return f"cli:{current_user()}"


def figures_current(db: Path | None) -> None:
    """Recompute stale key figures (older code, or a recompute that never finished) and publish them."""
    target = paths.db_path(db)
    if not target.exists():
        raise database.NoDatabase(f"Databasen {target} finns inte.")
    if database.needs_publication(target):
        with progress_bar("Publicerar aktuella nyckeltal") as update:
            database.ensure_published(target, progress=update, on_wait=tell_waiting)


def print_log(log: pl.DataFrame, columns: tuple[str, ...], title: str) -> None:
    """Print an import log (one row per batch) as a table of ``columns``; nulls as empty cells."""
    table = Table(title=title)
    for column in columns:
        table.add_column(column)
    for row in log.iter_rows(named=True):
        table.add_row(*["" if row.get(c) is None else str(row[c]) for c in columns])
    console.print(table)

"""The brief command: a unit's or an area's dialogue brief as PDF and Excel."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from kompetens.cli.common import (
    EXIT_USAGE,
    DbOption,
    console,
    err,
    figures_current,
    progress_bar,
    tell_waiting,
)
from kompetens.core import paths
from kompetens.ops import database


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
    figures_current(target)  # stale figures are recomputed (and published) first
    conn = database.open_reader(target, on_wait=tell_waiting)
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

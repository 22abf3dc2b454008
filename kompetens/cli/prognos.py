"""The prognos command: the projection of the certified shares as a file, or its backtest."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from kompetens.cli.common import EXIT_USAGE, DbOption, console, err, figures_current, tell_waiting
from kompetens.ops import database
from kompetens.present.formatting import fmt_number


def prognos(
    out: Annotated[
        Path | None,
        typer.Option("--out", help="Fil att skriva: .csv eller .parquet (andelar som bråk)."),
    ] = None,
    area: Annotated[
        str | None, typer.Option("--area", help="Bara organisationen, området och dess enheter.")
    ] = None,
    unit: Annotated[
        str | None, typer.Option("--unit", help="Bara organisationen, enhetens område och enheten.")
    ] = None,
    years: Annotated[int, typer.Option("--years", help="Antal år framåt (1–5).")] = 5,
    scenario: Annotated[
        str | None,
        typer.Option(
            "--scenario",
            help="Ett namngivet scenario: ett inbyggt (t.ex. lagre-omsattning) eller ett som "
            "sparats på sidan Prognos. Standard: nuvarande-takt.",
        ),
    ] = None,
    retirements: Annotated[
        bool,
        typer.Option(
            "--retirements",
            help="Pensionsavgångar per år och personalkategori de kommande åren (skrivs ut; med "
            "--out även som fil, en rad per nivå × enhet/område × kategori × år).",
        ),
    ] = False,
    backtest: Annotated[
        int | None,
        typer.Option(
            "--backtest",
            help="Pröva prognosen från detta år mot det som hände sedan (skriver felet per nivå).",
        ),
    ] = None,
    db: DbOption = None,
) -> None:
    """Prognos för andelen behöriga lärare och legitimerade förskollärare, 1–5 år framåt."""
    from kompetens import query
    from kompetens.analysis.projection import SCENARIOS
    from kompetens.query import projection as qp

    if backtest is None and out is None and not retirements:
        err.print("[red]Ange --out FIL (.csv eller .parquet) eller --backtest ÅR.[/red]")
        raise typer.Exit(EXIT_USAGE)
    if area is not None and unit is not None:
        err.print("[red]Ange antingen --area eller --unit, inte båda.[/red]")
        raise typer.Exit(EXIT_USAGE)
    if not 1 <= years <= 5:
        err.print(f"[red]--years ska vara 1–5, inte {years}.[/red]")
        raise typer.Exit(EXIT_USAGE)
    if out is not None and out.suffix.lower() not in (".csv", ".parquet"):
        err.print("[red]Filen måste sluta på .csv eller .parquet.[/red]")
        raise typer.Exit(EXIT_USAGE)
    chosen = SCENARIOS.get(scenario or "nuvarande-takt")
    # The command line is an administrator's tool: it sees the whole organisation, like `figures`.
    scope = query.Scope.everything()
    figures_current(db)
    with database.reading(db, on_wait=tell_waiting) as conn:
        if qp.start_month(conn) is None:
            err.print("[red]Det finns inga personalögonblicksbilder att räkna en prognos på.[/red]")
            raise typer.Exit(EXIT_USAGE)
        if backtest is not None:
            try:
                result = qp.backtest(conn, scope, backtest)
            except ValueError as problem:
                err.print(f"[red]{problem}.[/red]")
                raise typer.Exit(EXIT_USAGE) from None
            console.print(
                f"Prognos från {result.from_year} jämförd med utfallet {result.from_year + 1}–"
                f"{result.to_year} ({result.counts['unit']} enhetsår, {result.counts['area']} "
                f"områdesår, {result.counts['org']} år för organisationen)."
            )
            console.print(qp.coverage_line(result))
            print(result.line())
            return
        if chosen is None:
            chosen = _saved_scenario(conn, scope, scenario)
        known_units = query.units(conn, scope)
        if retirements:
            _check_selection(known_units, area, unit)
            _print_retirements(conn, scope, years, area, unit, out)
            return
        if unit is not None and unit not in known_units["unit_id"].to_list():
            err.print(f"[red]Enheten '{unit}' finns inte.[/red]")
            raise typer.Exit(EXIT_USAGE)
        if area is not None and area not in known_units["area"].to_list():
            err.print(f"[red]Området '{area}' finns inte.[/red]")
            raise typer.Exit(EXIT_USAGE)
        frame = qp.projection(conn, scope, chosen, years=years, area=area, unit=unit)
        rows = qp.write_file(frame, out)
    start = frame.filter(frame["step"] == 0)["year"].min()
    console.print(
        f"Skrev {fmt_number(rows)} rader till {out} (från {start}, scenario: {chosen.name})."
    )


def _saved_scenario(conn, scope, name: str):
    """A scenario saved on the Prognos page (by name, case-insensitive), or exit with a usage error."""
    from kompetens.analysis.projection import SCENARIOS
    from kompetens.query import projection_scenarios as saved

    found = saved.get_scenario(conn, scope, name)
    if found is None:
        names = [*SCENARIOS, *saved.list_scenarios(conn, scope)["name"].to_list()]
        err.print(f"[red]Okänt scenario '{name}'. Giltiga: {', '.join(names)}.[/red]")
        raise typer.Exit(EXIT_USAGE)
    return found.scenario


def _check_selection(known_units, area: str | None, unit: str | None) -> None:
    if unit is not None and unit not in known_units["unit_id"].to_list():
        err.print(f"[red]Enheten '{unit}' finns inte.[/red]")
        raise typer.Exit(EXIT_USAGE)
    if area is not None and area not in known_units["area"].to_list():
        err.print(f"[red]Området '{area}' finns inte.[/red]")
        raise typer.Exit(EXIT_USAGE)


def _print_retirements(conn, scope, years: int, area, unit, out: Path | None) -> None:
    """The retirement timeline of the selection's own scope as a table; the whole selection to ``out``."""
    import polars as pl
    from rich.table import Table

    from kompetens.core.labels import STAFF_CATEGORY_LABELS, label
    from kompetens.query import projection as qp

    def category_label(code: str) -> str:
        return "Alla kategorier" if code == "all" else label(STAFF_CATEGORY_LABELS, code)

    timeline = qp.retirement_timeline(conn, scope, years=years, area=area, unit=unit)
    level, scope_id = ("unit", unit) if unit else ("area", area) if area else ("org", "org")
    rows = timeline.filter((pl.col("level") == level) & (pl.col("scope_id") == scope_id))
    year_list = sorted(rows["year"].unique().to_list())
    age = int(timeline["retirement_age"][0]) if timeline.height else None
    table = Table(
        title=f"Pensionsavgångar per år (pensionsålder {age} år): "
        + ("hela organisationen" if level == "org" else str(scope_id)),
        title_justify="left",
    )
    table.add_column("Personalkategori")
    for year in year_list:
        table.add_column(str(year), justify="right")
    ordered = sorted(
        rows["staff_category"].unique().to_list(), key=lambda c: (c == "all", category_label(c))
    )
    for code in ordered:
        part = rows.filter(pl.col("staff_category") == code).sort("year")
        cells = [
            ".." if hidden else fmt_number(n)
            for n, hidden in zip(part["retirements"], part["suppressed"], strict=True)
        ]
        table.add_row(category_label(code), *cells)
    console.print(table)
    if out is not None:
        frame = timeline.select(
            "level", "scope_id", "staff_category", "year", "retirements", "retirement_age"
        )
        if out.suffix.lower() == ".csv":
            frame.write_csv(out)
        else:
            frame.write_parquet(out)
        console.print(f"Skrev {fmt_number(frame.height)} rader till {out}.")

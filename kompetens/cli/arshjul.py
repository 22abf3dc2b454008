"""The arshjul command: the annual wheel's upcoming dates as an ``.ics`` calendar file."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from kompetens.cli.common import EXIT_USAGE, DbOption, console, err, tell_waiting
from kompetens.core.labels import SCHOOL_FORM_LABELS
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
    school_form: Annotated[
        str | None,
        typer.Option(
            "--skolform",
            help="Bara skolformens enheters åtgärder och återrapporteringar, "
            "t.ex. 'förskola' eller 'grundskola'.",
        ),
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
    form = None
    if school_form is not None:
        form = school_form_code(school_form)
        if form is None:
            known = ", ".join(label.lower() for label in SCHOOL_FORM_LABELS.values())
            err.print(f"[red]Skolformen '{school_form}' finns inte. Skolformer: {known}.[/red]")
            raise typer.Exit(EXIT_USAGE)
    scope = query.Scope.everything()
    with database.reading(db, on_wait=tell_waiting) as conn:
        if area is not None and area not in query.areas(conn, scope)["area"].to_list():
            known = ", ".join(query.areas(conn, scope)["area"].to_list())
            err.print(f"[red]Området '{area}' finns inte. Områden: {known}.[/red]")
            raise typer.Exit(EXIT_USAGE)
        data, n = annual_wheel.upcoming_ics(conn, scope, area=area, school_form=form)
    out.write_bytes(data)
    what = area or "hela organisationen"
    if form is not None:
        what += f" ({SCHOOL_FORM_LABELS[form].lower()})"
    console.print(f"Skrev {fmt_number(n)} händelser för {what} till {out} (ett år framåt).")


def school_form_code(text: str) -> str | None:
    """A school form's code from its code or Swedish label, in any case (``'Förskola'`` ->
    ``'forskola'``); ``None`` when it names none."""
    wanted = " ".join(text.split()).casefold()
    for code, label in SCHOOL_FORM_LABELS.items():
        if wanted in (code.casefold(), label.casefold(), code.replace("_", " ").casefold()):
            return code
    return None

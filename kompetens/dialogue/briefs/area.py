"""Briefs for every unit of an area at once: a zip of PDFs and one Excel workbook.

An area manager prepares twenty dialogues before a round. All briefs of a run
share one chart renderer (one Chromium start), and typesetting a finished
brief overlaps with drawing the next one's charts (Typst runs in a worker
thread while Chromium draws), which matters on a small server.

Progress is reported as ``progress(fraction, message)`` (the CLI's rich bar
and the app's ``st.progress`` both take that shape).
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass

import duckdb

from kompetens import query
from kompetens.core.progress import Progress
from kompetens.dialogue.briefs import excel
from kompetens.dialogue.briefs.charts import ChartRenderer, ChartRenderError
from kompetens.dialogue.briefs.content import (
    PROTOKOLL,
    UNDERLAG,
    Brief,
    build_brief,
    default_period,
)
from kompetens.dialogue.briefs.pdf import chart_images, compile_pdf


def _no_progress(fraction: float, message: str = "") -> None:
    return None


def pdf_file_name(brief: Brief) -> str:
    """``E1_Ekskolan.pdf``: the unit id first (unique), then a file-safe name."""
    stem = re.sub(r"[^0-9A-Za-zÅÄÖåäöÉé_-]+", "_", brief.unit_name).strip("_")
    unit = re.sub(r"[^0-9A-Za-z_-]+", "_", brief.unit_id)
    return f"{unit}_{stem or 'enhet'}.pdf"


def area_file_stem(area: str, period: str | None, kind: str = UNDERLAG) -> str:
    stem = re.sub(r"[^0-9A-Za-zÅÄÖåäö_-]+", "_", area).strip("_") or "omrade"
    word = "Dialogprotokoll" if kind == PROTOKOLL else "Dialogunderlag"
    return f"{word}_{stem}_{period}" if period else f"{word}_{stem}"


def area_briefs(
    conn: duckdb.DuckDBPyConnection,
    scope: query.Scope,
    area: str,
    *,
    period: str | None = None,
    dialogue_date: dt.date | None = None,
    progress: Progress | None = None,
    kind: str = UNDERLAG,
) -> list[Brief]:
    """The brief of every unit of ``area`` the scope may see (``ScopeError`` for an area outside it)."""
    progress = progress or _no_progress
    units = query.units(conn, scope, area=area)
    period = period or default_period(conn, scope)
    out = []
    for i, unit_id in enumerate(units["unit_id"].to_list()):
        progress(i / max(1, units.height), f"Hämtar nyckeltal {i + 1} av {units.height}")
        out.append(
            build_brief(conn, scope, unit_id, period=period, dialogue_date=dialogue_date, kind=kind)
        )
    progress(1.0, "Nyckeltalen är hämtade")
    return out


def zip_of_pdfs(
    briefs: Sequence[Brief],
    renderer: ChartRenderer,
    progress: Progress | None = None,
) -> bytes:
    """One PDF per brief in a zip (``pdf_file_name``), charts drawn through ``renderer``."""
    progress = progress or _no_progress
    buffer = io.BytesIO()
    total = max(1, len(briefs))
    charts_ok = True
    with (
        zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive,
        ThreadPoolExecutor(max_workers=1, thread_name_prefix="typst") as typesetter,
    ):
        pending: list[tuple[str, Future[bytes]]] = []
        for i, brief in enumerate(briefs):
            progress(i / total, f"Ritar {brief.unit_name} ({i + 1} av {total})")
            images, note = [], ""
            if brief.has_data and charts_ok:
                try:
                    images = chart_images(brief, renderer)
                except ChartRenderError:
                    charts_ok = False  # do not wait for a dead browser 25 times
            if brief.has_data and not charts_ok:
                note = "Diagrammen kunde inte ritas (webbläsaren för diagram saknas)."
            pending.append(
                (
                    pdf_file_name(brief),
                    typesetter.submit(compile_pdf, brief, images, chart_note=note),
                )
            )
            # Write finished PDFs as they come, keeping at most one brief typesetting ahead.
            while len(pending) > 1:
                name, future = pending.pop(0)
                archive.writestr(name, future.result())
        for name, future in pending:
            archive.writestr(name, future.result())
    progress(1.0, f"{len(briefs)} PDF klara")
    return buffer.getvalue()


@dataclass(frozen=True)
class AreaBriefs:
    """The result of :func:`build_area`: file names and bytes, ready to save or download."""

    area: str
    period: str | None
    zip_name: str
    zip_bytes: bytes | None
    workbook_name: str
    workbook_bytes: bytes | None
    pdf_names: tuple[str, ...]


def build_area(
    conn: duckdb.DuckDBPyConnection,
    scope: query.Scope,
    area: str,
    *,
    period: str | None = None,
    dialogue_date: dt.date | None = None,
    progress: Progress | None = None,
    renderer: ChartRenderer | None = None,
    pdfs: bool = True,
    workbook: bool = True,
    kind: str = UNDERLAG,
) -> AreaBriefs:
    """Every unit's brief of ``area``: a zip of PDFs and/or one workbook with a sheet per unit.

    ``renderer``: a running chart session to reuse (e.g. the app's); if None,
    one is opened for this run and closed after it.
    """
    progress = progress or _no_progress
    period = period or default_period(conn, scope)
    # Gathering is quick; drawing and typesetting take the time.
    share = 0.15 if pdfs else 0.8
    briefs = area_briefs(
        conn,
        scope,
        area,
        period=period,
        dialogue_date=dialogue_date,
        progress=lambda f, m: progress(f * share, m),
        kind=kind,
    )
    stem = area_file_stem(area, period, kind)
    zip_bytes = None
    if pdfs:
        own = renderer is None
        if own:
            progress(share, "Startar diagramritaren")
            renderer = ChartRenderer()
        try:
            zip_bytes = zip_of_pdfs(
                briefs, renderer, lambda f, m: progress(share + f * (0.95 - share), m)
            )
        finally:
            if own:
                renderer.close()
    book = None
    if workbook:
        progress(0.95, "Skriver Excel-filen")
        book = excel.area_workbook(area, briefs)
    progress(1.0, "Klart")
    return AreaBriefs(
        area=area,
        period=period,
        zip_name=f"{stem}.zip",
        zip_bytes=zip_bytes,
        workbook_name=f"{stem}.xlsx",
        workbook_bytes=book,
        pdf_names=tuple(pdf_file_name(b) for b in briefs),
    )

"""Download buttons for dialogue briefs (PDF and Excel) of one unit and of its whole area.

Used on the Verksamhetsdialog page: ``render_brief_downloads(ctx, unit_id, area)``.
Briefs are built on demand with the caller's scope (``ctx.scope``), so a file
never holds more than the page shows. The unit's Excel file is made when its
button is clicked; the PDF and the area's files take longer (charts, one PDF
per unit), so a button builds them with a progress bar and then offers the
download. Built files are kept in the session until the data, the year, the
dialogue date or the scope change. Drawing the buttons starts the server's
chart session (Chromium) in the background, so the first PDF seldom waits for it.
"""

from __future__ import annotations

import datetime as dt

import streamlit as st

from kompetens import query
from kompetens.core import store
from kompetens.dialogue import dialogues
from kompetens.dialogue.briefs import excel
from kompetens.dialogue.briefs.area import build_area, pdf_file_name
from kompetens.dialogue.briefs.charts import (
    ChartRenderer,
    ChartRenderError,
    shared_renderer,
    warm_shared_renderer,
)
from kompetens.dialogue.briefs.content import (
    BRIEF_KINDS,
    PROTOKOLL,
    UNDERLAG,
    build_brief,
    default_period,
)
from kompetens.dialogue.briefs.pdf import render_pdf
from kompetens.present.formatting import fmt_count, md_text
from kompetens.ui.context import shared_connection

PDF_MIME = "application/pdf"
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ZIP_MIME = "application/zip"
_STORE = "_brief_files"


def _renderer() -> ChartRenderer:
    """The server's chart session; if Chromium will not start, briefs are made without charts."""
    try:
        return shared_renderer()
    except ChartRenderError:
        return ChartRenderer()  # not running: each PDF says its charts could not be drawn


#: Built files kept per session (newest last); older ones are dropped.
MAX_KEPT = 4


def _files() -> dict:
    return st.session_state.setdefault(_STORE, {})


def _keep(key: tuple, value) -> None:
    files = _files()
    files[key] = value
    while len(files) > MAX_KEPT:
        files.pop(next(iter(files)))


def _audited(build, target: str, file_format: str):
    """A download button's ``data``: the file handed over on the click, the brief download audited then.

    Made on the click (a deferred download), a file is never waiting at a
    ``/media/…`` address before it, and it expires like every download
    (``frame.keep_downloads_short``). Use with ``on_click="ignore"``
    (``components.audited_download``).
    """
    from kompetens.access import audit
    from kompetens.ui.components import audited_download

    return audited_download(build, audit.BRIEF, target, file_format)


def _dialogue_date(dialogue_date: dt.date | None) -> dt.date:
    chosen = dialogue_date or st.session_state.get("dialog_date")
    return chosen if isinstance(chosen, dt.date) else dt.date.today()


def render_brief_downloads(
    ctx,
    unit_id: str,
    area: str,
    *,
    period: str | None = None,
    dialogue_date: dt.date | None = None,
    default_kind: str = UNDERLAG,
) -> None:
    """Buttons for the unit's brief (PDF, Excel) and the whole area's (zip of PDFs, Excel).

    ``period``: the year (default: the sidebar's year, else the newest);
    ``dialogue_date``: default the page's ``dialog_date`` input, else today;
    ``default_kind``: the choice first offered, ``underlag`` (before the dialogue)
    or ``protokoll`` (after it, with the saved notes and actions).
    """
    warm_shared_renderer()  # Chromium starts in the background while the user reads the page
    cur = ctx.cursor()
    scope = ctx.scope
    period = period or ctx.filters.year or default_period(cur, scope)
    day = _dialogue_date(dialogue_date)
    files = _files()
    db_path = ctx.db_path

    with st.container(border=True):
        st.markdown("**Underlag att ta med till dialogen**")
        kinds = list(BRIEF_KINDS)
        kind = st.radio(
            "Vad vill du skapa?",
            options=kinds,
            index=kinds.index(default_kind) if default_kind in kinds else 0,
            format_func=BRIEF_KINDS.get,
            horizontal=True,
            key=f"brief_kind_{unit_id}_{day.isoformat()}_{default_kind}",
            help=(
                "Underlaget har förra dialogens åtgärder med status och plats för anteckningar. "
                "Protokollet har anteckningarna och åtgärderna som sparats för dialogens datum."
            ),
        )
        _render_buttons(ctx, cur, scope, unit_id, area, period, day, kind, files, db_path)


def _render_buttons(ctx, cur, scope, unit_id, area, period, day, kind, files, db_path) -> None:
    # A protokoll changes with every saved note, action or status: part of the files' key.
    records = dialogues.records_version(cur) if kind == PROTOKOLL else ()
    stamp = (ctx.db_path, store.data_version(cur), scope, period, day, kind, records)
    word = "Dialogprotokoll" if kind == PROTOKOLL else "Dialogunderlag"

    def unit_brief(connection):
        return build_brief(connection, scope, unit_id, period=period, dialogue_date=day, kind=kind)

    connection = shared_connection(db_path)

    def excel_bytes() -> bytes:
        # Runs on a thread of its own when the button is clicked: it takes its own cursor.
        cursor = connection.cursor()
        try:
            return excel.unit_workbook(unit_brief(cursor))
        finally:
            cursor.close()

    left, right = st.columns(2)

    # ---- The unit -------------------------------------------------------------------------
    with left:
        st.caption(f"Enheten, {period or 'inga nyckeltal ännu'} · dialog {day.isoformat()}")
        unit_key = ("unit", unit_id, stamp)
        buttons = st.columns(2)
        if unit_key in files:
            name, pdf = files[unit_key]
            buttons[0].download_button(
                "Ladda ner PDF",
                data=_audited(lambda: pdf, unit_id, "pdf"),
                file_name=name,
                mime=PDF_MIME,
                icon=":material/picture_as_pdf:",
                key=f"brief_pdf_{unit_id}",
                on_click="ignore",
            )
        elif buttons[0].button(
            "Skapa PDF", icon=":material/picture_as_pdf:", key=f"brief_make_pdf_{unit_id}"
        ):
            bar = st.progress(0.0, text="Hämtar nyckeltal …")
            try:
                brief = unit_brief(cur)
            except query.ScopeError:
                bar.empty()
                st.error("Du har inte behörighet att se den här enheten.")
                return
            bar.progress(0.3, text="Ritar diagram och sätter PDF …")
            pdf = render_pdf(brief, _renderer())
            bar.progress(1.0, text="PDF klar")
            suffix = f"_{period}.pdf" if kind == UNDERLAG else f"_{period}_protokoll.pdf"
            _keep(unit_key, (pdf_file_name(brief).replace(".pdf", suffix), pdf))
            st.rerun()
        buttons[1].download_button(
            "Ladda ner Excel",
            data=_audited(excel_bytes, unit_id, "xlsx"),
            file_name=f"{word}_{unit_id}_{period}.xlsx",
            mime=XLSX_MIME,
            icon=":material/table:",
            key=f"brief_xlsx_{unit_id}",
            on_click="ignore",
        )

    # ---- The whole area -------------------------------------------------------------------
    with right:
        try:
            n_units = query.units(cur, scope, area=area).height
        except query.ScopeError:
            n_units = 0
        st.caption(
            f"Hela {md_text(area)}: {units_text(n_units)}, en PDF per enhet och en Excel-fil"
        )
        area_key = ("area", area, stamp)
        if area_key in files:
            result = files[area_key]
            buttons = st.columns(2)
            buttons[0].download_button(
                "Ladda ner PDF:er (zip)",
                data=_audited(lambda: result.zip_bytes, area, "zip"),
                file_name=result.zip_name,
                mime=ZIP_MIME,
                icon=":material/folder_zip:",
                key=f"brief_zip_{area}",
                on_click="ignore",
            )
            buttons[1].download_button(
                "Ladda ner Excel",
                data=_audited(lambda: result.workbook_bytes, area, "xlsx"),
                file_name=result.workbook_name,
                mime=XLSX_MIME,
                icon=":material/table:",
                key=f"brief_area_xlsx_{area}",
                on_click="ignore",
            )
        elif n_units and st.button(
            "Skapa underlag för enheten"
            if n_units == 1
            else f"Skapa underlag för alla {n_units} enheter",
            icon=":material/stacks:",
            key=f"brief_make_area_{area}",
            help=f"Tar ungefär {max(5, round(n_units * 1.2))} sekunder.",
        ):
            bar = st.progress(0.0, text="Hämtar nyckeltal …")

            def progress(fraction: float, message: str) -> None:
                bar.progress(min(1.0, max(0.0, fraction)), text=message)

            try:
                result = build_area(
                    cur,
                    scope,
                    area,
                    period=period,
                    dialogue_date=day,
                    progress=progress,
                    renderer=_renderer(),
                    kind=kind,
                )
            except query.ScopeError:
                bar.empty()
                st.error("Du har inte behörighet att se det här området.")
                return
            _keep(area_key, result)
            st.rerun()


def units_text(n: int) -> str:
    """``1 enhet``, ``2 enheter`` (a count of units in a sentence)."""
    return fmt_count(n, "enhet", "enheter")

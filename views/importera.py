"""Import: upload a file, see its kind, preview and Swedish validation report, confirm; import
history with undo; empty templates for every kind. Figures recompute after every change (the
importer's hook), shown with a status box before the page reruns."""

from __future__ import annotations

import tempfile
from pathlib import Path

import streamlit as st

from kompetens.present.formatting import fmt_count
from kompetens.ui import benchmark_view, components
from kompetens.ui import import_view as imp
from kompetens.ui import quality_view as view
from kompetens.ui.context import page_context
from kompetens.ui.import_view import (
    KIND_LABELS,
    ImportRejected,
    UndoRefused,
    import_bytes,
    list_imports,
    preview_bytes,
    undo_batch,
    write_template,
)

ctx = page_context()
cur = ctx.cursor()

FLASH = "_import_flash"
REJECTED = "_import_rejected_file"
UNDO_PENDING = "_import_undo_pending"
AUTO = "auto"
IMPORTS_DONE = "_import_count"
#: Who is importing (the signed-in user when the frame provides one; else the login name).
USER = getattr(getattr(ctx, "viewer", None), "email", None)

st.title("Import")
st.caption(
    "Läs in exportfiler från HR-, löne- och enkätsystemen (CSV, Excel eller Parquet). "
    "Filen kontrolleras mot datakontraktet innan något sparas; personnummer pseudonymiseras "
    "och namn tas bort."
)

if saved := st.session_state.pop(imp.PROFILE_SAVED, None):
    st.success(
        f"Profilen sparades (version {saved[1]}). Filen kontrolleras nu med profilen.",
        icon=":material/check:",
    )
if flash := st.session_state.pop(FLASH, None):
    level, message = flash
    # file names and warnings are data: shown as typed, never as markdown
    (st.success if level == "success" else st.warning)(imp.md_text(message), icon=":material/info:")
if rejected := st.session_state.get(REJECTED):
    name, data = rejected
    st.download_button(
        f"Ladda ner avvisade rader ({imp.md_text(name)})",
        data=lambda: data,  # made on click: the rows never wait at a /media/ address
        file_name=name,
        mime="text/csv",
        icon=":material/download:",
        key="rejected_download",
        on_click="ignore",
    )
    st.caption(imp.md_text(imp.rejected_download_note(name)))


XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@st.cache_data(show_spinner=False, max_entries=64)
def template_bytes(kind: str, language: str, suffix: str) -> bytes:
    """An empty template (header row only) written by the importer's own template writer."""
    with tempfile.TemporaryDirectory() as folder:
        path = write_template(kind, Path(folder) / f"mall{suffix}", language=language)
        return path.read_bytes()


# ---- Upload, preview and validation ----------------------------------------------------------
st.header("Läs in en fil")
left, right = st.columns([3, 2])
upload = left.file_uploader(
    "Välj fil",
    type=["csv", "txt", "xlsx", "parquet"],
    # A new key after each import empties the uploader (the file is not offered twice).
    key=f"import_upload_{st.session_state.get(IMPORTS_DONE, 0)}",
)
kind_options = [AUTO, *KIND_LABELS]
chosen_kind = right.selectbox(
    "Filtyp",
    options=kind_options,
    format_func=lambda k: "Känn igen automatiskt" if k == AUTO else KIND_LABELS[k],
    key="import_kind",
    help="Filtypen känns igen på kolumnrubrikerna; välj själv om igenkänningen inte lyckas.",
)
kind = None if chosen_kind == AUTO else chosen_kind

if upload is None:
    st.info(
        "Ladda upp en fil för att se vilken filtyp den är, en förhandsgranskning och en "
        "kontrollrapport. Ingenting sparas förrän du bekräftar. Mallar finns längre ned.",
        icon=":material/upload_file:",
    )
else:
    data = upload.getvalue()
    with st.spinner(f"Kontrollerar {imp.md_text(upload.name)} …"):
        preview = preview_bytes(data, upload.name, kind=kind, conn=cur)
    facts = []
    if preview.kind:
        facts.append(f"Filtyp: **{KIND_LABELS[preview.kind]}**")
    if preview.format:
        facts.append(f"Format: {preview.format.upper()}")
    if preview.encoding:
        facts.append(f"Teckenkodning: {preview.encoding}")
    if preview.separator:
        facts.append(f"Avgränsare: `{preview.separator}`")
    facts.append(fmt_count(preview.rows_in, "rad", "rader"))
    st.markdown(" · ".join(facts))
    if preview.profile is not None:
        st.info(
            "Mappningsprofilen används: " + imp.md_text(preview.profile),
            icon=":material/rule:",
        )
    for warning in preview.warnings:
        st.warning(imp.md_text(warning), icon=":material/warning:")
    if preview.already_imported:
        st.info(
            f"{imp.md_text(upload.name)} är redan importerad med exakt samma innehåll; en ny import ändrar ingenting.",
            icon=":material/info:",
        )
    if preview.head.height:
        st.caption(
            f"Förhandsgranskning av giltiga rader ({preview.head.height} visas) som de kommer att "
            "sparas: normaliserade, med personnummer redan pseudonymiserade."
        )
        st.dataframe(
            view.preview_table(preview.head, preview.kind), hide_index=True, width="stretch"
        )

    partial = False
    if preview.issues:
        report = view.issues_table(preview.issues)
        advice = (
            "Kolumnerna följer inte datakontraktet: mappa dem nedan och spara mappningen som en profil."
            if preview.needs_mapping
            else "Rätta felen i källsystemet eller filen och ladda upp den igen."
        )
        st.error(
            f"**{len(preview.issues)} fel hittades i {imp.md_text(upload.name)}.** Filen kan inte importeras som den är. "
            + advice,
            icon=":material/error:",
        )
        st.dataframe(
            report.rename(view.ISSUE_LABELS),
            hide_index=True,
            width="stretch",
            column_config={"Fel": st.column_config.TextColumn(width="large")},
        )
        # The same report as sentences (readable aloud; the table above is drawn on a canvas).
        with st.expander("Felen som text", expanded=len(preview.issues) <= 10):
            st.markdown("\n".join(f"- {imp.md_text(issue)}" for issue in preview.issues[:50]))
            if len(preview.issues) > 50:
                st.caption(f"… och {len(preview.issues) - 50} fel till (se filen).")
        components.download_buttons(
            report,
            f"Kontrollrapport {Path(upload.name).stem}",
            labels=view.ISSUE_LABELS,
            key="issues",
        )
        if preview.kind is not None and preview.rows_in and not preview.needs_mapping:
            partial = st.checkbox(
                "Importera giltiga rader och spara de avvisade raderna i en egen fil",
                key="import_partial",
            )
    if preview.needs_mapping:
        imp.mapping_step(ctx, data, upload.name, preview.kind, USER)
    ready = preview.kind is not None and (not preview.issues or partial)
    label = "Importera giltiga rader" if partial else f"Importera {imp.md_text(upload.name)}"
    if ready and st.button(label, type="primary", icon=":material/check:", key="import_confirm"):
        with st.status(f"Importerar {imp.md_text(upload.name)} …", expanded=True) as status:
            progress = components.progress_bar("Startar")
            try:
                with (
                    tempfile.TemporaryDirectory() as folder,
                    ctx.writing(f"import {upload.name}") as wcur,
                ):
                    result = import_bytes(
                        wcur,
                        data,
                        upload.name,
                        kind=kind,
                        partial=partial,
                        user=USER,
                        progress=progress,
                        rejected_dir=Path(folder),
                        rejected_where=imp.REJECTED_WHERE,
                    )
                    if result.rejected_file is not None:
                        # Kept in memory only: offered once as a download, never left on disk.
                        st.session_state[REJECTED] = (
                            result.rejected_file.name,
                            result.rejected_file.read_bytes(),
                        )
                    else:
                        st.session_state.pop(REJECTED, None)
            except ImportRejected as exc:
                status.update(label="Importen avbröts", state="error")
                st.error(imp.md_text(str(exc)))
            else:
                status.update(label="Klart – nyckeltalen är omräknade", state="complete")
                st.session_state[IMPORTS_DONE] = st.session_state.get(IMPORTS_DONE, 0) + 1
                extra = [w for w in result.warnings if "avvisades" not in w]
                st.session_state[FLASH] = (
                    "warning" if result.already_imported else "success",
                    str(result) + ("\n\n" + "\n\n".join(extra) if extra else ""),
                )
                st.rerun()

# ---- History with undo -------------------------------------------------------------------------
st.header("Importhistorik")
log = list_imports(cur)
history = view.imports_table(log)
if history.height == 0:
    components.empty_state("Inga filer är importerade ännu.", "Ladda upp en fil ovan.")
else:
    st.dataframe(
        view.imports_screen(history).rename(view.IMPORT_LABELS),
        hide_index=True,
        width="stretch",
        placeholder="–",
        # the kind's Swedish name whole ("Personal (ögonblicksbilder)")
        column_config={view.IMPORT_LABELS["kind_label"]: st.column_config.TextColumn(width=210)},
    )
    components.download_buttons(
        history, "Importhistorik", labels=view.IMPORT_LABELS, key="import_log"
    )
    active = view.undoable_batches(history)
    if active:
        pick, button = st.columns([3, 1], vertical_alignment="bottom")
        batch = pick.selectbox(
            "Ångra en import",
            options=list(active),
            format_func=lambda b: active[b],
            # keyed on the import count: after an import the newest batch is preselected
            key=f"undo_batch_{st.session_state.get(IMPORTS_DONE, 0)}",
        )
        if button.button("Ångra …", icon=":material/undo:", key="undo_start"):
            st.session_state[UNDO_PENDING] = batch
        pending = st.session_state.get(UNDO_PENDING)
        if pending is not None and pending in active:
            st.warning(
                f"Vill du ångra **{imp.md_text(active[pending])}**? Raderna från importen tas bort och det de "
                "ersatte återställs. Nyckeltalen räknas om.",
                icon=":material/warning:",
            )
            yes, no, _ = st.columns([1, 1, 4])
            if yes.button("Ja, ångra", type="primary", key="undo_confirm"):
                st.session_state.pop(UNDO_PENDING, None)
                with st.status(f"Ångrar batch {pending} …", expanded=True) as status:
                    progress = components.progress_bar("Ångrar importen")
                    try:
                        with ctx.writing(f"ångra batch {pending}") as wcur:
                            undone = undo_batch(wcur, int(pending), user=USER, progress=progress)
                    except UndoRefused as exc:
                        status.update(label="Importen kunde inte ångras", state="error")
                        st.session_state[FLASH] = ("warning", str(exc))
                    else:
                        status.update(label="Klart – nyckeltalen är omräknade", state="complete")
                        st.session_state[FLASH] = (
                            "success",
                            str(undone) + (f"\n\n{undone.warning}" if undone.warning else ""),
                        )
                st.rerun()
            if no.button("Avbryt", key="undo_cancel"):
                st.session_state.pop(UNDO_PENDING, None)
                st.rerun()

# ---- External benchmarks (Kolada, Skolverket) -------------------------------------------
benchmark_view.fetch_button(ctx)

# ---- Templates -------------------------------------------------------------------------------
st.header("Mallar")
st.caption(
    "Tomma mallar med rätt kolumnrubriker för varje filtyp. Svenska mallar använder semikolon "
    "och öppnas direkt i Excel; importen känner igen både svenska och engelska rubriker. "
    "Se datakontraktet för regler per kolumn."
)
#: (button label, language, suffix, file name prefix, MIME type, icon) per template file.
TEMPLATE_FILES = (
    ("Svensk CSV", "sv", ".csv", "mall", "text/csv", ":material/download:"),
    ("Svensk Excel", "sv", ".xlsx", "mall", XLSX_MIME, ":material/table:"),
    ("English CSV", "en", ".csv", "template", "text/csv", ":material/download:"),
)
for name, kind_label in KIND_LABELS.items():
    label_col, *button_cols = st.columns([3, 2, 2, 2], vertical_alignment="center")
    label_col.markdown(f"**{kind_label}**  \n`{name}`")
    for column, (label, language, suffix, prefix, mime, icon) in zip(
        button_cols, TEMPLATE_FILES, strict=True
    ):
        column.download_button(
            label,
            data=template_bytes(name, language, suffix),
            file_name=f"{prefix}_{name}_{language}{suffix}",
            mime=mime,
            key=f"template_{name}_{language}_{suffix.lstrip('.')}",
            icon=icon,
            on_click="ignore",
        )

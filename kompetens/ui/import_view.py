"""The Import page's view helpers: the importer's entry points and the mapping step.

The page (``views/importera.py``) talks to the importer only through this module.
The mapping step turns an export that does not follow the contract into a saved
profile: one select box per file column (with a suggestion from the aliases,
the spelling or the sample values), the snapshot date from the title line or
typed in, and one select box per unrecognised value of a coded column. Names,
headers and values are rendered as text (widget labels and captions with
markdown switched off), never as markdown.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import streamlit as st

from kompetens.access import audit
from kompetens.core.contract import KINDS
from kompetens.ingest import (
    ImportRejected,
    UndoRefused,
    import_bytes,
    list_imports,
    preview_bytes,
    profiles,
    undo_batch,
    write_template,
)
from kompetens.ingest import mapping as mapping_draft
from kompetens.ingest.api import REJECTED_PRIVACY
from kompetens.ingest.job_codes import SOURCE as JOB_CODE_SOURCE
from kompetens.ingest.validate import known_unit_ids
from kompetens.present.formatting import md_text

__all__ = [
    "KIND_LABELS",
    "ImportRejected",
    "UndoRefused",
    "import_bytes",
    "list_imports",
    "mapping_step",
    "preview_bytes",
    "undo_batch",
    "write_template",
]

#: kind -> Swedish label, in import order.
KIND_LABELS: dict[str, str] = {name: kind.label_sv for name, kind in KINDS.items()}
IGNORE = ""
PROFILE_SAVED = "_import_profile_saved"
#: Where the page's rejected-rows file comes from (its first line): a download, never kept on the server.
REJECTED_WHERE = "Hämtad från sidan Import i Kompetens; filen sparas inte på servern."


def rejected_download_note(file_name: str) -> str:
    """The page's sentence beside the rejected-rows download: what the file holds (privacy rule 5)."""
    return (
        f"{file_name} har filens radnummer och kolumner och felen per rad. "
        f"Den innehåller {REJECTED_PRIVACY}: förvara den som andra personuppgifter och radera den "
        "när raderna är rättade."
    )


def _column_label(kind: str, column: str) -> str:
    if column == IGNORE:
        return "– ignorera kolumnen –"
    return f"{KINDS[kind].column(column).label_sv} ({column})"


def mapping_step(ctx, data: bytes, file_name: str, guess: str | None, user: str | None) -> None:
    """Draw the mapping step for a file whose columns do not match the contract.

    Saving writes a new profile version (through ``ctx.writing``) and reruns the
    page; the preview then finds the profile by the file's header signature.
    """
    st.subheader("Mappa filens kolumner")
    st.caption(
        "Filen följer inte datakontraktet. Para ihop filens kolumner med kontraktets fält en "
        "gång och spara det som en profil: nästa månads fil med samma rubriker känns då igen "
        "automatiskt. Förslagen kommer från kända rubriker, stavning och exempelvärden."
    )
    kinds = list(KINDS)
    kind = st.selectbox(
        "Filtyp",
        options=kinds,
        index=kinds.index(guess) if guess in kinds else kinds.index("staff"),
        format_func=lambda k: KIND_LABELS[k],
        key="map_kind",
    )
    units = known_unit_ids(ctx.cursor())
    try:
        draft = mapping_draft.draft(
            data, file_name, kind, units.to_list() if units is not None else None
        )
    except ImportRejected as exc:
        st.error(str(exc), icon=":material/error:")
        return
    st.caption(f"Rubrikraden är rad {draft.header_line} i filen.")
    options = [IGNORE, *KINDS[kind].column_names]
    columns: dict[str, str] = {}
    for i, suggestion in enumerate(draft.suggestions):
        examples = ", ".join(suggestion.samples) or "(inga värden)"
        columns[suggestion.header] = st.selectbox(
            f"Kolumn {i + 1}: {md_text(suggestion.header)}",
            options=options,
            index=options.index(suggestion.column),
            format_func=lambda c, k=kind: _column_label(k, c),
            key=f"map_col_{kind}_{i}",
            help=md_text(f"Förslag: {suggestion.reason}. Exempel: {examples}"),
        )
        st.caption(md_text(f"Exempel: {examples}"))  # data: markup escaped, shown as text
    constants: dict[str, str] = {}
    chosen = set(columns.values())
    kind_def = KINDS[kind]
    if "snapshot_date" in kind_def.column_names and "snapshot_date" not in chosen:
        sources = (["title"] if draft.title_date else []) + ["typed"]
        source = st.radio(
            "Mätdatum (samma för hela filen)",
            options=sources,
            format_func=lambda s: (
                f"Från titelraden ({draft.title_date})" if s == "title" else "Ange datum"
            ),
            key=f"map_snapshot_{kind}",
        )
        if source == "title":
            constants["snapshot_date"] = profiles.TITLE
        else:
            typed = st.date_input("Mätdatum", value=dt.date.today(), key=f"map_date_{kind}")
            constants["snapshot_date"] = typed.isoformat()
    for column in kind_def.required_columns:
        if column in chosen or column in constants or column == "snapshot_date":
            continue
        if column == "birth_year" and "employee_id" in chosen:
            continue  # read from the personnummer
        given = st.text_input(
            f"{kind_def.column(column).label_sv} – samma värde för hela filen",
            key=f"map_const_{kind}_{column}",
        )
        if given.strip():
            constants[column] = given.strip()
    draft_profile = profiles.Profile(
        name="utkast",
        kind=kind,
        headers=[s.header for s in draft.suggestions],
        columns=columns,
        constants=constants,
    )
    values: dict[str, dict[str, str]] = {}
    try:
        draft_profile.check()
    except profiles.ProfileError as exc:
        st.warning(md_text(str(exc)), icon=":material/warning:")
        return
    unknown = mapping_draft.unknown_values(data, file_name, draft_profile)
    if unknown:
        st.markdown("**Värden som inte känns igen**")
        st.caption(
            "Välj kontraktets kod för varje värde. Yrkeskoder enligt standardtabellen "
            f"({JOB_CODE_SOURCE}) känns igen utan mappning."
        )
    for i, item in enumerate(unknown):
        codes = [IGNORE, *(kind_def.column(item.column).codes or {})]
        picked = st.selectbox(
            f"{kind_def.column(item.column).label_sv}: {md_text(item.value)} ({item.rows} rader)",
            options=codes,
            index=codes.index(item.suggestion) if item.suggestion in codes else 0,
            format_func=lambda c: "– välj –" if c == IGNORE else c,
            key=f"map_val_{kind}_{i}",
        )
        if picked:
            values.setdefault(item.column, {})[item.value] = picked
    name = st.text_input(
        "Profilens namn",
        value=f"{KIND_LABELS[kind]} – {Path(file_name).stem}",
        key=f"map_name_{kind}",
    )
    if st.button("Spara profilen och kontrollera filen igen", type="primary", key="map_save"):
        profile = profiles.Profile(
            name=name.strip() or "Ny profil",
            kind=kind,
            headers=draft_profile.headers,
            columns=columns,
            values=values,
            constants=constants,
        )
        try:
            with ctx.writing(f"profil {profile.name}") as wcur:
                saved = profiles.save_profile(wcur, profile, user or "okänd")
                audit.log_event(
                    wcur,
                    user or "okänd",
                    profiles.AUDIT_ACTION,
                    saved.name,
                    {"version": saved.version, "kind": saved.kind},
                )
        except profiles.ProfileError as exc:
            st.error(str(exc), icon=":material/error:")
            return
        st.session_state[PROFILE_SAVED] = (saved.name, saved.version)
        st.rerun()

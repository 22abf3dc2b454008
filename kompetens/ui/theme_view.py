"""Common themes in the app: tagging a dialogue, adding a theme, and the "Teman" section.

- :func:`render_dialogue_themes` — on Verksamhetsdialog, below the notes: a multiselect of
  themes for the dialogue's notes and one per agreed action of that date, saved together;
  the newest change can be undone; an area manager (or HR) can add a theme to the list.
- :func:`render_theme_section` — on Stödbehov: units per theme, area and term as
  sentences ("Rekrytering av speciallärare: 9 enheter i Område Syd (HT 2026)"), a table
  and downloads. What a role sees is decided in the query layer (``query.themes``).

Every page calls one function; the widgets, the writes and the messages live here.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import polars as pl
import streamlit as st

from kompetens import query
from kompetens.access.auth import author_label
from kompetens.core import themes as theme_store
from kompetens.dialogue import dialogues
from kompetens.dialogue import themes as tagging
from kompetens.present import exports
from kompetens.present.formatting import fmt_count, md_text
from kompetens.query import themes as theme_query
from kompetens.ui import components

LOCAL_TIME = ZoneInfo("Europe/Stockholm")
FLASH = "_themes_flash"
SAVES = "_themes_saves"
#: Sentences shown above the table (the largest counts); the table has every row.
SENTENCES = 6

TABLE_LABELS: dict[str, str] = {
    "theme": "Tema",
    "area": "Område",
    "term": "Termin",
    "units": "Antal enheter",
    "unit_names": "Enheter",
}


def theme_sentences(frame: pl.DataFrame, limit: int = SENTENCES) -> list[str]:
    """The sentences of the rows with the most units (``query.themes.theme_sentences``)."""
    return theme_query.theme_sentences(frame, limit)


def table(frame: pl.DataFrame, *, with_units: bool) -> pl.DataFrame:
    """The section's table and download: Swedish columns come from ``TABLE_LABELS``."""
    columns = ["theme", "area", "term", "units", "units_suppressed"]
    return frame.select([*columns, "unit_names"] if with_units else columns)


def render_theme_section(cur, scope, *, area: str | None = None) -> None:
    """The "Teman" section: which themes many units share, per area and term."""
    st.header("Teman")
    org = scope.level == "org"
    st.caption(
        "Gemensamma teman från verksamhetsdialogernas anteckningar och åtgärder och från "
        "stödärendena: hur många enheter som har temat per område och termin (VT = januari–juni, "
        "HT = juli–december). "
        + (
            f"Ledningen ser antal enheter, aldrig vilka; färre än {theme_query.MIN_UNITS} enheter "
            "visas som ”..”, eftersom temat annars kan peka ut en enhet och dess rektor."
            if org
            else "Du ser enheterna i ditt område."
            if scope.level == "area"
            else "Du ser din enhets teman."
        )
    )
    terms = theme_query.terms(cur, scope)
    if not terms:
        st.info("Inga dialoger eller stödärenden är märkta med teman ännu.", icon=":material/info:")
        return
    term = st.selectbox(
        "Termin", terms, format_func=theme_query.term_label, key="themes_term", width=200
    )
    frame = theme_query.themes_by_area_term(cur, scope, area=area, term=term)
    if frame.height == 0:
        st.info(
            f"Inga teman under {theme_query.term_label(term)} i urvalet.", icon=":material/info:"
        )
        return
    # One list (one element): the largest counts first, each sentence escaped as data.
    st.markdown("\n".join(f"- {md_text(sentence)}" for sentence in theme_sentences(frame)))
    shown = table(frame, with_units=not org)
    st.dataframe(
        exports.display_frame(shown, suppressible=["units"]).rename(
            {k: v for k, v in TABLE_LABELS.items() if k in shown.columns}
        ),
        hide_index=True,
        width="stretch",
        # A count hidden as '..' makes the column text: keep it aligned as a number.
        column_config={TABLE_LABELS["units"]: st.column_config.TextColumn(alignment="right")},
        key="themes_table",
    )
    components.download_buttons(
        shown,
        f"Teman {theme_query.term_label(term)}",
        suppressible=["units"],
        labels=TABLE_LABELS,
        key="themes_download",
    )


# ---- the dialogue --------------------------------------------------------------------------


def _viewer(ctx) -> tuple[str | None, str | None]:
    viewer = getattr(ctx, "viewer", None)
    return getattr(viewer, "email", None), getattr(viewer, "role", None)


def render_dialogue_themes(ctx, cur, scope, unit_id: str, dialogue_date: dt.date) -> None:
    """Themes of the dialogue on ``dialogue_date``: pick, save, undo; add a theme (area managers)."""
    user, role = _viewer(ctx)
    st.subheader("Teman")
    st.caption(
        "Märk anteckningarna och åtgärderna med gemensamma teman. Ledningen ser hur många "
        "enheter per område och termin som har ett tema – aldrig anteckningarna."
    )
    if flash := st.session_state.pop(FLASH, None):
        st.success(flash, icon=":material/check_circle:")
    actions = dialogues.actions(cur, scope, unit_id, dialogue_date)
    has_notes = bool(dialogues.note_revisions(cur, scope, unit_id, dialogue_date).height)
    if has_notes or actions.height:
        _tag_form(ctx, cur, scope, unit_id, dialogue_date, actions, user, role)
    else:
        st.info(
            "Spara dialogen först; sedan kan du märka anteckningarna och åtgärderna med teman.",
            icon=":material/info:",
        )
    if role in tagging.ADD_THEME_ROLES:
        _add_theme_form(ctx, cur, user, role)


def _tag_form(ctx, cur, scope, unit_id, day, actions: pl.DataFrame, user, role) -> None:
    labels = theme_store.labels_by_id(cur)
    current = tagging.tags(cur, scope, unit_id, day)
    active = theme_store.theme_list(cur)["theme_id"].to_list()
    tagged = {t for ids in current.values() for t in ids}
    options = active + sorted(tagged - set(active))  # an inactive theme already used stays
    saves = st.session_state.get(SAVES, 0)
    form_key = f"{unit_id}_{day.isoformat()}_{saves}"
    picks: dict[int | None, list[int]] = {}
    with st.form(f"themes_{form_key}", border=True, enter_to_submit=False):
        picks[None] = st.multiselect(
            "Teman för anteckningarna",
            options=options,
            default=current.get(None, []),
            format_func=labels.get,
            placeholder="Välj teman",
            key=f"themes_notes_{form_key}",
        )
        for row in actions.iter_rows(named=True):
            st.text(f"Åtgärd {row['id']}: {row['action']}")
            picks[row["id"]] = st.multiselect(
                f"Teman för åtgärd {row['id']}",
                options=options,
                default=current.get(row["id"], []),
                format_func=labels.get,
                placeholder="Välj teman",
                label_visibility="collapsed",
                key=f"themes_action_{form_key}_{row['id']}",
            )
        submitted = st.form_submit_button("Spara teman", icon=":material/sell:")
    if submitted:
        changed = 0
        try:
            with ctx.writing("teman i dialog") as wcur:
                for action_id, ids in picks.items():
                    if set(ids) == set(current.get(action_id, [])):
                        continue
                    revision = tagging.set_tags(
                        wcur, scope, unit_id, day, action_id, ids, user=user, role=role
                    )
                    changed += revision is not None
        except query.ScopeError:
            st.error("Du har inte behörighet att ändra teman för den här enheten.")
            return
        except ValueError as exc:
            st.warning(f"Inget sparades: {md_text(str(exc))}.")
            return
        st.session_state[SAVES] = saves + 1
        st.session_state[FLASH] = (
            f"Teman sparade ({fmt_count(changed, 'ändring', 'ändringar')}); den senaste kan ångras."
            if changed
            else "Inga teman ändrades."
        )
        st.rerun()
    _undo_row(ctx, cur, scope, unit_id, day, labels, user, role)


def _change_text(row: dict, labels: dict[int, str]) -> str:
    target = "anteckningarna" if row["action_id"] is None else f"åtgärd {row['action_id']}"
    ids = theme_store.parse_ids(row["theme_ids"])
    names = ", ".join(labels.get(i, str(i)) for i in ids) or "inga teman"
    when = row["created_at"].astimezone(LOCAL_TIME).strftime("%Y-%m-%d %H:%M")
    verb = "ångrade till" if row["undoes"] is not None else "satte"
    return f"Senast: {author_label(row['created_by'])} {verb} {names} på {target} ({when})."


def _undo_row(ctx, cur, scope, unit_id, day, labels, user, role) -> None:
    changes = tagging.changes(cur, scope, unit_id, day)
    if changes.height == 0:
        return
    newest = changes.row(0, named=True)
    left, right = st.columns([4, 1], vertical_alignment="center")
    left.text(_change_text(newest, labels))
    if right.button("Ångra", icon=":material/undo:", key=f"themes_undo_{newest['id']}"):
        try:
            with ctx.writing("ångra temaändring") as wcur:
                tagging.undo_tag_change(wcur, scope, newest["id"], user=user, role=role)
        except (query.ScopeError, ValueError) as exc:
            st.error(md_text(str(exc)))
            return
        st.session_state[SAVES] = st.session_state.get(SAVES, 0) + 1
        st.session_state[FLASH] = "Temaändringen är ångrad."
        st.rerun()


def _add_theme_form(ctx, cur, user, role) -> None:
    with st.expander("Lägg till ett tema i den gemensamma listan", icon=":material/add:"):
        st.caption(
            "Listan delas av alla områden. Finns temat redan (stavat på ett annat sätt), "
            "använd det: då kan enheterna räknas ihop."
        )
        with st.form("themes_add", border=False, enter_to_submit=True):
            label = st.text_input(
                "Nytt tema",
                max_chars=theme_store.MAX_LABEL_LENGTH,
                placeholder="t.ex. Nyanlända elever",
                key="themes_new_label",
            )
            added = st.form_submit_button("Lägg till tema", icon=":material/add:")
        if added:
            try:
                with ctx.writing("nytt tema") as wcur:
                    theme_id = tagging.add_theme(wcur, label, user=user, role=role)
            except (ValueError, PermissionError) as exc:
                st.error(md_text(str(exc)))
                return
            name = md_text(" ".join(label.split()))
            st.session_state[FLASH] = f"Temat {name} är tillagt (nummer {theme_id})."
            st.rerun()

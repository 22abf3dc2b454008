"""The demo's common themes: on its support requests and on a year and a half of dialogues.

Grain: :func:`request_themes` adds the ``themes`` column to the demo's support requests
(labels of the shared list, ``;``-separated, as a file would have them: the importer
turns them into ids). :func:`load_dialogues` writes one verksamhetsdialog per school
unit and term for the last three terms up to the demo's end (about 85 % of the units
each term: some dialogues have not happened yet), with notes, one or two agreed actions
and their themes, so the Teman section and the dialogue page have content on first start.

What it looks like (5,000 staff, seed 42): each dialogue carries one to three themes;
"Rekrytering av speciallärare" is the common theme of Område Syd (about two in three of its schools
raise it each term, against one in six elsewhere), so the leadership reads a sentence
like "Rekrytering av speciallärare: 9 enheter i Område Syd (HT 2026)" (the demo built in December 2026). No names, ever.

If the database already holds dialogues (loaded by another part of the demo), they are
tagged instead of new ones being written. The tags are loaded directly, like the demo's
files, without one audit event per tag. Drawn from its own random stream (``seed`` +
2014), so every other kind is the same with or without the themes.
"""

from __future__ import annotations

from datetime import date, timedelta

import duckdb
import numpy as np
import polars as pl

from kompetens import query
from kompetens.core import store
from kompetens.core import themes as theme_store
from kompetens.dialogue import dialogues

#: Request topic -> the theme it always carries (an ARUBA phase carries none of its own).
TOPIC_THEMES: dict[str, str] = {
    "Rekrytering": "Rekrytering",
    "Arbetsmiljö": "Arbetsmiljö",
    "Elevhälsa": "Elevhälsa",
    "Kompetensutveckling": "Kompetensutveckling",
    "Juridik": "Juridik",
    "IT": "IT",
    "Utveckla": "Kompetensutveckling",
}
#: The area where recruiting special-needs teachers is the shared worry.
SPECIAL_AREA = "Område Syd"
SPECIAL = "Rekrytering av speciallärare"

#: Theme -> (chance a school's dialogue raises it in a term, a note sentence, an action).
DIALOGUE_THEMES: dict[str, tuple[float, str, str]] = {
    "Rekrytering": (
        0.25,
        "Svårt att rekrytera behöriga lärare inför nästa termin.",
        "Gå igenom bemanningen för nästa läsår med HR",
    ),
    SPECIAL: (
        0.16,
        "Speciallärartjänsten är vakant; elever i behov av särskilt stöd får för lite tid.",
        "Annonsera speciallärartjänsten tillsammans med HR",
    ),
    "Kompetensutveckling": (
        0.22,
        "Planen för kompetensutveckling följs upp; två lärare läser mot behörighet.",
        "Uppdatera kompetensutvecklingsplanen",
    ),
    "Arbetsmiljö": (
        0.18,
        "Arbetsbelastningen i arbetslagen är hög.",
        "Genomför en riskbedömning av arbetsbelastningen",
    ),
    "Elevhälsa": (
        0.22,
        "Elevhälsoteamet räcker inte till för elevernas behov.",
        "Se över elevhälsans bemanning",
    ),
    "Introduktion av nyanställda": (
        0.1,
        "Många nyanställda; introduktionen behöver bli tydligare.",
        "Ta fram en introduktionsplan för nyanställda",
    ),
    "Behörighet och legitimation": (
        0.15,
        "Andelen behöriga lärare har sjunkit; vägar till legitimation behöver ses över.",
        "Kartlägg obehöriga lärares vägar till legitimation",
    ),
    "Sjukfrånvaro": (
        0.12,
        "Sjukfrånvaron har ökat under terminen.",
        "Följ upp sjukfrånvaron med HR",
    ),
}
DIALOGUE_SHARE = 0.85


def request_themes(requests: pl.DataFrame, seed: int) -> pl.DataFrame:
    """The requests with ``themes``: the topic's theme, special-needs recruitment where the
    text says so, sometimes a second theme, and about one in eight without any."""
    rng = np.random.default_rng(seed + 2014)
    extra = list(DIALOGUE_THEMES)
    out: list[str | None] = []
    for topic, text in zip(
        requests["topic"].to_list(), requests["description"].to_list(), strict=True
    ):
        chosen = [TOPIC_THEMES[topic]] if topic in TOPIC_THEMES else []
        if text and "speciallärar" in text:
            chosen.append(SPECIAL)
        if rng.random() < 0.25:
            chosen.append(extra[rng.integers(len(extra))])
        if rng.random() < 0.12:
            chosen = []
        out.append("; ".join(dict.fromkeys(chosen)) or None)
    return requests.with_columns(pl.Series("themes", out, dtype=pl.String))


def _terms(end: date) -> list[tuple[date, date]]:
    """The dialogue windows of the last three terms up to ``end``: VT March–May, HT mid-September–November."""
    windows = []
    for year in (end.year - 1, end.year):
        windows += [(date(year, 3, 1), date(year, 5, 31)), (date(year, 9, 15), date(year, 11, 30))]
    started = [(a, min(b, end)) for a, b in windows if a <= end]
    return started[-3:]


def _pick(rng: np.random.Generator, area: str, school_form: str) -> list[str]:
    chosen = []
    for theme, (chance, _, _) in DIALOGUE_THEMES.items():
        if theme == SPECIAL:
            chance = 0.65 if area == SPECIAL_AREA else chance
            chance = chance / 3 if school_form == "forskola" else chance
        if rng.random() < chance:
            chosen.append(theme)
    if not chosen:
        chosen = [list(DIALOGUE_THEMES)[rng.integers(len(DIALOGUE_THEMES))]]
    return chosen[:3]


def load_dialogues(conn: duckdb.DuckDBPyConnection, end: date, seed: int) -> int:
    """Write (or, if there are some, tag) the demo's dialogues; returns how many were tagged."""
    rng = np.random.default_rng(seed + 2014 + 1)
    ids = {label: int(i) for i, label in theme_store.labels_by_id(conn).items()}
    everyone = query.Scope.everything()
    existing = store.rows(
        conn,
        "SELECT DISTINCT n.unit_id, n.dialogue_date, u.area, u.school_form FROM dialogue_notes n "
        "JOIN current_units u USING (unit_id) ORDER BY 1, 2",
    )
    tags: list[tuple] = []
    if existing:
        for unit_id, day, area, form in existing:
            chosen = _pick(rng, area, form)
            tags.append((unit_id, day, None, theme_store.ids_text(ids[t] for t in chosen)))
    else:
        units = query.units(conn, everyone).filter(pl.col("school_form") != "central")
        for start, stop in _terms(end):
            span = (stop - start).days + 1
            for unit_id, area, form in units.select("unit_id", "area", "school_form").iter_rows():
                if rng.random() > DIALOGUE_SHARE:
                    continue
                day = start + timedelta(days=int(rng.integers(0, span)))
                chosen = _pick(rng, area, form)
                notes = " ".join(DIALOGUE_THEMES[t][1] for t in chosen)
                acts = [
                    {
                        "action": DIALOGUE_THEMES[t][2],
                        "owner": "Rektor",
                        "due_date": day + timedelta(days=75),
                    }
                    for t in chosen[: 1 + int(rng.random() < 0.5)]
                ]
                saved = dialogues.save_dialogue(
                    conn, everyone, unit_id, day, notes, acts, user="demo"
                )
                tags.append((unit_id, day, None, theme_store.ids_text(ids[t] for t in chosen)))
                for action_id, theme in zip(saved.action_ids, chosen, strict=False):
                    tags.append((unit_id, day, action_id, str(ids[theme])))
                    if day + timedelta(days=75) < end and rng.random() < 0.7:
                        dialogues.set_action_status(conn, everyone, action_id, "klar", user="demo")
    theme_store.insert_tags(conn, tags, user="demo")
    return len(tags)

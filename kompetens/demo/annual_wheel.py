"""The demo's annual wheel: every area's dialogue rounds and this term's dialogues.

What it writes (so the Årshjul page has content on first start):

- **Rounds** for every area with a school or preschool, for the term of the demo's "today" and the next one: two
  rounds a term, each a fortnight, the areas a week apart (Område 1 starts first). An
  autumn term's rounds start in the second week of September and of November; a spring
  term's in the second week of February and of May.
- **Dialogues**, only when the database has none yet (another demo step may bring its
  own): about two in three of the schools and preschools have had this term's first
  round's dialogue (a note and one or two agreed actions, due one to three months after
  the dialogue); some actions are due already and are still open, so the follow-up
  lists have content. Notes and actions are generic Swedish texts, never names.

Drawn from its own random stream (``seed`` + 1917), so the other kinds are the same with
or without it. Written as ``user='demo'`` through ``query.dialogue_rounds`` and
``dialogue.dialogues`` (the same rules as the page).
"""

from __future__ import annotations

import datetime as dt

import duckdb
import numpy as np

from kompetens.access.scope import Scope
from kompetens.core import store
from kompetens.dialogue import dialogues
from kompetens.query import dialogue_rounds as rounds

#: (month, day) each round starts, per term kind; each round lasts 14 days (Monday to Friday next week).
ROUND_STARTS: dict[str, tuple[tuple[int, int], ...]] = {
    "HT": ((9, 8), (11, 10)),
    "VT": ((2, 9), (5, 4)),
}
ROUND_DAYS = 12  # first day to last day inclusive: Monday to the Friday of the next week
AREA_OFFSET_DAYS = 7
HAD_DIALOGUE_SHARE = 0.65

_NOTES = (
    "Genomgång av nyckeltalen inför terminen. Behörigheten är stabil; rekryteringen inför "
    "nästa läsår behöver starta tidigt.",
    "Sjukfrånvaron har ökat sedan förra året. Enheten ser över arbetsbelastningen i arbetslagen.",
    "Personalomsättningen är låg. Enheten vill utveckla introduktionen av nyanställda.",
    "Flera lärare saknar legitimation i sina ämnen; vägar till behörighet diskuterades.",
)
_ACTIONS = (
    "Ta fram en rekryteringsplan inför nästa läsår",
    "Följa upp sjukfrånvaron med företagshälsovården",
    "Erbjuda två lärare validering via VAL",
    "Se över introduktionen för nyanställda",
    "Kartlägga behovet av speciallärare",
    "Planera kompetensutveckling i läsundervisning",
)


def _demo_rounds(term: str, area_index: int) -> list[rounds.Round]:
    kind, year = rounds.parse_term(term)
    first, last = rounds.term_bounds(term)
    out = []
    for month, day in ROUND_STARTS[kind]:
        start = dt.date(year, month, day) + dt.timedelta(days=AREA_OFFSET_DAYS * area_index)
        end = min(start + dt.timedelta(days=ROUND_DAYS - 1), last)
        if first <= start <= last:
            out.append(rounds.Round(start, end))
    return out


def load_demo_annual_wheel(
    conn: duckdb.DuckDBPyConnection, *, today: dt.date | None = None, seed: int = 42
) -> dict[str, int]:
    """Write the demo's rounds (and dialogues, if none exist); returns ``{'rounds': n, 'dialogues': n}``."""
    today = today or dt.date.today()
    everything = Scope.everything()
    unit_rows = store.rows(
        conn,
        "SELECT unit_id, area, school_form FROM current_units ORDER BY area, unit_id",
    )
    # Areas with a school or preschool: central units hold no verksamhetsdialog.
    areas = sorted({area for _, area, form in unit_rows if area and form != "central"})
    term = rounds.term_of(today)
    saved_rounds = 0
    for i, area in enumerate(areas):
        for each in (term, rounds.next_term(term)):
            planned = _demo_rounds(each, i)
            rounds.save_rounds(conn, everything, area, each, planned, "demo")
            saved_rounds += len(planned)
    saved_dialogues = 0
    if not store.scalar(conn, "SELECT count(*) FROM dialogue_notes"):
        rng = np.random.default_rng(seed + 1917)
        area_index = {a: i for i, a in enumerate(areas)}
        for unit_id, area, school_form in unit_rows:
            if area not in area_index or school_form in (None, "", "central"):
                continue
            planned = _demo_rounds(term, area_index[area])
            if not planned or rng.random() > HAD_DIALOGUE_SHARE:
                continue
            held = planned[0].start_date + dt.timedelta(days=int(rng.integers(0, ROUND_DAYS)))
            if held > today:
                continue
            picks = rng.choice(len(_ACTIONS), size=int(rng.integers(1, 3)), replace=False)
            agreed = [
                dialogues.Action(
                    _ACTIONS[k],
                    owner="Rektor",
                    due_date=held + dt.timedelta(days=int(rng.integers(30, 92))),
                )
                for k in picks
            ]
            dialogues.save_dialogue(
                conn,
                everything,
                unit_id,
                held,
                _NOTES[int(rng.integers(0, len(_NOTES)))],
                agreed,
                user="demo",
            )
            saved_dialogues += 1
    return {"rounds": saved_rounds, "dialogues": saved_dialogues}

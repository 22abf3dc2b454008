"""The demo's common themes: on the support requests and on dialogues of the last three terms."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from kompetens import query
from kompetens.core import store
from kompetens.demo import themes as demo_themes
from kompetens.query import themes as theme_query

END = date(2026, 11, 15)


@pytest.fixture
def conn():
    """20 compulsory schools in each of Område Syd and Område Nord, and the central unit."""
    connection = store.connect(":memory:")
    ids = [f"S{i}" for i in range(20)] + [f"N{i}" for i in range(20)] + ["C1"]
    store.append_rows(
        connection,
        "units",
        pl.DataFrame(
            {
                "unit_id": ids,
                "unit_name": ids,
                "area": ["Område Syd"] * 20 + ["Område Nord"] * 20 + ["Central förvaltning"],
                "school_form": ["grundskola"] * 40 + ["central"],
            }
        ),
        batch_id=1,
    )
    query.clear_cache()
    yield connection
    connection.close()


def test_requests_carry_their_topics_theme_and_special_needs_recruitment_when_the_text_says_so():
    requests = pl.DataFrame(
        {
            "topic": ["Rekrytering", "Rekrytering", "Behålla", "IT"],
            "description": [
                "Behöver stöd med annonsering och urval för speciallärartjänst.",
                "Svårt att rekrytera behöriga lärare inför nästa termin.",
                None,
                None,
            ],
        }
    )
    themed = demo_themes.request_themes(requests, seed=42)["themes"].to_list()
    assert (
        themed
        == [
            "Rekrytering; Rekrytering av speciallärare",  # the topic's theme + the text's speciallärare
            "Rekrytering; Arbetsmiljö",  # the topic's theme + a drawn second theme (1 in 4)
            "Kompetensutveckling",  # Behålla (an ARUBA phase) has no theme of its own: only the drawn one
            "IT",
        ]
    )
    assert demo_themes.request_themes(requests, seed=1)["themes"].to_list() != themed


def test_dialogues_of_the_last_three_terms_carry_one_to_three_themes_and_none_is_after_the_end(
    conn,
):
    tagged = demo_themes.load_dialogues(conn, END, seed=42)
    assert tagged > 0
    days = store.rows(conn, "SELECT min(dialogue_date), max(dialogue_date) FROM dialogue_notes")[0]
    # the windows: HT 2025 (15 Sep–30 Nov), VT 2026 (1 Mar–31 May), HT 2026 (15 Sep–15 Nov)
    assert days[0] >= date(2025, 9, 15) and days[1] <= END
    sizes = store.rows(
        conn,
        "SELECT DISTINCT len(string_split(theme_ids, ';')) FROM dialogue_theme_tags "
        "WHERE action_id IS NULL",
    )
    assert {s for (s,) in sizes} <= {1, 2, 3}
    assert store.scalar(conn, "SELECT count(*) FROM dialogue_notes WHERE unit_id = 'C1'") == 0


def test_recruiting_special_needs_teachers_is_område_syds_common_theme(conn):
    demo_themes.load_dialogues(conn, END, seed=42)
    frame = theme_query.themes_by_area_term(
        conn, query.Scope.everything(), term=date(2026, 9, 1)
    ).filter(pl.col("theme") == "Rekrytering av speciallärare")
    counts = dict(zip(frame["area"].to_list(), frame["units"].to_list(), strict=True))
    # about 20 × 0.85 × 0.65 ≈ 11 schools in Syd against 20 × 0.85 × 0.16 ≈ 3 in Nord
    assert counts["Område Syd"] > 2 * (counts.get("Område Nord") or 0)


def test_existing_dialogues_are_tagged_instead_of_new_ones_written(conn):
    from kompetens.dialogue import dialogues

    dialogues.save_dialogue(conn, query.Scope.everything(), "S1", date(2026, 10, 1), "Befintlig.")
    assert demo_themes.load_dialogues(conn, END, seed=42) == 1
    assert store.scalar(conn, "SELECT count(*) FROM dialogue_notes") == 1

"""Stödbehov on the small fixture: hand-computed scores, flagged units, and weights that change them.

Reference month 2025-12, under the whole-table suppression mask (docs/suppression.md,
stored in ``key_figure_suppression``): S1's certified share rests on 4 teachers and
is hidden, and with it S1's certification gap and fixed-term share, so S1 lacks
components and is flagged, not ranked. Both schools' turnover is hidden, so
turnover applies to no school. E1 is the only school with a visible certified
share, gap and fixed-term share (percentile 50 each: a lone unit) and ties S1 on
sick leave (5 % each: average rank 1.5, percentile 100 × 0.5 / 1 = 50): E1 = 50.
L1 is alone in its form: every percentile 50 -> 50. Both rank 1.
"""

from __future__ import annotations

from tests.app_support import run_page, texts

PAGE = "views/stodbehov.py"


def table_with(at, *columns: str):
    """The first table on the page with all of these columns (AppTest keeps no keys on dataframes)."""
    for frame in at.dataframe:
        if all(c in frame.value.columns for c in columns):
            return frame.value
    raise AssertionError(f"no table with columns {columns}")


def scores(at) -> dict[str, float]:
    """The scores as numbers, read back from their Swedish texts (``75,0``, figure-space padded)."""
    frame = table_with(at, "rank", "score")
    for text in frame["score"]:
        assert "." not in text, text  # a decimal comma, never a point
    values = [float(t.strip("\u2007").replace(",", ".")) for t in frame["score"]]
    return dict(zip(frame["unit_id"], values, strict=True))


def drivers(at) -> dict[str, str]:
    frame = table_with(at, "rank", "score")
    return dict(zip(frame["unit_id"], frame["drivers"], strict=True))


def test_units_with_visible_data_are_ranked_by_their_hand_computed_scores(small_db):
    at = run_page(small_db, PAGE, query_params={"ar": "2025"})
    assert not at.exception
    ranking = table_with(at, "rank", "score")
    assert sorted(ranking["unit_id"]) == ["E1", "L1"]  # S1 is flagged (module docstring)
    assert ranking["rank"].tolist() == [1, 1]
    assert scores(at) == {"E1": 50.0, "L1": 50.0}
    assert ranking["score"].tolist() == ["50,0", "50,0"]
    # E1's largest contributions: certified share 0.25 / 0.60 × 50 = 20,8, sick leave
    # 0.15 / 0.60 × 50 = 12,5 (weights over certified 25, gap 10, fixed-term 10, sick leave 15)
    assert drivers(at)["E1"] == "Andel behöriga/legitimerade, Sjukfrånvaro"
    flagged = table_with(at, "missing")
    assert flagged["unit_id"].tolist() == ["S1"]
    assert "Andel behöriga/legitimerade" in flagged["missing"][0]


def test_setting_the_sick_leave_weight_to_zero_takes_it_out_of_what_drives_the_scores(small_db):
    at = run_page(small_db, PAGE, query_params={"ar": "2025"})
    at.slider(key="vikt_sick_leave_rate").set_value(0).run()
    assert not at.exception
    # Every visible percentile is 50 (module docstring), so the scores stay 50; the drivers
    # change: certified share 0.25 / 0.45 × 50 = 27,8 leads, sick leave contributes nothing.
    assert scores(at) == {"E1": 50.0, "L1": 50.0}
    assert drivers(at)["E1"].startswith("Andel behöriga/legitimerade, ")
    assert all("Sjukfrånvaro" not in d for d in drivers(at).values())
    assert "Egna vikter används" in texts(at)


def test_the_reset_button_brings_back_the_default_weights(small_db):
    at = run_page(small_db, PAGE, query_params={"ar": "2025"})
    at.slider(key="vikt_sick_leave_rate").set_value(0).run()
    assert "Sjukfrånvaro" not in drivers(at)["E1"]
    at.button(key="reset_weights").click().run()
    assert not at.exception
    assert at.slider(key="vikt_sick_leave_rate").value == 15  # percent
    # back to the default drivers (see the first test) and no "own weights" note
    assert drivers(at)["E1"] == "Andel behöriga/legitimerade, Sjukfrånvaro"
    assert scores(at) == {"E1": 50.0, "L1": 50.0}
    assert "Egna vikter används" not in texts(at)


def test_units_without_recent_data_are_listed_separately_with_what_is_missing(small_db):
    # Reference month 2024-12: S1 lacks survey values (employer recommendation and HME rest on
    # fewer than five respondents). E1's fixed-term share is visible in January 2024 (the mask
    # hides February-December), inside the twelve months, so E1 is ranked: certified share and
    # turnover are hidden for both schools and apply to none; E1 has the lower fixed-term share
    # (0.5 / 5.9 = 8,5 % against S1 1.5 / 3.9 = 38,5 %: percentile 0), ties S1 on sick leave (5 % each:
    # 50) and is the only school with survey values (50 each). Weights fixed-term 10, sick leave
    # 15, HME 10, recommendation 5: (0.10 × 0 + 0.30 × 50) / 0.40 = 37,5. L1 alone: 50.
    at = run_page(small_db, PAGE, query_params={"ar": "2024"})
    assert not at.exception
    assert "De som inte ber om stöd – enheter utan färska data" in texts(at)
    flagged = table_with(at, "missing")
    missing = dict(zip(flagged["unit_id"], flagged["missing"], strict=True))
    assert missing == {"S1": "Rekommenderar arbetsgivaren, Hållbart medarbetarengagemang (HME)"}
    assert table_with(at, "rank", "score")["unit_id"].tolist() == ["L1", "E1"]
    assert scores(at) == {"L1": 50.0, "E1": 37.5}


def test_the_area_filter_keeps_only_the_area_s_units(small_db):
    at = run_page(small_db, PAGE, query_params={"ar": "2025", "omrade": "Norr"})
    assert not at.exception
    assert sorted(table_with(at, "rank", "score")["unit_id"]) == ["E1", "L1"]  # tied at 50
    assert "Söderskolan" not in texts(at)

"""Talking points from hand-made compare frames (the shape ``query.compare`` returns)."""

from __future__ import annotations

import re

import polars as pl

from kompetens.dialogue.talking_points import NO_POINTS_TEXT, as_text, talking_points

COMPARE_SCHEMA = {
    "indicator_id": pl.String, "name_sv": pl.String, "unit_value": pl.Float64, "unit_suppressed": pl.Boolean,
    "area": pl.String, "area_value": pl.Float64, "area_suppressed": pl.Boolean, "org_value": pl.Float64,
    "target": pl.Float64, "previous_value": pl.Float64, "previous_suppressed": pl.Boolean, "change": pl.Float64,
    "status": pl.String, "rank_in_area": pl.Int64, "units_in_area": pl.Int64,
}  # fmt: skip


def row(indicator_id: str, value: float | None, **kw) -> dict:
    base = {
        "indicator_id": indicator_id,
        "name_sv": indicator_id,
        "unit_value": value,
        "unit_suppressed": False,
        "area": "Norr",
        "area_value": None,
        "area_suppressed": False,
        "org_value": None,
        "target": None,
        "previous_value": None,
        "previous_suppressed": False,
        "change": None,
        "status": None,
        "rank_in_area": None,
        "units_in_area": 0,
    }
    base.update(kw)
    if base["unit_value"] is not None and base["previous_value"] is not None:
        base["change"] = base["unit_value"] - base["previous_value"]
    return base


def frame(*rows: dict) -> pl.DataFrame:
    return pl.DataFrame(list(rows), schema=COMPARE_SCHEMA)


def test_the_indicator_furthest_below_its_target_comes_first_in_percentage_points():
    points = talking_points(
        frame(
            # 49,0 % against 60 %: 11 pp short (score 2.2 + 1)
            row("certified_teacher_share", 0.49, target=0.6),
            # sick leave 6,1 % against 5 %: 1,1 pp over (score 0.22 + 1)
            row("sick_leave_rate", 0.061, target=0.05),
        ),
        period="2025",
    )
    targets = [p for p in points if p.kind == "target"]
    assert [p.indicator_id for p in targets] == ["certified_teacher_share", "sick_leave_rate"]
    assert targets[0].text == (
        "Andel behöriga lärare (heltidstjänster) är 49,0\u00a0%, 11,0\u00a0procentenheter under målet 60,0\u00a0%."
    )
    assert targets[1].text == (
        "Sjukfrånvaro är 6,1\u00a0%, 1,1\u00a0procentenheter över målet 5,0\u00a0%."
    )


def test_an_indicator_that_meets_its_target_is_mentioned_once_as_good_news():
    points = talking_points(
        frame(
            row("certified_teacher_share", 0.959, target=0.8),
            row("licensed_preschool_teacher_share", 0.50, target=0.45),
        )
    )
    hits = [p for p in points if p.kind == "target"]
    assert len(hits) == 1
    assert hits[0].text == (
        "Andel behöriga lärare (heltidstjänster) når målet: 95,9\u00a0% mot målet 80,0\u00a0%."
    )


def test_the_largest_change_against_a_year_earlier_is_worded_with_direction_and_verdict():
    points = talking_points(
        frame(
            # −8,6 pp on a higher-is-better share: a worsening (score 1.72)
            row("certified_teacher_share", 0.49, previous_value=0.576),
            # sick leave +0,5 pp: below the 1-pp threshold, no point
            row("sick_leave_rate", 0.055, previous_value=0.05),
            # time to fill 48 -> 56 days: +8, 16,7 % (score 8 / 5-day floor = 1.6)
            row("time_to_fill_days", 56.0, previous_value=48.0),
        ),
        period="2025",
    )
    changes = [p for p in points if p.kind == "change"]
    assert [p.indicator_id for p in changes] == ["certified_teacher_share", "time_to_fill_days"]
    assert changes[0].text == (
        "Andel behöriga lärare (heltidstjänster) har minskat med 8,6\u00a0procentenheter jämfört med 2024, "
        "från 57,6\u00a0% till 49,0\u00a0% – en försämring."
    )
    assert changes[1].text == (
        "Tid till tillsättning (median, dagar) har ökat med 8 jämfört med 2024, från 48 till 56 – en försämring."
    )


def test_a_falling_sick_leave_rate_is_an_improvement_and_a_neutral_indicator_gets_no_verdict():
    points = talking_points(
        frame(
            row("sick_leave_rate", 0.04, previous_value=0.07),
            row("age_55_plus_share", 0.188, previous_value=0.214),
        )
    )
    texts = as_text([p for p in points if p.kind == "change"])
    assert texts[0].endswith("från 7,0\u00a0% till 4,0\u00a0% – en förbättring.")
    assert texts[1] == (
        "Andel anställda 55 år och äldre har minskat med 2,6\u00a0procentenheter jämfört med året innan, "
        "från 21,4\u00a0% till 18,8\u00a0%."
    )


def test_a_tiny_absolute_change_of_a_small_count_is_not_a_talking_point():
    # 0,2 -> 0,0 FTE is −100 % but below half the 0,5-FTE floor
    points = talking_points(frame(row("certification_gap_fte", 0.0, previous_value=0.2)))
    assert [p.kind for p in points] == ["none"]
    assert points[0].text == NO_POINTS_TEXT


def test_suppressed_figures_are_never_used_only_named():
    points = talking_points(
        frame(
            # suppressed now: no target point, no change, no rank, even though the raw numbers would qualify
            row(
                "certified_teacher_share",
                None,
                unit_suppressed=True,
                target=0.9,
                previous_value=0.576,
                rank_in_area=2,
                units_in_area=2,
            ),
            # suppressed a year ago: no change point
            row("sick_leave_rate", 0.08, previous_value=None, previous_suppressed=True),
        ),
        period="2025",
    )
    assert [p.kind for p in points] == ["none", "suppressed"]
    assert points[1].text == (
        "Ett nyckeltal bygger på färre än fem personer och visas som .. (används inte i samtalspunkterna): "
        "andel behöriga lärare (heltidstjänster)."
    )
    assert "57,6" not in " ".join(as_text(points))


def test_rank_within_area_names_best_and_weakest_but_not_a_shared_zero_or_a_neutral_figure():
    points = talking_points(
        frame(
            row("development_hours_per_fte", 1.1, area="Norr", rank_in_area=2, units_in_area=2),
            row("sick_leave_rate", 0.05, area="Norr", rank_in_area=1, units_in_area=2),
            row("certification_gap_fte", 0.0, area="Norr", rank_in_area=1, units_in_area=5),
            row("age_55_plus_share", 0.44, area="Norr", rank_in_area=1, units_in_area=2),
        )
    )
    assert as_text([p for p in points if p.kind == "rank"]) == [
        "Svagast i området Norr på kompetensutveckling, timmar per heltidstjänst: 1,1 (plats 2 av 2).",
        "Bäst i området Norr på sjukfrånvaro: 5,0\u00a0% (plats 1 av 2).",
    ]


def test_an_area_named_omrade_is_not_doubled():
    points = talking_points(
        frame(row("sick_leave_rate", 0.09, area="Område Nord", rank_in_area=21, units_in_area=21))
    )
    assert points[0].text == "Svagast i Område Nord på sjukfrånvaro: 9,0\u00a0% (plats 21 av 21)."


def series(periods, values, suppressed=None) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "period": periods,
            "value": values,
            "suppressed": suppressed or [False] * len(periods),
        },
        schema={"period": pl.String, "value": pl.Float64, "suppressed": pl.Boolean},
    )


def test_three_periods_in_a_row_the_same_way_make_a_trend_point_up_to_the_period_discussed():
    trends = {
        # worsening up to 2025; the 2026 value must be ignored when discussing 2025
        "sick_leave_rate": series(
            ["2022", "2023", "2024", "2025", "2026"], [0.04, 0.05, 0.06, 0.07, 0.03]
        ),
        # up and down: no trend
        "hme_index": series(["2023", "2024", "2025"], [70, 75, 72]),
    }
    points = talking_points(frame(), trends, period="2025")
    assert as_text(points) == [
        "Sjukfrånvaro har försämrats tre perioder i rad (2023–2025: 5,0\u00a0% → 6,0\u00a0% → 7,0\u00a0%)."
    ]


def test_a_suppressed_value_inside_a_run_stops_the_trend_point():
    trends = {
        "sick_leave_rate": series(
            ["2023", "2024", "2025"], [0.05, None, 0.07], suppressed=[False, True, False]
        )
    }
    assert [p.kind for p in talking_points(frame(), trends)] == ["none"]


def test_every_kind_gets_a_place_before_a_kind_gets_its_second_point():
    points = talking_points(
        frame(
            row("certified_teacher_share", 0.40, target=0.9, previous_value=0.55),
            row("sick_leave_rate", 0.09, target=0.05, previous_value=0.06),
            row("turnover_rate", 0.20, target=0.08, previous_value=0.10),
            row("development_hours_per_fte", 1.1, rank_in_area=3, units_in_area=3),
        ),
        max_points=3,
    )
    assert [p.kind for p in points] == ["target", "change", "rank"]
    # the biggest gap is the certified share: 50 pp short
    assert points[0].indicator_id == "certified_teacher_share"


def labelled(*rows: dict) -> pl.DataFrame:
    """A compare frame with the dialogue's period labels (``discussion._compare``)."""
    schema = {**COMPARE_SCHEMA, "period_label": pl.String, "previous_label": pl.String}
    return pl.DataFrame(list(rows), schema=schema)


def test_a_12_month_figure_keeps_its_12_month_basis_in_every_point_and_the_list_says_so():
    # 2026 is running (latest month 2026-11): onboarding is counted by whole years, so the
    # dialogue reads the 12 months up to 2026-11 (81 %, a year earlier 50 %: +31 pp), and its
    # trend is the 12-month values at November of each year: 40 % → 50 % → 81 %, rising.
    rolling = {"period_label": "12 mån t.o.m. 2026-11", "previous_label": "12 mån t.o.m. 2025-11"}
    yearly = {"period_label": "2026", "previous_label": "2025"}
    compare = labelled(
        row("onboarding_completion", 0.81, previous_value=0.50, **rolling),
        row("certified_teacher_share", 0.70, target=0.80, **yearly),
    )
    trends = {
        "onboarding_completion": series(["2024-11", "2025-11", "2026-11"], [0.40, 0.50, 0.81])
    }
    texts = [p.text for p in talking_points(compare, trends, period="2026")]
    onboarding = [t for t in texts if t.lower().startswith("andel nyanställda")]
    assert onboarding == [
        "Andel nyanställda med genomförd introduktion för 12 mån t.o.m. 2026-11 har ökat med "
        "31,0\u00a0procentenheter jämfört med 12 mån t.o.m. 2025-11, från 50,0\u00a0% till "
        "81,0\u00a0% – en förbättring.",
        "Andel nyanställda med genomförd introduktion har förbättrats tre perioder i rad "
        "(12 mån t.o.m. 2024-11, 2025-11 och 2026-11: 40,0\u00a0% → 50,0\u00a0% → 81,0\u00a0%).",
    ]
    assert not any(re.search(r"\b2024–2026\b", t) for t in texts)  # no calendar years for it
    assert texts[-1] == (
        "Samtalspunkterna avser 2026, utom andel nyanställda med genomförd introduktion: "
        "12 mån t.o.m. 2026-11 (räknas för hela år och 2026 är inte slut; jämförs med samma "
        "12 månader året innan)."
    )


def test_a_list_of_yearly_figures_only_needs_no_basis_note():
    yearly = {"period_label": "2025", "previous_label": "2024"}
    compare = labelled(row("certified_teacher_share", 0.70, target=0.80, **yearly))
    assert all(p.kind != "basis" for p in talking_points(compare, period="2025"))

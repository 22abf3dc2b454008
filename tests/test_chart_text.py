"""Every chart's text alternative says what the chart shows, in Swedish, from its own data."""

from __future__ import annotations

import polars as pl

from kompetens.present import charts
from kompetens.present.chart_text import describe

NBSP = "\u00a0"


def test_ranked_bars_are_described_by_their_highest_and_lowest_bar_and_the_hidden_ones():
    frame = pl.DataFrame(
        {
            "unit_name": ["Ekskolan", "Björkskolan", "Aspskolan", "Lönnskolan"],
            "share": [0.92, 0.55, 0.701, None],
            "suppressed": [False, False, False, True],
        }
    )
    fig = charts.ranked_bars(frame, label="unit_name", value="share", unit="share", target=0.8)
    # 4 bars; shown values 0.92 (max, Ekskolan), 0.55 (min, Björkskolan); one hidden; target line.
    assert describe(fig) == (
        f"Stapeldiagram, 4 staplar: högst Ekskolan 92,0{NBSP}%, lägst Björkskolan 55,0{NBSP}%; "
        "1 dolda (..). Streckad linje: mål."
    )


def test_a_trend_is_described_by_each_series_first_and_last_shown_value_and_its_target():
    frame = pl.DataFrame(
        {
            "period": ["2023", "2024", "2025"] * 2,
            "series": ["Enheten"] * 3 + ["Området"] * 3,
            "value": [0.70, None, 0.75, 0.60, 0.62, 0.65],
            "target": [0.8] * 6,
        }
    )
    fig = charts.trend(frame, x="period", y="value", unit="share", series="series", target="target")
    # Enheten: 70,0 % (2023) -> 75,0 % (2025), the missing 2024 skipped; Området 60,0 % -> 65,0 %.
    assert describe(fig) == (
        f"Linjediagram 2023–2025: Enheten från 70,0{NBSP}% (2023) till 75,0{NBSP}% (2025); "
        f"Området från 60,0{NBSP}% (2023) till 65,0{NBSP}% (2025). Streckad linje: mål."
    )


def test_small_multiples_are_described_by_each_panels_latest_value():
    frame = pl.DataFrame(
        {
            "scope_id": ["Norr", "Norr", "Söder", "Söder"],
            "period": ["2024", "2025", "2024", "2025"],
            "value": [0.10, 0.097, 0.08, None],
            "suppressed": [False, False, False, True],
        }
    )
    fig = charts.facet_trends(frame, facet="scope_id", x="period", y="value", unit="share")
    # Norr's latest is 9,7 % (2025); Söder's 2025 value is hidden, so its title says ".." (2025).
    assert describe(fig) == (
        f"Linjediagram per 2 delar, senaste värden: Norr: 9,7{NBSP}% (2025); Söder: .. (2025)."
    )


def test_a_heatmap_says_how_many_rows_and_columns_it_has():
    frame = pl.DataFrame(
        {
            "unit": ["A", "A", "B", "B", "C", "C"],
            "month": ["2025-01", "2025-02"] * 3,
            "coverage": [1.0, 0.5, 1.0, 1.0, 0.0, 1.0],
        }
    )
    fig = charts.coverage_heatmap(frame, row="unit", column="month", value="coverage")
    assert describe(fig) == "Värmekarta, 3 rader och 2 kolumner."


def test_an_empty_figure_says_it_has_no_data():
    assert describe(charts.go.Figure()) == "Diagram utan data."


def test_a_dark_copy_has_a_transparent_background_light_text_and_leaves_the_figure_alone():
    from kompetens.ui import figures

    frame = pl.DataFrame({"period": ["2024", "2025"], "value": [0.1, 0.2]})
    fig = charts.trend(frame, x="period", y="value", unit="share", colour="#000000")
    dark = figures.for_dark(fig)
    assert dark["layout"]["paper_bgcolor"] == dark["layout"]["plot_bgcolor"] == "rgba(0,0,0,0)"
    assert dark["layout"]["font"]["color"] == figures.DARK_TEXT
    assert dark["layout"]["yaxis"]["gridcolor"] == figures.DARK_GRID
    assert dark["data"][0]["line"]["color"] == figures.DARK_TEXT  # black would vanish
    # The figure itself (pages cache figures) keeps its light look.
    assert fig.data[0].line.color == "#000000"
    assert fig.layout.paper_bgcolor is None or fig.layout.paper_bgcolor != "rgba(0,0,0,0)"

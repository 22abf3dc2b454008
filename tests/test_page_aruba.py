"""The ARUBA page on the small fixture: each phase renders the hand-computed figures of
``tests/test_indicators_fixture.py`` in Swedish, ``..`` where a figure rests on fewer than 5 people."""

from __future__ import annotations

import json

import polars as pl
import pytest

from kompetens.indicators import registry
from kompetens.ui import aruba_view as view
from kompetens.ui import homes
from tests.app_support import run_page, texts

PAGE = "views/aruba.py"
NBSP = "\u00a0"


def every_tab(at, phase: str) -> tuple[str, dict]:
    """Open each tab of a phase in turn: (all their text, every metric label -> value)."""
    text, metrics = "", {}
    for label in view.tab_labels(phase, homes.indicators_on(homes.ARUBA, phase)):
        at.session_state[f"flik_{phase}"] = label
        at.run()
        assert not at.exception
        text += "\n" + texts(at)
        metrics |= {m.label: m.value for m in at.metric}
    return text, metrics


@pytest.fixture(scope="module")
def pages(small_db):
    """One run of every phase for 2025 (the fixture's newest year)."""
    at = run_page(small_db, PAGE, query_params={"ar": "2025"})
    runs = {}
    for phase in homes.ARUBA_PHASES:
        at.button_group(key="fas").set_value(phase).run()
        run = {"exception": [], "text": "", "metrics": {}, "charts": [], "frames": [], "tabs": []}
        run["downloads"] = 0
        # Each indicator has its own tab and only the open tab is drawn: open each in turn.
        for label in view.tab_labels(phase, homes.indicators_on(homes.ARUBA, phase)):
            at.session_state[f"flik_{phase}"] = label
            at.run()
            run["tabs"].append((label, texts(at)))
            run["exception"] += list(at.exception)
            run["text"] += "\n" + texts(at)
            run["metrics"] |= {m.label: (m.value, m.proto.delta) for m in at.metric}
            run["charts"] += [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
            run["frames"] += [d.value for d in at.dataframe]
            run["downloads"] += len(at.download_button)
        runs[phase] = run
    return runs


@pytest.mark.parametrize("phase", homes.ARUBA_PHASES)
def test_every_phase_renders_without_an_exception_and_shows_each_of_its_indicators(pages, phase):
    run = pages[phase]
    assert run["exception"] == []
    assert f">{registry.PHASES[phase][0]}</h2>" in run["text"]
    indicators = homes.indicators_on(homes.ARUBA, phase)
    for ind in indicators:
        assert f"### {ind.name_sv}" in run["text"]
    # One indicator per tab: the tab of the first shows it and none of the others' headings.
    first_label, first_text = run["tabs"][0]
    assert first_label == indicators[0].name_sv
    assert all(f"### {ind.name_sv}" not in first_text for ind in indicators[1:])
    assert run["downloads"] >= 2  # the phase's unit table, CSV and Excel


def test_behalla_shows_the_organisation_turnover_with_the_change_from_2024(pages):
    metrics = pages["behalla"]["metrics"]
    # 2025: 1 exit / 18.25 average permanent headcount = 5.48 % (computed, see
    # test_indicators_fixture). Published it would tell that one person left, and beside the
    # "without retirements" variant (0) that this one person retired: the exit-reason count it
    # equals rests on one person, so the coordinated suppression hides it (docs/suppression.md).
    value, _ = metrics[registry.get("turnover_rate").name_sv]
    assert value == ".."
    assert "2025, ändring mot 2024" in pages["behalla"]["text"]  # the card says what it compares
    # sick leave 2448 / 39600 = 6.18 %; HME (80 x 8 + 84 x 8 + 72 x 4) / 20 = 80, 2024 1478 / 19 = 77.8
    assert metrics[registry.get("sick_leave_rate").name_sv][0] == f"6,2{NBSP}%"
    assert metrics[registry.get("hme_index").name_sv] == ("80", "+2")


def test_turnover_resting_on_one_exit_is_drawn_in_neither_variant(pages):
    # 2024: P07 left (other employer) 1 / 18.5; 2025: P01 retired -> 1 / 18.25 with, 0 without.
    # Each year rests on one exit, so neither line may show a value: the pair would say who left
    # and why. No chart of the phase carries 1 / 18.5, 1 / 18.25 or the 0.0 of the variant.
    published = [
        y
        for c in pages["behalla"]["charts"]
        for t in c["data"]
        if t.get("name") in ("Alla avgångar", "Utan pensionsavgångar")
        for y in (t.get("y") or [])
        if y is not None
    ]
    assert published == []


def test_the_spread_of_unit_values_is_stated_in_swedish(pages):
    text = pages["behalla"]["text"]
    # sick leave 2025: E1 720 / 14400 = 5 %, L1 1248 / 15600 = 8 %, S1 480 / 9600 = 5 %
    assert (
        f"Spridning mellan 3 enheter: lägst 5,0{NBSP}% · median 5,0{NBSP}% · högst 8,0{NBSP}%"
        in text
    )


def test_attrahera_shows_the_recommendation_against_its_baseline_target(pages):
    run = pages["attrahera"]
    # 2025: (3.8 x 8 + 4.1 x 8 + 3.5 x 4) / 20 = 3.86; baseline 2024 68.1 / 19 = 3.584 + 0.1 = 3.68
    value, delta = run["metrics"][registry.get("employer_recommendation").name_sv]
    assert value == "3,86"
    assert delta == "+0,28"  # 3.86 - 3.584
    assert "mål 3,68" in run["text"]
    # Student placements 2025: E1 2 and L1 2 rest on fewer than five (primary), so the
    # organisation's 2 + 2 + 6 = 10 is hidden too (secondary: else 10 - 6 gives E1 + L1), and
    # with it the change against 2024 (7). S1's 6 stays visible and is the whole spread.
    assert run["metrics"][registry.get("student_placements").name_sv] == ("..", "")
    assert "Spridning mellan 3 enheter: lägst 6 · median 6 · högst 6 (2 dolda `..`)" in run["text"]


def test_rekrytera_hides_figures_on_fewer_than_five_requisitions(pages):
    metrics = pages["rekrytera"]["metrics"]
    # 2025 has 4 requisitions (R4..R7): every recruitment figure of the organisation is '..'
    for ind in ("time_to_fill_days", "unfilled_vacancy_share", "certified_hire_share"):
        assert metrics[registry.get(ind).name_sv][0] == ".."


def test_utveckla_shows_development_hours_per_fte(pages):
    metrics = pages["utveckla"]["metrics"]
    value, delta = metrics[registry.get("development_hours_per_fte").name_sv]
    assert value == "3,1"  # 2025 org
    assert delta.startswith("\u22121,0")  # 2024 86 / (251.2 / 12) = 4.11 -> a fall of about 1.0


def test_avveckla_shows_age_forecast_redundancy_and_exit_reasons_with_small_figures_hidden(pages):
    run = pages["avveckla"]
    # 55+ 2025: 8 of 22 people
    assert run["metrics"][registry.get("age_55_plus_share").name_sv][0] == f"36,4{NBSP}%"
    # three people reach 66 within five years (P10, P31, P35): hidden
    assert run["metrics"][registry.get("retirement_forecast_5y").name_sv][0] == ".."
    assert "### Pensionsprognos per personalkategori" in run["text"]
    assert "### Övertaliga och öppna tjänster i samma kategori" in run["text"]
    # October 2025: P35 (childminder, L1) unplaced: 1 person -> '..'; R6 (childminder) open:
    # a post, not a person, so it shows (registry counts='posts')
    matches = next(f for f in run["frames"] if "Övertaliga ej placerade" in f.columns)
    org = matches[matches["Nivå"] == "Hela organisationen"]
    assert org["Personalkategori"].tolist() == ["Barnskötare"]
    assert org["Övertaliga ej placerade"].tolist() == [".."]
    assert org["Öppna tjänster i kategorin"].tolist() == ["1"]
    assert "färre än 5 och visas som `..`" in run["text"]
    # exit reasons 2025: P01 retirement, P34 end of contract -> 1 each: hidden
    reasons = next(f for f in run["frames"] if list(f.columns) == ["Kategori", "Värde"])
    assert reasons["Värde"].tolist() == ["..", ".."]
    assert sorted(reasons["Kategori"].tolist()) == ["Pension", "Visstid upphör"]


def test_the_area_filter_shows_the_area_trend_and_only_its_units(small_db):
    at = run_page(small_db, PAGE, query_params={"ar": "2025", "omrade": "Söder"})
    at.button_group(key="fas").set_value("behalla").run()
    assert not at.exception
    text = texts(at)
    assert "Trend för området Söder" in text
    at.session_state["flik_behalla"] = view.UNITS_TAB
    at.run()
    table = next(d.value for d in at.dataframe if "Enhet" in d.value.columns)
    assert table["Enhet"].tolist() == ["Söderskolan"]
    assert table["Skolform"].tolist() == ["Grundskola"]  # the code grundskola, in Swedish
    # S1 sick leave 2025: 480 / 9600 = 5 %
    assert table[registry.get("sick_leave_rate").name_sv].tolist() == [f"5,0{NBSP}%"]


def test_a_year_without_figures_of_an_indicator_names_the_files_that_feed_it():
    what, how = view.missing_text(registry.get("time_to_fill_days"), "2023")
    assert what == "Inga värden för tid till tillsättning (median, dagar) 2023."
    assert "**Rekryteringar**, **Enheter**" in how and "**Import**" in how


def test_an_indicator_with_only_later_figures_points_to_a_later_year():
    text = view.only_later_text(registry.get("redundant_staff_unplaced"), "2024", "2025")
    assert text == (
        "Inga värden för övertaliga som ännu inte placerats 2024 eller tidigare – "
        "det första värdet gäller 2025. Välj ett senare år i sidopanelen."
    )


def test_a_long_ranking_keeps_the_weakest_units_for_the_indicators_direction():
    values = pl.DataFrame(
        {
            "unit_name": [f"U{i}" for i in range(20)],
            "area": ["A"] * 20,
            "value": [float(i) for i in range(20)],
            "suppressed": [False] * 19 + [True],
        }
    )
    worse, limited = view.ranking(values, registry.get("sick_leave_rate"), limit=3)
    assert limited and worse["unit_name"].to_list() == ["U18", "U17", "U16"]  # U19 is hidden
    better, _ = view.ranking(values, registry.get("certified_teacher_share"), limit=3)
    assert better["unit_name"].to_list() == ["U0", "U1", "U2"]
    few, limited = view.ranking(values.head(3), registry.get("sick_leave_rate"), limit=3)
    assert not limited and few.height == 3


def test_a_year_without_a_figure_shows_the_newest_earlier_one_and_says_so(pages):
    run = pages["behalla"]
    # first-year retention 2024 (P06 kept, P25 not: 1 of 2 hires, hidden) is known only a year later
    assert run["metrics"][registry.get("first_year_retention").name_sv][0] == ".."
    assert "Senaste värde: 2024 (för 2025 finns inget värde ännu)." in run["text"]


def test_value_at_takes_the_year_its_change_and_its_traffic_light():
    series = pl.DataFrame(
        {
            "period": ["2023", "2024"],
            "value": [0.10, 0.08],
            "suppressed": [False, False],
            "target": [0.12, 0.09],
        }
    )
    now = view.value_at(series, "2024", "turnover_rate")
    assert (now.period, now.value, now.previous) == ("2024", 0.08, 0.10)
    assert now.change == pytest.approx(-0.02)
    assert now.status == "green"  # lower is better: 8 % against a 9 % target
    later = view.value_at(series, "2026", "turnover_rate")
    assert later.period == "2024" and later.found
    assert not view.value_at(series, "2022", "turnover_rate").found


def test_avveckla_2024_explains_that_redundancy_figures_start_in_2025(small_db):
    at = run_page(small_db, PAGE, query_params={"ar": "2024"})
    at.button_group(key="fas").set_value("avveckla").run()
    assert not at.exception
    text, metrics = every_tab(at, "avveckla")
    # the first redundancy notice (P08) is from February 2025
    assert "det första värdet gäller 2025" in text
    assert "Inga övertaliga utan placering 2024." in text
    # 55+ 2024: (4 + 2 + 2 - 1) / (9 + 7 + 8 - 1) = 7 / 23
    assert metrics[registry.get("age_55_plus_share").name_sv] == f"30,4{NBSP}%"


def test_a_chart_is_built_once_per_query_frame_and_again_for_a_new_one():
    built = []
    first, second = pl.DataFrame({"a": [1]}), pl.DataFrame({"a": [1]})

    def build():
        built.append(1)
        return len(built)

    assert view.memo_by_identity(("k",), (first,), build) == 1
    assert view.memo_by_identity(("k",), (first,), build) == 1  # same frame object: kept
    assert view.memo_by_identity(("k",), (second,), build) == 2  # equal but new (a re-import)
    assert view.memo_by_identity(("other",), (first,), build) == 3


def test_monthly_trends_use_months_for_stocks_and_rolling_twelve_months_for_flows(small_db):
    at = run_page(small_db, PAGE, query_params={"ar": "2025"})
    at.button_group(key="fas").set_value("behalla").run()
    at.button_group(key="trend").set_value("manad").run()
    assert not at.exception
    # Turnover's rolling 12 months ending 2025-06 rest on one exit (P01), so they are hidden
    # (see the test above); its tab still says which period the trend draws.
    assert "Trend: rullande 12 månader." in texts(at)
    at.session_state["flik_behalla"] = registry.get("sick_leave_rate").name_sv  # open its tab
    at.run()
    assert not at.exception
    charts = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    # sick leave has monthly values: March 2024 (60 + 40 + 104) / (1200 + 800 + 1300) hours
    march = [
        t["y"][t["x"].index("2024-03")]
        for c in charts
        for t in c["data"]
        if t.get("name") == "Organisationen" and "2024-03" in (t.get("x") or [])
    ]
    assert pytest.approx(204 / 3300) in march


def test_an_indicator_with_a_variant_breakdown_draws_each_variant_beside_its_own_definition():
    turnover = registry.get("turnover_rate")
    assert "variant" in turnover.breakdowns  # the registry declares the variants, not the page
    assert view.trend_lines(turnover, "all", "Norr") == {
        "Alla avgångar": "all",
        "Utan pensionsavgångar": "variant=excl_retirement",
    }
    # narrowed to a school form the variants are not drawn; other indicators have one line
    narrowed = "school_form=grundskola"
    assert view.trend_lines(turnover, narrowed, "Norr") == {"Norr": narrowed}
    sick_leave = registry.get("sick_leave_rate")
    assert view.trend_lines(sick_leave, "all", "Organisationen") == {"Organisationen": "all"}


def test_a_share_trend_from_zero_has_swedish_ticks_over_the_whole_axis():
    frame = pl.DataFrame(
        {
            "period": ["2024", "2025"],
            "value": [0.102, 0.104],
            "suppressed": [False, False],
            "target": [0.08, 0.08],
            "serie": ["Organisationen", "Organisationen"],
        }
    )
    fig = view.trend_figure(registry.get("turnover_rate"), frame, "#0072B2")
    # The axis runs from 0 to 10.4 % × 1.15 = 11.96 %; the ticks start at 0 and reach its top.
    assert fig.layout.yaxis.range == (0.0, pytest.approx(0.1196))
    assert fig.layout.yaxis.tickvals[0] == 0.0 and fig.layout.yaxis.tickvals[-1] >= 0.1196
    # 11.96 % / 5 = 2.4 pp a step, rounded up to 5 pp: whole percent.
    assert fig.layout.yaxis.ticktext == (f"0{NBSP}%", f"5{NBSP}%", f"10{NBSP}%", f"15{NBSP}%")


def test_a_cut_ranking_points_to_the_all_units_tab_not_to_a_table_below():
    caption = view.ranking_caption(15, registry.get("sick_leave_rate"))
    # The full list is on its own tab, not below the chart.
    assert (
        caption
        == "De 15 enheterna med högst värde visas; alla enheter finns på fliken Alla enheter."
    )
    assert view.UNITS_TAB == "Alla enheter"


def test_the_ranking_bars_carry_each_units_id_for_the_click_through():
    import polars as pl

    values = pl.DataFrame(
        {
            "unit_id": ["E1", "S1"],
            "unit_name": ["Ekskolan", "Söderskolan"],
            "area": ["Norr", "Söder"],
            "school_form": ["grundskola", "grundskola"],
            "value": [0.05, 0.08],
            "suppressed": [False, False],
        }
    )
    fig, _, _ = view.ranking_figures(
        registry.get("sick_leave_rate"),
        values,
        colour="#0072B2",
        target=None,
        reference=None,
        reference_label="Organisationen",
    )
    bars = [t for t in fig.data if t.type == "bar"]
    assert sorted(c if isinstance(c, str) else c[0] for t in bars for c in t.customdata) == [
        "E1",
        "S1",
    ]

import datetime as dt
import math

from babel.numbers import format_decimal, format_percent
from hypothesis import given
from hypothesis import strategies as st

from kompetens.indicators.registry import get
from kompetens.present import formatting
from kompetens.present.formatting import (
    MISSING,
    NBSP,
    area_phrase,
    delta_style,
    fmt_correlation,
    fmt_count,
    fmt_date,
    fmt_delta,
    fmt_number,
    fmt_percent,
    fmt_value,
)


def test_a_share_is_shown_as_percent_with_one_decimal_comma_and_a_no_break_space():
    assert fmt_value(0.7234, "share") == f"72,3{NBSP}%"
    assert fmt_percent(0.7234) == f"72,3{NBSP}%"


def test_a_count_gets_a_no_break_space_as_thousands_separator():
    assert fmt_value(1234, "count") == f"1{NBSP}234"
    assert fmt_number(1234567.4) == f"1{NBSP}234{NBSP}567"


def test_a_count_in_a_sentence_takes_the_singular_for_one_and_the_plural_otherwise():
    assert fmt_count(1, "enhet", "enheter") == "1 enhet"
    assert fmt_count(0, "enhet", "enheter") == "0 enheter"
    assert fmt_count(1234, "enhet", "enheter") == f"1{NBSP}234 enheter"


def test_a_change_that_rounds_to_nothing_has_no_sign():
    # −0,001 on a two-decimal scale and −0,0004 (−0,04 p.e.) on a share both round to zero
    assert fmt_delta(-0.001, "decimal2") == "0,00"
    assert fmt_delta(-0.0004, "share") == f"0,0{NBSP}procentenheter"
    assert fmt_delta(-0.02, "decimal2") == "\u22120,02"
    assert fmt_delta(0.021, "share") == f"+2,1{NBSP}procentenheter"


def test_a_change_that_rounds_to_nothing_gets_no_colour_and_no_arrow():
    assert delta_style(-0.001, "higher_is_better", fmt_delta(-0.001, "decimal2")) == ("off", "off")
    assert delta_style(-0.02, "higher_is_better", fmt_delta(-0.02, "decimal2")) == ("red", "down")


def test_an_area_in_a_sentence_is_not_called_omrade_twice():
    assert area_phrase("Norr") == "området Norr"
    assert area_phrase("Område Centrum") == "Område Centrum"


def test_a_suppressed_value_is_two_dots_whatever_its_value():
    assert fmt_value(0.5, "share", suppressed=True) == ".."
    assert fmt_value(None, "count", suppressed=True) == ".."


def test_a_missing_value_is_a_dash_not_two_dots():
    assert fmt_value(None, "share") == MISSING == "–"
    assert fmt_value(float("nan"), "count") == MISSING


def test_registry_indicators_format_by_their_number_format():
    assert fmt_value(0.5, get("certified_teacher_share")) == f"50,0{NBSP}%"
    assert fmt_value(3.25, get("certification_gap_fte")) == "3,2"  # one decimal, half-even rounding
    assert fmt_value(3.456, get("employer_recommendation")) == "3,46"
    assert fmt_value(2345, get("hires")) == f"2{NBSP}345"


def test_negative_numbers_use_the_typographic_minus_sign():
    assert fmt_correlation(-0.62) == "\u22120,62"
    assert fmt_value(-1234, "count") == f"\u22121{NBSP}234"


def test_a_change_in_a_share_is_given_in_percentage_points_with_a_sign():
    assert fmt_delta(0.021, "share") == f"+2,1{NBSP}procentenheter"
    assert fmt_delta(-0.021, "share") == f"\u22122,1{NBSP}procentenheter"
    assert fmt_delta(12, "count") == "+12"


def test_dates_are_iso():
    assert fmt_date(dt.date(2026, 10, 15)) == "2026-10-15"
    assert fmt_date(dt.datetime(2026, 10, 15, 13, 5)) == "2026-10-15"
    assert fmt_date("2026-10-15T08:00:00") == "2026-10-15"


def test_a_fall_in_a_figure_where_higher_is_better_is_red_with_a_down_arrow():
    # Swedish formatting writes U+2212, which Streamlit does not read as a minus
    assert delta_style(-0.96, "higher_is_better") == ("red", "down")
    assert delta_style(0.001, "higher_is_worse") == ("red", "up")
    assert delta_style(-1, "higher_is_worse") == ("green", "down")
    assert delta_style(-14, "neutral") == ("gray", "down")


def test_no_change_or_an_unknown_change_has_neither_colour_nor_arrow():
    assert delta_style(0.0, "higher_is_better") == ("off", "off")
    assert delta_style(1e-12, "higher_is_worse") == ("off", "off")  # rounding noise is no change
    assert delta_style(None, "higher_is_better") == ("off", "off")
    assert delta_style(float("nan"), "higher_is_better") == ("off", "off")


def test_every_code_of_every_coded_contract_column_has_a_swedish_label():
    from kompetens.core.contract import KINDS
    from kompetens.core.labels import CODE_LABELS

    missing = []
    for kind in KINDS.values():
        for column in kind.columns:
            if column.type != "code":
                continue
            labels = CODE_LABELS.get(column.name, {})
            for code in column.codes or {}:
                label = labels.get(code, "")
                # A label is words, not the code again (``fixed_term`` shown as ``fixed_term``).
                if not label.strip() or label == code:
                    missing.append(f"{kind.name}.{column.name}={code}")
    assert missing == []


def test_school_form_codes_read_as_swedish_names_and_central_is_central_verksamhet():
    from kompetens.core.labels import SCHOOL_FORM_LABELS, school_form_label

    assert school_form_label("central") == SCHOOL_FORM_LABELS["central"] == "Central verksamhet"
    assert school_form_label("anpassad_grundskola") == "Anpassad grundskola"
    assert school_form_label(None) is None
    assert school_form_label("okand_form") == "okand_form"  # an unknown code is shown as it is


def test_a_breakdown_reads_as_its_dimension_and_value_in_swedish():
    from kompetens.core.labels import breakdown_label

    assert breakdown_label("all") == "–"
    assert breakdown_label("staff_category=teacher") == "Personalkategori: Lärare"
    assert breakdown_label("school_form=central") == "Skolform: Central verksamhet"
    assert breakdown_label("variant=excl_retirement") == (
        "Variant (med/utan pension): Utan pensionsavgångar"
    )
    assert breakdown_label("measure=hme_motivation") == "Delindex: Motivation"
    assert breakdown_label("licence=odd") == "Licence: odd"  # unknown: shown as it is


def test_every_breakdown_dimension_of_the_registry_has_a_swedish_name_and_value_labels():
    from kompetens.core.labels import DIMENSION_LABELS, DIMENSION_VALUE_LABELS
    from kompetens.indicators.registry import REGISTRY

    dimensions = {b for ind in REGISTRY.values() for b in ind.breakdowns}
    assert dimensions <= set(DIMENSION_LABELS)
    assert dimensions <= set(DIMENSION_VALUE_LABELS)


# ---- table texts and chart axes (issue: Swedish formats everywhere) --------------------

from kompetens.present import charts  # noqa: E402
from kompetens.present.formatting import (  # noqa: E402
    FIGURE_SPACE,
    nice_ticks,
    share_ticks,
    value_texts,
)


def test_table_texts_are_swedish_and_padded_with_figure_spaces_to_one_width():
    texts = value_texts([0.8204, 0.095, None, 0.5], "share", [False, False, False, True])
    # 0.8204 -> 82,0 %; 0.095 -> 9,5 % (one figure space in front); – and .. padded to 6 chars.
    assert texts == [
        f"82,0{NBSP}%",
        f"{FIGURE_SPACE}9,5{NBSP}%",
        FIGURE_SPACE * 5 + "–",
        FIGURE_SPACE * 4 + "..",
    ]
    assert value_texts([18.15, 110.5], "fte") == [f"{FIGURE_SPACE}18,2", "110,5"]


def test_share_ticks_on_a_narrow_range_never_repeat_a_label():
    # Turnover between 8.8 % and 11.2 %: six ticks want a step of 0.48 pp -> 0.5 pp, one decimal.
    values, texts = share_ticks(0.088, 0.112)
    assert texts == [
        f"{v},{d}{NBSP}%" for v, d in [(8, 5), (9, 0), (9, 5), (10, 0), (10, 5), (11, 0), (11, 5)]
    ]
    assert len(set(texts)) == len(texts)
    assert values[0] == 0.085 and values[-1] == 0.115


def test_share_ticks_on_a_wide_range_are_whole_percent_with_a_space():
    assert share_ticks(0.0, 0.92)[1] == [f"{p}{NBSP}%" for p in (0, 20, 40, 60, 80, 100)]


def test_nice_ticks_cover_the_range_in_round_steps():
    assert nice_ticks(1, 5) == [1, 2, 3, 4, 5]
    assert nice_ticks(0, 23) == [0, 5, 10, 15, 20, 25]


def test_the_turnover_trend_chart_has_distinct_swedish_tick_labels():
    import polars as pl

    frame = pl.DataFrame(
        {
            "period": ["2022", "2023", "2024", "2025"],
            "value": [0.091, 0.104, 0.097, 0.112],
            "series": ["Organisationen"] * 4,
            "target": [0.09] * 4,
        }
    )
    fig = charts.trend(frame, x="period", y="value", unit="share", series="series", target="target")
    ticks = list(fig.layout.yaxis.ticktext)
    assert len(set(ticks)) == len(ticks)
    assert all(t.endswith(f"{NBSP}%") and "." not in t for t in ticks)
    assert f"10,0{NBSP}%" in ticks


def test_ranked_bars_of_a_one_to_five_answer_start_at_one_and_the_target_sits_behind():
    import polars as pl

    frame = pl.DataFrame(
        {"unit_name": ["A", "B", "C"], "value": [3.9, 4.2, 3.5], "suppressed": [False] * 3}
    )
    fig = charts.ranked_bars(frame, label="unit_name", value="value", unit="score_5", target=4.0)
    assert list(fig.layout.xaxis.range) == [1.0, 5.0]
    bar = fig.data[0]
    assert bar.base == 1.0
    # Sorted ascending: C 3.5, A 3.9, B 4.2; bar lengths from the scale's bottom.
    assert list(bar.y) == ["C", "A", "B"]
    assert [round(x, 6) for x in bar.x] == [2.5, 2.9, 3.2]
    assert list(bar.text) == ["3,50", "3,90", "4,20"]
    # The target line is behind the bars; labels sit inside the bars' ends (outside, with a
    # white halo, only when a bar is too short), so the line never crosses a number.
    assert fig.layout.shapes[0].layer == "below"
    assert (bar.textposition, bar.insidetextanchor) == ("auto", "end")
    assert bar.outsidetextfont.shadow


def test_ranked_bars_of_shares_start_at_zero_with_swedish_ticks():
    import polars as pl

    frame = pl.DataFrame(
        {"unit_name": ["A", "B"], "value": [0.55, 0.82], "suppressed": [False, False]}
    )
    fig = charts.ranked_bars(frame, label="unit_name", value="value", unit="share", target=0.8)
    assert fig.layout.xaxis.range[0] == 0
    assert fig.data[0].base is None
    assert f"80{NBSP}%" in list(fig.layout.xaxis.ticktext)


def test_the_drivers_legend_gets_room_above_the_bars_for_two_names_a_row():
    import polars as pl

    # 8 components -> 4 legend rows on a narrow screen -> top margin 30 + 4 × 24 = 126 px;
    # 3 units -> height max(320, 3 × 24 + 50 + 126) = 320
    frame = pl.DataFrame(
        {
            "unit": [u for u in ("A", "B", "C") for _ in range(8)],
            "component": [f"k{i}" for _ in range(3) for i in range(8)],
            "contribution": [1.0] * 24,
        }
    )
    fig = charts.stacked_contributions(
        frame, label="unit", component="component", contribution="contribution"
    )
    assert fig.layout.margin.t == 126
    assert fig.layout.height == 320


# ---- the cached babel rendering --------------------------------------------------------

_BABEL_PATTERNS = [*formatting.PATTERNS.values(), "#,##0.####", "0.00", f"#,##0{NBSP}%"]


@given(
    value=st.one_of(
        st.floats(allow_nan=False, allow_infinity=False, min_value=-1e12, max_value=1e12),
        st.integers(min_value=-(10**12), max_value=10**12),
        st.sampled_from([0.0, -0.0, 2.675, 0.0005, 0.9995, -0.05, 0.125, 1, 1.0]),
    ),
    pattern=st.sampled_from(_BABEL_PATTERNS),
)
def test_the_cached_rendering_is_babels_text_with_the_typographic_minus(value, pattern):
    babel = format_percent if "%" in pattern else format_decimal
    expected = babel(value, format=pattern, locale="sv_SE").replace("-", "\u2212")
    # Twice: the second answer comes from the cache and must be the same text.
    assert formatting._babel(value, pattern) == expected
    assert formatting._babel(value, pattern) == expected


def test_values_that_compare_equal_but_print_differently_are_not_confused_in_the_cache():
    # 0.0 == -0.0 (one key for a cache keyed by the value), but babel prints -0.0 with a
    # sign: the cache is keyed by the text babel reads, so either order gives both texts.
    for order in ((0.0, -0.0), (-0.0, 0.0)):
        formatting._render.cache_clear()
        texts = {math.copysign(1.0, v): formatting.fmt_stored(v) for v in order}
        assert texts == {1.0: "0", -1.0: "\u22120"}


def test_a_rerun_formats_the_same_values_from_the_cache():
    formatting._render.cache_clear()
    values = [i / 7 for i in range(1000)]
    first = [fmt_value(v, "share") for v in values]
    misses = formatting._render.cache_info().misses
    again = [fmt_value(v, "share") for v in values]
    assert again == first
    assert first[7] == f"100,0{NBSP}%"  # 7 / 7
    assert formatting._render.cache_info().misses == misses  # nothing rendered anew

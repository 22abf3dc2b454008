"""Rekrytera smart: qualified teaching hours lost at exits set against hires per subject.

Part 1 computes both sides with the pipelines on the teaching-assignment fixture of
``tests/test_indicators_subjects.py`` (thirteen teachers in S1 and S2; its exits lose MA and FY
hours) plus eight requisitions, by hand:

    id  unit  post       subject  published   closed      outcome   certified
    R1  S1    teacher    MA       2025-12-01  2026-01-20  filled    yes
    R2  S2    teacher    MA       2026-02-01  2026-03-10  filled    no
    R3  S2    teacher    FY       2026-02-15  2026-04-01  unfilled  -
    R4  S2    teacher    SVA      2026-01-10  2026-02-20  filled    yes
    R5  S1    principal  -        2026-01-05  2026-02-01  filled    -
    R6  S1    teacher    MA       2025-01-10  2025-03-20  filled    yes
    R7  S2    teacher    MA       2026-03-01  -           open      -
    R8  S1    teacher    EN       2026-02-10  -           filled    -  (no closing date: counted
                                                                        in the month published)

Part 2 reads hand-written key figures through the query layer (five people or more where a
figure is shown), and part 3 is the view's table and summary built from that result.
"""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from kompetens import query as q
from kompetens.core import store
from kompetens.indicators import pipelines as pp
from kompetens.indicators.pipelines.subjects import TEACHING_HOURS_PER_FTE
from kompetens.ui import recruit_smart_view as view
from tests.kf_helpers import certified_rows, kf, write_key_figures, write_units
from tests.test_indicators_subjects import assignments, cell, events, parts, staff

UNITS = pl.DataFrame(
    {"unit_id": ["S1", "S2"], "area": ["Norr", "Syd"], "school_form": ["grundskola"] * 2}
)
D = dt.date
REQUISITIONS = [
    ("R1", "S1", "teacher", "MA", D(2025, 12, 1), D(2026, 1, 20), "filled", True),
    ("R2", "S2", "teacher", "MA", D(2026, 2, 1), D(2026, 3, 10), "filled", False),
    ("R3", "S2", "teacher", "FY", D(2026, 2, 15), D(2026, 4, 1), "unfilled", None),
    ("R4", "S2", "teacher", "SVA", D(2026, 1, 10), D(2026, 2, 20), "filled", True),
    ("R5", "S1", "principal", None, D(2026, 1, 5), D(2026, 2, 1), "filled", None),
    ("R6", "S1", "teacher", "MA", D(2025, 1, 10), D(2025, 3, 20), "filled", True),
    ("R7", "S2", "teacher", "MA", D(2026, 3, 1), None, "open", None),
    ("R8", "S1", "teacher", "EN", D(2026, 2, 10), None, "filled", None),
]


def requisitions() -> pl.DataFrame:
    return pl.DataFrame(
        [(r, u, c, pd, cd, o, 10, 3, h, s) for r, u, c, s, pd, cd, o, h in REQUISITIONS],
        schema={
            "requisition_id": pl.String,
            "unit_id": pl.String,
            "staff_category": pl.String,
            "published_date": pl.Date,
            "closed_date": pl.Date,
            "outcome": pl.String,
            "applicants": pl.Int64,
            "qualified_applicants": pl.Int64,
            "hired_certified": pl.Boolean,
            "subject": pl.String,
        },
        orient="row",
    )


@pytest.fixture(scope="module")
def out() -> dict[str, pl.DataFrame]:
    people = (
        {p: ["S1"] for p in range(1, 7)} | {p: ["S2"] for p in range(7, 13)} | {13: ["S1", "S2"]}
    )
    frames = {
        "teaching_assignment": assignments(),
        "units": UNITS,
        "events": events(),
        "recruitments": requisitions(),
        "staff": staff(people),  # monthly January 2025 - December 2026: both years complete
    }
    return pp.compute(frames, pp.Settings(), {"teaching_assignment", "recruitments"})


# ---- 1. the pipelines ----------------------------------------------------------------------


def test_filled_requisitions_count_by_the_month_filled_with_the_certified_ones_as_numerator(out):
    filled = out["filled_requisitions"]
    # 2026: R1 (Jan), R5 (Feb), R4 (Feb), R8 (Feb, by its published month), R2 (Mar) = 5 filled;
    # certified R1 and R4 = 2 (R5 and R8 not given: not counted as certified). R3 unfilled, R7 open.
    assert parts(cell(filled, "org", "org", "2026")) == (2.0, 5.0, 5)
    assert cell(filled, "org", "org", "2026")["value"] == 5.0
    # 2025: R6 alone (closed in March 2025; R1 was published in 2025 but filled in 2026)
    assert parts(cell(filled, "org", "org", "2025")) == (1.0, 1.0, 1)
    # per unit: S1 R1 R5 R8 in 2026, S2 R2 R4
    assert cell(filled, "unit", "S1", "2026")["value"] == 3.0
    assert cell(filled, "area", "Syd", "2026")["value"] == 2.0


def test_filled_requisitions_per_subject_leave_posts_without_a_subject_as_unknown(out):
    filled = out["filled_requisitions"]
    # 2026 MA: R1 (certified) + R2 (not) -> 2 filled, 1 certified; SVA R4; EN R8; R5 no subject
    assert parts(cell(filled, "org", "org", "2026", "subject=MA")) == (1.0, 2.0, 2)
    assert parts(cell(filled, "org", "org", "2026", "subject=SVA")) == (1.0, 1.0, 1)
    assert parts(cell(filled, "org", "org", "2026", "subject=EN")) == (0.0, 1.0, 1)
    assert parts(cell(filled, "org", "org", "2026", "subject=unknown")) == (0.0, 1.0, 1)
    # the subject rows add up to the whole: 2 + 1 + 1 + 1 = 5
    subjects = filled.filter(
        (pl.col("level") == "org")
        & (pl.col("period") == "2026")
        & pl.col("breakdown").str.starts_with("subject=")
    )
    assert subjects["value"].sum() == 5.0
    # FY: R3 was not filled, so no FY hire at all
    assert subjects.filter(pl.col("breakdown") == "subject=FY").height == 0
    # a unit row per subject too: S2's MA is R2 alone
    assert parts(cell(filled, "unit", "S2", "2026", "subject=MA")) == (0.0, 1.0, 1)


def test_lost_qualified_hours_and_hires_per_subject_in_the_last_12_months(out):
    lost, filled = out["lost_qualified_teaching_hours"], out["filled_requisitions"]
    window = {"period": "2026-03", "period_type": "rolling_12m"}  # April 2025 - March 2026
    # Lost (test_indicators_subjects): T13 takes MA 4 Q from S1, T7 MA 12 Q + FY 4 Q from S2;
    # T2's MA 8 and TK 2 were not qualified.  MA 4 + 12 = 16 h = 16 / 18 = 0.89 posts; FY 4 h.
    assert cell(lost, "org", "org", breakdown="subject=MA", **window)["value"] == 16.0
    assert cell(lost, "org", "org", breakdown="subject=FY", **window)["value"] == 4.0
    # Hired in the same window: MA R1 + R2 (R6 of March 2025 is outside), 1 of them certified
    ma = cell(filled, "org", "org", breakdown="subject=MA", **window)
    assert (ma["value"], ma["numerator"]) == (2.0, 1.0)
    # So MA's one certified hire more than replaces the 0.89 qualified posts lost: 1 - 16/18
    assert ma["numerator"] - 16.0 / TEACHING_HOURS_PER_FTE == pytest.approx(0.1111, abs=1e-4)
    # FY lost 4 h (0.22 posts) and hired nobody (R3 unfilled): no FY row among the hires
    assert filled.filter(
        (pl.col("period") == "2026-03") & (pl.col("breakdown") == "subject=FY")
    ).is_empty()


def test_an_old_recruitment_frame_without_subjects_still_computes_every_requisition(out):
    old = requisitions().drop("subject")
    frames = {"recruitments": old, "units": UNITS, "staff": staff({1: ["S1"]})}
    filled = pp.compute(frames, pp.Settings(), {"recruitments"})["filled_requisitions"]
    # every 2026 hire lands under subject=unknown: 5 of 5
    assert cell(filled, "org", "org", "2026", "subject=unknown")["value"] == 5.0
    assert cell(filled, "org", "org", "2026")["value"] == 5.0


# ---- 2. the query layer on hand-written key figures ----------------------------------------

LOST, HIRED = "lost_qualified_teaching_hours", "filled_requisitions"
ALL = q.Scope.everything()
NORD = q.Scope.for_areas("Nord")


def smart_rows() -> list[tuple]:
    """Rolling 12 months to March 2026 (and to December 2025), organisation and unit S1 (Syd).

    lost: hours per week with a qualified teacher (numerator), all hours lost (denominator), people
    hires: certified hires (numerator), filled requisitions (denominator = value), requisitions
    """
    r = "rolling_12m"
    return [
        kf(LOST, "org", "org", r, "2026-03", 36, 50, 6, "subject=MA"),  # 36 / 18 = 2.0 posts
        kf(LOST, "org", "org", r, "2026-03", 18, 18, 5, "subject=EN"),  # 1.0 post
        kf(LOST, "org", "org", r, "2026-03", 9, 12, 5, "subject=FY"),  # 0.5 post
        kf(LOST, "org", "org", r, "2026-03", 4, 4, 2, "subject=SVA"),  # 2 people: hidden
        kf(LOST, "unit", "S1", r, "2026-03", 36, 50, 6, "subject=MA"),
        kf(LOST, "org", "org", r, "2025-12", 10, 10, 5, "subject=MA"),
        kf(HIRED, "org", "org", r, "2026-03", 1, 5, 5, "subject=MA"),
        kf(HIRED, "org", "org", r, "2026-03", 6, 6, 6, "subject=EN"),
        kf(HIRED, "org", "org", r, "2026-03", 5, 7, 7, "subject=SO"),
        kf(HIRED, "org", "org", r, "2026-03", 3, 20, 20, "subject=unknown"),
        kf(HIRED, "unit", "S1", r, "2026-03", 1, 5, 5, "subject=MA"),
    ]


def as_count(row: tuple) -> tuple:
    """A hires row: the value is the count of filled requisitions (the denominator)."""
    return (*row[:8], row[7], row[9]) if row[0] == HIRED else (*row[:8], row[6], row[9])


def smart_db(path) -> None:
    conn = store.connect(path)
    write_units(conn)
    rows = [as_count(r) for r in smart_rows()]
    # a year for the page's year filter (2024, 2025 and 2026 of the certified share)
    year_rows = [
        *certified_rows(),
        kf("certified_teacher_share", "org", "org", "year", "2026", 47, 66, 77),
    ]
    write_key_figures(conn, rows + year_rows)
    conn.close()


@pytest.fixture(scope="module")
def conn(tmp_path_factory):
    path = tmp_path_factory.mktemp("smart") / "smart.duckdb"
    smart_db(path)
    connection = store.connect(path)
    q.clear_cache()
    yield connection
    connection.close()


def test_the_newest_rolling_window_is_the_default(conn):
    assert q.recruit_smart_periods(conn, ALL) == ["2025-12", "2026-03"]
    assert q.lost_and_hired_by_subject(conn, ALL)["period"].unique().to_list() == ["2026-03"]


def test_lost_hours_sit_beside_hires_per_subject_largest_loss_first(conn):
    rows = q.lost_and_hired_by_subject(conn, ALL, "2026-03")
    # MA 36 h, EN 18 h, FY 9 h, SO nothing lost (0), SVA hidden last; requisitions without a
    # subject ("unknown", 20) are left out
    assert rows["subject"].to_list() == ["MA", "EN", "FY", "SO", "SVA"]
    by = {r["subject"]: r for r in rows.iter_rows(named=True)}
    ma = by["MA"]
    assert (ma["subject_name"], ma["lost_hours"], ma["lost_posts"]) == ("Matematik", 36.0, 2.0)
    # MA: 5 hires, 1 certified: 1 - 36 / 18 = -1.0 -> the hires do not replace what was lost
    assert (ma["hires"], ma["certified_hires"], ma["certified_hires_minus_lost_posts"]) == (
        5.0,
        1.0,
        -1.0,
    )
    # EN: 6 certified hires for 1 lost post -> +5.0
    assert by["EN"]["certified_hires_minus_lost_posts"] == 5.0
    # FY: 0.5 post lost, no hire row (the engine stores no zeros) -> 0 hires, 0 - 0.5 = -0.5
    assert (by["FY"]["hires"], by["FY"]["certified_hires_minus_lost_posts"]) == (0.0, -0.5)
    # SO: hired 7 (5 certified), nothing lost -> +5
    assert (by["SO"]["lost_hours"], by["SO"]["certified_hires_minus_lost_posts"]) == (0.0, 5.0)
    # SVA: lost hours on 2 people are hidden, and so is the difference
    sva = by["SVA"]
    assert sva["lost_suppressed"] and sva["lost_hours"] is None
    assert sva["certified_hires_minus_lost_posts"] is None


def test_an_older_window_and_a_unit_can_be_asked_for(conn):
    older = q.lost_and_hired_by_subject(conn, ALL, "2025-12")
    # December 2025: MA 10 h lost; no hires figures exist for that window, so hires stay unknown
    assert older.select("subject", "lost_hours", "hires").rows() == [("MA", 10.0, None)]
    unit = q.lost_and_hired_by_subject(conn, ALL, "2026-03", unit_id="S1")
    assert unit.select("level", "scope_id", "subject", "lost_hours", "hires").rows() == [
        ("unit", "S1", "MA", 36.0, 5.0)
    ]


def test_an_area_manager_cannot_ask_for_another_areas_unit_or_area(conn):
    with pytest.raises(q.ScopeError):
        q.lost_and_hired_by_subject(conn, NORD, unit_id="S1")
    with pytest.raises(q.ScopeError):
        q.lost_and_hired_by_subject(conn, NORD, area="Syd")
    # the organisation's row is every scope's baseline
    assert q.lost_and_hired_by_subject(conn, NORD).height == 5


# ---- 3. the view ---------------------------------------------------------------------------


def test_the_table_shows_swedish_numbers_and_two_dots_for_hidden_figures(conn):
    rows = q.lost_and_hired_by_subject(conn, ALL, "2026-03")
    table = view.screen_table(rows)
    assert table.row(0) == ("Matematik", "36,0", "2,0", "5", "1", "\u22121,0")
    assert table.row(4) == ("Svenska som andraspråk", "..", "..", "0", "0", "..")
    # MA (-1.0) and FY (-0.5) got fewer certified hires than the posts they lost
    assert view.summary(rows) == (
        "Färre behöriga anställda än de behöriga tjänster som försvann vid avgångar: "
        "**Matematik och Fysik**."
    )


def test_the_download_keeps_numbers_with_a_flag_for_each_hidden_figure(conn):
    rows = q.lost_and_hired_by_subject(conn, ALL, "2026-03")
    download = view.download_table(rows)
    sva = download.filter(pl.col("subject_name") == "Svenska som andraspråk").row(0, named=True)
    assert sva["lost_hours_suppressed"] and sva["certified_hires_minus_lost_posts_suppressed"]
    assert not sva["hires_suppressed"] and sva["hires"] == 0.0


def test_the_window_is_named_in_swedish_months_and_follows_the_pages_year():
    assert view.window_text("2026-03") == "april 2025 – mars 2026"
    assert view.period_for_year(["2025-06", "2025-12", "2026-03"], "2025") == "2025-12"
    assert view.period_for_year(["2025-06", "2025-12", "2026-03"], "2024") is None

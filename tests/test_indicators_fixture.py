"""Every indicator on the hand-built small fixture, against values worked out by hand.

The fixture (``tests/fixtures/small/build.py``) has three units:
E1 Ekskolan (grundskola, area Norr), L1 Lärkans förskola (forskola, Norr),
S1 Söderskolan (grundskola, Söder); staff snapshots on the 15th of every
month 2024-01..2025-12; the yearly value of a stock is the October snapshot.
P10 is a teacher in two units (E1 0.6 FTE, S1 0.4 FTE) and counts once in
the organisation's headcounts.

Who is in the October snapshots (FTE, L = licensed, Q = qualified):
  2024-10  E1: P01 t 1.0 LQ perm, P02 t 1.0 LQ perm, P03 t 0.8 LQ perm, P04 t 1.0 L perm,
               P05 t 0.5 fixed (programme), P06 t 1.0 fixed, P08 assistant 0.75 perm,
               P09 principal perm, P10 t 0.6 LQ perm
           S1: P10 t 0.4 LQ, P20 t 1.0 LQ perm, P21 t 1.0 perm (programme), P22 t 0.5 LQ fixed,
               P23 principal perm, P24 assistant perm, P25 t 1.0 fixed
           L1: P30 pt 1.0 L, P31 pt 0.8 L, P32 pt 1.0 (programme), P33 cm 1.0, P34 cm 0.75 fixed,
               P35 cm 1.0, P36 principal, P37 other (all perm unless noted)
  2025-10  E1: as 2024 without P01 (retired 2025-03-31), with P24 (moved from S1 2025-09-01)
           S1: P10, P20, P21, P22, P23
           L1: as 2024 plus P38 pt 1.0 L perm (hired 2025-01-01)
"""

from __future__ import annotations

import pytest

from kompetens.core import store
from kompetens.indicators import REGISTRY, resolve_targets
from kompetens.indicators.engine import computed_indicator_ids
from tests.fixtures.small import load_small


@pytest.fixture(scope="module")
def conn(tmp_path_factory):
    home = tmp_path_factory.mktemp("small")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("KOMPETENS_PSEUDONYM_KEY", "test-key-not-secret")
        mp.setenv("KOMPETENS_KEY_FILE", str(home / "pseudonym.key"))
        connection = store.connect(":memory:")
        load_small(connection)
        yield connection


def kf(conn, indicator, scope, period, *, period_type="year", breakdown="all"):
    """The one key-figure row (as a dict) for an indicator, scope, period and breakdown."""
    got = store.frame(
        conn,
        "SELECT level, numerator, denominator, value, n_individuals FROM key_figures "
        "WHERE indicator_id = ? AND scope_id = ? AND period_type = ? AND period = ? AND breakdown = ?",
        [indicator, scope, period_type, period, breakdown],
    )
    assert got.height == 1, (
        f"{indicator} {scope} {period_type} {period} {breakdown}: {got.height} rows"
    )
    return got.row(0, named=True)


def value(conn, indicator, scope, period, **kw):
    return kf(conn, indicator, scope, period, **kw)["value"]


approx = pytest.approx


# ---- current state -------------------------------------------------------------------


def test_certified_teacher_share_is_fte_weighted_per_unit_area_and_org(conn):
    # E1 2024-10: certified FTE P01 1 + P02 1 + P03 0.8 + P10 0.6 = 3.4; all teacher FTE 3.4 + P04 1 + P05 0.5 + P06 1 = 5.9
    assert kf(conn, "certified_teacher_share", "E1", "2024") == dict(
        level="unit",
        numerator=approx(3.4),
        denominator=approx(5.9),
        value=approx(3.4 / 5.9),
        n_individuals=7,
    )
    # S1 2024-10: certified P10 0.4 + P20 1 + P22 0.5 = 1.9; all 1.9 + P21 1 + P25 1 = 3.9; 5 teachers
    assert kf(conn, "certified_teacher_share", "S1", "2024")["value"] == approx(1.9 / 3.9)
    # Norr = E1 (the preschool has no school teachers); Söder = S1
    assert value(conn, "certified_teacher_share", "Norr", "2024") == approx(3.4 / 5.9)
    # org 2024: (3.4 + 1.9) / (5.9 + 3.9) = 5.3 / 9.8; people 7 + 5 - 1 (P10 in both units) = 11
    org = kf(conn, "certified_teacher_share", "org", "2024")
    assert (org["numerator"], org["denominator"], org["value"], org["n_individuals"]) == (
        approx(5.3),
        approx(9.8),
        approx(5.3 / 9.8),
        11,
    )
    # 2025-10 S1 rests on 4 teachers (P10, P20, P21, P22): 1.9 / 2.9, n = 4 -> to be suppressed
    assert kf(conn, "certified_teacher_share", "S1", "2025")["n_individuals"] == 4
    # org 2025: E1 2.4 / 4.9 (P01 gone) + S1 1.9 / 2.9 = 4.3 / 7.8; 6 + 4 - 1 = 9 people
    assert kf(conn, "certified_teacher_share", "org", "2025")["value"] == approx(4.3 / 7.8)
    # a month value: E1 2024-06 still has P07 (1.0 LQ) and not yet P06: (3.4 + 1) / (5.9 - 1 + 1) = 4.4 / 5.9
    assert value(conn, "certified_teacher_share", "E1", "2024-06", period_type="month") == approx(
        4.4 / 5.9
    )
    # school_form breakdown at org: both schools are grundskola
    assert value(
        conn, "certified_teacher_share", "org", "2024", breakdown="school_form=grundskola"
    ) == approx(5.3 / 9.8)


def test_licensed_preschool_teacher_share_counts_staff_working_with_children_in_preschools(conn):
    # L1 2024-10: licensed P30 1 + P31 0.8 = 1.8; children staff P30..P35 = 1 + 0.8 + 1 + 1 + 0.75 + 1 = 5.55 (principal, other out)
    assert kf(conn, "licensed_preschool_teacher_share", "L1", "2024") == dict(
        level="unit",
        numerator=approx(1.8),
        denominator=approx(5.55),
        value=approx(1.8 / 5.55),
        n_individuals=6,
    )
    # 2025-10: + P38 1.0 licensed -> 2.8 / 6.55, 7 people; org = Norr = L1
    assert value(conn, "licensed_preschool_teacher_share", "org", "2025") == approx(2.8 / 6.55)
    assert value(conn, "licensed_preschool_teacher_share", "Norr", "2025") == approx(2.8 / 6.55)


def test_certification_gap_uses_the_resolved_target_and_areas_sum_unit_gaps(conn):
    # 2024 target org 0.7 for every school: E1 0.7 * 5.9 - 3.4 = 0.73; S1 0.7 * 3.9 - 1.9 = 0.83
    assert value(conn, "certification_gap_fte", "E1", "2024") == approx(0.73)
    assert value(conn, "certification_gap_fte", "S1", "2024") == approx(0.83)
    # no preschool target in 2024 (no default) -> L1 has no gap; org = 0.73 + 0.83
    assert value(conn, "certification_gap_fte", "org", "2024") == approx(1.56)
    # 2025: E1 own target 0.6: 0.6 * 4.9 - 2.4 = 0.54; S1 area Söder 0.9: 0.9 * 2.9 - 1.9 = 0.71;
    # L1 preschool target org 0.5: 0.5 * 6.55 - 2.8 = 0.475
    assert value(conn, "certification_gap_fte", "E1", "2025") == approx(0.54)
    assert value(conn, "certification_gap_fte", "S1", "2025") == approx(0.71)
    assert value(conn, "certification_gap_fte", "L1", "2025") == approx(0.475)
    # Norr = 0.54 + 0.475; org = 0.54 + 0.71 + 0.475 (gaps do not net out)
    assert value(conn, "certification_gap_fte", "Norr", "2025") == approx(1.015)
    assert value(conn, "certification_gap_fte", "org", "2025") == approx(1.725)


def test_on_certification_path_share_is_the_share_of_uncertified_staff_in_a_programme(conn):
    # 2024-10 uncertified in teacher posts: E1 P04 (licensed, not qualified), P05 (programme), P06 -> 1/3;
    # S1 P21 (programme), P25 -> 1/2; L1 P32 (programme) -> 1/1; org 3/6
    assert value(conn, "on_certification_path_share", "E1", "2024") == approx(1 / 3)
    assert value(conn, "on_certification_path_share", "S1", "2024") == approx(1 / 2)
    assert value(conn, "on_certification_path_share", "Norr", "2024") == approx(2 / 4)
    assert kf(conn, "on_certification_path_share", "org", "2024")["n_individuals"] == 6
    # 2025-10: P25 gone -> S1 1/1; org (1 + 1 + 1) / (3 + 1 + 1) = 0.6
    assert value(conn, "on_certification_path_share", "org", "2025") == approx(0.6)


def test_temporary_teacher_share_is_non_permanent_fte_of_teacher_posts(conn):
    # 2024-10: E1 fixed P05 0.5 + P06 1 = 1.5 of 5.9; S1 P22 0.5 + P25 1 = 1.5 of 3.9; L1 0 of 2.8 (P30, P31, P32)
    assert value(conn, "temporary_teacher_share", "E1", "2024") == approx(1.5 / 5.9)
    assert value(conn, "temporary_teacher_share", "L1", "2024") == 0.0
    # org 3.0 / 12.6; people 7 + 5 + 3 - 1 = 14
    assert kf(conn, "temporary_teacher_share", "org", "2024")["value"] == approx(3.0 / 12.6)
    assert kf(conn, "temporary_teacher_share", "org", "2024")["n_individuals"] == 14
    # 2025-10: E1 1.5 / 4.9, S1 0.5 / 2.9, L1 0 / 3.8 -> 2.0 / 11.6
    assert value(conn, "temporary_teacher_share", "org", "2025") == approx(2.0 / 11.6)


# ---- Attrahera -----------------------------------------------------------------------


def test_employer_recommendation_is_the_respondent_weighted_mean(conn):
    # 2024: E1 3.6 x 8, L1 3.9 x 7, S1 3.0 x 4 -> (28.8 + 27.3 + 12) / 19 = 68.1 / 19
    assert kf(conn, "employer_recommendation", "org", "2024") == dict(
        level="org",
        numerator=approx(68.1),
        denominator=19,
        value=approx(68.1 / 19),
        n_individuals=19,
    )
    # Norr 2024: (28.8 + 27.3) / 15 = 3.74
    assert value(conn, "employer_recommendation", "Norr", "2024") == approx(3.74)
    # 2025: (3.8 x 8 + 4.1 x 8 + 3.5 x 4) / 20 = 77.2 / 20
    assert value(conn, "employer_recommendation", "org", "2025") == approx(3.86)
    assert kf(conn, "employer_recommendation", "S1", "2025")["n_individuals"] == 4


def test_applicants_and_qualified_applicants_per_vacancy_by_published_year(conn):
    # 2024: R1 12, R2 8, R3 5 applicants over 3 requisitions; qualified 4 + 3 + 1
    assert value(conn, "applicants_per_vacancy", "org", "2024") == approx(25 / 3)
    assert value(conn, "qualified_applicants_per_vacancy", "org", "2024") == approx(8 / 3)
    # 2025: R4 2, R5 20, R6 6, R7 30 -> 58 / 4; qualified known for R4 0, R5 10, R6 6 -> 16 / 3
    assert value(conn, "applicants_per_vacancy", "org", "2025") == approx(14.5)
    assert value(conn, "qualified_applicants_per_vacancy", "org", "2025") == approx(16 / 3)
    # E1 2025: R5 20 + R7 30 over 2
    assert value(conn, "applicants_per_vacancy", "E1", "2025") == approx(25.0)


def test_student_placements_and_placement_to_hire_by_term_year(conn):
    # 2024 (HT2024): E1 vfu 3 (1 hired), L1 vfu 4 (1 hired) -> 7 students, 2 / 7 hired
    assert value(conn, "student_placements", "org", "2024") == 7
    assert value(conn, "student_placements", "E1", "2024") == 3
    assert value(conn, "placement_to_hire", "org", "2024") == approx(2 / 7)
    # 2025: E1 vfu 2 (0), S1 prao 6 (not reported), L1 apl 2 (0) -> 10 students; 0 hired of 4 known
    assert value(conn, "student_placements", "org", "2025") == 10
    assert kf(conn, "placement_to_hire", "org", "2025")["denominator"] == 4
    assert value(conn, "student_placements", "org", "2025", breakdown="placement_type=prao") == 6


# ---- Rekrytera -----------------------------------------------------------------------


def test_time_to_fill_is_the_median_over_all_requisitions_of_the_scope(conn):
    # 2024 filled: R1 50 days (May 1 -> Jun 20), R2 60 (Oct 1 -> Nov 30), R3 20 (Jan 5 -> Jan 25) -> median 50
    assert kf(conn, "time_to_fill_days", "org", "2024")["value"] == 50
    assert kf(conn, "time_to_fill_days", "org", "2024")["n_individuals"] == 3
    # 2025 filled: R5 30 days, R7 50 days -> median 40 (not a median of unit medians)
    assert value(conn, "time_to_fill_days", "org", "2025") == 40


def test_unfilled_and_certified_hire_shares(conn):
    # 2024: R1..R3 all filled -> 0 / 3 unfilled; certified hires R2 of R1..R3 -> 1 / 3
    assert value(conn, "unfilled_vacancy_share", "org", "2024") == 0.0
    assert value(conn, "certified_hire_share", "org", "2024") == approx(1 / 3)
    # 2025: R4 unfilled, R5 and R7 filled, R6 still open -> 1 / 3; certified known only for R5 (yes) -> 1 / 1
    assert value(conn, "unfilled_vacancy_share", "org", "2025") == approx(1 / 3)
    assert value(conn, "certified_hire_share", "org", "2025") == 1.0


def test_hires_count_hire_events(conn):
    # 2024: P25 (S1, Feb) and P06 (E1, Aug); 2025: P38 (L1, Jan)
    assert value(conn, "hires", "org", "2024") == 2
    assert value(conn, "hires", "Söder", "2024") == 1
    assert value(conn, "hires", "org", "2025") == 1
    assert value(conn, "hires", "org", "2024", breakdown="staff_category=teacher") == 2


# ---- Utveckla ------------------------------------------------------------------------


def test_development_hours_per_fte_divides_hours_by_average_fte(conn):
    # E1 2024 hours: P06 onboarding 8 (no unit -> E1), P02 16, P05 40, P10 10 (no unit -> E1, 0.6 > 0.4 FTE) = 74
    # E1 FTE: 6.65 base + P07 1.0 Jan-Jun + P06 1.0 Aug-Dec -> 7.65 x 11 + 6.65 = 90.8 over 12 months
    assert kf(conn, "development_hours_per_fte", "E1", "2024")["value"] == approx(74 / (90.8 / 12))
    # org 2024: 74 + L1 12 = 86 hours; FTE E1 90.8 + S1 (4.9 x 12 + P25 11) 69.8 + L1 7.55 x 12 = 90.6 -> 251.2 / 12
    org = kf(conn, "development_hours_per_fte", "org", "2024")
    assert org["value"] == approx(86 / (251.2 / 12))
    # average headcount: Jan 22, Feb-Jun 23, Jul 22, Aug-Dec 23 -> 274 / 12 = 22.8 -> 22
    assert org["n_individuals"] == 22


def test_onboarding_completion_is_hires_with_an_introduction_within_90_days(conn):
    # 2024: P06 onboarded after 19 days, P25 never -> 1 / 2; 2025: P38 after 45 days -> 1 / 1
    assert value(conn, "onboarding_completion", "org", "2024") == 0.5
    assert value(conn, "onboarding_completion", "E1", "2024") == 1.0
    assert value(conn, "onboarding_completion", "org", "2025") == 1.0


def test_in_certification_programme_counts_people_once(conn):
    # P05 (E1), P21 (S1), P32 (L1) in both Octobers
    assert value(conn, "in_certification_programme", "org", "2024") == 3
    assert value(conn, "in_certification_programme", "Norr", "2025") == 2


# ---- Behålla -------------------------------------------------------------------------


def test_turnover_rate_divides_permanent_exits_by_average_permanent_headcount(conn):
    # org permanent headcount 2024 (P10 once): Jan-Jun 19, Jul-Dec 18 (P07 left) -> 222 / 12 = 18.5; exits: P07
    org = kf(conn, "turnover_rate", "org", "2024")
    assert (org["numerator"], org["denominator"], org["value"], org["n_individuals"]) == (
        1,
        approx(18.5),
        approx(1 / 18.5),
        18,
    )
    # E1 2024: 8 Jan-Jun, 7 Jul-Dec -> 7.5
    assert value(conn, "turnover_rate", "E1", "2024") == approx(1 / 7.5)
    # P25's exit is fixed-term and does not count: S1 2024 = 0 / 5
    assert value(conn, "turnover_rate", "S1", "2024") == 0.0
    # 2025: Jan-Mar 19, Apr-Aug 18, Sep-Dec 18 -> 219 / 12 = 18.25; exit P01 (retirement)
    assert value(conn, "turnover_rate", "org", "2025") == approx(1 / 18.25)
    # without retirements: 0 / 18.25
    assert value(conn, "turnover_rate", "org", "2025", breakdown="variant=excl_retirement") == 0.0
    # rolling 12 months to 2025-06: Jul-Dec 2024 18 x 6, Jan-Mar 19 x 3, Apr-Jun 18 x 3 = 219 / 12; exit P01
    assert value(conn, "turnover_rate", "org", "2025-06", period_type="rolling_12m") == approx(
        1 / 18.25
    )


def test_turnover_cohort_follows_kolada_n00216(conn):
    # permanent in Nov 2024: E1 P01 P02 P03 P04 P08 P09 P10 (7), S1 P10 P20 P21 P23 P24 (5), L1 P30 P31 P32 P33 P35 P36 P37 (7)
    # -> 17 + 7 - ... org persons 7 + 5 + 7 - 1 = 18; not permanent anywhere in Nov 2025: P01 -> 1 / 18
    assert value(conn, "turnover_rate_cohort", "org", "2025") == approx(1 / 18)
    assert value(conn, "turnover_rate_cohort", "E1", "2025") == approx(1 / 7)
    # P24 moved S1 -> E1 but stayed permanent: S1 0 / 5
    assert value(conn, "turnover_rate_cohort", "S1", "2025") == 0.0


def test_unit_turnover_counts_internal_moves_and_areas_sum_units(conn):
    # 2025: E1 P01 exit 1 / 6.5833 (7 x 3 + 6 x 5 + 7 x 4 = 79 / 12); S1 P24 move 1 / 4.6667 (5 x 8 + 4 x 4 = 56 / 12); L1 0 / 8
    assert value(conn, "unit_turnover_rate", "E1", "2025") == approx(1 / (79 / 12))
    assert value(conn, "unit_turnover_rate", "S1", "2025") == approx(1 / (56 / 12))
    # org = (1 + 1 + 0) / (79 / 12 + 56 / 12 + 8) = 2 / 19.25
    assert value(conn, "unit_turnover_rate", "org", "2025") == approx(2 / 19.25)


def test_first_year_retention_checks_the_snapshot_a_year_after_the_hire(conn):
    # 2024 hires: P06 (Aug 2024, in the Aug 2025 snapshot) kept, P25 (Feb 2024, gone by Feb 2025) not -> 1 / 2
    assert value(conn, "first_year_retention", "org", "2024") == 0.5
    assert value(conn, "first_year_retention", "S1", "2024") == 0.0


def test_sick_leave_rate_and_long_sick_share(conn):
    # 2024: sick (60 + 40 + 104) x 12 = 2448 of scheduled (1200 + 800 + 1300) x 12 = 39600
    org = kf(conn, "sick_leave_rate", "org", "2024")
    assert (org["numerator"], org["denominator"], org["value"]) == (
        2448,
        39600,
        approx(2448 / 39600),
    )
    assert value(conn, "sick_leave_rate", "L1", "2024-03", period_type="month") == approx(
        104 / 1300
    )
    # long share 2024: S1 did not report long sick leave -> (24 + 52) x 12 = 912 of (60 + 104) x 12 = 1968
    assert value(conn, "long_sick_leave_share", "org", "2024") == approx(912 / 1968)
    # 2025: (24 + 10 + 52) x 12 = 1032 of 2448
    assert value(conn, "long_sick_leave_share", "org", "2025") == approx(1032 / 2448)
    # n = average headcount: S1 2025 Jan-Aug 6, Sep-Dec 5 -> 68 / 12 = 5.67 -> 5
    assert kf(conn, "sick_leave_rate", "S1", "2025")["n_individuals"] == 5


def test_hme_index_with_sub_indices_as_breakdown(conn):
    # 2024: (78 x 8 + 82 x 7 + 70 x 4) / 19 = 1478 / 19
    assert value(conn, "hme_index", "org", "2024") == approx(1478 / 19)
    # 2025: (80 x 8 + 84 x 8 + 72 x 4) / 20 = 80
    assert value(conn, "hme_index", "org", "2025") == approx(80.0)
    assert value(conn, "hme_index", "org", "2024", breakdown="measure=hme_motivation") == approx(
        80.0
    )


# ---- Avveckla ------------------------------------------------------------------------


def test_retirements_and_exit_reasons(conn):
    # 2025: P01 retirement; 2024: none (a real zero)
    assert value(conn, "retirements", "org", "2025") == 1
    assert value(conn, "retirements", "org", "2024") == 0
    # 2024 exits: P07 other_employer, P25 end_of_contract -> 1/2 each
    assert value(conn, "exit_reasons", "org", "2024", breakdown="reason=other_employer") == 0.5
    # 2025 exits: P01 retirement, P34 end_of_contract
    assert value(conn, "exit_reasons", "org", "2025", breakdown="reason=retirement") == 0.5
    assert kf(conn, "exit_reasons", "org", "2025")["numerator"] == 2


def test_retirement_forecast_counts_staff_reaching_66_within_five_years(conn):
    # 2024: born <= 1963 (1963 + 66 = 2029): E1 P01 1959, P10 1962; S1 P10; L1 P31 1963, P35 1961 -> org 4 (P10 once)
    assert value(conn, "retirement_forecast_5y", "org", "2024") == 4
    assert value(conn, "retirement_forecast_5y", "E1", "2024") == 2
    assert (
        value(conn, "retirement_forecast_5y", "org", "2024", breakdown="staff_category=teacher")
        == 2
    )
    # 2025: born <= 1964: P10, P31, P35 -> 3
    assert value(conn, "retirement_forecast_5y", "org", "2025") == 3


def test_age_55_plus_share_counts_people_once(conn):
    # 2024 (born <= 1969): E1 P01 P08 P09 P10 = 4 of 9; S1 P10 P23 = 2 of 7; L1 P31 P35 = 2 of 8
    assert value(conn, "age_55_plus_share", "E1", "2024") == approx(4 / 9)
    assert value(conn, "age_55_plus_share", "S1", "2024") == approx(2 / 7)
    # org: (4 + 2 + 2 - 1) / (9 + 7 + 8 - 1) = 7 / 23
    assert kf(conn, "age_55_plus_share", "org", "2024")["value"] == approx(7 / 23)
    assert kf(conn, "age_55_plus_share", "org", "2024")["n_individuals"] == 23
    # 2025 (born <= 1970): E1 P02 P08 P09 P10 = 4 of 9, S1 P10 P23 = 2 of 5, L1 P30 P31 P35 = 3 of 9 -> 8 / 22
    assert value(conn, "age_55_plus_share", "org", "2025") == approx(8 / 22)


def test_redundant_staff_unplaced_and_matching_open_vacancies(conn):
    # P08 (E1 assistant) notice 2025-02-01, placed 2025-05-01 -> unplaced at the end of Feb, Mar, Apr
    assert value(conn, "redundant_staff_unplaced", "E1", "2025-03", period_type="month") == 1
    assert (
        store.scalar(
            conn,
            "SELECT count(*) FROM key_figures WHERE indicator_id = 'redundant_staff_unplaced' AND scope_id = 'E1' AND period = '2025-05'",
        )
        == 0
    )
    # P35 (L1 childminder) notice 2025-10-01, never placed -> October value 1
    assert value(conn, "redundant_staff_unplaced", "org", "2025") == 1
    # R7 (assistant, E1) open at the end of March 2025 while P08 is unplaced
    assert value(conn, "open_vacancies_for_redundant", "org", "2025-03", period_type="month") == 1
    # R6 (childminder, L1, open since 2025-09-15) matches P35 in October
    assert value(conn, "open_vacancies_for_redundant", "L1", "2025") == 1


# ---- targets and the registry ---------------------------------------------------------


def test_targets_resolve_unit_then_area_then_org_then_default(conn):
    t = resolve_targets(conn)

    def target(indicator, scope, year):
        row = t.filter(
            (t["indicator_id"] == indicator) & (t["scope_id"] == scope) & (t["year"] == year)
        )
        assert row.height == 1
        return row["target"][0], row["source"][0]

    assert target("certified_teacher_share", "E1", 2025) == (0.6, "unit")
    assert target("certified_teacher_share", "S1", 2025) == (0.9, "area")
    assert target("certified_teacher_share", "L1", 2025) == (0.75, "org")
    assert target("certified_teacher_share", "Norr", 2024) == (0.7, "org")
    # employer_recommendation: baseline 2024 + 0.1 in 2025, unless the file says otherwise (Söder 4.0)
    assert target("employer_recommendation", "org", 2025) == (approx(68.1 / 19 + 0.1), "baseline")
    assert target("employer_recommendation", "E1", 2025) == (approx(3.7), "baseline")
    assert target("employer_recommendation", "S1", 2025) == (4.0, "area")


#: Indicators read from teaching assignments, an optional kind the small fixture does not have;
#: they are computed by hand on their own fixture in tests/test_indicators_subjects.py.
FROM_TEACHING_ASSIGNMENTS = {
    "certified_teaching_hours_share",
    "uncertified_teaching_hours",
    "subjects_without_certified_teacher",
    "lost_qualified_teaching_hours",
}

#: Indicators read from certification paths, an optional kind the small fixture does not have;
#: computed by hand on their own fixture in tests/test_indicators_paths.py.
FROM_CERTIFICATION_PATHS = {"expected_completions", "certification_path_progress"}


def test_every_engine_indicator_computes_on_the_fixture(conn):
    computed = computed_indicator_ids(conn)
    missing = [
        i for i, ind in REGISTRY.items() if ind.computed_by == "engine" and i not in computed
    ]
    assert sorted(missing) == sorted(FROM_TEACHING_ASSIGNMENTS | FROM_CERTIFICATION_PATHS)
    assert all(
        {"teaching_assignment", "certification_path"} & set(REGISTRY[i].sources) for i in missing
    )

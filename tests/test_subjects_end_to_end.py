"""Teaching assignments from files to the figures export: imported, recomputed, suppressed.

The hand-built fixture of ``tests/test_indicators_subjects.py`` (two schools, thirteen
teachers, thirty assignments) goes through the real importer as Swedish CSV files; the
recompute after each import computes the subject figures, and the export carries them with
the breakdown ``subject=<code>`` and the whole-table mask.
"""

from __future__ import annotations

import polars as pl
import pytest

from kompetens.core import store
from kompetens.ingest import import_bytes
from kompetens.query.export import figures_frame
from tests.test_indicators_subjects import EXITS, ROWS

UNITS_CSV = (
    "Enhetskod;Enhetsnamn;Område;Skolform\nS1;Skolan i norr;Norr;Grundskola\n"
    "S2;Skolan i syd;Syd;Grundskola\n"
)
PEOPLE = {p: ["S1"] for p in range(1, 7)} | {p: ["S2"] for p in range(7, 13)} | {13: ["S1", "S2"]}


def staff_csv() -> str:
    lines = [
        "Mätdatum;Anställningsid;Enhetskod;Befattning;Sysselsättningsgrad;Anställningsform;Legitimation;Behörig;Födelseår"
    ]
    for k in range(22):  # January 2025 - October 2026
        date = f"{2025 + k // 12}-{k % 12 + 1:02d}-15"
        for person, units in PEOPLE.items():
            for unit in units:
                lines.append(f"{date};T{person};{unit};lärare;100;tillsvidare;ja;ja;1980")
    return "\n".join(lines) + "\n"


def assignments_csv() -> str:
    lines = [
        "Mätdatum;Anställningsid;Enhetskod;Ämne;Årskurser;Undervisningstimmar;Andel av heltid;Behörig i ämnet"
    ]
    for person, unit, subject, grades, hours, share, qualified in ROWS:
        h = "" if hours is None else str(hours)
        f = "" if share is None else str(share).replace(".", ",")
        lines.append(
            f"2025-10-15;T{person};{unit};{subject};{grades};{h};{f};{'Ja' if qualified else 'Nej'}"
        )
    return "\n".join(lines) + "\n"


def events_csv() -> str:
    lines = ["Datum;Anställningsid;Händelse;Enhetskod"]
    lines += [
        f"{d.isoformat()};T{p};avgång;{u}" for p, u, d in EXITS if d.year < 2026 or d.month < 11
    ]
    return "\n".join(lines) + "\n"


@pytest.fixture(scope="module")
def exported(tmp_path_factory) -> pl.DataFrame:
    conn = store.connect(tmp_path_factory.mktemp("subjects") / "k.duckdb")
    for name, text in (
        ("enheter.csv", UNITS_CSV),
        ("personal.csv", staff_csv()),
        ("handelser.csv", events_csv()),
        ("uppdrag.csv", assignments_csv()),
    ):
        import_bytes(conn, text.encode("utf-8"), name, user="test")
    try:
        return figures_frame(conn)
    finally:
        conn.close()


def row(frame, indicator, level, scope, period, breakdown="all", period_type="year") -> dict:
    found = frame.filter(
        (pl.col("indicator_id") == indicator)
        & (pl.col("level") == level)
        & (pl.col("scope_id") == scope)
        & (pl.col("period_type") == period_type)
        & (pl.col("period") == period)
        & (pl.col("breakdown") == breakdown)
    ).to_dicts()
    assert len(found) == 1, found
    return found[0]


def test_the_export_carries_subject_rows_with_the_breakdown_subject_code(exported):
    subjects = exported.filter(
        (pl.col("indicator_id") == "certified_teaching_hours_share")
        & pl.col("breakdown").str.starts_with("subject=")
    )
    # thirteen subjects taught across the two schools in 2025 (organisation level)
    org_2025 = subjects.filter((pl.col("level") == "org") & (pl.col("period") == "2025"))
    assert sorted(org_2025["breakdown"].str.strip_prefix("subject=").to_list()) == sorted(
        {r[2] for r in ROWS}
    )


def test_a_figure_on_fewer_than_five_teachers_is_hidden_in_every_subject_indicator(exported):
    ours = exported.filter(
        pl.col("indicator_id").is_in(
            [
                "certified_teaching_hours_share",
                "uncertified_teaching_hours",
                "subjects_without_certified_teacher",
            ]
        )
    )
    # NO at S1 rests on T1 alone; SPEC at S2 on T12 alone
    for indicator in ("certified_teaching_hours_share", "uncertified_teaching_hours"):
        hidden = row(ours, indicator, "unit", "S1", "2025", "subject=NO")
        assert hidden["suppressed"] and hidden["value"] is None and hidden["n_individuals"] is None
    assert row(ours, "certified_teaching_hours_share", "unit", "S2", "2025", "subject=SPEC")[
        "suppressed"
    ]


def test_the_share_and_the_gap_in_hours_of_one_cell_are_hidden_together(exported):
    keys = ["level", "scope_id", "period_type", "period", "breakdown"]
    share = exported.filter(pl.col("indicator_id") == "certified_teaching_hours_share")
    gap = exported.filter(pl.col("indicator_id") == "uncertified_teaching_hours")
    both = share.select(*keys, "suppressed").join(
        gap.select(*keys, "suppressed"), on=keys, suffix="_gap"
    )
    assert both.height == share.height == gap.height
    # the gap is the share's denominator minus its numerator: one shown beside the other hidden
    # would give the hidden one away
    assert (both["suppressed"] == both["suppressed_gap"]).all()


def test_a_two_school_organisation_shows_only_one_subject_figure_of_2025(exported):
    # Each school is its area's only unit (unit = area), every subject has a cell on fewer than
    # five teachers somewhere, and the gap is the share's denominator minus its numerator: the
    # whole-table mask hides every 2025 figure of the share and the gap, organisation included.
    cells = exported.filter(
        pl.col("indicator_id").is_in(
            ["certified_teaching_hours_share", "uncertified_teaching_hours"]
        )
        & (pl.col("period") == "2025")
    )
    # units S1 (all + 8 subjects) and S2 (all + 14); areas add school_form=grundskola (10, 16);
    # the organisation all + school form + the 15 subjects of both (17); and the subject x grades
    # rows: S1 9, S2 15 (units and areas alike), the organisation 9 + 15 - 3 shared (MA:7-9,
    # MA:4-6, TK:7-9) = 21; twice (share and gap)
    assert cells.height == 2 * ((9 + 9 + 15 + 15) + (10 + 9 + 16 + 15) + (17 + 21))
    # One exception: mathematics in years 7-9 over the organisation (teachers 1, 2, 6 and 13 at
    # S1, 7, 8 and 13 at S2: six people), whose parts (the two areas, the organisation's other
    # mathematics rows) are all hidden, so it gives none of them away.
    shown = cells.filter(~pl.col("suppressed"))
    assert shown["level"].to_list() == ["org", "org"]
    assert shown["breakdown"].to_list() == ["subject_grades=MA:7-9"] * 2
    assert shown["n_individuals"].to_list() == [6, 6]
    lost = row(
        exported,
        "lost_qualified_teaching_hours",
        "org",
        "org",
        "2025-12",
        period_type="rolling_12m",
    )
    # only T2's exit by December 2025: 0 qualified of 10 hours, one person -> hidden
    assert lost["suppressed"]

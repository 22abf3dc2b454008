"""The benchmark query layer: comparisons, reconciliation, scope, trend lines, export rows.

A hand-made database: three units and the certified teacher share per unit, written as key
figures with the small fixture's numbers (``tests/test_indicators_fixture.py`` derives them
from staff rows by hand): 2024 E1 3.4 / 5.9 = 0.5763 (7 people), S1 1.9 / 3.9 = 0.4872 (5);
2025 E1 2.4 / 4.9 = 0.4898 (6), S1 1.9 / 2.9 on 4 people, hidden by the small-number rule.
Only unit rows, so no secondary suppression is involved. The external values are set here.
"""

from __future__ import annotations

import json

import polars as pl
import pytest
from pytest import approx

from kompetens.access.scope import Scope, ScopeError
from kompetens.external import writer
from kompetens.query import benchmarks
from tests.fixtures.benchmarks.support import add_units, connect

#: (unit, year, certified FTE, teacher FTE, people)
OURS = [
    ("E1", "2024", 3.4, 5.9, 7),
    ("S1", "2024", 1.9, 3.9, 5),
    ("E1", "2025", 2.4, 4.9, 6),
    ("S1", "2025", 1.9, 2.9, 4),
]


def kolada(items: list[tuple[str, str, int, float | None]], key: str = "municipality") -> bytes:
    return json.dumps(
        {
            "count": len(items),
            "values": [
                {
                    "kpi": kpi,
                    key: place,
                    "period": year,
                    "values": [
                        {"count": 1, "gender": "T", "status": "", "value": v, "isdeleted": False}
                    ],
                }
                for kpi, place, year, v in items
            ],
            "next_url": None,
        }
    ).encode()


SKOLVERKET_CSV = (
    "Skolenhetskod;Skolenhet;Läsår;Andel (%) lärare med lärarlegitimation och behörighet i minst ett ämne\n"
    "11111111;Ekskolan;2024/25;70,0\n"
    "22222222;Söderskolan;2024/25;50,0\n"
    "22222222;Söderskolan;2025/26;..\n"
    "11111111;Ekskolan;2025/26;~100\n"
).encode()


def build(c) -> None:
    """Units, our key figures and the external values, written into ``c``."""
    add_units(
        c,
        [
            {"unit_id": "E1", "unit_name": "Ekskolan", "area": "Norr", "school_form": "grundskola",
             "school_unit_code": "11111111", "kolada_ou_id": "V15E129900101"},
            {"unit_id": "L1", "unit_name": "Lärkans förskola", "area": "Norr", "school_form": "forskola",
             "school_unit_code": "33333333", "kolada_ou_id": None},
            {"unit_id": "S1", "unit_name": "Söderskolan", "area": "Söder", "school_form": "grundskola",
             "school_unit_code": "22222222", "kolada_ou_id": None},
        ],
    )  # fmt: skip
    for unit, year, num, den, n in OURS:
        c.execute(
            "INSERT INTO key_figures (indicator_id, level, scope_id, period_type, period, breakdown, "
            "numerator, denominator, value, n_individuals, computed_at) "
            "VALUES ('certified_teacher_share', 'unit', ?, 'year', ?, 'all', ?, ?, ?, ?, now())",
            [unit, year, num, den, num / den, n],
        )
    # figures without a stored mask: the reader suppresses the whole table itself
    c.execute("INSERT INTO key_figures_meta VALUES (0, now(), 10, 65)")
    writer.write_settings(c, {"municipality": "1299", "municipality_name": "Demokommun"})
    writer.import_benchmark_file(
        c,
        "kommun.json",
        kolada(
            [
                ("N15814", "1299", 2023, 68.0),
                ("N15814", "G1", 2024, 74.0),
                ("N15814", "0000", 2023, 73.0),
                ("N15814", "0000", 2024, 73.9),
                ("N15814", "0000", 2026, 80.0),  # a later year than asked for: not shown for 2025
            ]
        ),
    )
    writer.import_benchmark_file(
        c, "enhet.json", kolada([("N15814", "V15E129900101", 2024, 55.0)], "ou")
    )
    writer.import_benchmark_file(c, "skolverket.csv", SKOLVERKET_CSV)


@pytest.fixture(scope="module")
def conn():
    c = connect()
    build(c)
    yield c
    c.close()


EVERYONE = Scope.everything()
S1_PRINCIPAL = Scope.for_units(["S1"], ["Söder"])


def test_a_card_gets_the_latest_published_year_of_each_comparison_as_a_fraction(conn):
    strip = benchmarks.external_comparisons(conn, EVERYONE, "certified_teacher_share", 2025)
    assert strip.select("comparison_kind", "year", "value").rows() == [
        ("own_municipality", 2023, approx(0.68)),  # 68,0 % published for 2023, none later
        ("municipality_group", 2024, approx(0.74)),
        ("national", 2024, approx(0.739)),  # 2026's 80,0 is after the year asked for
    ]
    assert strip["label"].to_list() == ["Egen kommun", "Liknande kommuner", "Riket"]
    assert strip["source_name"].unique().to_list() == ["Kolada"]
    assert strip["comparison_name"].to_list()[0] == "Demokommun"
    assert all(url.startswith("https://www.kolada.se/") for url in strip["source_url"])


def test_a_unit_card_adds_the_units_own_kolada_value(conn):
    strip = benchmarks.external_comparisons(
        conn, EVERYONE, "certified_teacher_share", 2024, unit_id="E1"
    )
    unit = strip.filter(pl.col("comparison_kind") == "school_unit").row(0, named=True)
    assert (unit["value"], unit["comparison_name"]) == (approx(0.55), "Ekskolan")


def test_an_indicator_without_a_kolada_equivalent_has_no_comparisons(conn):
    assert benchmarks.external_comparisons(
        conn, EVERYONE, "temporary_teacher_share", 2024
    ).is_empty()


def test_a_principal_sees_the_public_comparisons_but_no_other_units_values(conn):
    strip = benchmarks.external_comparisons(conn, S1_PRINCIPAL, "certified_teacher_share", 2024)
    assert set(strip["comparison_kind"]) == {"own_municipality", "municipality_group", "national"}
    with pytest.raises(ScopeError):
        benchmarks.external_comparisons(
            conn, S1_PRINCIPAL, "certified_teacher_share", 2024, unit_id="E1"
        )
    table = benchmarks.certification_reconciliation(conn, S1_PRINCIPAL, 2024)
    assert table["unit_id"].to_list() == ["S1"]


def test_a_principal_sees_their_own_units_published_values_and_no_other_units(conn):
    e1_principal = Scope.for_units(["E1"], ["Norr"])
    strip = benchmarks.external_comparisons(
        conn, e1_principal, "certified_teacher_share", 2024, unit_id="E1"
    )
    unit = strip.filter(pl.col("comparison_kind") == "school_unit")
    assert unit.select("comparison_id", "value").rows() == [("V15E129900101", approx(0.55))]
    with pytest.raises(ScopeError):
        benchmarks.external_comparisons(
            conn, e1_principal, "certified_teacher_share", 2024, unit_id="S1"
        )
    # Skolverket's values: only the own school unit's row (E1's 70,0 %), never S1's 50,0 %
    table = benchmarks.certification_reconciliation(conn, e1_principal, 2024)
    assert table.select("unit_id", "official_text").rows() == [("E1", "70,0")]
    # the trend lines carry only public values (country, group), never a unit's
    lines = benchmarks.external_trend(conn, e1_principal, "certified_teacher_share")
    assert set(lines["comparison_kind"]) == {"national", "municipality_group"}


def test_reconciliation_flags_a_unit_more_than_ten_points_from_skolverket_and_says_why(conn):
    table = benchmarks.certification_reconciliation(conn, EVERYONE, 2024)
    rows = {r["unit_id"]: r for r in table.iter_rows(named=True)}
    assert set(rows) == {"E1", "S1"}  # the preschool has a code but no teacher share: left out
    # E1: ours 3.4 / 5.9 = 0.5763, Skolverket 70,0 % -> -0.1237: more than 10 points
    assert rows["E1"]["our_share"] == approx(3.4 / 5.9)
    assert rows["E1"]["official_share"] == approx(0.70)
    assert rows["E1"]["difference"] == approx(3.4 / 5.9 - 0.70)
    assert rows["E1"]["flagged"] is True
    assert "undervisningstiden" in rows["E1"]["reasons"]
    assert "en flagga per person" in rows["E1"]["reasons"]
    assert "15 oktober" in rows["E1"]["reasons"]
    # S1: ours 1.9 / 3.9 = 0.4872, Skolverket 50,0 % -> -0.0128: within 10 points
    assert rows["S1"]["difference"] == approx(1.9 / 3.9 - 0.50)
    assert (rows["S1"]["flagged"], rows["S1"]["reasons"]) == (False, None)
    assert rows["S1"]["official_period"] == "2024/25"


def test_reconciliation_keeps_our_hidden_share_hidden_and_skolverkets_masks_as_published(conn):
    table = benchmarks.certification_reconciliation(conn, EVERYONE, 2025)
    rows = {r["unit_id"]: r for r in table.iter_rows(named=True)}
    # S1 2025 rests on 4 teachers: our share is hidden, so no difference and no flag
    assert rows["S1"]["our_suppressed"] is True
    assert (rows["S1"]["difference"], rows["S1"]["flagged"]) == (None, False)
    assert (rows["S1"]["official_text"], rows["S1"]["official_share"]) == ("..", None)
    # E1 2025: ours 2.4 / 4.9 = 0.4898 against Skolverket's ~100 (counted as 100 %) -> flagged
    assert rows["E1"]["official_text"] == "~100"
    assert rows["E1"]["difference"] == approx(2.4 / 4.9 - 1.0)
    assert rows["E1"]["flagged"] is True


def test_the_trend_lines_are_the_national_and_group_series_by_year(conn):
    lines = benchmarks.external_trend(conn, EVERYONE, "certified_teacher_share")
    national = lines.filter(pl.col("comparison_kind") == "national")
    assert national.select("year", "value").rows() == [
        (2023, approx(0.73)),
        (2024, approx(0.739)),
        (2026, approx(0.80)),
    ]


def test_export_rows_carry_the_key_figure_columns_then_the_source_columns(conn):
    rows = benchmarks.benchmark_export_rows(conn, ["certified_teacher_share"])
    assert tuple(rows.columns) == benchmarks.BENCHMARK_EXPORT_COLUMNS
    # 5 Kolada municipality rows + 1 OU row + 4 Skolverket rows, all mapped to the indicator
    assert rows.height == 10
    assert rows["suppressed"].to_list() == [False] * 10
    e1 = rows.filter(
        (pl.col("source") == "skolverket")
        & (pl.col("scope_id") == "11111111")
        & (pl.col("period") == "2024")
    )
    assert e1.select("level", "value", "source_value", "source_period").row(0) == (
        "school_unit",
        approx(0.70),
        "70,0",
        "2024/25",
    )


def test_has_benchmarks_tells_an_empty_database_from_one_with_values(conn):
    assert benchmarks.has_benchmarks(conn)
    empty = connect()
    try:
        assert not benchmarks.has_benchmarks(empty)
    finally:
        empty.close()


def test_a_new_import_or_an_undo_on_a_database_file_is_seen_at_once(tmp_path):
    c = connect(tmp_path / "k.duckdb")
    try:
        build(c)
        before = benchmarks.external_comparisons(c, EVERYONE, "certified_teacher_share", 2024)
        assert before.filter(pl.col("comparison_kind") == "national")["value"].to_list() == [
            approx(0.739)
        ]
        newer = writer.import_benchmark_file(c, "ny.json", kolada([("N15814", "0000", 2024, 75.0)]))
        after = benchmarks.external_comparisons(c, EVERYONE, "certified_teacher_share", 2024)
        assert after.filter(pl.col("comparison_kind") == "national")["value"].to_list() == [
            approx(0.75)
        ]
        writer.undo_benchmarks(c, newer.batch_id)
        undone = benchmarks.external_comparisons(c, EVERYONE, "certified_teacher_share", 2024)
        assert undone.filter(pl.col("comparison_kind") == "national")["value"].to_list() == [
            approx(0.739)
        ]
    finally:
        c.close()


def test_on_a_database_file_a_repeated_strip_is_kept_and_scope_is_still_checked(tmp_path):
    c = connect(tmp_path / "k.duckdb")
    try:
        build(c)
        first = benchmarks.external_comparisons(
            c, EVERYONE, "certified_teacher_share", 2024, unit_id="E1"
        )
        again = benchmarks.external_comparisons(
            c, EVERYONE, "certified_teacher_share", 2024, unit_id="E1"
        )
        assert again is first  # the dialogue's fifteen cards on every rerun: kept, not redone
        unit = first.filter(pl.col("comparison_kind") == "school_unit")
        assert unit["value"].to_list() == [approx(0.55)]  # Ekskolan's own 55 %
        # A kept strip is no way around scope: S1's principal may not see E1's.
        with pytest.raises(ScopeError):
            benchmarks.external_comparisons(
                c, S1_PRINCIPAL, "certified_teacher_share", 2024, unit_id="E1"
            )
    finally:
        c.close()

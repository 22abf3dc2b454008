"""Benchmark files as the sources return them: Kolada v2/v3 JSON, Skolverket JSON and CSV.

The recorded responses in ``tests/fixtures/benchmarks`` have the shape of the real ones
(docs/external-benchmarks.md names where each shape comes from); their numbers are made up.
"""

from __future__ import annotations

import json

import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from kompetens.core import store
from kompetens.external import parse, writer
from kompetens.external.errors import ExternalRejected, UndoRefusedExternal
from tests.fixtures.benchmarks.support import connect, recorded


@pytest.fixture
def conn():
    c = connect()
    writer.write_settings(c, {"municipality": "1283", "municipality_name": "Helsingborg"})
    yield c
    c.close()


def live(c) -> pl.DataFrame:
    return store.frame(c, "SELECT * FROM current_external_values ORDER BY ALL")


def ctx(own="1283") -> parse.Context:
    return parse.Context(own_municipality=own, fetched_how="test")


def test_a_kolada_v3_page_gives_one_row_per_place_year_and_gender_with_the_kind_read_from_the_id():
    rows = parse.parse_kolada(json.loads(recorded("kolada_v3_data_page1.json")), "p1", ctx())
    # 1283: T, K, M; 0000: T; G38144: T -> 5 rows
    assert rows.height == 5
    kinds = dict(zip(rows["comparison_id"], rows["comparison_kind"], strict=False))
    assert kinds == {"1283": "own_municipality", "0000": "national", "G38144": "municipality_group"}
    women = rows.filter((pl.col("comparison_id") == "1283") & (pl.col("gender") == "K"))
    assert women["value"].to_list() == [73.0]
    group = rows.filter(pl.col("comparison_id") == "G38144").row(0, named=True)
    assert group["member_count"] == 7  # Kolada's count of members behind a group average
    assert group["source_url"].startswith("https://www.kolada.se/")


def test_a_kolada_null_value_keeps_its_status_and_is_shown_as_kolada_shows_it():
    rows = parse.parse_kolada(json.loads(recorded("kolada_v3_data_page2.json")), "p2", ctx())
    national = rows.filter(pl.col("comparison_id") == "0000").row(0, named=True)
    assert national["value"] is None
    assert national["status"] == "Missing"
    assert national["source_value"] == "Missing"


def test_kolada_v2_reads_the_same_items_and_a_null_value_without_status_is_a_dash():
    rows = parse.parse_kolada(json.loads(recorded("kolada_v2_data.json")), "v2", ctx())
    assert rows.height == 6  # two places x three genders
    men_national = rows.filter((pl.col("comparison_id") == "0000") & (pl.col("gender") == "M"))
    assert men_national["value"].to_list() == [None]
    assert men_national["source_value"].to_list() == ["–"]
    assert rows.filter(pl.col("gender") == "T")["value"].sort().to_list() == [6.4, 6.8]


def test_kolada_paging_links_are_read_from_v3_next_url_and_v2_next_page():
    assert parse.next_page(json.loads(recorded("kolada_v3_data_page1.json"))).endswith(
        "page=2&per_page=3"
    )
    assert parse.next_page(json.loads(recorded("kolada_v3_data_page2.json"))) is None
    assert (
        parse.next_page({"values": [], "next_page": "http://x/v2?page=2"}) == "http://x/v2?page=2"
    )


def test_kolada_ou_data_are_school_units_named_after_our_unit_with_that_kolada_id():
    named = parse.Context("1283", {"V15E128300201": "Exempelskolan"})
    rows = parse.parse_kolada(json.loads(recorded("kolada_v3_oudata.json")), "ou", named)
    assert rows["comparison_kind"].unique().to_list() == ["school_unit"]
    assert rows.filter(pl.col("comparison_id") == "V15E128300201")["comparison_name"].to_list() == [
        "Exempelskolan"
    ]


def test_skolverket_json_reads_decimal_commas_and_keeps_masks_as_published():
    rows = parse.parse_skolverket_json(
        json.loads(recorded("skolverket_statistics_gr.json")), "sv.json", ctx()
    )
    share = rows.filter(pl.col("measure_id") == "certifiedTeachersQuota").sort("period")
    assert share["comparison_id"].unique().to_list() == ["12830201"]  # from _links.self.href
    assert share["period"].to_list() == ["2021/22", "2022/23", "2023/24"]
    assert share["year"].to_list() == [2021, 2022, 2023]  # measured in October of the first year
    assert share["source_value"].to_list() == ["~100", "..", "61,5"]
    assert share["value"].to_list() == [100.0, None, 61.5]
    assert share["status"].to_list() == ["~100", "MISSING", None]


def test_skolverket_csv_finds_the_header_below_the_title_lines_and_reads_every_mask():
    rows = parse.parse_file("personal.csv", recorded("skolverket_personal_2023.csv"), ctx())
    by_code = {r["comparison_id"]: r for r in rows.iter_rows(named=True)}
    assert set(by_code) == {"12830201", "12830301", "12830401", "12830501", "12830601"}
    assert by_code["12830201"]["value"] == 61.5
    assert by_code["12830201"]["comparison_name"] == "Exempelskolan"  # Windows-1252 read right
    assert by_code["12830201"]["period"] == "2023/24"  # from the title line 'läsår 2023/24'
    assert [
        by_code[c]["source_value"] for c in ("12830301", "12830401", "12830501", "12830601")
    ] == [
        "..",
        ".",
        "~100",
        "*",
    ]
    assert [by_code[c]["value"] for c in ("12830301", "12830401", "12830601")] == [None, None, None]


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("trasig.json", b'{"values": [', "trasig.json, rad 1, tecken 13: ogiltig JSON"),
        ("fel.json", b'{"rows": []}', "saknar listan 'values'"),
        (
            "kon.json",
            b'{"values": [{"kpi": "N15814", "municipality": "1283", "period": 2023, '
            b'"values": [{"gender": "X", "value": 1.0}]}], "count": 1}',
            "kon.json, post 1: värdet 'X' – 'gender' ska vara T, K eller M",
        ),
        (
            "tal.json",
            b'{"values": [{"kpi": "N15814", "municipality": "1283", "period": 2023, '
            b'"values": [{"gender": "T", "value": "72,1"}]}], "count": 1}',
            "värdet '72,1' – värdet ska vara ett tal eller null",
        ),
        (
            "skolor.csv",
            "Skolenhetskod;Läsår;Andel behörighet\n1234;2023/24;50,0\n".encode(),
            "skolor.csv, rad 2, kolumn Skolenhetskod: värdet '1234' – skolenhetskoden ska vara 8 siffror",
        ),
        (
            "andel.csv",
            "Skolenhetskod;Läsår;Andel behörighet\n12345678;2023/24;hög\n".encode(),
            "andel.csv, rad 2, kolumn Andel behörighet: värdet 'hög'",
        ),
    ],
)
def test_a_bad_file_is_refused_with_file_place_value_and_reason_and_nothing_is_written(
    conn, name, content, expected
):
    with pytest.raises(ExternalRejected) as refused:
        writer.import_benchmark_file(conn, name, content)
    assert expected in str(refused.value)
    assert live(conn).is_empty()
    assert writer.list_benchmark_imports(conn).is_empty()


def test_an_import_is_logged_a_reimport_changes_nothing_and_an_undo_restores_what_it_replaced(conn):
    first = writer.import_benchmark_file(conn, "p2.json", recorded("kolada_v3_data_page2.json"))
    assert (first.rows_written, first.rows_replaced) == (2, 0)
    again = writer.import_benchmark_file(conn, "p2.json", recorded("kolada_v3_data_page2.json"))
    assert again.already_imported and again.batch_id == first.batch_id
    # A corrected file: the national 2022 value now published (same key, new value).
    corrected = json.loads(recorded("kolada_v3_data_page2.json"))
    corrected["values"][1]["values"][0].update({"status": "", "value": 72.8})
    second = writer.import_benchmark_file(conn, "p2b.json", json.dumps(corrected).encode())
    assert (second.rows_written, second.rows_replaced) == (2, 2)
    national = live(conn).filter(pl.col("comparison_id") == "0000")
    assert national["value"].to_list() == [72.8]
    with pytest.raises(UndoRefusedExternal, match="Ångra batch"):
        writer.undo_benchmarks(conn, first.batch_id)
    undone = writer.undo_benchmarks(conn, second.batch_id)
    assert (undone.rows_removed, undone.rows_restored) == (2, 2)
    assert live(conn).filter(pl.col("comparison_id") == "0000")["status"].to_list() == ["Missing"]
    log = writer.list_benchmark_imports(conn)
    assert log.filter(pl.col("undone_at").is_not_null())["batch_id"].to_list() == [second.batch_id]


def test_benchmark_rows_are_never_suppressed_a_unit_with_two_teachers_keeps_its_official_share(
    conn,
):
    writer.import_benchmark_file(conn, "p.csv", recorded("skolverket_personal_2023.csv"))
    # Björkskolan has 2,0 teacher FTE: Skolverket masked it ('*'), we keep exactly that;
    # Exempelskolan's 61,5 is stored as published, with no small-number rule applied.
    rows = {r["comparison_id"]: r for r in live(conn).iter_rows(named=True)}
    assert rows["12830601"]["source_value"] == "*"
    assert rows["12830201"]["value"] == 61.5


def test_settings_refuse_an_unknown_key_and_a_malformed_municipality_code(conn):
    with pytest.raises(ExternalRejected, match="fyra siffror"):
        writer.write_settings(conn, {"municipality": "12a3"})
    with pytest.raises(ExternalRejected, match="Okänd inställning: färg"):
        writer.write_settings(conn, {"färg": "blå"})
    assert writer.read_settings(conn)["municipality"] == "1283"


@given(st.decimals(min_value=0, max_value=100, places=1, allow_nan=False, allow_infinity=False))
def test_any_skolverket_share_with_a_decimal_comma_reads_back_as_the_same_number(share):
    text = f"{share:.1f}".replace(".", ",")
    assert parse.skolverket_number(text) == pytest.approx(float(share))
    assert parse.skolverket_number(f"~{text}") == pytest.approx(
        float(share)
    )  # approximate: same number


@given(st.sampled_from([".", "..", "*", "", " "]))
def test_every_skolverket_mask_reads_as_no_number(mask):
    assert parse.skolverket_number(mask) is None

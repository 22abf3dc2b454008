"""The live fetch against a local HTTP server serving the recorded responses (no internet).

The server (``tests/fixtures/benchmarks/support.LocalServer``) answers the addresses the fetch
builds from the settings: own municipality 1283 (named, so no name look-up), years 2022–2023,
one KPI (N15814), the group found by title, two units with Kolada OU ids and school-unit codes.
"""

from __future__ import annotations

import json
import re
import shutil

import polars as pl
import pytest

from kompetens.core import store
from kompetens.external import fetch, writer
from kompetens.external.errors import ExternalRejected, FetchFailed
from tests.fixtures.benchmarks.support import LocalServer, Reply, add_units, connect, recorded

DATA = "/v3/data/kpi/N15814/municipality/1283,0000,G38144/year/2022,2023?per_page=5000"
DATA_PAGE_2 = "/v3/data/kpi/N15814/municipality/1283,0000,G38144/year/2022,2023?page=2&per_page=3"
GROUPS = "/v3/municipality_groups?title=Liknande+kommuner+grundskola"
OU = "/v3/oudata/kpi/N15814/ou/V15E128300201,V15E128300301/year/2022,2023?per_page=5000"
SCHOOL_1 = "/sv/v3/school-units/12830201/statistics/gr"


@pytest.fixture
def server():
    s = LocalServer()
    s.serve(GROUPS, Reply(body=recorded("kolada_v3_municipality_groups.json")))
    s.serve(DATA, Reply(body=recorded("kolada_v3_data_page1.json")))
    s.serve(DATA_PAGE_2, Reply(body=recorded("kolada_v3_data_page2.json")))
    s.serve(OU, Reply(body=recorded("kolada_v3_oudata.json")))
    s.serve(SCHOOL_1, Reply(body=recorded("skolverket_statistics_gr.json")))
    # school 12830301 is not served: Skolverket's 404 means "no statistics for the unit"
    yield s
    s.close()


@pytest.fixture
def conn(server):
    c = connect()
    add_units(
        c,
        [
            {"unit_id": "E1", "unit_name": "Exempelskolan", "area": "Norr", "school_form": "grundskola",
             "kolada_ou_id": "V15E128300201", "school_unit_code": "12830201"},
            {"unit_id": "E2", "unit_name": "Ekskolan", "area": "Norr", "school_form": "grundskola",
             "kolada_ou_id": "V15E128300301", "school_unit_code": "12830301"},
            {"unit_id": "F1", "unit_name": "Förskolan Fyren", "area": "Norr", "school_form": "forskola"},
        ],
    )  # fmt: skip
    writer.write_settings(
        c,
        {
            "municipality": "1283",
            "municipality_name": "Helsingborg",
            "kpis": "N15814",
            "kolada_url": f"{server.url}/v3",
            "skolverket_url": f"{server.url}/sv/v3",
            "timeout_seconds": "0.5",
            "retries": "1",
        },
    )
    yield c
    c.close()


def run(conn):
    return fetch.fetch_benchmarks(conn, years=[2022, 2023])


def stored(conn) -> pl.DataFrame:
    return store.frame(conn, "SELECT * FROM current_external_values")


def nothing_written(conn) -> bool:
    return stored(conn).is_empty() and writer.list_benchmark_imports(conn).is_empty()


def test_a_fetch_follows_the_pages_finds_the_group_by_title_and_writes_one_batch(conn, server):
    result = run(conn)
    rows = stored(conn)
    # Kolada: page 1 has 5 rows, page 2 has 2, the OU data 2; Skolverket: two measures x
    # the two school years that start in 2022 and 2023 = 4. 5 + 2 + 2 + 4 = 13.
    assert result.rows_written == rows.height == 13
    group = rows.filter(pl.col("comparison_kind") == "municipality_group").row(0, named=True)
    assert (
        group["comparison_id"] == "G38144"
    )  # the newest 'Liknande kommuner grundskola, Helsingborg'
    assert group["comparison_name"] == "Liknande kommuner grundskola, Helsingborg, 2024"
    assert rows.filter(pl.col("source") == "skolverket")["comparison_name"].unique().to_list() == [
        "Exempelskolan"
    ]
    assert DATA_PAGE_2 in server.hits
    assert writer.list_benchmark_imports(conn)["how"].to_list() == ["fetch"]


def test_the_same_answers_fetched_again_change_nothing(conn):
    first = run(conn)
    again = run(conn)
    assert again.already_imported and again.batch_id == first.batch_id


def test_a_server_error_is_retried_and_the_second_answer_is_used(conn, server):
    server.serve(DATA, Reply(500, b"{}"), Reply(body=recorded("kolada_v3_data_page1.json")))
    assert run(conn).rows_written == 13
    assert server.hits.count(DATA) == 2


def test_a_server_that_keeps_failing_leaves_nothing_written(conn, server):
    server.serve(OU, Reply(503, b"{}"))
    with pytest.raises(FetchFailed, match="svarade 503 .* efter 2 försök"):
        run(conn)
    assert nothing_written(conn)


def test_a_time_out_is_retried_then_reported_and_nothing_is_written(conn, server):
    server.serve(SCHOOL_1, Reply(delay=1.5, body=recorded("skolverket_statistics_gr.json")))
    with pytest.raises(FetchFailed, match="svarade inte inom tidsgränsen \\(2 försök\\)"):
        run(conn)
    assert server.hits.count(SCHOOL_1) == 2
    assert nothing_written(conn)


def test_a_malformed_body_after_good_pages_leaves_nothing_written(conn, server):
    server.serve(OU, Reply(body=b'{"values": [{"kpi": "N15814", "ou": '))
    with pytest.raises(ExternalRejected, match="inte giltig JSON"):
        run(conn)
    assert nothing_written(conn)


def test_a_body_in_the_wrong_shape_is_refused_with_the_address(conn, server):
    server.serve(DATA, Reply(body=b'{"rows": []}'))
    with pytest.raises(
        ExternalRejected, match="per_page=5000: detta är inget svar från Koladas API"
    ):
        run(conn)
    assert nothing_written(conn)


def test_offline_the_fetch_stops_at_the_first_request_with_a_swedish_message(conn):
    writer.write_settings(conn, {"kolada_url": "http://127.0.0.1:9/v3"})  # nothing listens there
    with pytest.raises(FetchFailed, match="Kunde inte nå 127.0.0.1 .* internetförbindelse"):
        run(conn)
    assert nothing_written(conn)


def test_without_a_municipality_code_the_fetch_says_how_to_give_one(conn):
    writer.write_settings(conn, {"municipality": ""})
    with pytest.raises(FetchFailed, match="--municipality 1283"):
        run(conn)


def test_the_default_kpis_are_the_registrys_kolada_ids_and_the_extras():
    kpis = fetch.default_kpis()
    assert kpis[:1] == ["N15814"]  # certified_teacher_share is the registry's first with an id
    assert {"N11810", "N00216", "N00090", "N00091", "U15200", "N00214", "N17826", "N15813"} <= set(
        kpis
    )


def test_the_fetch_benchmark_runs_at_a_tiny_size_and_counts_every_value(monkeypatch, capsys):
    from kompetens.benchmarks import external_fetch

    monkeypatch.setattr("sys.argv", ["x", "--units", "3", "--kpis", "2", "--years", "2"])
    external_fetch.main()
    # municipality data 2 KPIs x 3 places x 2 years x 3 genders = 36; OU data 3 x 2 x 2 x 3 = 36;
    # Skolverket 3 units x the 2 school years asked for = 6. 36 + 36 + 6 = 78.
    assert "78 rows written" in capsys.readouterr().out


def test_the_page_benchmark_compares_each_page_with_and_without_benchmark_values(
    small_db, tmp_path, capsys
):
    from kompetens.benchmarks import external_pages

    db = tmp_path / "with.duckdb"
    shutil.copy(small_db, db)
    conn = store.connect(db)
    try:
        writer.write_settings(conn, {"municipality": "1299"})
        values = [
            {"kpi": "N11810", "municipality": place, "period": 2024,
             "values": [{"gender": "T", "value": v, "status": "", "count": 1}]}
            for place, v in (("1299", 41.5), ("0000", 45.0))
        ]  # fmt: skip
        writer.import_benchmark_file(
            conn, "k.json", json.dumps({"values": values, "count": 2}).encode()
        )
    finally:
        conn.close()
    # the copy "without" keeps the personnel data and has no benchmark value
    without = external_pages.without_benchmarks(db, tmp_path)
    check = store.connect(without, read_only=True)
    try:
        assert store.scalar(check, "SELECT count(*) FROM current_external_values") == 0
        assert store.scalar(check, "SELECT count(*) FROM key_figures") > 0
    finally:
        check.close()
    external_pages.main(["--db", str(db), "--repeat", "1"])
    out = capsys.readouterr().out
    assert "2 benchmark values; the copy without: 0" in out
    for page in ("Översikt", "Behörighet"):
        assert re.search(
            rf"{page}: with benchmarks \d+ ms wall / \d+ ms CPU, without \d+ ms wall / \d+ ms CPU; "
            r"ratio wall \d+\.\d\d, CPU \d+\.\d\d",
            out,
        ), out

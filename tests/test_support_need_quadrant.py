""" "De som inte ber om stöd" on the small fixture: each unit's support need against the requests it
made and the support it got in the twelve months up to the reference month.

Reference month 2025-12, so the window is 2025-01-01 .. 2025-12-31. The support-need index
(``tests/test_page_stodbehov.py``): E1 and L1 score 50 and share rank 1, S1 is flagged (hidden
certified share). Two ranked units: the top quarter is max(1, round(2 × 0.25)) = 1 rank, and
both E1 and L1 hold rank 1, so both have high need.
"""

from __future__ import annotations

import shutil

import pytest

from kompetens.core import store
from kompetens.ingest import import_bytes
from kompetens.query import Scope
from kompetens.query import support_register as read
from kompetens.ui import support_view

REQUESTS = (
    "request_id;unit_id;request_date;asker_role;channel;topic;support_function;status\n"
    # In the window: E1 asked once.
    "A1;E1;2025-06-01;rektor;dialog;Rekrytering;HR;klar\n"
    # The day before the window: does not count.
    "A0;E1;2024-12-31;rektor;dialog;Rekrytering;HR;klar\n"
)
#: L1 got support that ended a month before the window: it neither asked nor got support in it.
EFFORTS = (
    "effort_id;request_id;unit_id;support_function;start_date;end_date;effort_type;hours;status\n"
    "I1;;L1;PC;2024-11-01;2024-11-30;utbildning;8;klar\n"
)


@pytest.fixture
def conn(small_db, tmp_path):
    db = tmp_path / "small.duckdb"
    shutil.copy(small_db, db)
    connection = store.connect(db)
    import_bytes(connection, REQUESTS.encode(), "stod.csv", user="test")
    import_bytes(connection, EFFORTS.encode(), "insatser.csv", user="test")
    yield connection
    connection.close()


def test_the_high_need_unit_that_neither_asked_nor_got_support_is_named_first(conn):
    table = read.need_versus_support(conn, Scope.everything(), period="2025-12")
    got = {
        r["unit_id"]: (r["rank"], r["high_need"], r["requests"], r["efforts"], r["quadrant"])
        for r in table.iter_rows(named=True)
    }
    assert got == {
        "L1": (1, True, 0, 0, "high_no_support"),
        "E1": (1, True, 1, 0, "high_support"),  # A1 only: A0 is the day before the window
        "S1": (None, False, 0, 0, "unknown"),  # flagged: no score, need unknown
    }
    assert table["unit_id"].to_list() == ["L1", "E1", "S1"]
    assert read.not_asking(conn, Scope.everything(), period="2025-12")["unit_id"].to_list() == [
        "L1"
    ]
    assert support_view.not_asking_sentence(table) == (
        "1 enhet med högt stödbehov (översta fjärdedelen) har varken begärt eller fått stöd "
        "under de senaste tolv månaderna."
    )


def test_proactive_support_reaching_into_the_window_takes_a_unit_out_of_the_quadrant(conn):
    # 2024-12-15 .. 2025-01-10 overlaps the window by ten days: L1 got support in it.
    import_bytes(
        conn,
        (
            b"effort_id;unit_id;support_function;start_date;end_date;effort_type;hours;status\n"
            b"I2;L1;PC;2024-12-15;2025-01-10;handledning;4;klar\n"
        ),
        "mer.csv",
        user="test",
    )
    table = read.need_versus_support(conn, Scope.everything(), period="2025-12")
    l1 = table.filter(table["unit_id"] == "L1").row(0, named=True)
    assert (l1["efforts"], l1["hours"], l1["quadrant"]) == (1, 4.0, "high_support")
    assert support_view.quadrant_counts(table)[read.HIGH_NO_SUPPORT] == 0


def test_an_area_manager_sees_only_the_units_of_the_area_and_the_download_names_the_quadrant(conn):
    table = read.need_versus_support(conn, Scope.for_areas("Norr"), period="2025-12")
    assert sorted(table["unit_id"].to_list()) == ["E1", "L1"]
    shown = support_view.need_table(table)
    assert shown.columns == list(support_view.NEED_LABELS)
    assert shown["quadrant_label"][0] == "Högt behov, inget stöd begärt eller givet"
    assert support_view.not_asking_rows(shown)["unit_name"].to_list() == ["Lärkans förskola"]

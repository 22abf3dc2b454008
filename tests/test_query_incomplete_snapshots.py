"""Datakvalitet lists an incomplete staff snapshot, and HR confirms it there (#15, item 8).

The small fixture's December 2025 snapshot has 22 people in 3 units (E1, L1, S1); a January
2026 file with E1's rows only has 9 people in 1 unit: 9 < 0.8 x 22 = 17.6, so it is incomplete.
"""

from __future__ import annotations

import datetime as dt
import shutil

import pytest

from kompetens import query
from kompetens.access import audit
from kompetens.access.auth import Viewer
from kompetens.core import store
from kompetens.ingest import import_bytes
from kompetens.ui import quality_view as view
from tests.app_support import run_page, texts
from tests.fixtures.small import HERE

PAGE = "views/datakvalitet.py"
JANUARY = dt.date(2026, 1, 15)


def _partial_january() -> bytes:
    lines = (HERE / "staff.csv").read_text(encoding="utf-8").splitlines()
    e1 = [
        ln.replace("2025-12-15", "2026-01-15")
        for ln in lines[1:]
        if ln.startswith("2025-12-15,") and ",E1," in ln
    ]
    return ("\n".join([lines[0], *e1]) + "\n").encode("utf-8")


@pytest.fixture
def db(small_db, tmp_path):
    target = tmp_path / "partial.duckdb"
    shutil.copy(small_db, target)
    conn = store.connect(target)
    try:
        import_bytes(conn, _partial_january(), "personal_jan.csv", kind="staff", user="test")
    finally:
        conn.close()
    query.clear_cache()
    return target


def test_the_query_lists_the_incomplete_snapshot_for_the_organisation_only(db):
    conn = store.connect(db, read_only=True)
    try:
        rows = query.incomplete_snapshots(conn, query.Scope.everything())
        assert rows["snapshot_date"].to_list() == [JANUARY]
        row = rows.row(0, named=True)
        assert (row["people"], row["units"]) == (9, 1)
        assert (row["compared_people"], row["compared_units"]) == (22, 3)
        assert not row["counts"] and not row["confirmed"]
        assert query.incomplete_snapshots(conn, query.Scope.for_areas("Norr")).height == 0
    finally:
        conn.close()


def test_only_hr_may_confirm_and_the_confirmation_is_audited(db):
    conn = store.connect(db)
    try:
        leader = Viewer("ledning@kommun.se", "leadership", query.Scope.everything())
        with pytest.raises(PermissionError):
            view.confirm_snapshot(conn, leader, JANUARY)
        hr = Viewer("hr@kommun.se", "hr", query.Scope.everything())
        message = view.confirm_snapshot(conn, hr, JANUARY)
        assert message == ("Ögonblicksbilden 2026-01-15 är bekräftad och används nu i nyckeltalen.")
        events = audit.list_events(conn, action=audit.SNAPSHOT_CONFIRMED)
        assert events["user_email"].to_list() == ["hr@kommun.se"]
        assert events["target"].to_list() == ["2026-01-15"]
        latest = store.scalar(
            conn,
            "SELECT max(period) FROM key_figures WHERE indicator_id = 'certified_teacher_share' "
            "AND period_type = 'month'",
        )
        assert latest == "2026-01"
    finally:
        conn.close()


def test_datakvalitet_shows_the_snapshot_and_hr_confirms_it_with_a_button(db):
    at = run_page(db, PAGE, query_params={"ar": "2025"})
    assert not at.exception
    assert "Ofullständiga ögonblicksbilder" in texts(at)
    table = next(t.value for t in at.dataframe if "Jämförd med" in t.value.columns)
    assert table["Datum"].tolist() == ["2026-01-15"]
    assert table["Personer"].tolist() == ["9"]
    assert table["Jämförd med"].tolist() == ["2025-12-15: 22 personer i 3 enheter"]
    assert table["Status"].tolist()[0].startswith("Används inte i nyckeltalen")
    at.button(key="dq_confirm_2026-01-15").click().run()
    assert not at.exception
    assert "Ögonblicksbilden 2026-01-15 är bekräftad" in texts(at)
    table = next(t.value for t in at.dataframe if "Jämförd med" in t.value.columns)
    assert table["Status"].tolist()[0].startswith("Bekräftad av HR (demoläge) (")
    assert not [b for b in at.button if b.key == "dq_confirm_2026-01-15"]

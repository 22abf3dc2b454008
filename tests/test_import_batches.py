"""Idempotency, replacement, the import log and undo."""

from __future__ import annotations

import hashlib

import polars as pl
import pytest
from import_fixtures import (  # noqa: F401 (autouse fixture)
    SEED_STAFF,
    SEED_UNITS,
    database_contents,
    hooks_on,
    isolate_importer_from_hooks,
    seeded_db,
)

from kompetens.core import store
from kompetens.ingest import UndoRefused, import_bytes, import_file, list_imports, undo_batch

STAFF_HEADER = (
    "snapshot_date;employee_id;unit_id;staff_category;fte;employment_type;licensed;birth_year\n"
)


def staff_csv(*rows: str) -> bytes:
    return (STAFF_HEADER + "\n".join(rows) + "\n").encode()


def live_staff(conn) -> list[tuple]:
    return store.rows(
        conn,
        "SELECT snapshot_date::VARCHAR, employee_id, unit_id, fte FROM current_staff ORDER BY ALL",
    )


def test_importing_the_same_file_twice_changes_nothing_the_second_time():
    conn = seeded_db()
    before = database_contents(conn)
    again = import_file(conn, SEED_STAFF, user="test")
    assert again.already_imported
    assert again.rows_written == 0
    assert "redan importerad" in again.warnings[0]
    assert database_contents(conn) == before


def test_reimporting_a_snapshot_date_replaces_the_whole_snapshot():
    conn = seeded_db()
    first = import_bytes(
        conn,
        staff_csv(
            "2025-02-28;A;U1;teacher;1;permanent;Ja;1980",
            "2025-02-28;B;U2;teacher;0,5;permanent;Ja;1981",
        ),
        "feb.csv",
        user="t",
    )
    second = import_bytes(
        conn, staff_csv("2025-02-28;A;U1;teacher;0,8;permanent;Ja;1980"), "feb_rättad.csv", user="t"
    )
    assert (first.rows_written, first.rows_replaced) == (2, 0)
    assert (second.rows_written, second.rows_replaced) == (1, 2)
    feb = [r for r in live_staff(conn) if r[0] == "2025-02-28"]
    assert feb == [("2025-02-28", "A", "U1", 0.8)]
    # the January snapshot from the seed is untouched
    assert len([r for r in live_staff(conn) if r[0] == "2025-01-31"]) == 4


def test_the_same_content_in_a_different_file_leaves_the_current_views_identical():
    conn = seeded_db()
    views_before = {
        k: store.read_current(conn, k).sort(pl.all()).rows() for k in ("units", "staff")
    }
    text = SEED_UNITS.read_bytes() + b"\r\n"  # different bytes, same rows
    result = import_bytes(conn, text, "enheter_igen.csv", user="t")
    assert not result.already_imported
    assert result.rows_replaced == 4
    views_after = {k: store.read_current(conn, k).sort(pl.all()).rows() for k in ("units", "staff")}
    assert views_after == views_before


def test_identical_event_rows_collapse_into_one_event_with_a_warning_and_reimport_adds_nothing():
    conn = seeded_db()
    text = "händelsedatum;anställningsid;händelse;enhet_id;orsak\n2025-01-15;E9;avgång;U1;pension\n2025-01-15;E9;Avgång;U1;Pension\n2025-01-20;E10;nyanställning;U2;\n"
    result = import_bytes(conn, text.encode(), "handelser.csv", user="t")
    assert (result.rows_in, result.rows_written) == (3, 2)
    assert any("1 identiska dubblettrader slogs ihop" in w for w in result.warnings)
    again = import_bytes(conn, (text + "\n").encode(), "handelser_kopia.csv", user="t")
    assert (again.rows_written, again.rows_replaced) == (2, 2)
    assert store.rows(
        conn, "SELECT employee_id, event_type, reason FROM current_events ORDER BY ALL"
    ) == [
        ("E10", "hire", None),
        ("E9", "exit", "retirement"),
    ]


def test_every_import_is_logged_with_checksum_rows_and_user():
    conn = seeded_db()
    log = list_imports(conn)
    assert log["batch_id"].to_list() == [2, 1]  # newest first
    row = log.row(0, named=True)
    assert (
        row["file_name"],
        row["kind"],
        row["rows_in"],
        row["rows_written"],
        row["rows_rejected"],
        row["user_name"],
    ) == (
        "staff_cp1252_semicolon.csv",
        "staff",
        4,
        4,
        0,
        "test",
    )
    assert row["sha256"] == hashlib.sha256(SEED_STAFF.read_bytes()).hexdigest()
    assert row["imported_at"] is not None and row["undone_at"] is None


def test_undo_removes_the_batch_and_restores_the_rows_it_replaced():
    conn = seeded_db()
    jan_before = live_staff(conn)
    version = store.data_version(conn)
    result = import_bytes(
        conn, staff_csv("2025-01-31;A;U1;teacher;1;permanent;Ja;1980"), "jan_ny.csv", user="t"
    )
    assert result.rows_replaced == 4
    assert live_staff(conn) == [("2025-01-31", "A", "U1", 1.0)]
    undone = undo_batch(conn, result.batch_id, user="granskare")
    assert (undone.rows_removed, undone.rows_restored) == (1, 4)
    assert live_staff(conn) == jan_before
    log = list_imports(conn).row(0, named=True)
    assert log["undone_by"] == "granskare" and log["undone_at"] is not None
    assert store.data_version(conn) == version + 2
    # once undone, the same file can be imported again
    assert not import_bytes(
        conn, staff_csv("2025-01-31;A;U1;teacher;1;permanent;Ja;1980"), "jan_ny.csv", user="t"
    ).already_imported


def test_undoing_twice_or_an_unknown_batch_is_refused_clearly():
    conn = seeded_db()
    result = import_bytes(
        conn, staff_csv("2025-02-28;A;U1;teacher;1;permanent;Ja;1980"), "feb.csv", user="t"
    )
    undo_batch(conn, result.batch_id)
    with pytest.raises(UndoRefused, match=rf"Batch {result.batch_id} \(feb.csv\) är redan ångrad"):
        undo_batch(conn, result.batch_id)
    with pytest.raises(UndoRefused, match="Batch 999 finns inte i importloggen"):
        undo_batch(conn, 999)


def test_undo_is_refused_while_a_later_batch_has_replaced_its_rows():
    conn = seeded_db()
    first = import_bytes(
        conn, staff_csv("2025-02-28;A;U1;teacher;1;permanent;Ja;1980"), "feb.csv", user="t"
    )
    second = import_bytes(
        conn, staff_csv("2025-02-28;A;U1;teacher;0,5;permanent;Ja;1980"), "feb2.csv", user="t"
    )
    before = database_contents(conn)
    with pytest.raises(UndoRefused, match=f"Ångra batch {second.batch_id} först"):
        undo_batch(conn, first.batch_id)
    assert database_contents(conn) == before
    undo_batch(conn, second.batch_id)
    undo_batch(conn, first.batch_id)
    assert [r for r in live_staff(conn) if r[0] == "2025-02-28"] == []


def test_undoing_a_units_batch_is_refused_if_other_data_points_at_its_units():
    conn = seeded_db()  # batch 1 = units, batch 2 = staff on U1–U4
    before = database_contents(conn)
    with pytest.raises(
        UndoRefused,
        match=r"peka på enheter som inte längre finns \(personal \(ögonblicksbilder\): U1, U2, U3, U4\)",
    ):
        undo_batch(conn, 1)
    assert database_contents(conn) == before
    undo_batch(conn, 2)
    assert undo_batch(conn, 1).rows_removed == 4
    assert store.table_counts(conn)["units"] == 0


def test_hooks_run_after_an_import_and_an_undo_with_the_changed_kind(hooks_on):  # noqa: F811 (fixture)
    calls = []

    def record(conn, kinds, progress):
        calls.append((sorted(kinds), store.data_version(conn)))

    hooks_on(record)
    conn = store.connect(":memory:")
    result = import_file(conn, SEED_UNITS, user="t")
    undo_batch(conn, result.batch_id)
    assert calls == [(["units"], 1), (["units"], 2)]


def test_progress_is_reported_from_zero_to_one():
    conn = store.connect(":memory:")
    seen = []
    import_file(conn, SEED_UNITS, progress=lambda f, m: seen.append(f))
    assert seen[0] == 0.0 and seen[-1] == 1.0 and seen == sorted(seen)


def test_a_failing_after_change_hook_does_not_hide_that_the_import_was_saved(hooks_on):  # noqa: F811 (fixture)
    def broken(conn, kinds, progress):
        raise RuntimeError("trasig")

    hooks_on(broken)
    conn = store.connect(":memory:")
    result = import_file(conn, SEED_UNITS, user="t")
    assert result.rows_written == 4 and store.table_counts(conn)["units"] == 4
    assert (
        result.warnings[-1]
        == "Ändringen är sparad, men nyckeltalen kunde inte räknas om (RuntimeError: trasig)."
    )


def test_the_import_and_undo_messages_agree_in_number_and_write_thousands_in_swedish():
    from kompetens.ingest.api import ImportResult
    from kompetens.ingest.writer import UndoResult

    one = ImportResult(3, "units", "enheter.csv", "x", 2, 1, 1, 1, [])
    assert str(one) == (
        "enheter.csv (enheter): 1 rad importerad, 1 tidigare rad ersatt, 1 rad avvisad "
        "(se None) – batch 3."
    )
    many = ImportResult(4, "units", "enheter.csv", "x", 12345, 12345, 0, 0, [])
    # 12345 with a no-break space as the thousands separator; 0 takes the plural
    assert str(many) == (
        "enheter.csv (enheter): 12\u00a0345 rader importerade, 0 tidigare rader ersatta – batch 4."
    )
    only = ImportResult(None, "units", "enheter.csv", "x", 1, 0, 0, 1, [])
    assert "inga rader importerades – den enda raden avvisades" in str(only)
    undone = UndoResult(5, "units", "enheter.csv", 1, 2, None)
    assert str(undone) == (
        "Batch 5 (enheter.csv) är ångrad: 1 rad togs bort och 2 tidigare rader återställdes."
    )

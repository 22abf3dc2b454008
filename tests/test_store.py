from kompetens.core import store
from kompetens.core.contract import KINDS


def test_a_new_database_gets_every_contract_table_and_the_newest_schema_version():
    conn = store.connect(":memory:")
    # 1 contract tables, 2 key_figures, 3 dialogues, 4 audit_events, 5 users, 6 import_profiles,
    # 7 key_figure_suppression (the stored mask), 8 external_benchmarks, 9 support_register,
    # 10 teaching_assignment, 11 projection_scenarios, 12 user_functions, 13 dialogue_rounds,
    # 14 themes, 15 certification_path, 16 recruitment subject, 17 allocation
    assert store.schema_version(conn) == 17
    assert set(store.table_counts(conn)) == set(KINDS)
    assert store.data_version(conn) == 0


def test_migrating_twice_changes_nothing_and_keeps_the_data(tmp_path):
    db = tmp_path / "k.duckdb"
    conn = store.connect(db)
    conn.execute(
        "INSERT INTO targets VALUES ('certified_teacher_share', 'org', 2025, 0.8, 1, NULL)"
    )
    conn.close()
    conn = store.connect(db)
    assert store.table_counts(conn)["targets"] == 1
    assert store.rows(conn, "SELECT version FROM schema_version ORDER BY 1") == [
        (1,),
        (2,),
        (3,),
        (4,),
        (5,),
        (6,),
        (7,),
        (8,),
        (9,),
        (10,),
        (11,),
        (12,),
        (13,),
        (14,),
        (15,),
        (16,),
        (17,),
    ]


def test_a_failed_transaction_writes_nothing():
    conn = store.connect(":memory:")
    try:
        with store.transaction(conn):
            conn.execute("INSERT INTO targets VALUES ('x', 'org', 2025, 0.8, 1, NULL)")
            raise RuntimeError("boom")
    except RuntimeError:
        pass
    assert store.table_counts(conn)["targets"] == 0


def test_superseded_rows_are_hidden_from_the_current_view():
    conn = store.connect(":memory:")
    conn.execute(
        "INSERT INTO targets VALUES ('x', 'org', 2025, 0.8, 1, 2), ('x', 'org', 2025, 0.9, 2, NULL)"
    )
    assert store.rows(conn, "SELECT target FROM current_targets") == [(0.9,)]


def test_the_data_version_counts_changes():
    conn = store.connect(":memory:")
    assert store.bump_data_version(conn) == 1
    assert store.bump_data_version(conn) == 2

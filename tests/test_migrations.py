"""Schema migrations: declared version numbers, explicit wiring, refusals, and a real older database.

``tests/fixtures/databases/release-fc88928.duckdb`` was written by release
fc88928 (before the layer folders and the explicit wiring; see the README in
that folder). Today's code must open it without changing a row.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kompetens import query, wiring
from kompetens.access import audit, auth
from kompetens.core import hooks, store, themes
from kompetens.dialogue import dialogues
from kompetens.indicators import engine, registry
from kompetens.ingest import catalogue

RELEASE_DB = Path(__file__).parent / "fixtures" / "databases" / "release-fc88928.duckdb"
ROOT = Path(__file__).parent.parent

#: What release fc88928 wrote into the fixture (see its README): 200 staff, two years, seed 42,
#: plus one undone import, one dialogue with one action, two users and three audit events.
RELEASE_ROWS = {
    "import_log": 10,  # the nine demo files + a targets file that was then undone
    "units": 9,
    "staff": 4158,
    "targets": 22,  # the undone batch's 20 rows were removed, the first 22 stayed live
    "key_figures": 8193,
    "key_figures_meta": 1,
    "dialogue_notes": 1,
    "dialogue_actions": 1,
    "audit_events": 3,  # two user_added, one sign_in
    "users": 2,
    "schema_version": 5,
}

#: Every migration of today's code, as its owner declares it (version, name). A new table adds a
#: line here; the tests below read the newest version from this list, not from a literal.
DECLARED = [
    (1, "core_tables"),
    (2, "key_figures"),
    (3, "dialogues"),
    (4, "audit_events"),
    (5, "users"),
    (6, "import_profiles"),
    (7, "key_figure_suppression"),
    (8, "external_benchmarks"),
    (9, "support_register"),
    (10, "teaching_assignment"),
    (11, "projection_scenarios"),
    (12, "user_functions"),
    (13, "dialogue_rounds"),
    (14, "themes"),
    (15, "certification_path"),
    (16, "recruitment_subject"),
    (17, "allocation"),
]
LATEST = DECLARED[-1][0]


@pytest.fixture
def isolated_registry(monkeypatch):
    """A copy of the migration registry for tests that register throwaway migrations."""
    monkeypatch.setattr(store, "_REGISTERED", dict(store._REGISTERED))


def _raw_counts(db: Path) -> dict[str, int]:
    """Row count of every base table, read with plain DuckDB (no Kompetens code, no migration)."""
    with duckdb.connect(str(db), read_only=True) as raw:
        tables = [
            r[0]
            for r in raw.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_type = 'BASE TABLE'"
            ).fetchall()
        ]
        return {t: raw.execute(f"SELECT count(*) FROM {t}").fetchall()[0][0] for t in tables}


def _columns(conn) -> list[tuple]:
    return store.rows(
        conn,
        """SELECT table_name, ordinal_position, column_name, data_type
        FROM information_schema.columns WHERE table_schema = 'main' ORDER BY 1, 2""",
    )


# --- declared versions and wiring ------------------------------------------------------------


def test_each_migration_carries_the_version_number_its_owner_declares():
    registered = [(m.version, m.name) for m in store.registered_migrations()]
    assert registered == DECLARED
    assert store.CORE_MIGRATION.version == 1
    assert engine.KEY_FIGURES_MIGRATION.version == 2
    assert dialogues.DIALOGUE_MIGRATION.version == 3
    assert audit.AUDIT_MIGRATION.version == 4
    assert auth.USERS_MIGRATION.version == 5


def test_wiring_twice_registers_each_migration_and_the_recompute_hook_once():
    before = store.registered_migrations()
    wiring.wire()
    wiring.wire()
    assert store.registered_migrations() == before
    assert hooks._CALLBACKS.count(engine.recompute_after_change) == 1
    units = catalogue.indicator_units()
    assert units["certified_teacher_share"] == "share"
    assert set(units) == set(registry.REGISTRY)


def test_a_process_that_has_not_wired_cannot_open_a_database_and_import_order_does_not_matter(
    tmp_path,
):
    # A fresh interpreter: importing the table owners (users first, the engine last) registers
    # nothing, connect refuses, and after wire() the versions are the declared ones.
    script = """
import sys
from kompetens.access import auth
from kompetens.dialogue import dialogues
from kompetens.indicators import engine
from kompetens.core import hooks, store, themes
try:
    store.connect(sys.argv[1])
except store.NotWiredError as exc:
    print("refused:", exc)
print("callbacks:", len(hooks._CALLBACKS))
from kompetens.ingest import catalogue
try:
    catalogue.indicator_units()
except RuntimeError as exc:
    print("catalogue refused:", exc)
from kompetens import wiring
wiring.wire()
print("versions:", [(m.version, m.name) for m in store.registered_migrations()])
print("schema:", store.schema_version(store.connect(":memory:")))
print("share unit:", catalogue.indicator_units()["certified_teacher_share"])
"""
    db = tmp_path / "never.duckdb"
    out = subprocess.run(
        [sys.executable, "-c", script, str(db)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert not db.exists()  # refused before the file was created
    assert "refused: kompetens.core.store: the migrations are not registered" in out
    assert "kompetens.wiring.wire()" in out
    assert "callbacks: 0" in out
    assert "catalogue refused: kompetens.ingest.catalogue: no indicator catalogue installed" in out
    assert f"versions: {DECLARED}" in out
    assert f"schema: {LATEST}" in out
    assert "share unit: share" in out


# --- refusals ----------------------------------------------------------------------------------


def test_a_different_migration_cannot_take_a_registered_version_number(isolated_registry):
    clash = store.Migration(3, "notes_v2", lambda: ["CREATE TABLE notes_v2 (x INTEGER)"])
    with pytest.raises(store.SchemaError, match="version 3 is already 'dialogues'"):
        store.register_migration(clash)
    assert store.registered_migrations()[2] is dialogues.DIALOGUE_MIGRATION


def test_registering_an_equal_migration_again_is_a_no_op(isolated_registry):
    # A new object with the same number, name and statements (e.g. after a module reload).
    again = store.Migration(4, "audit_events", audit._migration_audit)
    assert store.register_migration(again) is audit.AUDIT_MIGRATION
    assert len(store.registered_migrations()) == LATEST


def test_one_migration_cannot_be_registered_under_two_version_numbers(isolated_registry):
    moved = store.Migration(LATEST + 1, "users", auth._migration_users)
    with pytest.raises(store.SchemaError, match=f"'users' is already version 5, not {LATEST + 1}"):
        store.register_migration(moved)


def test_a_gap_in_the_version_numbers_is_refused_before_anything_is_written(isolated_registry):
    skipped = LATEST + 1
    store.register_migration(
        store.Migration(LATEST + 2, "after_gap", lambda: ["CREATE TABLE t_gap (x INTEGER)"])
    )
    conn = duckdb.connect(":memory:")
    with pytest.raises(store.SchemaError, match=rf"missing \[{skipped}\]"):
        store.migrate(conn)
    assert store.rows(conn, "SELECT count(*) FROM information_schema.tables") == [(0,)]
    with pytest.raises(store.SchemaError, match=rf"missing \[{skipped}\]"):
        wiring.wire()


def test_migrations_run_in_version_order_not_in_registration_order(isolated_registry, tmp_path):
    db = tmp_path / "k.duckdb"
    store.connect(db).close()  # version LATEST
    first, second = LATEST + 1, LATEST + 2
    # Registered `second` before `first`; `second` fills the table `first` creates, so the wrong
    # order would fail.
    store.register_migration(
        store.Migration(second, "fill_t6", lambda: ["INSERT INTO t6 VALUES (42)"])
    )
    store.register_migration(store.Migration(first, "t6", lambda: ["CREATE TABLE t6 (x INTEGER)"]))
    conn = store.connect(db)
    assert store.rows(conn, "SELECT version FROM schema_version ORDER BY 1") == [
        (v,) for v in range(1, second + 1)
    ]
    assert store.rows(conn, "SELECT x FROM t6") == [(42,)]


@given(order=st.permutations([1, 2, 3, 4]))
@settings(max_examples=25, deadline=None)
def test_whatever_the_registration_order_migrations_apply_in_version_order(order):
    saved = store._REGISTERED
    store._REGISTERED = dict(saved)
    try:
        # The first new version creates a log table; the next three each append their number.
        a = LATEST + 1
        steps = {a: ["CREATE TABLE applied (version INTEGER)", f"INSERT INTO applied VALUES ({a})"]}
        for v in (a + 1, a + 2, a + 3):
            steps[v] = [f"INSERT INTO applied VALUES ({v})"]
        for offset in order:  # LATEST + 1 ... LATEST + 4, registered in any order
            v = LATEST + offset
            store.register_migration(store.Migration(v, f"step{v}", lambda v=v: steps[v]))
        conn = store.connect(":memory:")
        assert store.rows(conn, "SELECT version FROM applied") == [
            (a,),
            (a + 1,),
            (a + 2,),
            (a + 3,),
        ]
        assert store.schema_version(conn) == a + 3
    finally:
        store._REGISTERED = saved


def test_an_older_program_refuses_a_newer_database_in_swedish_and_changes_nothing(tmp_path):
    db = tmp_path / "newer.duckdb"
    conn = store.connect(db)
    newer = LATEST + 1
    conn.execute("INSERT INTO schema_version (version) VALUES (?)", [newer])  # a later Kompetens
    conn.close()
    for read_only in (False, True):
        with pytest.raises(store.NewerDatabaseError) as refused:
            store.connect(db, read_only=read_only)
        message = str(refused.value)
        assert f"Databasen {db} har schemaversion {newer}" in message
        assert f"känner bara till version {LATEST}" in message
        assert "Uppgradera Kompetens" in message
    assert _raw_counts(db)["schema_version"] == newer


# --- a database written by the previous release -----------------------------------------------


@pytest.fixture
def release_db(tmp_path) -> Path:
    copy = tmp_path / "release.duckdb"
    shutil.copyfile(RELEASE_DB, copy)
    return copy


def test_the_release_fixture_holds_what_its_readme_says(release_db):
    counts = _raw_counts(release_db)
    assert {t: counts[t] for t in RELEASE_ROWS} == RELEASE_ROWS


def test_a_database_from_release_fc88928_migrates_to_the_latest_version_with_every_row_unchanged(
    release_db,
):
    before = _raw_counts(release_db)
    with duckdb.connect(str(release_db), read_only=True) as raw:
        versions_before = raw.execute("SELECT * FROM schema_version ORDER BY 1").fetchall()
    conn = store.connect(release_db)
    assert store.schema_version(conn) == LATEST
    # The release's five version rows stay as they were; the newer migrations add theirs.
    after_versions = store.rows(conn, "SELECT * FROM schema_version ORDER BY 1")
    assert after_versions[:5] == versions_before
    assert [v for v, _ in after_versions[5:]] == list(range(6, LATEST + 1))
    conn.close()
    after = _raw_counts(release_db)
    assert {t: after[t] for t in before if t != "schema_version"} == {
        t: n for t, n in before.items() if t != "schema_version"
    }
    assert after["schema_version"] == LATEST
    # New tables start empty, except the theme list, which version 14 seeds with its defaults.
    assert after["themes"] == len(themes.DEFAULT_THEMES)
    assert all(after[t] == 0 for t in set(after) - set(before) - {"themes"})


def test_a_database_from_release_fc88928_has_exactly_the_schema_of_a_new_database(
    release_db, tmp_path
):
    old = store.connect(release_db)
    new = store.connect(tmp_path / "new.duckdb")
    assert _columns(old) == _columns(new)


def test_todays_query_layer_and_record_modules_read_the_release_database(release_db):
    conn = store.connect(release_db)
    query.clear_cache()
    everything = query.Scope.everything()
    cards = query.headline(conn, everything, ["certified_teacher_share"], "year")
    # The release computed 2026 from 55.1 certified of 72.55 teacher FTE (= 0.75948); the
    # whole-table mask today's code computes for this database (it has none stored) hides it
    # (secondary), so the card reads the row and shows it hidden
    assert cards.select("scope_id", "period", "suppressed").rows() == [("org", "2026", True)]
    assert cards["value"].item() is None
    # 2025 stays visible: 43.15 certified of 54.9 teacher FTE = 0.78597
    cards = query.headline(conn, everything, ["certified_teacher_share"], "year", "2025")
    assert cards.select("scope_id", "period", "suppressed").rows() == [("org", "2025", False)]
    assert cards["value"].item() == pytest.approx(43.15 / 54.9)
    notes = dialogues.dialogue_history(conn, query.Scope.everything(), "E1001")
    assert notes["notes"].to_list() == ["Behörigheten sjunker; planera VAL."]
    assert sorted(auth.list_users(conn)["email"]) == ["hr@example.se", "rektor@example.se"]


def test_figures_from_the_release_are_recomputed_by_todays_code_when_the_app_starts(release_db):
    conn = store.connect(release_db)
    assert engine.is_stale(conn)  # the release's code fingerprint differs from today's
    assert engine.refresh_if_stale(conn)
    assert not engine.is_stale(conn)
    assert store.scalar(conn, "SELECT count(*) FROM key_figures") > 0
    assert store.scalar(conn, "SELECT count(*) FROM dialogue_notes") == 1

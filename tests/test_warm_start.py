"""Warm start: the query cache pinned once per run, and warmed in the background, never stale.

The database is a hand-built key-figure file (``kf_helpers``) published as a
read-only snapshot, as the app reads it; "an import" is a writer that bumps
the data version and writes new key figures, then publishes a new snapshot.
"""

from __future__ import annotations

import time

import pytest

try:  # tests/ may or may not be a package
    from tests.kf_helpers import fixture_db, kf, turnover_rows, write_key_figures
except ImportError:
    from kf_helpers import fixture_db, kf, turnover_rows, write_key_figures

from kompetens import query as q
from kompetens.core import snapshot, store
from kompetens.ops import database
from kompetens.query import cache
from kompetens.ui import warmup

ALL = q.Scope.everything()


@pytest.fixture
def published(tmp_path):
    """A database file with the fixture figures, published; yields its path."""
    q.clear_cache()
    path = tmp_path / "warm.duckdb"
    with database.writing(path, "test") as conn:
        fixture_db(conn)
    yield path
    warmup.stop_warmers()
    q.clear_cache()


def _import_new_turnover(path, numerator: int) -> None:
    """An import: the data version goes up and the organisation's 2025 turnover changes."""
    with database.writing(path, "test-import") as conn:
        store.bump_data_version(conn)
        rows = [r for r in turnover_rows() if r[1] != "org"] + [
            kf("turnover_rate", "org", "org", "year", "2025", numerator, 115, 115)
        ]
        write_key_figures(conn, rows)


def _org_turnover(conn) -> float:
    return q.series(conn, ALL, "turnover_rate", "org", "org", "year")["value"].to_list()[-1]


@pytest.fixture
def stamp_queries(monkeypatch):
    """Counts the stamp queries the cache makes (each is one round trip to DuckDB)."""
    calls = {"n": 0}
    real = cache._identity_and_stamp

    def counting(cur):
        calls["n"] += 1
        return real(cur)

    monkeypatch.setattr(cache, "_identity_and_stamp", counting)
    return calls


def test_a_pinned_run_answers_repeated_calls_without_a_stamp_query(published, stamp_queries):
    reader = snapshot.Reader(published)
    conn = reader.connection()
    assert warmup.begin_run(str(published), conn) is True  # one stamp query, for the whole run
    assert stamp_queries["n"] == 1
    first = q.unit_table(conn.cursor(), ALL, ["certified_teacher_share"], "year", "2025")
    assert stamp_queries["n"] == 2  # a miss checks its own cursor's stamp before it stores
    for _ in range(5):  # the page's reruns and repeated calls: no stamp query at all
        again = q.unit_table(conn.cursor(), ALL, ["certified_teacher_share"], "year", "2025")
        assert again is first
    assert stamp_queries["n"] == 2


def test_without_a_pin_every_cached_call_checks_the_stamp(published, stamp_queries):
    conn = snapshot.Reader(published).connection()
    cache.unpin()
    for _ in range(3):
        q.unit_table(conn.cursor(), ALL, ["certified_teacher_share"], "year", "2025")
    assert stamp_queries["n"] == 3


def test_after_an_import_the_next_call_sees_the_new_data_never_the_pinned_old(published):
    reader = snapshot.Reader(published)
    old_conn = reader.connection()
    assert warmup.begin_run(str(published), old_conn)
    assert _org_turnover(old_conn) == pytest.approx(16 / 115)  # fixture: 16 leavers of 115
    _import_new_turnover(published, 23)
    new_conn = reader.connection()
    assert new_conn is not old_conn  # the reader follows the new publication
    # Same thread, pin never renewed: the publication turns it off at the next call.
    assert _org_turnover(new_conn) == pytest.approx(23 / 115)
    assert cache.current_pin() is None
    assert store.data_version(new_conn.cursor()) == store.data_version(old_conn.cursor()) + 1


def test_a_writer_at_work_turns_the_pin_off(published):
    conn = snapshot.Reader(published).connection()
    assert warmup.begin_run(str(published), conn)
    assert cache.current_pin() is not None
    with database.writing(published, "test-writer"):
        assert cache.current_pin() is None  # its writes may be read through the pinned thread
        assert warmup.begin_run(str(published), conn) is False


def test_a_miss_on_other_data_drops_the_pin_and_answers_from_that_data(published):
    conn = snapshot.Reader(published).connection()
    assert warmup.begin_run(str(published), conn)
    assert _org_turnover(conn) == pytest.approx(16 / 115)
    other = store.connect(":memory:")
    fixture_db(other)
    write_key_figures(other, [kf("turnover_rate", "org", "org", "year", "2025", 1, 4, 50)])
    # A call not yet cached misses, finds its cursor on other data, answers from it and unpins;
    # from then on the thread checks every call's stamp, so the first call is right again too.
    q.unit_table(other, ALL, ["turnover_rate"], "year", "2025")  # only org rows: an empty table
    assert cache.current_pin() is None
    assert _org_turnover(other) == pytest.approx(0.25)  # 1 / 4
    other.close()


def test_warming_replays_recent_calls_on_the_new_snapshot_with_the_new_figures(
    published, stamp_queries
):
    reader = snapshot.Reader(published)
    old_conn = reader.connection()
    cache.unpin()
    assert _org_turnover(old_conn) == pytest.approx(16 / 115)  # a page asked this before
    _import_new_turnover(published, 30)
    new_conn = reader.connection()
    done = warmup.warm_once(new_conn, period_types=("year",))
    assert done["replayed"] >= 1 and done["slices"] >= 1
    # The page's next run: pinned, and its call is already in the cache with the new figure.
    assert warmup.begin_run(str(published), new_conn)
    before = stamp_queries["n"]
    assert _org_turnover(new_conn) == pytest.approx(30 / 115)
    assert stamp_queries["n"] == before  # a hit: warmed, no query of any kind


def test_a_new_snapshot_with_the_same_data_keeps_the_cache_and_new_data_drops_it(published):
    reader = snapshot.Reader(published)
    cache.unpin()
    first = q.series(reader.connection(), ALL, "turnover_rate", "org", "org", "year")
    # An audit event: a new snapshot file, but no new data and no new key figures.
    with database.writing(published, "test-audit") as conn:
        conn.execute("INSERT INTO meta VALUES ('note', 'x')")
    assert str(reader.published.file) != str(snapshot.read_pointer(published).file)
    again = q.series(reader.connection(), ALL, "turnover_rate", "org", "org", "year")
    assert again is first  # the same answer, from the cache
    _import_new_turnover(published, 23)
    newer = q.series(reader.connection(), ALL, "turnover_rate", "org", "org", "year")
    assert newer["value"].to_list()[-1] == pytest.approx(23 / 115)
    assert all(k[2] == cache.stamp_of(reader.connection())[1] for k in cache._CACHE)  # old gone


def test_the_background_warmer_fills_the_cache_after_a_publication(published, monkeypatch):
    monkeypatch.setattr(warmup, "POLL_SECONDS", 0.05)
    reader = snapshot.Reader(published)
    cache.unpin()
    _org_turnover(reader.connection())  # a page's call, to be replayed on every new snapshot
    assert warmup.ensure_warmer(str(published), reader.connection) is True
    assert warmup.ensure_warmer(str(published), reader.connection) is False  # exactly one
    _import_new_turnover(published, 40)
    _identity, new_stamp = cache.stamp_of(snapshot.Reader(published).connection())
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if any(k[0] == "series" and k[2] == new_stamp for k in list(cache._CACHE)):
            break
        time.sleep(0.05)
    else:
        pytest.fail("the warmer did not replay the page's call on the new snapshot")
    key = next(k for k in list(cache._CACHE) if k[0] == "series" and k[2] == new_stamp)
    assert cache._CACHE[key]["value"].to_list()[-1] == pytest.approx(40 / 115)


def _counting(monkeypatch, module, name: str, runs: dict) -> None:
    real = getattr(module, name)

    def counted(*args, **kwargs):
        runs[name] = runs.get(name, 0) + 1
        return real(*args, **kwargs)

    monkeypatch.setattr(module, name, counted)


def test_after_warming_a_principal_and_an_area_manager_find_the_shared_blocks_computed(
    published, monkeypatch
):
    from kompetens.analysis import support
    from kompetens.query import projection

    runs: dict = {}
    _counting(monkeypatch, support, "support_need_index", runs)  # the whole ranking
    _counting(monkeypatch, projection, "_model", runs)  # the projection's model and run
    conn = snapshot.Reader(published).connection()
    cache.unpin()
    done = warmup.warm_once(conn, period_types=())
    assert done["shared"] == 5
    assert runs == {"support_need_index": 1, "_model": 1}  # once each, for the organisation
    # The warmer's own calls are not remembered as pages' calls (it replays those first).
    assert cache.recent_calls() == []
    for scope in (q.Scope.for_units(["N1"], ["Nord"]), q.Scope.for_areas("Nord")):
        q.support_need(conn, scope)
        projection.projection(conn, scope)
    # Two more scopes asked: each filtered the warmed results, nothing was computed again.
    assert runs == {"support_need_index": 1, "_model": 1}


def test_without_the_shared_blocks_a_new_scope_computes_the_ranking_itself(published, monkeypatch):
    from kompetens.analysis import support

    runs: dict = {}
    _counting(monkeypatch, support, "support_need_index", runs)
    conn = snapshot.Reader(published).connection()
    cache.unpin()
    assert warmup.warm_once(conn, period_types=(), shared=False)["shared"] == 0
    assert runs == {}
    q.support_need(conn, q.Scope.for_units(["N1"], ["Nord"]))
    assert runs == {"support_need_index": 1}


def test_two_scopes_asking_while_the_ranking_is_computed_wait_for_it_instead_of_computing_it_twice(
    published, monkeypatch
):
    import threading

    from kompetens.analysis import support

    runs = {"n": 0}
    real = support.support_need_index

    def slow(*args, **kwargs):
        runs["n"] += 1
        time.sleep(0.5)  # the warmer on the organisation's ranking at 50,000 staff: seconds
        return real(*args, **kwargs)

    monkeypatch.setattr(support, "support_need_index", slow)
    conn = snapshot.Reader(published).connection()
    cache.unpin()
    scopes = (q.Scope.everything(), q.Scope.for_units(["N1"], ["Nord"]))
    out: dict = {}
    threads = [
        threading.Thread(target=lambda s=s: out.setdefault(s, q.support_need(conn, s)))
        for s in scopes
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert runs["n"] == 1
    assert set(out[scopes[1]]["unit_id"]) <= set(out[scopes[0]]["unit_id"])
    assert out[scopes[1]]["unit_id"].to_list() == ["N1"]


def test_a_publication_without_new_data_in_the_middle_of_warming_does_not_leave_it_half_done(
    published, monkeypatch
):
    monkeypatch.setattr(warmup, "POLL_SECONDS", 0.05)
    results: list[dict] = []
    real = warmup.warm_once

    def warm(conn, **kwargs):
        if not results:  # a sign-in's audit event publishes a new snapshot, same data
            with database.writing(published, "test-audit") as writer:
                writer.execute("INSERT INTO meta VALUES ('note', 'sign-in')")
        results.append(real(conn, **kwargs))
        return results[-1]

    monkeypatch.setattr(warmup, "warm_once", warm)
    reader = snapshot.Reader(published)
    assert warmup.ensure_warmer(str(published), reader.connection)
    deadline = time.monotonic() + 20
    while len(results) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(results) >= 2, results  # taken up again on the new snapshot
    assert results[0]["slices"] == 0 and results[0]["shared"] == 0  # cut short at once
    assert results[1]["slices"] > 0 and results[1]["shared"] == 5  # then run to the end

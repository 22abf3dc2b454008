"""The stored suppression mask: one whole-table pattern for pages, briefs and the export.

The fixtures are the hand-made leak classes of ``tests/test_suppression_attack.py``
(their arithmetic is in the comments there), written into a store as if the engine
had computed them. Per slice (one indicator and period type at a time) they are
suppressed differently from the whole table; a page must hide what the export hides.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import polars as pl
import pytest

from kompetens import query
from kompetens.core import hooks, store
from kompetens.indicators import engine
from kompetens.ingest import import_file
from kompetens.query import suppression_store
from kompetens.query.export import figures_frame
from kompetens.query.suppression import apply_suppression
from tests.app_support import build_small_db, run_page
from tests.test_suppression_attack import (
    NO_SETS,
    UNITS_A,
    UNITS_B,
    hidden,
    per_slice,
    programme_and_path,
    year_and_rolling,
)

KEYS = suppression_store.KEY_COLUMNS
NB = "\u00a0"


def store_with_figures(root: Path, figures: pl.DataFrame, units: dict[str, str]):
    """A store whose units are ``units`` (unit -> area, through the importer) and whose key
    figures are ``figures``, written as the engine writes a recompute: the figures, their
    ``key_figures_meta`` stamp and the mask (the after-recompute callbacks) in one transaction."""
    csv = root / "units.csv"
    lines = ["unit_id,unit_name,area,school_form,socioeconomic_index"]
    lines += [f"{u},Enhet {u},{area},grundskola,1.0" for u, area in units.items()]
    csv.write_text("\n".join(lines) + "\n", encoding="utf-8")
    conn = store.connect(root / "kf.duckdb")
    import_file(conn, csv, kind="units", user="test")
    with store.transaction(conn):
        conn.execute("DELETE FROM key_figures")
        conn.register("_fixture", figures)
        try:
            conn.execute("INSERT INTO key_figures SELECT *, now() FROM _fixture")
        finally:
            conn.unregister("_fixture")
        conn.execute("UPDATE key_figures_meta SET computed_at = now()")
        hooks.figures_recomputed(conn, lambda fraction, message: None)
    query.clear_cache()
    return conn


def hidden_keys(frame: pl.DataFrame) -> set[tuple]:
    return set(frame.filter(pl.col("suppressed")).select(KEYS).iter_rows())


def page_rows(conn, indicator_ids: list[str]) -> pl.DataFrame:
    """Every row the pages read (one slice per indicator and period type)."""
    return query.figures(
        conn, query.Scope.everything(), indicator_ids, ("year", "rolling_12m", "month")
    )


# --- a page hides what the export hides -------------------------------------------------------


def test_a_page_hides_a_count_where_another_indicator_publishes_it_as_the_export_does(tmp_path):
    kf = programme_and_path()
    # Per slice, path 2024 rests on 10, 12 and 15 people and shows all three units, so its
    # numerators 2 and 7 give away programme's hidden u1 and u2.
    assert hidden(per_slice(kf, UNITS_A, **NO_SETS), "path", "year", "2024") == []
    conn = store_with_figures(tmp_path, kf, UNITS_A)
    assert suppression_store.mask_state(conn) == suppression_store.CURRENT
    shown = page_rows(conn, ["path"])
    assert hidden(shown, "path", "year", "2024") == ["u1", "u2"]
    # u3 stays visible: 9 in a programme of 15 uncertified = 60 %.
    u3 = shown.filter(
        (pl.col("scope_id") == "u3") & (pl.col("period") == "2024") & (pl.col("level") == "unit")
    ).row(0, named=True)
    assert (u3["suppressed"], u3["numerator"], u3["value"]) == (False, 9.0, pytest.approx(0.6))
    assert hidden(page_rows(conn, ["programme"]), "programme", "year", "2024") == ["u1", "u2"]
    exported = figures_frame(conn)
    assert hidden_keys(page_rows(conn, ["path", "programme"])) == hidden_keys(exported)


def test_a_page_hides_a_year_and_its_december_window_together_as_the_export_does(tmp_path):
    kf = year_and_rolling()
    per = per_slice(kf, UNITS_B, **NO_SETS)
    # Alone, the year hides u1 and u2 (8 < 20), the window u1 and u3 (6 < 8).
    assert hidden(per, "hours", "year", "2024") == ["u1", "u2"]
    assert hidden(per, "hours", "rolling_12m", "2024-12") == ["u1", "u3"]
    conn = store_with_figures(tmp_path, kf, UNITS_B)
    year = query.figures(conn, query.Scope.everything(), ["hours"], ("year",))
    window = query.figures(conn, query.Scope.everything(), ["hours"], ("rolling_12m",))
    # Together: the second cell is u3 in both (fewest links; see test_suppression_attack.py).
    assert hidden(year, "hours", "year", "2024") == ["u1", "u3"]
    assert hidden(window, "hours", "rolling_12m", "2024-12") == ["u1", "u3"]
    assert hidden_keys(page_rows(conn, ["hours"])) == hidden_keys(figures_frame(conn))
    # Hidden cells carry no number on the page; the mask says why.
    u1 = (pl.col("scope_id") == "u1") & (pl.col("period") == "2024")
    assert year.filter(u1).select("value", "numerator", "n_individuals").rows() == [
        (None, None, None)
    ]
    assert stored(conn).filter(u1)["suppression_reason"].to_list() == ["primary"]  # 3 people


# --- the mask follows every recompute ----------------------------------------------------------


@pytest.fixture
def small(tmp_path):
    conn = store.connect(build_small_db(tmp_path / "small.duckdb"))
    query.clear_cache()
    yield conn
    conn.close()


def whole_table(conn) -> pl.DataFrame:
    """The whole key-figure table suppressed in one call, as the export did it before the mask."""
    figures = store.frame(
        conn,
        "SELECT indicator_id, level, scope_id, period_type, period, breakdown, numerator, "
        "denominator, value, n_individuals FROM key_figures "
        "ORDER BY indicator_id, period_type, period, level, scope_id, breakdown",
    )
    units = store.frame(conn, "SELECT unit_id, area FROM current_units")
    return apply_suppression(figures, units, with_reason=True).select(
        *KEYS, "suppressed", "suppression_reason"
    )


def stored(conn) -> pl.DataFrame:
    return store.frame(
        conn,
        "SELECT indicator_id, level, scope_id, period_type, period, breakdown, suppressed, "
        "reason AS suppression_reason FROM key_figure_suppression",
    )


def test_an_import_recomputes_the_mask_incrementally_and_it_equals_the_whole_table(small, tmp_path):
    before = suppression_store.stored_stamp(small)
    extra = tmp_path / "utveckling.csv"
    extra.write_text(
        "employee_id,activity_date,activity_type,hours,unit_id\nP03,2025-11-05,course,8,E1\n",
        encoding="utf-8",
    )
    import_file(small, extra, kind="development", user="test")
    # Incremental: only the development block was redone, the staff figures keep their time.
    assert store.scalar(small, "SELECT count(DISTINCT computed_at) FROM key_figures") > 1
    after = suppression_store.stored_stamp(small)
    assert after["figures"] == suppression_store.figures_stamp(small)
    assert after["figures"][0] == before["figures"][0] + 1  # the import's data version
    assert suppression_store.mask_state(small) == suppression_store.CURRENT
    expected = whole_table(small).sort(KEYS)
    got = stored(small).sort(KEYS)
    assert got.height == store.scalar(small, "SELECT count(*) FROM key_figures")
    assert got.equals(expected)


def test_a_full_recompute_stores_the_mask_with_the_figures_stamp(small):
    engine.recompute(small)
    stamp = suppression_store.stored_stamp(small)
    meta = engine.read_meta(small)
    assert stamp["figures"][:2] == (meta["data_version"], meta["computed_at"])
    assert stamp["suppression_code"] == suppression_store.suppression_code()
    assert stored(small).sort(KEYS).equals(whole_table(small).sort(KEYS))


def test_figures_and_mask_commit_together_so_a_failing_mask_keeps_the_previous_pair(
    small, monkeypatch
):
    figures_before = engine.read_meta(small)
    mask_before = suppression_store.stored_stamp(small)

    def interrupted(conn, progress=None):
        raise RuntimeError("avbruten mitt i sekretessgranskningen")

    monkeypatch.setattr(suppression_store, "compute_mask", interrupted)
    with pytest.raises(RuntimeError):
        engine.recompute(small)
    assert engine.read_meta(small) == figures_before
    assert suppression_store.stored_stamp(small) == mask_before
    assert suppression_store.mask_state(small) == suppression_store.CURRENT


def test_a_full_recompute_reports_the_mask_step_before_it_is_done(small):
    said: list[str] = []
    engine.recompute(small, progress=lambda fraction, message: said.append(message))
    step = said.index("sekretessgranskning: döljer små tal i alla nyckeltal (kan ta en minut)")
    assert said.index("sparar nyckeltal") < step < said.index("klart")
    # and the mask's own steps after it, before it is saved
    inner = said.index(
        "sekretessgranskning: ställer upp summorna mellan enheter, kategorier och månader"
    )
    assert step < inner < said.index("sparar sekretessgranskningen")


# --- a stale or missing mask is detected and not used ------------------------------------------


def certified_s1_2025(conn) -> dict:
    rows = query.figures(conn, query.Scope.everything(), ["certified_teacher_share"], ("year",))
    return rows.filter(
        (pl.col("scope_id") == "S1") & (pl.col("period") == "2025") & (pl.col("breakdown") == "all")
    ).row(0, named=True)


def test_a_mask_from_other_suppression_rules_is_stale_and_the_readers_compute_their_own(small):
    # Tampered: every cell shown, stamped by older rules.
    small.execute("UPDATE key_figure_suppression SET suppressed = false, reason = NULL")
    small.execute("UPDATE key_figure_suppression_meta SET suppression_code = 'older-rules'")
    query.clear_cache()
    assert suppression_store.mask_state(small) == suppression_store.STALE
    assert not engine.figures_stale(small)
    assert engine.is_stale(small)  # so the app's start-up check and every writer refresh it
    # S1 2025 rests on 4 teachers: hidden although the stale mask says shown.
    s1 = certified_s1_2025(small)
    assert (s1["suppressed"], s1["value"], s1["n_individuals"]) == (True, None, None)
    assert hidden_keys(figures_frame(small)) == hidden_keys(whole_table(small))
    figures_time = engine.read_meta(small)["computed_at"]
    assert engine.refresh_if_stale(small) is True  # only the mask is redone
    assert engine.read_meta(small)["computed_at"] == figures_time
    assert suppression_store.mask_state(small) == suppression_store.CURRENT
    assert stored(small).sort(KEYS).equals(whole_table(small).sort(KEYS))
    assert engine.refresh_if_stale(small) is False


def test_figures_rewritten_without_their_mask_make_it_stale(small):
    small.execute("UPDATE key_figures_meta SET computed_at = now() + INTERVAL 1 SECOND")
    assert suppression_store.mask_state(small) == suppression_store.STALE


def test_without_a_stored_mask_the_whole_table_is_suppressed_once_per_stamp_not_per_slice(
    small, monkeypatch
):
    small.execute("DELETE FROM key_figure_suppression_meta")
    query.clear_cache()
    assert suppression_store.mask_state(small) == suppression_store.MISSING
    calls = []
    real = suppression_store.compute_mask

    def counting(conn):
        calls.append(1)
        return real(conn)

    monkeypatch.setattr(suppression_store, "compute_mask", counting)
    rows = page_rows(small, ["certified_teacher_share", "temporary_teacher_share", "hires"])
    assert calls == [1]  # nine slices, one whole-table computation
    assert certified_s1_2025(small)["suppressed"] is True
    exported = figures_frame(small)
    assert calls == [1]  # the export reuses it (same stamp)
    ids = ["certified_teacher_share", "temporary_teacher_share", "hires"]
    assert hidden_keys(rows) == hidden_keys(exported.filter(pl.col("indicator_id").is_in(ids)))
    # Exporting some indicators hides what the whole export hides for them.
    assert hidden_keys(figures_frame(small, ids)) == hidden_keys(rows)
    assert calls == [1]


def test_a_figure_the_mask_does_not_name_is_hidden():
    figures = pl.DataFrame(
        {
            **{c: ["x"] for c in KEYS},
            "numerator": [3.0],
            "denominator": [10.0],
            "value": [0.3],
            "n_individuals": [10],
        }
    )
    out = suppression_store.apply_mask(figures, pl.DataFrame(schema=suppression_store.MASK_SCHEMA))
    assert out.row(0, named=True) == {
        **{c: "x" for c in KEYS},
        "numerator": None,
        "denominator": None,
        "value": None,
        "n_individuals": None,
        "suppressed": True,
        "suppression_reason": "secondary",
    }


# --- the migration ----------------------------------------------------------------------------


def test_migration_7_creates_the_mask_table_with_the_key_figure_key(tmp_path):
    conn = store.connect(tmp_path / "new.duckdb")
    columns = store.rows(
        conn,
        "SELECT column_name, data_type FROM information_schema.columns "
        "WHERE table_name = 'key_figure_suppression' ORDER BY ordinal_position",
    )
    assert columns == [(c, "VARCHAR") for c in KEYS] + [
        ("suppressed", "BOOLEAN"),
        ("reason", "VARCHAR"),
    ]
    assert store.scalar(conn, "SELECT count(*) FROM schema_version WHERE version = 7") == 1
    # An empty store needs no mask.
    assert suppression_store.mask_state(conn) == suppression_store.NOT_NEEDED


def test_a_database_from_before_the_mask_reads_as_missing_until_it_is_refreshed(tmp_path):
    db = tmp_path / "old.duckdb"
    conn = store.connect(build_small_db(db))
    conn.execute("DROP TABLE key_figure_suppression_meta")
    conn.close()
    raw = duckdb.connect(str(db), read_only=True)
    try:
        assert suppression_store.mask_state(raw) == suppression_store.MISSING
    finally:
        raw.close()


# --- on a page ---------------------------------------------------------------------------------


def test_behorighet_shows_dots_for_a_share_hidden_only_by_coordination(small_db):
    conn = duckdb.connect(str(small_db), read_only=True)
    try:
        one_slice = store.frame(
            conn,
            "SELECT indicator_id, level, scope_id, period_type, period, breakdown, numerator, "
            "denominator, value, n_individuals FROM key_figures "
            "WHERE indicator_id = 'certified_teacher_share' AND period_type = 'year'",
        )
        units = store.frame(conn, "SELECT unit_id, area FROM current_units")
        masked = stored(conn)
    finally:
        conn.close()
    e1 = (
        (pl.col("scope_id") == "E1") & (pl.col("period") == "2024") & (pl.col("breakdown") == "all")
    )
    # Per slice, Ekskolan's 2024 share (3.4 certified of 5.9 teacher FTE, 7 teachers) is shown ...
    alone = apply_suppression(one_slice, units).filter(e1).row(0, named=True)
    assert (alone["suppressed"], alone["value"]) == (False, pytest.approx(3.4 / 5.9))
    # ... the whole table hides it (secondary), and so does the page.
    coordinated = masked.filter(e1 & (pl.col("indicator_id") == "certified_teacher_share"))
    assert coordinated.filter(pl.col("period_type") == "year").rows() == [
        ("certified_teacher_share", "unit", "E1", "year", "2024", "all", True, "secondary")
    ]
    at = run_page(small_db, "views/behorighet.py", query_params={"ar": "2024"})
    assert not at.exception
    table = next(f.value for f in at.dataframe if "gap_fte" in f.value.columns)
    table = table.set_index("unit_id")
    assert table.loc["E1", "share"] in ("..", None)  # None is drawn as the table's '..'
    assert f"57,6{NB}%" not in table.astype(str).to_numpy().ravel().tolist()


# --- kompetens doctor --------------------------------------------------------------------------


def test_the_doctor_reports_a_current_mask_and_a_stale_one_with_what_to_do(small_db, tmp_path):
    import shutil

    from kompetens.core import snapshot
    from kompetens.ops import database, doctor

    db = tmp_path / "kompetens.duckdb"
    shutil.copy(small_db, db)
    database.ensure_published(db)

    def mask_finding():
        return next(f for f in doctor.check(db) if f.topic == "Sekretessgranskning")

    found = mask_finding()
    conn = duckdb.connect(str(snapshot.read_pointer(db).file), read_only=True)
    hidden_cells, total = conn.execute(
        "SELECT count(*) FILTER (WHERE suppressed), count(*) FROM key_figure_suppression"
    ).fetchone()
    conn.close()
    assert found.level == doctor.OK
    assert found.text.startswith(
        f"Aktuell för hela nyckeltalstabellen: {hidden_cells:,} av {total:,} värden döljs".replace(
            ",", NB
        )
    )
    conn = store.connect(snapshot.read_pointer(db).file)  # a publication by older rules
    conn.execute("UPDATE key_figure_suppression_meta SET suppression_code = 'older-rules'")
    conn.close()
    found = mask_finding()
    assert found.level == doctor.WARNING
    assert found.text.startswith("Den lagrade sekretessgranskningen hör inte till")
    assert "kompetens figures" in found.advice


# --- the app: no silent wait --------------------------------------------------------------------


def test_the_warmer_suppresses_the_whole_table_first_when_the_snapshot_has_no_mask(small):
    from kompetens.ui import warmup

    small.execute("DELETE FROM key_figure_suppression_meta")
    query.clear_cache()
    assert not suppression_store.ready(small)
    warmup.warm_once(small, period_types=())
    assert suppression_store.ready(small)  # pages now read it without waiting
    assert warmup.mask_with_feedback(small) is False  # nothing left to wait for


def test_a_page_run_that_needs_the_mask_waits_under_a_spinner_once(small):
    from kompetens.ui import warmup

    small.execute("UPDATE key_figure_suppression_meta SET suppression_code = 'older-rules'")
    query.clear_cache()
    assert warmup.mask_with_feedback(small) is True  # computed under MASK_WAIT_TEXT
    assert warmup.mask_with_feedback(small) is False
    assert certified_s1_2025(small)["suppressed"] is True  # S1 2025: 4 teachers


def test_the_start_up_refresh_republishes_a_snapshot_whose_mask_is_stale(small_db, tmp_path):
    import shutil

    from kompetens.core import snapshot
    from kompetens.ops import database

    db = tmp_path / "kompetens.duckdb"
    shutil.copy(small_db, db)
    database.ensure_published(db)

    def published_state() -> str:
        copy = store.connect(snapshot.read_pointer(db).file, read_only=True)
        try:
            return suppression_store.mask_state(copy)
        finally:
            copy.close()

    # The database as an upgrade with other suppression rules finds it.
    conn = store.connect(db)
    conn.execute("UPDATE key_figure_suppression_meta SET suppression_code = 'older-rules'")
    conn.close()
    assert database.needs_publication(db)  # what the app's start-up check asks
    said: list[str] = []
    assert database.ensure_published(db, progress=lambda f, m: said.append(m))
    assert said[0] == "sekretessgranskning: döljer små tal i alla nyckeltal (kan ta en minut)"
    assert published_state() == suppression_store.CURRENT
    assert not database.needs_publication(db)
    # A published copy whose mask is stale (written by an older version) is republished too.
    conn = store.connect(snapshot.read_pointer(db).file)
    conn.execute("UPDATE key_figure_suppression_meta SET suppression_code = 'older-rules'")
    conn.close()
    assert database.needs_publication(db)
    assert database.ensure_published(db)
    assert published_state() == suppression_store.CURRENT

"""An import's progress covers the recompute it starts, the suppression mask included.

The recompute after an import (figures, then the mask) is most of its time; before, the bar
stood still at "Uppdaterar nyckeltal" until the end.
"""

from __future__ import annotations

import pytest
from import_fixtures import SEED_STAFF, SEED_UNITS, hooks_on  # noqa: F401 (fixture)

from kompetens.core import hooks, store
from kompetens.core.progress import part
from kompetens.ingest import import_file, undo_batch


def test_a_part_maps_the_steps_range_into_the_callers():
    seen = []
    inner = part(lambda f, m: seen.append((f, m)), 0.3, 0.9)
    inner(0.0, "a")
    inner(0.5, "b")
    inner(1.0, "c")
    # 0.3 + 0.6 * 0 = 0.3; 0.3 + 0.6 * 0.5 = 0.6; 0.3 + 0.6 * 1 = 0.9
    assert seen == [(0.3, "a"), (pytest.approx(0.6), "b"), (pytest.approx(0.9), "c")]
    part(None, 0.3, 0.9)(0.5, "nobody hears this")  # no caller, no error


def test_two_data_change_callbacks_share_the_progress_in_halves(hooks_on):  # noqa: F811
    def first(conn, kinds, progress):
        progress(1.0, "första klar")

    def second(conn, kinds, progress):
        progress(0.5, "andra halvvägs")

    hooks_on(first)
    hooks_on(second)
    seen = []
    hooks.after_data_change(None, {"units"}, lambda f, m: seen.append((f, m)))
    # first: 0 + 0.5 * 1.0 = 0.5; second: 0.5 + 0.5 * 0.5 = 0.75
    assert seen == [(0.5, "första klar"), (0.75, "andra halvvägs")]


def test_an_imports_bar_moves_through_the_hooks_work_between_35_and_99_percent(hooks_on):  # noqa: F811
    def recompute(conn, kinds, progress):
        progress(0.0, "läser data")
        progress(0.5, "sekretessgranskning: ställer upp summorna")

    hooks_on(recompute)
    conn = store.connect(":memory:")
    seen = []
    import_file(conn, SEED_UNITS, progress=lambda f, m: seen.append((f, m)))
    # 0.35 + 0.64 * 0 = 0.35 and 0.35 + 0.64 * 0.5 = 0.67; the message gets a capital letter.
    assert (0.35, "Läser data") in seen
    assert (pytest.approx(0.67), "Sekretessgranskning: ställer upp summorna") in seen
    assert seen[-1] == (1.0, "Klart")
    assert [f for f, _ in seen] == sorted(f for f, _ in seen)


def test_undo_tells_its_progress_through_the_recompute(hooks_on):  # noqa: F811
    def recompute(conn, kinds, progress):
        progress(1.0, "klart")

    conn = store.connect(":memory:")
    batch = import_file(conn, SEED_UNITS).batch_id
    hooks_on(recompute)
    seen = []
    undo_batch(conn, batch, progress=lambda f, m: seen.append((f, m)))
    # the undo itself 0.05, then the recompute's end at 0.05 + 0.95 * 1.0 = 1.0
    assert seen == [(0.05, "Importen är ångrad; nyckeltalen räknas om"), (1.0, "klart")]


def test_a_staff_import_shows_the_real_recompute_and_its_suppression_mask_in_order():
    """With the engine's own hook (the session's wiring): every step is seen, in order."""
    conn = store.connect(":memory:")
    import_file(conn, SEED_UNITS)
    seen = []
    import_file(conn, SEED_STAFF, progress=lambda f, m: seen.append((f, m)))
    fractions = [f for f, _ in seen]
    messages = [m for _, m in seen]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0
    assert "Läser data" in messages
    mask = [f for f, m in seen if m.startswith("Sekretessgranskning")]
    # The figures own 0.35 .. 0.35 + 0.64 * 0.15 = 0.446; the mask the rest up to 0.99.
    assert mask and min(mask) == pytest.approx(0.446) and max(mask) <= 0.99


def test_two_after_recompute_callbacks_share_the_progress_in_halves(monkeypatch):
    def first(conn, progress):
        progress(1.0, "mask klar")

    def second(conn, progress):
        progress(0.0, "annat börjar")

    monkeypatch.setattr(hooks, "_AFTER_RECOMPUTE", [(first, bool), (second, bool)])
    seen = []
    hooks.figures_recomputed(None, lambda f, m: seen.append((f, m)))
    # first: 0 + 0.5 * 1.0 = 0.5; second: 0.5 + 0.5 * 0.0 = 0.5 (never back to 0)
    assert seen == [(0.5, "mask klar"), (0.5, "annat börjar")]

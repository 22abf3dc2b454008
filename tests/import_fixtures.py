"""Helpers shared by the importer tests (tests/test_import_*.py)."""

from __future__ import annotations

import atexit
import itertools
import os
import shutil
import tempfile
from pathlib import Path

import pytest

from kompetens.core import hooks, store
from kompetens.ingest import import_file
from kompetens.ingest.pseudonym import luhn_valid

TESTS = Path(__file__).parent
BAD_FILES = TESTS / "bad_files"
GOOD_FILES = TESTS / "good_files"
SEED_UNITS = GOOD_FILES / "units_cp1252_semicolon.csv"
SEED_STAFF = GOOD_FILES / "staff_cp1252_semicolon.csv"


@pytest.fixture(autouse=True)
def isolate_importer_from_hooks(request):
    """Importer tests test the importer: no indicator recomputation after each import.

    (Imported into each test module, which makes it autouse there.) Suspending,
    rather than emptying the callback list, leaves other modules' registrations
    intact. Tests that use ``hooks_on`` run with the hooks live.
    """
    if "hooks_on" in request.fixturenames:
        yield
        return
    with hooks.suspended():
        yield


@pytest.fixture
def hooks_on(monkeypatch):
    """Live hooks with only the test's own callbacks: ``hooks_on(fn)`` makes ``fn`` the one callback."""
    # The session's wiring (tests/conftest.py) registered the engine's callback in the real list;
    # monkeypatch puts that list back after the test.
    callbacks: list = []
    monkeypatch.setattr(hooks, "_CALLBACKS", callbacks)
    return callbacks.append


_SEED_DIR = Path(tempfile.mkdtemp(prefix="kompetens-import-tests-"))
atexit.register(shutil.rmtree, _SEED_DIR, ignore_errors=True)
_SEED_FILES: dict[str, Path] = {}


def seeded_db():
    """A fresh database holding the four seed units (U1–U4) and one staff snapshot (2025-01-31).

    Built once per pseudonymisation key through the importer, then copied for each
    call: every test gets its own database without paying for two imports each time.
    """
    key = os.environ.get("KOMPETENS_PSEUDONYM_KEY", "")
    if key not in _SEED_FILES:
        seed = _SEED_DIR / f"seed{len(_SEED_FILES)}.duckdb"
        conn = store.connect(seed)
        import_file(conn, SEED_UNITS, user="test")
        import_file(conn, SEED_STAFF, user="test")
        conn.close()
        _SEED_FILES[key] = seed
    copy = _SEED_DIR / f"db{next(_COUNTER)}.duckdb"
    shutil.copyfile(_SEED_FILES[key], copy)
    return store.connect(copy)


_COUNTER = itertools.count()


def database_contents(conn) -> dict[str, list[tuple]]:
    """Every row of every table (sorted), to prove an import changed nothing."""
    tables = [
        r[0]
        for r in store.rows(
            conn,
            "SELECT table_name FROM information_schema.tables WHERE table_type = 'BASE TABLE' ORDER BY 1",
        )
    ]
    # Through Polars: DuckDB's Python conversion of TIMESTAMPTZ would need pytz.
    return {t: sorted(store.frame(conn, f"SELECT * FROM {t}").rows(), key=repr) for t in tables}


def with_check_digit(nine: str) -> str:
    """Complete 9 digits YYMMDDNNN to a personnummer with a valid check digit."""
    return next(nine + str(c) for c in range(10) if luhn_valid(nine + str(c)))


def current(conn, kind: str, order: str) -> list[dict]:
    return store.frame(conn, f"SELECT * FROM current_{kind} ORDER BY {order}").to_dicts()

"""The example import files in data/examples/ import cleanly, kind by kind, into an empty database.

They are what a new user tries first, so every row must be accepted: the counts below are the
data lines of each file (``make_examples.py`` prints them when it writes the files).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from kompetens.core import store
from kompetens.core.contract import IMPORT_ORDER
from kompetens.ingest import import_file

EXAMPLES = Path(__file__).resolve().parents[1] / "data" / "examples"

#: kind -> data lines in its example file (3 units, 51 staff rows = 17 people x 3 snapshots, ...).
EXPECTED_ROWS = {
    "units": 3,
    "staff": 51,
    "events": 7,
    "recruitments": 4,
    "development": 33,
    "placements": 8,
    "survey": 30,
    "sick_leave": 40,
    "targets": 5,
    "support_request": 2,
    "support_effort": 3,
    "teaching_assignment": 40,
    "pupil_count": 10,
    "socioeconomic_index": 6,
    "allocation_parameters": 8,
    "certification_path": 6,
}


def example_file(kind: str) -> Path:
    (path,) = EXAMPLES.glob(f"??_{kind}.csv")
    return path


def test_there_is_one_example_file_per_kind_numbered_in_import_order():
    names = sorted(p.name for p in EXAMPLES.glob("*.csv"))
    assert names == [f"{n:02d}_{kind}.csv" for n, kind in enumerate(IMPORT_ORDER, start=1)]


def test_every_example_file_is_swedish_office_csv_with_swedish_headers():
    for kind in IMPORT_ORDER:
        raw = example_file(kind).read_bytes()
        assert raw.startswith(b"\xef\xbb\xbf"), f"{kind}: UTF-8 with BOM"
        header = raw[3:].split(b"\n", 1)[0].decode()
        assert ";" in header, f"{kind}: semicolon separated"
        assert not any(c.isascii() and c == "_" for c in header), f"{kind}: Swedish labels"


@pytest.fixture
def conn(tmp_path):
    connection = store.connect(tmp_path / "examples.duckdb")
    yield connection
    connection.close()


def test_the_examples_import_in_order_with_every_row_accepted(conn):
    for kind in IMPORT_ORDER:
        result = import_file(conn, example_file(kind), user="test")
        assert result.kind == kind, f"{kind} detected as {result.kind}"
        assert (result.rows_in, result.rows_written, result.rows_rejected) == (
            EXPECTED_ROWS[kind],
            EXPECTED_ROWS[kind],
            0,
        ), kind
    # 51 staff rows over 3 snapshot dates: 17 people in each.
    per_date = store.rows(
        conn, "SELECT count(*) FROM current_staff GROUP BY snapshot_date ORDER BY 1"
    )
    assert [n for (n,) in per_date] == [17, 17, 17]

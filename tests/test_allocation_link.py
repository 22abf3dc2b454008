"""The allocation set against competence supply (query.allocation.competence_link and
segregation_by_year), on the small fixture's units with hand-written certified shares.

The small fixture's yearly teacher shares are all hidden (fewer than 5 people), so the shares
come from a stand-in for ``certification_units`` (the query layer's own, scoped and suppressed
function; its scope is tested in test_access_scope): 2024 E1 60 %, S1 70 %; 2025 E1 50 %,
S1 80 % (hidden), the support-need scores from the real ``support_need``.

Allocation (floor 100, pots 1 000 000 kr both years): 2024 E1 index 120 (above the floor),
S1 90 (below: no money); 2025 E1 130, S1 135, both above.
"""

from __future__ import annotations

import shutil

import polars as pl
import pytest

from kompetens.access.scope import Scope
from kompetens.core import store
from kompetens.ingest import import_bytes
from kompetens.query import allocation as qa
from kompetens.query import clear_cache

FILES = {
    "pupil_count": "unit_id;year;school_form;pupils\nE1;2024;grundskola;100\nS1;2024;grundskola;200\nE1;2025;grundskola;100\nS1;2025;grundskola;200\n",
    "socioeconomic_index": "unit_id;year;index\nE1;2024;120\nS1;2024;90\nE1;2025;130\nS1;2025;135\n",
    "allocation_parameters": "year;school_form;pot;floor\n2024;grundskola;1000000;100\n2025;grundskola;1000000;100\n",
}  # fmt: skip

SHARES = {
    "2024": [("E1", 0.6, False), ("S1", 0.7, False)],
    "2025": [("E1", 0.5, False), ("S1", 0.8, True)],
}


def fake_certification_units(conn, scope, staff_category, period, **_):
    rows = SHARES.get(period, [])
    frame = pl.DataFrame(
        rows,
        schema={"unit_id": pl.String, "share": pl.Float64, "share_suppressed": pl.Boolean},
        orient="row",
    )
    units = store.frame(conn, "SELECT unit_id, area FROM current_units")
    return frame.join(scope.visible_units(units).select("unit_id"), on="unit_id", how="semi")


@pytest.fixture(scope="module")
def conn(small_db, tmp_path_factory):
    target = tmp_path_factory.mktemp("link") / "link.duckdb"
    shutil.copy(small_db, target)
    c = store.connect(target)
    for kind, text in FILES.items():
        import_bytes(c, text.encode(), f"{kind}.csv", kind=kind, user="test")
    clear_cache()
    yield c
    c.close()


@pytest.fixture(autouse=True)
def shares(monkeypatch):
    monkeypatch.setattr(qa, "certification_units", fake_certification_units)


def test_each_unit_gets_its_amount_per_pupil_index_visible_share_and_score(conn):
    link = qa.competence_link(conn, Scope.everything())
    rows = {r["unit_id"]: r for r in link.iter_rows(named=True)}
    # 2025: weights E1 100 x 30 = 3 000, S1 200 x 35 = 7 000: 300 000 / 100 = 3 000 kr per
    # pupil, 700 000 / 200 = 3 500
    assert rows["E1"]["amount_per_pupil"] == pytest.approx(3_000)
    assert rows["S1"]["amount_per_pupil"] == pytest.approx(3_500)
    assert (rows["E1"]["index"], rows["E1"]["certified_share"]) == (130.0, 0.5)
    assert rows["S1"]["certified_share"] is None  # hidden stays hidden
    assert rows["E1"]["period"] == "2025"
    assert rows["E1"]["score"] == pytest.approx(50.0)  # Stödbehov's hand-computed score


def test_the_gap_compares_the_units_that_receive_money_with_the_others_year_by_year(conn):
    by_year = qa.segregation_by_year(conn, Scope.everything())
    # 2024: E1 receives (60 %), S1 below the floor (70 %): gap 70 - 60 = 10 percentage points;
    # 2025: both receive, S1's share is hidden: only E1 (50 %), no one to compare with
    assert by_year.rows() == [
        (2024, 1, 0.6, 1, 0.7, pytest.approx(0.1)),
        (2025, 1, 0.5, 0, None, None),
    ]


def test_a_principal_sees_only_their_own_unit(conn):
    principal = Scope.for_units(["E1"], areas=["Norr"])
    assert qa.competence_link(conn, principal)["unit_id"].to_list() == ["E1"]
    # their own unit only: 2024 E1 receives, no other unit to compare with
    assert qa.segregation_by_year(conn, principal)["units_below"].to_list() == [0, 0]

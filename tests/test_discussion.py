"""The dialogue's one gatherer (``kompetens.dialogue.discussion``): figures, drivers, talking points.

Small fixture: E1 Ekskolan and L1 Lärkans förskola (Norr), S1 Söderskolan (Söder); newest
month 2025-12. E1's support need at 2025-12 is 50 (rank 1): under the coordinated suppression
E1 is the only school with recent visible values for certified share, certification gap and
temporary share, and sick leave ties with S1 (tests/test_page_dialog.py has the arithmetic).
"""

from __future__ import annotations

import csv
import shutil

import pytest

from kompetens import query
from kompetens.analysis import support
from kompetens.core import store
from kompetens.dialogue import discussion
from kompetens.dialogue.briefs.content import build_brief
from kompetens.dialogue.talking_points import SupportDriver, SupportNeed, talking_points
from tests.fixtures.small import HERE as FIXTURE
from tests.test_talking_points import frame, row

EVERYTHING = query.Scope.everything()


@pytest.mark.parametrize("school_form", ["grundskola", "forskola", "gymnasieskola", None])
def test_every_indicator_that_drives_the_support_need_is_among_the_dialogues_figures(school_form):
    drivers = {c.indicator_for(school_form) for c in support.COMPONENTS} - {None}
    assert "turnover_rate" in drivers
    assert drivers <= set(discussion.indicators_for(school_form))


def test_the_driver_list_follows_the_support_components_not_a_copy(monkeypatch):
    extra = support.Component("long_sick", "Långtidssjukfrånvaro", (("*", "new_driver"),))
    monkeypatch.setattr(support, "COMPONENTS", (*support.COMPONENTS, extra))
    assert "new_driver" in discussion.driver_indicators("grundskola")
    assert discussion.indicators_for("grundskola")[-1] == "new_driver"


def test_a_preschool_leads_with_its_own_share_and_a_school_with_the_teachers():
    assert discussion.indicators_for("forskola")[0] == "licensed_preschool_teacher_share"
    assert "certified_teacher_share" not in discussion.indicators_for("forskola")
    assert discussion.indicators_for("grundskola")[0] == "certified_teacher_share"
    assert "licensed_preschool_teacher_share" not in discussion.indicators_for("grundskola")


def test_the_brief_prints_exactly_the_discussions_talking_points(small_db):
    conn = store.connect(small_db)
    try:
        for unit, period in (("E1", "2024"), ("E1", "2025"), ("L1", "2025"), ("S1", "2025")):
            talk = discussion.gather(conn, EVERYTHING, unit, period)
            brief = build_brief(conn, EVERYTHING, unit, period=period)
            assert list(brief.talking_points) == [p.text for p in talk.points]
    finally:
        conn.close()


def test_the_support_need_and_its_largest_driver_lead_the_talking_points(small_db):
    conn = store.connect(small_db)
    try:
        talk = discussion.gather(conn, EVERYTHING, "E1", "2025")
    finally:
        conn.close()
    assert talk.support is not None
    assert (talk.support.score, talk.support.rank, talk.support.month) == (50.0, 1, "2025-12")
    # every part at percentile 50 (E1 the lone school with a value, or tied on sick leave);
    # weights 0.25, 0.15, 0.10, 0.10 over their sum 0.60: 50 x 0.25 / 0.6 = 20.83,
    # 50 x 0.15 / 0.6 = 12.5, 50 x 0.10 / 0.6 = 8.33. Turnover is hidden in every unit cell
    # of the fixture under the coordinated mask, so it is no part of the index.
    assert [(d.component_id, d.contribution) for d in talk.support.drivers] == [
        ("certified_share", pytest.approx(50 * 0.25 / 0.6)),
        ("sick_leave_rate", pytest.approx(50 * 0.15 / 0.6)),
        ("certification_gap", pytest.approx(50 * 0.10 / 0.6)),
        ("temporary_teacher_share", pytest.approx(50 * 0.10 / 0.6)),
    ]
    first = talk.points[0]
    assert first.kind == "support"
    assert first.text == (
        "Stödbehovsindex 50 av 100 (2025-12, plats 1 i organisationen). Störst bidrag: "
        "andel behöriga/legitimerade (bland de 50\u00a0% med störst behov i samma skolform), "
        "sjukfrånvaro (5,0\u00a0%, bland de 50\u00a0% med störst behov i samma skolform) och "
        "behörighetsgap per heltidstjänst (bland de 50\u00a0% med störst behov i samma skolform)."
    )  # E1's yearly certified share 2025 is hidden: named, never valued


def test_a_support_point_names_at_most_three_drivers_largest_first():
    turnover = row("turnover_rate", 0.221, target=0.08)
    drivers = tuple(
        SupportDriver(cid, label, ind, contribution, percentile, turnover if ind else None)
        for cid, label, ind, contribution, percentile in (
            ("sick_leave_rate", "Sjukfrånvaro", None, 10.0, 70.0),
            ("turnover_rate", "Personalomsättning", "turnover_rate", 14.0, 96.0),
            ("hme_index", "Hållbart medarbetarengagemang (HME)", None, 2.0, 20.0),
            ("certified_share", "Andel behöriga/legitimerade", None, 20.0, 80.0),
        )
    )
    need = SupportNeed(
        score=46.0,
        rank=7,
        month="2026-11",
        school_form="grundskola",
        drivers=tuple(sorted(drivers, key=lambda d: -d.contribution)),
    )
    points = talking_points(frame(turnover), period="2026", support=need)
    assert points[0].text == (
        "Stödbehovsindex 46 av 100 (2026-11, plats 7 i organisationen). Störst bidrag: "
        "andel behöriga/legitimerade (bland de 20\u00a0% med störst behov i samma skolform), "
        "personalomsättning (22,1\u00a0%, bland de 4\u00a0% med störst behov i samma skolform) och "
        "sjukfrånvaro (bland de 30\u00a0% med störst behov i samma skolform)."
    )
    assert "HME" not in points[0].text


def test_in_a_year_still_running_a_figure_counted_by_whole_years_shows_its_last_12_months(
    small_db, tmp_path
):
    # A January 2026 staff snapshot (December's staff again) makes 2026 a year still running:
    # no yearly turnover or sick leave for 2026 yet. Sick leave 2025-02..2025-12 (no 2026 rows):
    # E1 60 of 1 200 hours every month = 5,0 %.
    from kompetens.ingest import import_file

    db = tmp_path / "running.duckdb"
    shutil.copy(small_db, db)
    with open(FIXTURE / "staff.csv", encoding="utf-8") as source:
        rows = [r for r in csv.DictReader(source) if r["snapshot_date"].startswith("2025-12")]
    january = tmp_path / "personal_2026_01.csv"
    with open(january, "w", encoding="utf-8", newline="") as target:
        writer = csv.DictWriter(target, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows({**r, "snapshot_date": "2026-01-15"} for r in rows)
    conn = store.connect(db)
    try:
        import_file(conn, january, kind="staff", user="test")
        talk = discussion.gather(conn, EVERYTHING, "E1", "2026")
    finally:
        conn.close()
    shown = {r["indicator_id"]: r for r in talk.shown.iter_rows(named=True)}
    assert "turnover_rate" in shown  # a driver of the support need is never left out
    assert shown["turnover_rate"]["period_label"] == "12 mån t.o.m. 2026-01"
    assert shown["turnover_rate"]["unit_suppressed"]  # one exit among few: hidden, shown as ..
    sick = shown["sick_leave_rate"]
    assert (sick["period_label"], sick["previous_label"]) == (
        "12 mån t.o.m. 2026-01",
        "12 mån t.o.m. 2025-01",
    )
    assert sick["unit_value"] == pytest.approx(60 / 1200)
    assert any("sjukfrånvaro för 12 mån t.o.m. 2026-01" in p.text for p in talk.points)

"""``kompetens arshjul --out FILE.ics [--area A]``: the file, its events, Swedish errors and exit codes.

The small fixture's areas are Norr (E1, L1) and Söder (S1 …). Each test sets Norr's rounds for
the term after today's, so they are always within the year ahead the file covers.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import icalendar
import pytest
from typer.testing import CliRunner

from kompetens import query
from kompetens.cli import app
from kompetens.core import store
from kompetens.query import dialogue_rounds as rounds

runner = CliRunner()


def said(result) -> str:
    return " ".join(result.output.split())


@pytest.fixture
def db(small_db, tmp_path) -> Path:
    target = tmp_path / "kompetens.duckdb"
    shutil.copy(small_db, target)
    term = rounds.next_term(rounds.term_of(dt.date.today()))
    first, _ = rounds.term_bounds(term)
    conn = store.connect(target)
    try:
        rounds.save_rounds(
            conn,
            query.Scope.everything(),
            "Norr",
            term,
            [rounds.Round(first + dt.timedelta(days=10), first + dt.timedelta(days=12))],
            "hr",
        )
    finally:
        conn.close()
    query.clear_cache()
    return target


def _events(path: Path) -> list:
    return list(icalendar.Calendar.from_ical(path.read_bytes()).walk("VEVENT"))


def test_the_command_writes_a_calendar_file_with_the_areas_round_and_the_deliveries(db, tmp_path):
    out = tmp_path / "arshjul.ics"
    result = runner.invoke(app, ["arshjul", "--out", str(out), "--area", "Norr", "--db", str(db)])
    assert result.exit_code == 0, result.output
    events = _events(out)
    assert f"Skrev {len(events)} händelser för Norr till" in said(result)
    term = rounds.next_term(rounds.term_of(dt.date.today()))
    first, _ = rounds.term_bounds(term)
    round_event = next(e for e in events if str(e["uid"]).startswith("round-norr-"))
    assert round_event.decoded("dtstart") == first + dt.timedelta(days=10)
    assert round_event.decoded("dtend") == first + dt.timedelta(days=13)  # exclusive end
    assert str(round_event["summary"]) == f"Dialogomgång 1 {rounds.term_label(term)} – Norr"
    uids = [str(e["uid"]) for e in events]
    # Twelve monthly exports a year ahead, whatever today is; every uid once.
    assert sum(u.startswith("delivery-staff_export-") for u in uids) == 12
    assert len(set(uids)) == len(uids)


def test_the_file_is_the_same_events_with_the_same_uids_when_made_again(db, tmp_path):
    one, two = tmp_path / "a.ics", tmp_path / "b.ics"
    for out in (one, two):
        assert runner.invoke(app, ["arshjul", "--out", str(out), "--db", str(db)]).exit_code == 0
    assert [str(e["uid"]) for e in _events(one)] == [str(e["uid"]) for e in _events(two)]


def test_an_other_areas_file_has_no_round_of_norr(db, tmp_path):
    out = tmp_path / "soder.ics"
    result = runner.invoke(app, ["arshjul", "--out", str(out), "--area", "Söder", "--db", str(db)])
    assert result.exit_code == 0, result.output
    assert not [e for e in _events(out) if str(e["uid"]).startswith("round-")]


def test_a_school_form_keeps_only_its_units_actions(db, tmp_path):
    from kompetens.dialogue import dialogues

    today = dt.date.today()
    conn = store.connect(db)
    try:
        everything = query.Scope.everything()
        # Norr has E1 (grundskola) and L1 (förskola): one open action each, due within the year.
        for unit, days in (("E1", 20), ("L1", 25)):
            dialogues.save_dialogue(
                conn,
                everything,
                unit,
                today,
                "Anteckningar",
                [dialogues.Action(f"Åtgärd för {unit}", due_date=today + dt.timedelta(days))],
                user="vc",
            )
    finally:
        conn.close()
    query.clear_cache()

    def actions(*extra: str) -> list[str]:
        out = tmp_path / "a.ics"
        result = runner.invoke(app, ["arshjul", "--out", str(out), "--db", str(db), *extra])
        assert result.exit_code == 0, result.output
        return sorted(
            str(e["description"]).split(" (")[0]
            for e in _events(out)
            if str(e["uid"]).startswith("action-")
        )

    assert actions() == ["Åtgärd för E1", "Åtgärd för L1"]
    assert actions("--skolform", "Förskola") == ["Åtgärd för L1"]
    assert actions("--skolform", "grundskola") == ["Åtgärd för E1"]
    wrong = runner.invoke(
        app, ["arshjul", "--out", str(tmp_path / "x.ics"), "--skolform", "lekis", "--db", str(db)]
    )
    assert wrong.exit_code == 2
    assert "Skolformen 'lekis' finns inte. Skolformer: förskola, grundskola" in said(wrong)


def test_an_unknown_area_a_wrong_suffix_and_a_missing_folder_are_usage_errors_in_swedish(
    db, tmp_path
):
    unknown = runner.invoke(
        app, ["arshjul", "--out", str(tmp_path / "x.ics"), "--area", "Väster", "--db", str(db)]
    )
    assert unknown.exit_code == 2
    assert "Området 'Väster' finns inte. Områden: Norr, Söder." in said(unknown)
    assert "Traceback" not in unknown.output
    wrong = runner.invoke(app, ["arshjul", "--out", str(tmp_path / "x.csv"), "--db", str(db)])
    assert wrong.exit_code == 2
    assert "ska sluta på .ics" in said(wrong)
    nowhere = runner.invoke(
        app, ["arshjul", "--out", str(tmp_path / "saknas" / "x.ics"), "--db", str(db)]
    )
    assert nowhere.exit_code == 2
    assert "finns inte" in said(nowhere)
    assert not (tmp_path / "x.ics").exists()


def test_a_missing_database_is_a_usage_error(tmp_path):
    result = runner.invoke(
        app, ["arshjul", "--out", str(tmp_path / "x.ics"), "--db", str(tmp_path / "nej.duckdb")]
    )
    assert result.exit_code == 2
    assert "finns inte" in said(result)

"""Before and after support (``query.support_effect``) on hand-written key figures.

Eight units; monthly sick leave (``sick_leave_rate``, a share) from 2024-07 to 2026-07, the
same value every month of a window, on 20 people (visible) unless said otherwise:

    unit  form        area  before (2024-07..2025-06)  after (2025-08..2026-07)  support
    G1    grundskola  Nord  10 %                       7 %                       Arbetsmiljö from 2025-07-10
    G2    grundskola  Nord  10 %                       9 %                       –
    G3    grundskola  Syd   10 %                       11 %                      an effort declined (no support)
    G4    grundskola  Syd   10 %                       10 %                      –
    G5    grundskola  Nord  10 %                       5 %                       proactive, 2025-03 (inside s-12 .. s+12)
    G6    grundskola  Nord  2 %                        2 %                       –
    G7    grundskola  Nord  10 %                       10 %, but 2026-01 .. 2026-07 on 3 people (hidden)
    F1    förskola    Syd   10 %                       8 %                       Behålla from 2025-07-01

July 2025 (the support month, in neither window) is 50 % for every unit: if it leaked into a
window, every mean below would move.

Need bands at 2025-06 (the month before the support; sick leave is the only component with
data, so a unit's score is its sick-leave percentile within its school form): grundskola
has six units at 10 % (average rank (2+…+7)/6 = 4,5, percentile 100 × 3,5 / 6 = 58,3) and
G6 at 2 % (percentile 0); F1 is alone in its form (50). Org-wide: the six at 58,3 share
rank 1, F1 rank 7, G6 rank 8; of 8 ranked units the quarter limits are 2, 4, 6, so the six
are in band 1, F1 and G6 in band 4.

G1's comparison group: grundskola, band 1, no support in 2024-07 .. 2026-07, visible in both
windows: G2, G3 (its effort was declined), G4. Not G5 (proactive support in 2025-03), not
G6 (band 4), not G7 (only five visible months after: 2025-08 .. 2025-12, fewer than six),
not F1 (another school form).
Means: before (10 + 10 + 10) / 3 = 10 %, after (9 + 11 + 10) / 3 = 10 %, change 0.
G1 itself: before 10 %, after 7 %, change −3 percentage points.
F1 has no other preschool: no comparison group (0 units, means null).
"""

from __future__ import annotations

import pytest

from kompetens.access.scope import Scope, ScopeError
from kompetens.core import store
from kompetens.ingest import import_bytes
from kompetens.query import periods
from kompetens.query import support_effect as effect
from kompetens.ui import support_follow_view as follow
from tests.kf_helpers import kf, write_key_figures, write_units

UNITS = [
    ("G1", "Asken", "Nord", "grundskola", 1.0),
    ("G2", "Björken", "Nord", "grundskola", 1.0),
    ("G3", "Cedern", "Syd", "grundskola", 1.0),
    ("G4", "Dalen", "Syd", "grundskola", 1.0),
    ("G5", "Eken", "Nord", "grundskola", 1.0),
    ("G6", "Furan", "Nord", "grundskola", 1.0),
    ("G7", "Granen", "Nord", "grundskola", 1.0),
    ("F1", "Fjärilens förskola", "Syd", "forskola", None),
]
#: unit -> (before %, after %)
SICK_LEAVE = {
    "G1": (10, 7),
    "G2": (10, 9),
    "G3": (10, 11),
    "G4": (10, 10),
    "G5": (10, 5),
    "G6": (2, 2),
    "G7": (10, 10),
    "F1": (10, 8),
}
REQUESTS = (
    "request_id;unit_id;request_date;asker_role;channel;topic;support_function;status\n"
    "R1;G1;2025-06-20;rektor;dialog;Arbetsmiljö;HR;klar\n"
    "R2;F1;2025-06-15;rektor;dialog;Behålla;HR;pågår\n"
    "R3;G3;2025-06-01;rektor;dialog;Arbetsmiljö;HR;avböjd\n"
)
EFFORTS = (
    "effort_id;request_id;unit_id;support_function;start_date;end_date;effort_type;hours;status\n"
    "I1;R1;G1;HR;2025-07-10;2025-09-30;handledning;20;klar\n"
    "I2;R2;F1;HR;2025-07-01;;rådgivning;6;pågår\n"
    "I3;R3;G3;HR;2025-07-01;2025-07-01;rådgivning;0;avböjd\n"
    "I4;;G5;PC;2025-03-01;2025-03-31;utbildning;8;klar\n"
)


def sick_leave_rows() -> list[tuple]:
    rows = []
    for unit, (before, after) in SICK_LEAVE.items():
        for month in periods._month_range("2024-07", "2026-07"):
            percent = before if month < "2025-07" else 50 if month == "2025-07" else after
            people = 3 if unit == "G7" and month >= "2026-01" else 20
            rows.append(kf("sick_leave_rate", "unit", unit, "month", month, percent, 100, people))
    return rows


@pytest.fixture(scope="module")
def conn():
    connection = store.connect(":memory:")
    write_units(connection, UNITS)
    import_bytes(connection, REQUESTS.encode(), "stod.csv", user="test")
    import_bytes(connection, EFFORTS.encode(), "insatser.csv", user="test")
    write_key_figures(connection, sick_leave_rows())
    yield connection
    connection.close()


def sick_leave(frame, unit_id: str) -> dict:
    return frame.filter(
        (frame["unit_id"] == unit_id) & (frame["indicator_id"] == "sick_leave_rate")
    ).row(0, named=True)


def test_the_supported_unit_is_compared_with_its_school_forms_unsupported_units_of_its_band(conn):
    frame = effect.before_after(conn, Scope.everything())
    g1 = sick_leave(frame, "G1")
    assert (g1["topic"], str(g1["support_start"]), g1["need_band"]) == (
        "Arbetsmiljö",
        "2025-07-10",
        1,
    )
    assert g1["before"] == pytest.approx(0.10) and g1["before_months"] == 12
    assert g1["after"] == pytest.approx(0.07) and g1["after_months"] == 12
    assert g1["change"] == pytest.approx(-0.03)
    # G2, G3, G4 (module docstring): (10 + 10 + 10) / 3 before, (9 + 11 + 10) / 3 after
    assert g1["comparison_units"] == 3
    assert g1["comparison_before"] == pytest.approx(0.10)
    assert g1["comparison_after"] == pytest.approx(0.10)
    assert g1["comparison_change"] == pytest.approx(0.0)


def test_only_units_that_received_support_on_a_topic_with_related_figures_get_rows(conn):
    frame = effect.before_after(conn, Scope.everything())
    # G3's effort was declined and G5's was proactive (no topic): neither is "supported".
    assert sorted(frame["unit_id"].unique().to_list()) == ["F1", "G1"]
    # Only sick leave has figures among Behålla's indicators; rows without any are left out.
    assert frame["indicator_id"].unique().to_list() == ["sick_leave_rate"]


def test_a_unit_alone_in_its_school_form_has_no_comparison_group(conn):
    f1 = sick_leave(effect.before_after(conn, Scope.everything()), "F1")
    assert (f1["before"], f1["after"]) == (pytest.approx(0.10), pytest.approx(0.08))
    assert f1["need_band"] == 4
    assert f1["comparison_units"] == 0
    assert f1["comparison_before"] is None and f1["comparison_change"] is None


def test_a_principal_gets_only_the_own_units_before_and_after(conn):
    principal = Scope.for_units(["G1"], areas=["Nord"])
    frame = effect.before_after(conn, principal)
    assert frame["unit_id"].unique().to_list() == ["G1"]
    # The comparison group is drawn org-wide (G3, G4 are in Syd) but only as a mean of 3.
    assert sick_leave(frame, "G1")["comparison_units"] == 3
    with pytest.raises(ScopeError):
        effect.before_after(conn, principal, unit_id="F1")
    area = effect.before_after(conn, Scope.for_areas("Syd"))
    assert area["unit_id"].unique().to_list() == ["F1"]


def test_the_table_writes_the_values_in_swedish_and_says_it_is_not_causal(conn):
    shown = follow.before_after_table(effect.before_after(conn, Scope.for_units(["G1"])))
    row = shown.row(0, named=True)
    assert (row["indicator"], row["before"], row["after"]) == (
        "Sjukfrånvaro",
        "10,0\u00a0%",
        "7,0\u00a0%",
    )
    assert row["change"] == "\u22123,0\u00a0procentenheter"
    assert (row["comparison_units"], row["comparison_change"]) == ("3", "0,0\u00a0procentenheter")
    # G1 and F1, one sick-leave row each with both years visible
    assert follow.before_after_sentence(effect.before_after(conn, Scope.everything())) == (
        "2 enheter har fått stöd på ett ämne med relaterade nyckeltal. 2 nyckeltal har värden "
        "både året före och året efter; för övriga har året efter inte gått än, eller så är "
        "värdena dolda."
    )
    assert "ingen jämförelse av orsak och verkan" in follow.BEFORE_AFTER_CAPTION
    assert "orsakar" not in follow.BEFORE_AFTER_CAPTION


def hidden_after(months: set[str]):
    """A copy of the fixture where G1's figures of ``months`` rest on 4 people (hidden)."""
    connection = store.connect(":memory:")
    write_units(connection, UNITS)
    import_bytes(connection, REQUESTS.encode(), "stod.csv", user="test")
    import_bytes(connection, EFFORTS.encode(), "insatser.csv", user="test")
    rows = [r if not (r[2] == "G1" and r[4] in months) else (*r[:9], 4) for r in sick_leave_rows()]
    write_key_figures(connection, rows)
    return connection


def test_a_hidden_month_is_left_out_of_the_mean_of_the_visible_months():
    connection = hidden_after({"2026-03"})
    try:
        g1 = sick_leave(effect.before_after(connection, Scope.everything()), "G1")
        # eleven visible months at 7 %: the mean is 7 %, over 11 months, not hidden
        assert (g1["after"], g1["after_months"], g1["after_suppressed"]) == (
            pytest.approx(0.07),
            11,
            False,
        )
    finally:
        connection.close()


def test_a_window_with_fewer_than_six_visible_months_is_hidden_and_so_is_its_change():
    # 2026-01 .. 2026-07 hidden: 5 visible months (2025-08 .. 2025-12) < 6
    connection = hidden_after({f"2026-0{m}" for m in range(1, 8)})
    try:
        g1 = sick_leave(effect.before_after(connection, Scope.everything()), "G1")
        assert g1["after"] is None and g1["after_suppressed"] is True
        assert g1["change"] is None
        shown = follow.before_after_table(
            effect.before_after(connection, Scope.for_units(["G1"]))
        ).row(0, named=True)
        assert (shown["after"], shown["change"]) == ("..", "..")
    finally:
        connection.close()


def test_every_related_indicator_is_in_the_registry_and_has_window_figures():
    from kompetens.indicators import registry

    for phase, indicators in effect.TOPIC_INDICATORS.items():
        assert phase in registry.PHASES
        for indicator_id in indicators:
            types = registry.get(indicator_id).period_types
            assert "month" in types or "rolling_12m" in types, indicator_id
    assert effect.related_indicators("Arbetsmiljö") == effect.TOPIC_INDICATORS["behalla"]
    assert effect.related_indicators("IT") == ()


def test_the_windows_are_the_twelve_months_on_either_side_of_the_support_month():
    import datetime as dt

    before, after = effect.window_dates(dt.date(2025, 7, 10))
    assert before == (dt.date(2024, 7, 1), dt.date(2025, 6, 30))
    assert after == (dt.date(2025, 8, 1), dt.date(2026, 7, 31))

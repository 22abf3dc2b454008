"""The benchmark components on a page, through AppTest: a card's comparison caption, the
Behörighet reconciliation table and the trend lines, on the hand-made database of
``tests/test_external_query.py`` (its numbers are computed there)."""

from __future__ import annotations

import polars as pl
import pytest
from streamlit.testing.v1 import AppTest

from kompetens.query import benchmarks
from kompetens.ui import benchmark_view
from tests import test_external_query as fixture
from tests.app_support import texts
from tests.fixtures.benchmarks.support import connect


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    path = tmp_path_factory.mktemp("bench") / "bench.duckdb"
    conn = connect(path)
    try:
        fixture.build(conn)
    finally:
        conn.close()
    return path


def page(db_path: str, scope_units: list[str] | None, year: str) -> None:
    """The script AppTest runs: the three components, as the pages will call them."""
    import plotly.graph_objects as go

    from kompetens.access.scope import Scope
    from kompetens.core import store
    from kompetens.ui import benchmark_view

    scope = Scope.everything() if scope_units is None else Scope.for_units(scope_units, ["Söder"])
    cur = store.connect(db_path, read_only=True)
    (column,) = __import__("streamlit").columns(1)
    benchmark_view.card_comparison(column, cur, scope, "certified_teacher_share", year)
    benchmark_view.reconciliation_table(cur, scope, year)
    fig = go.Figure(go.Scatter(x=["2023", "2024"], y=[0.6, 0.62]))
    fig = benchmark_view.trend_lines(fig, cur, scope, "certified_teacher_share")
    __import__("streamlit").session_state["traces"] = [(t.name, list(t.x)) for t in fig.data[1:]]


def run(db, scope_units=None, year="2024") -> AppTest:
    at = AppTest.from_function(page, args=(str(db), scope_units, year), default_timeout=60)
    at.run()
    assert not at.exception, at.exception
    return at


def test_the_card_caption_names_each_comparison_its_year_and_links_the_source(db):
    shown = texts(run(db))
    # own 68,0 % (2023), group 74,0 % (2024), national 73,9 % (2024), Swedish formats
    assert (
        "Egen kommun (Demokommun)](https://www.kolada.se/verktyg/fri-sokning/?kpis=N15814&municipals=1299&years=2023) 68,0\u00a0% (2023)"
        in shown
    )
    assert (
        "Liknande kommuner](https://www.kolada.se/verktyg/fri-sokning/?kpis=N15814&municipals=G1&years=2024) 74,0\u00a0% (2024)"
        in shown
    )
    assert (
        "[Riket](https://www.kolada.se/verktyg/fri-sokning/?kpis=N15814&municipals=0000&years=2024) 73,9\u00a0% (2024)"
        in shown
    )
    assert "Källa: Kolada, nyckeltal N15814." in shown


def test_the_reconciliation_table_shows_both_shares_the_flag_and_the_reasons(db):
    at = run(db)
    table = at.dataframe[0].value
    rows = {r["Enhet"]: r for r in table.to_dict("records")}
    assert rows["Ekskolan"]["Vår andel (HR)"] == "57,6\u00a0%"  # 3.4 / 5.9
    assert rows["Ekskolan"]["Skolverkets andel"] == "70,0\u00a0%"
    assert rows["Ekskolan"]["Skillnad (p.e.)"] == "\u221212,4"
    assert rows["Ekskolan"]["> 10 p.e."] == "⚠ Ja"
    assert rows["Söderskolan"]["> 10 p.e."] == ""
    warning = at.warning[0].value
    assert "1 enhet skiljer sig mer än 10 procentenheter" in warning
    assert "undervisningstiden" in warning and "en flagga per person" in warning


def test_masks_are_shown_as_skolverket_publishes_them_and_our_hidden_share_as_dots(db):
    table = run(db, year="2025").dataframe[0].value
    rows = {r["Enhet"]: r for r in table.to_dict("records")}
    assert rows["Söderskolan"]["Skolverkets andel"] == ".."
    assert rows["Söderskolan"]["Vår andel (HR)"] == ".."  # 4 teachers: our rule hides it
    assert rows["Ekskolan"]["Skolverkets andel"] == "~100"


def test_a_principal_sees_only_their_own_unit_in_the_table(db):
    table = run(db, scope_units=["S1"]).dataframe[0].value
    assert list(table["Enhet"]) == ["Söderskolan"]


def test_the_trend_gets_the_national_and_group_lines_only_for_years_on_its_axis(db):
    at = run(db)
    # the chart shows 2023 and 2024: national has both (2026 is off the axis), the group 2024
    assert at.session_state["traces"] == [
        ("Liknande kommuner (Kolada)", ["2024"]),
        ("Riket (Kolada)", ["2023", "2024"]),
    ]
    shown = texts(at)
    # each line named with its years and linked to Kolada's page on the KPI and its own id
    assert (
        "Riket (prickad linje): [Kolada N15814, 2023–2024]"
        "(https://www.kolada.se/verktyg/fri-sokning/?kpis=N15814&municipals=0000)" in shown
    )
    assert "Liknande kommuner" in shown and "[Kolada N15814, 2024](" in shown
    assert "municipals=G1)" in shown


def test_the_trend_lines_are_optional_and_a_switch_turns_them_off(db):
    at = run(db)
    switch = at.toggle(key="benchmark_lines")
    assert (switch.label, switch.value) == (benchmark_view.TREND_TOGGLE, True)
    switch.set_value(False).run()
    assert not at.exception
    assert at.session_state["traces"] == []  # only the chart's own series is left
    assert "Jämförelselinjer" not in texts(at)


def test_the_reconciliation_columns_fit_the_page_at_1400_pixels():
    config = benchmark_view.reconciliation_column_config()
    assert list(config) == list(benchmark_view.RECONCILIATION_LABELS.values())
    widths = [c["width"] for c in config.values()]
    # Streamlit's main column is about 940 px wide at a 1400 px window with the sidebar open
    assert sum(widths) <= 920
    assert config["Enhet"]["pinned"] is True
    assert config["Källa"]["type_config"]["display_text"] == "Skolverket"


def test_the_display_keeps_a_masked_official_value_verbatim():
    table = pl.DataFrame(
        {
            "unit_name": ["A"], "area": ["X"], "school_unit_code": ["12345678"], "our_share": [0.5],
            "our_suppressed": [False], "official_share": [None], "official_text": ["*"],
            "official_period": ["2023/24"], "difference": [None], "flagged": [False],
            "source_url": ["https://www.skolverket.se/"],
        },
        schema_overrides={"official_share": pl.Float64, "difference": pl.Float64},
    )  # fmt: skip
    shown = benchmark_view.reconciliation_display(table).row(0, named=True)
    assert (
        shown["Vår andel (HR)"],
        shown["Skolverkets andel"],
        shown["Skillnad (p.e.)"],
    ) == (
        "50,0\u00a0%",
        "*",
        "–",
    )


def test_comparison_text_is_empty_without_comparisons():
    assert (
        benchmark_view.comparison_text(
            pl.DataFrame(schema=benchmarks.COMPARISON_COLUMNS), "certified_teacher_share"
        )
        == ""
    )


def fetch_page(db_path: str, role: str) -> None:
    """The fetch button as a page would show it, for a viewer with ``role``."""
    from types import SimpleNamespace

    from kompetens.ui import benchmark_view

    ctx = SimpleNamespace(db_path=db_path, viewer=SimpleNamespace(role=role, email="hr@example.se"))
    benchmark_view.fetch_button(ctx)


def test_the_fetch_button_offline_shows_the_swedish_error_and_the_page_goes_on(tmp_path):
    from kompetens.external import writer

    db = tmp_path / "offline.duckdb"
    conn = connect(db)
    writer.write_settings(conn, {"municipality": "1283", "municipality_name": "Helsingborg",
                                 "kolada_url": "http://127.0.0.1:9/v3", "retries": "0"})  # fmt: skip
    conn.close()
    at = AppTest.from_function(fetch_page, args=(str(db), "hr"), default_timeout=60)
    at.run()
    at.button[0].click().run()
    assert not at.exception
    shown = at.error[0].value  # Markdown-escaped (md_text): the dots carry backslashes
    assert "Kunde inte nå 127\\.0\\.0\\.1" in shown and "internetförbindelse" in shown


def test_a_principal_gets_no_fetch_button(tmp_path):
    db = tmp_path / "p.duckdb"
    connect(db).close()
    at = AppTest.from_function(fetch_page, args=(str(db), "principal"), default_timeout=60)
    at.run()
    assert len(at.button) == 0


@pytest.fixture(scope="module")
def aruba_with_kolada(small_db, tmp_path_factory):
    """The small fixture with published sick-leave values (Kolada N00090): the country 6,3 %
    in 2024 and 6,0 % in 2025, the group 6,1 % in 2025 (made up)."""
    import json
    import shutil

    from kompetens.core import store
    from kompetens.external import writer

    target = tmp_path_factory.mktemp("aruba_bench") / "aruba.duckdb"
    shutil.copy(small_db, target)
    values = [("0000", 2024, 6.3), ("0000", 2025, 6.0), ("G1", 2025, 6.1)]
    body = {
        "count": len(values),
        "values": [
            {
                "kpi": "N00090",
                "municipality": place,
                "period": year,
                "values": [{"count": 1, "gender": "T", "status": "", "value": v}],
            }
            for place, year, v in values
        ],
        "next_url": None,
    }
    conn = store.connect(target)
    try:
        writer.write_settings(conn, {"municipality": "1299", "group_name": "Grupp G1"})
        writer.import_benchmark_file(conn, "kolada.json", json.dumps(body).encode())
    finally:
        conn.close()
    return target


def test_arubas_sick_leave_trend_gets_the_country_and_group_lines(aruba_with_kolada):
    from kompetens.indicators import registry
    from tests.app_support import run_page

    at = run_page(aruba_with_kolada, "views/aruba.py", query_params={"ar": "2025"}, timeout=120)
    at.button_group(key="fas").set_value("behalla").run()
    at.session_state["flik_behalla"] = registry.get("sick_leave_rate").name_sv
    at.run()
    assert not at.exception
    traces = {
        t["name"]: t.get("y")
        for c in at.get("plotly_chart")
        for t in __import__("json").loads(c.proto.spec)["data"]
        if str(t.get("name", "")).endswith("(Kolada)")
    }
    # 6,3 % and 6,0 % for the country, 6,1 % for the group, in the indicator's unit (shares)
    assert traces == {
        "Riket (Kolada)": [pytest.approx(0.063), pytest.approx(0.06)],
        "Liknande kommuner (Kolada)": [pytest.approx(0.061)],
    }
    assert at.toggle(key="benchmark_lines_sick_leave_rate").value is True
    captions = [c.value for c in at.caption if "Jämförelselinjer" in c.value]
    assert len(captions) == 1 and "Riket (prickad linje)" in captions[0]

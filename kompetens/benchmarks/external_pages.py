"""Benchmark: what the external-benchmark components add to Översikt and Behörighet, as a ratio.

``uv run python -m kompetens.benchmarks external_pages [--db PATH] [--repeat N]``

Until the pages call the components (``kompetens.ui.benchmark_view``), this measures the two
parts separately on the same published snapshot, both through Streamlit's ``AppTest``, warm
(median of ``--repeat`` runs after a first run):

- *page*: the page as it is, run through the real frame (``app.py``);
- *added*: a script that makes exactly the component calls the page would make — Översikt:
  a comparison caption under each of the eight headline cards and the trend chart's
  national / similar-municipalities lines; Behörighet: the caption under its card and the
  reconciliation table.

*added* is that script's warm run minus the same script without the calls (the AppTest
floor: the script run, the connection, the columns). The ratio printed is (page + added) / page. Once the calls are wired into the pages,
``python -m kompetens.benchmarks pages`` before and after gives the same figure directly.
Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import logging
import os
import statistics
import sys
import time
from pathlib import Path

from kompetens import wiring
from kompetens.core import paths

PAGES = {"Översikt": "views/oversikt.py", "Behörighet": "views/behorighet.py"}


def _components(db_path: str, page: str, floor: bool = False) -> None:
    """The component calls a page makes (AppTest script; imports inside, as AppTest requires).

    ``floor``: the same script up to the calls (connection, columns), for the floor subtracted.
    """
    import plotly.graph_objects as go
    import streamlit as st

    from kompetens.access.scope import Scope
    from kompetens.core import store
    from kompetens.ui import benchmark_view
    from kompetens.ui.competence_views import HEADLINE_INDICATORS

    @st.cache_resource
    def connection(path: str):
        return store.connect(path, read_only=True)

    cur = connection(db_path).cursor()
    scope = Scope.everything()
    year = store.scalar(cur, "SELECT max(period) FROM key_figures WHERE period_type = 'year'")
    if floor:
        st.columns(4) + st.columns(4)
    elif page == "Översikt":
        columns = st.columns(4) + st.columns(4)
        for column, indicator_id in zip(columns, HEADLINE_INDICATORS, strict=False):
            benchmark_view.card_comparison(column, cur, scope, indicator_id, year)
        years = [str(y) for y in range(int(year) - 7, int(year) + 1)]
        fig = go.Figure(go.Scatter(x=years, y=[0.7] * len(years)))
        benchmark_view.trend_lines(fig, cur, scope, "certified_teacher_share")
    else:
        (column,) = st.columns(1)
        benchmark_view.card_comparison(column, cur, scope, "certified_teacher_share", year)
        benchmark_view.reconciliation_table(cur, scope, year)
    cur.close()


def _warm(at, repeat: int) -> float:
    at.run()
    walls = []
    for _ in range(repeat):
        start = time.perf_counter()
        at.run()
        walls.append(time.perf_counter() - start)
    if at.exception:
        raise RuntimeError(at.exception[0].message)
    return statistics.median(walls)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="external_pages")
    parser.add_argument("--db", type=Path, default=None)
    parser.add_argument("--repeat", type=int, default=5)
    args, _ = parser.parse_known_args(argv if argv is not None else sys.argv[1:])
    wiring.wire()
    from streamlit.testing.v1 import AppTest

    from kompetens.core import snapshot
    from kompetens.ops import database

    logging.getLogger("streamlit").setLevel(logging.ERROR)
    db = paths.db_path(args.db)
    database.ensure_published(db)
    published = str(snapshot.read_pointer(db).file)
    os.environ["KOMPETENS_DB"] = str(db)
    at = AppTest.from_file(str(paths.PROJECT_ROOT / "app.py"), default_timeout=600)
    at.run()
    for name, page in PAGES.items():
        at.switch_page(page)
        page_s = _warm(at, args.repeat)
        extra = AppTest.from_function(_components, args=(published, name), default_timeout=600)
        floor = AppTest.from_function(
            _components, args=(published, name, True), default_timeout=600
        )
        added_s = max(0.0, _warm(extra, args.repeat) - _warm(floor, args.repeat))
        load = os.getloadavg()[0]
        print(
            f"{name}: page {page_s * 1000:.0f} ms, benchmark components {added_s * 1000:.0f} ms, "
            f"ratio {(page_s + added_s) / page_s:.2f} (load average {load:.1f})"
        )


if __name__ == "__main__":
    main()

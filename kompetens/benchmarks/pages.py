"""Page timings: server-side script run (cold and warm) and browser time to first chart.

    uv run python -m kompetens.benchmarks.pages [--db PATH] [--browser] [--repeat N]

Server side: each page is run through the real frame (``app.py``) with Streamlit's
``AppTest``; *cold* is the first run after the query-layer cache was cleared,
*warm* the median of the next ``--repeat`` runs. Targets (issue 4): every page
warm ≤ 300 ms at 5,000 staff and ≤ 1 s at 50,000.

Browser (``--browser``): ``streamlit run app.py`` on loopback and headless
Chromium; the time from navigation until the script run has finished and the
first Plotly chart is visible. Target: ≤ 3 s at 5,000 staff.

Figures are printed, never asserted: the machine is shared and noisy.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from pathlib import Path

PAGES: dict[str, str] = {
    "Översikt": "views/oversikt.py",
    "Behörighet": "views/behorighet.py",
    "ARUBA": "views/aruba.py",
    "Stödbehov": "views/stodbehov.py",
    "Verksamhetsdialog": "views/dialog.py",
    "Datakvalitet": "views/datakvalitet.py",
    "Import": "views/importera.py",
    "Indikatorer": "views/indikatorer.py",
}
#: Pages whose first screen has a Plotly chart (the browser timing waits for it).
CHART_PAGES = {"Översikt", "Behörighet", "ARUBA", "Stödbehov", "Datakvalitet"}
URL_PATHS: dict[str, str] = {
    "Översikt": "oversikt",
    "Behörighet": "behorighet",
    "ARUBA": "aruba",
    "Stödbehov": "stodbehov",
    "Verksamhetsdialog": "dialog",
    "Datakvalitet": "datakvalitet",
    "Import": "import",
    "Indikatorer": "indikatorer",
}


def server_side(db: Path, repeat: int) -> list[tuple[str, float, float]]:
    import logging

    import streamlit as st
    from streamlit.testing.v1 import AppTest

    logging.getLogger("streamlit").setLevel(logging.ERROR)

    from kompetens import query
    from kompetens.core import paths

    os.environ["KOMPETENS_DB"] = str(db)
    app = str(paths.PROJECT_ROOT / "app.py")
    results = []
    for name, page in PAGES.items():
        at = AppTest.from_file(app, default_timeout=300)
        at.run()  # the frame on the default page: opens the database, draws the filters
        at.switch_page(page)
        query.clear_cache()
        st.cache_data.clear()
        start = time.perf_counter()
        at.run()
        cold = time.perf_counter() - start
        if at.exception:
            raise RuntimeError(f"{name}: {at.exception[0].message}")
        warm_runs = []
        for _ in range(repeat):
            start = time.perf_counter()
            at.run()
            warm_runs.append(time.perf_counter() - start)
        results.append((name, cold, statistics.median(warm_runs)))
        print(
            f"  {name:<18} cold {cold * 1000:8.0f} ms   warm {statistics.median(warm_runs) * 1000:7.0f} ms",
            flush=True,
        )
    return results


def _until_ready(page, name: str, start: float) -> float:
    """Poll (every 50 ms) until the script run has finished and, on pages with charts,
    the first Plotly chart has drawn its SVG; return the seconds since ``start``."""
    idle = '[data-testid="stApp"][data-test-script-state="notRunning"]'
    chart = '[data-testid="stPlotlyChart"] .main-svg'
    page.wait_for_timeout(50)  # let the click or navigation start a run
    while True:
        done = page.locator(idle).count() > 0 and page.locator("h1").count() > 0
        if done and (name not in CHART_PAGES or page.locator(chart).count() > 0):
            return time.perf_counter() - start
        if time.perf_counter() - start > 120:
            raise TimeoutError(f"{name}: no finished run with a chart within 120 s")
        page.wait_for_timeout(50)


def browser(db: Path) -> list[tuple[str, float]]:
    from playwright.sync_api import sync_playwright

    from tests.browser.harness import CHROMIUM, CHROMIUM_ARGS, running_app, wait_for_app

    results = []
    with running_app(db, timeout=300) as url, sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = instance.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(url)  # warm the server process (first start, imports)
        wait_for_app(page, timeout=300_000)
        for how in ("adress", "meny"):
            print(
                f"  – {'full page load (typing the address)' if how == 'adress' else 'in-app navigation (clicking the menu)'}:"
            )
            for name, path in URL_PATHS.items():
                if how == "meny":
                    link = page.locator('[data-testid="stSidebarNavLink"]').filter(has_text=name)
                    before = page.url
                    start = time.perf_counter()
                    link.first.click()
                    while page.url == before:
                        page.wait_for_timeout(20)
                else:
                    start = time.perf_counter()
                    page.goto(f"{url}/{path}")
                elapsed = _until_ready(page, name, start)
                results.append((f"{name} ({how})", elapsed))
                charts = page.locator('[data-testid="stPlotlyChart"]').count()
                print(f"    {name:<18} {elapsed:6.2f} s  ({charts} diagram)", flush=True)
                wait_for_app(page)  # let any follow-up rerun finish before the next page
        instance.close()
    return results


def main(argv: list[str] | None = None) -> None:
    from kompetens.core import paths

    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--db",
        type=Path,
        default=None,
        help="database (default: KOMPETENS_DB or data/kompetens.duckdb)",
    )
    parser.add_argument(
        "--browser", action="store_true", help="also time the pages in headless Chromium"
    )
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv if argv is not None else [])
    db = paths.db_path(args.db)
    print(f"Database: {db}  (load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")
    print("Server-side script run per page (AppTest through app.py):")
    results = server_side(db, args.repeat)
    worst = max(warm for _, _, warm in results)
    print(f"  slowest warm page: {worst * 1000:.0f} ms")
    if args.browser:
        print("Browser: navigation → script finished and first chart visible:")
        timings = browser(db)
        print(f"  slowest page: {max(t for _, t in timings):.2f} s")


if __name__ == "__main__":
    import sys

    main(sys.argv[1:])

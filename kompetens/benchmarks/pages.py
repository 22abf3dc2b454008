"""Page timings: the server-side script run, and what a person waits for in Chromium.

    uv run python -m kompetens.benchmarks pages [--db PATH] [--browser] [--repeat N] [--root DIR] [--json]

Server side (a child process, so nothing it opens is held when the browser part
runs): each page is run through the real frame (``app.py``) with Streamlit's
``AppTest``; *cold* is the first run after the query-layer cache was cleared,
*warm* the median of the next ``--repeat`` runs, with its CPU time.

Browser (``--browser``): ``streamlit run`` on loopback and headless Chromium,
for Kompetens and, in the same run, for a *trivial app* (one ``st.write``
and one small Plotly chart per page, two pages, a year select box): the floor
Streamlit itself sets on this machine. For each app:

- *first tab after start*: the server has just answered its health check; a
  new tab opens the default page; seconds until the script run finished and
  the first chart drew its SVG;
- *new tab, warm*: the same on the warm server (median of three tabs);
- *sidebar link → page finished*: a click on each page's menu link until the
  new run finished (and its first chart drew); Chromium CPU and server CPU
  seconds of each navigation;
- *year change → page finished*: choosing another year in the sidebar.

"Finished" is observed in the page: a MutationObserver records when Streamlit
sets ``data-test-script-state`` to ``running`` and back to ``notRunning``;
a navigation is done when a run that started after the click has ended and
(on chart pages) a Plotly SVG is drawn. Every figure is printed in seconds
and as a ratio to the trivial app's, with the load average.

``--root DIR`` runs another checkout's ``app.py`` and code (e.g. a worktree of
an older commit) with this benchmark, for before/after figures in one run.

Before timing, the database's published snapshot is brought up to date
(``ops.database.ensure_published``), so no run pays for a recompute.
Figures are printed, never asserted: the machine is shared and noisy.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
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
CHART_PAGES = {"Översikt", "Behörighet", "ARUBA", "Stödbehov", "Datakvalitet", "Sida A", "Sida B"}
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
#: Pages whose year change is timed.
YEAR_PAGES = ("Översikt", "Behörighet", "ARUBA")

TRIVIAL_APP = """
import plotly.express as px
import streamlit as st


def page(title):
    def run():
        st.sidebar.selectbox("År", ["2026", "2025", "2024"], key="ar")
        st.title(title)
        st.write("En mening.")
        st.plotly_chart(px.bar(x=["a", "b", "c"], y=[1, 3, 2]))

    return st.Page(run, title=title, url_path=title.lower().replace(" ", "_"))


st.navigation([page("Sida A"), page("Sida B")]).run()
"""
TRIVIAL_PAGES = {"Sida A": "sida_a", "Sida B": "sida_b"}


def _server_side_here(db: Path, repeat: int) -> list[dict]:
    """The AppTest timings, in this process (run it in a child: see :func:`server_side`)."""
    import logging

    import streamlit as st
    from streamlit.testing.v1 import AppTest

    logging.getLogger("streamlit").setLevel(logging.ERROR)

    from kompetens import query

    os.environ["KOMPETENS_DB"] = str(db)
    app = str(Path.cwd() / "app.py")
    results = []
    # One session for every page: a new AppTest is a new session (a sign-in, an audit event).
    at = AppTest.from_file(app, default_timeout=600)
    at.run()  # the frame on the default page: opens the database, draws the filters
    try:  # the background warmer (if this code has one) finishes before anything is timed
        from kompetens.ui import warmup

        time.sleep(warmup.POLL_SECONDS + 0.5)  # it looks at the snapshot every POLL_SECONDS
        warmup.wait_until_idle()
    except ImportError:
        pass
    for name, page in PAGES.items():
        at.switch_page(page)
        at.run()  # the page's first run (its widgets' defaults), then cold without any cache
        query.clear_cache()
        st.cache_data.clear()
        start, cpu = time.perf_counter(), time.process_time()
        at.run()
        cold, cold_cpu = time.perf_counter() - start, time.process_time() - cpu
        if at.exception:
            raise RuntimeError(f"{name}: {at.exception[0].message}")
        walls, cpus = [], []
        for _ in range(repeat):
            start, cpu = time.perf_counter(), time.process_time()
            at.run()
            walls.append(time.perf_counter() - start)
            cpus.append(time.process_time() - cpu)
        results.append(
            {
                "page": name,
                "cold_ms": round(cold * 1000),
                "cold_cpu_ms": round(cold_cpu * 1000),
                "warm_ms": round(statistics.median(walls) * 1000),
                "warm_cpu_ms": round(statistics.median(cpus) * 1000),
                "load_average": round(os.getloadavg()[0], 1),
            }
        )
        print(f"  {name}: {results[-1]}", file=sys.stderr, flush=True)
    return results


def _child_env(root: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(root), env.get("PYTHONPATH")) if p)
    return env


def server_side(db: Path, repeat: int, root: Path) -> list[dict]:
    """The AppTest timings in a child process (``root``'s code), which exits before the browser part."""
    # Run by path (this file's code) with ``root``'s package first on the path.
    this = Path(__file__).resolve()
    code = "import runpy, sys; sys.argv = sys.argv[1:]; runpy.run_path(sys.argv[0], run_name='__main__')"
    done = subprocess.run(
        [sys.executable, "-c", code, str(this), "--child-server", str(db), str(repeat)],
        cwd=root,
        env=_child_env(root),
        stdout=subprocess.PIPE,  # progress and warnings go to this process's stderr
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"server-side timing failed (exit {done.returncode})")
    return json.loads(done.stdout.strip().splitlines()[-1])


def prepare(db: Path, root: Path) -> float:
    """Bring ``db``'s published snapshot up to date with ``root``'s code; returns the seconds it took."""
    code = (
        "from kompetens import wiring; wiring.wire(); "
        "from kompetens.ops import database; import sys; database.ensure_published(sys.argv[1])"
    )
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-c", code, str(db)], cwd=root, env=_child_env(root), check=True
    )
    return time.perf_counter() - start


# ---- the browser --------------------------------------------------------------------------

_OBSERVER = """
() => {
  window.__runs = window.__runs || [];
  const app = document.querySelector('[data-testid="stApp"]');
  if (!app || window.__observedApp === app) return;
  window.__observedApp = app;
  new MutationObserver(() => {
    window.__runs.push([app.getAttribute('data-test-script-state'), performance.now()]);
  }).observe(app, {attributes: true, attributeFilter: ['data-test-script-state']});
}
"""
_IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'
_CHART = '[data-testid="stPlotlyChart"] .main-svg'


@contextlib.contextmanager
def serving(app: Path, db: Path, root: Path) -> Iterator[tuple[str, int]]:
    """``streamlit run app`` on a free loopback port; yields (url, server pid) once it answers."""
    from tests.browser.harness import free_port

    port = free_port()
    env = {**_child_env(root), "KOMPETENS_DB": str(db)}
    log = tempfile.NamedTemporaryFile(  # noqa: SIM115 (closed below)
        prefix="kompetens-bench-streamlit-", suffix=".log", delete=False
    )
    process = subprocess.Popen(
        [
            sys.executable, "-m", "streamlit", "run", str(app),
            "--server.port", str(port), "--server.address", "127.0.0.1",
            "--server.headless", "true", "--browser.gatherUsageStats", "false",
            "--server.fileWatcherType", "none",
        ],
        cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 300
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"streamlit exited with {process.returncode}; see {log.name}")
            with (
                contextlib.suppress(OSError),
                urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response,
            ):
                if response.status == 200:
                    break
            if time.monotonic() > deadline:
                raise TimeoutError(f"streamlit did not answer on {url}; see {log.name}")
            time.sleep(0.1)
        yield url, process.pid
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


def _cpu(pids: list[int]) -> float:
    """User + system CPU seconds of these processes so far (gone ones count 0)."""
    import psutil

    total = 0.0
    for pid in pids:
        with contextlib.suppress(psutil.Error):
            times = psutil.Process(pid).cpu_times()
            total += times.user + times.system
    return total


def _chromium_pids() -> list[int]:
    import psutil

    return [
        p.pid
        for p in psutil.Process().children(recursive=True)
        if "chrom" in (p.name() or "").lower()
    ]


def chromium_cpu() -> dict[int, float]:
    """User + system CPU seconds so far of each Chromium process alive now, by pid."""
    import psutil

    times: dict[int, float] = {}
    for pid in _chromium_pids():
        with contextlib.suppress(psutil.Error):
            cpu = psutil.Process(pid).cpu_times()
            times[pid] = cpu.user + cpu.system
    return times


def cpu_growth(before: dict[int, float], after: dict[int, float]) -> float:
    """CPU seconds the processes used between two ``chromium_cpu`` readings.

    Each process alive at the second reading counts what it grew by (one started in
    between counts from 0). One that exited in between is left out: it cannot be read
    any more, and subtracting its earlier total (as a sum over the first reading's pids
    did) made the trivial app's figure negative when a closed tab's renderer exited.
    """
    return sum(max(0.0, now - before.get(pid, 0.0)) for pid, now in after.items())


def _finished(page, since_ms: float, chart: bool, timeout: float = 120) -> None:
    """Wait until a run that began after ``since_ms`` (page clock) ended and, if asked, a chart drew."""
    start = time.perf_counter()
    while True:
        page.evaluate(_OBSERVER)
        runs = page.evaluate("() => window.__runs || []")
        began = [t for state, t in runs if state == "running" and t >= since_ms]
        ended = began and any(state == "notRunning" and t >= began[0] for state, t in runs)
        if ended and page.locator(_IDLE).count() and (not chart or page.locator(_CHART).count()):
            return
        if time.perf_counter() - start > timeout:
            raise TimeoutError("no finished run within the timeout")
        page.wait_for_timeout(20)


def _open_tab(context, url: str, chart: bool) -> float:
    """A new tab on ``url``: seconds until its first run finished (and its first chart drew)."""
    page = context.new_page()
    start = time.perf_counter()
    page.goto(url)
    page.wait_for_selector(_IDLE, timeout=300_000)
    while not (page.locator("h1").count() and (not chart or page.locator(_CHART).count())):
        page.wait_for_timeout(20)
    page.wait_for_selector(_IDLE, timeout=300_000)
    elapsed = time.perf_counter() - start
    page.close()
    return elapsed


def _navigate(page, name: str, server_pid: int) -> dict:
    """Click the menu link of ``name``; seconds until finished, with Chromium and server CPU."""
    page.evaluate(_OBSERVER)
    link = page.locator('[data-testid="stSidebarNavLink"]').filter(has_text=name).first
    cpu_before = (chromium_cpu(), _cpu([server_pid]))
    since = page.evaluate("() => performance.now()")
    start = time.perf_counter()
    link.click()
    _finished(page, since, name in CHART_PAGES)
    elapsed = time.perf_counter() - start
    page.wait_for_timeout(300)  # let the browser finish drawing before the CPU is read
    return {
        "seconds": round(elapsed, 3),
        "chromium_cpu": round(cpu_growth(cpu_before[0], chromium_cpu()), 3),
        "server_cpu": round(_cpu([server_pid]) - cpu_before[1], 3),
    }


def _change_year(page, name: str, server_pid: int) -> dict:
    """Choose the next year in the sidebar's year box (keyboard); seconds until the page finished."""
    box = page.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"]').filter(
        has_text="År"
    )
    box.first.click()
    page.get_by_role("option").first.wait_for(timeout=30_000)
    page.evaluate(_OBSERVER)
    cpu_before = (chromium_cpu(), _cpu([server_pid]))
    since = page.evaluate("() => performance.now()")
    start = time.perf_counter()
    page.keyboard.press("ArrowDown")  # the option after the chosen one: always another year
    page.keyboard.press("Enter")
    _finished(page, since, name in CHART_PAGES)
    elapsed = time.perf_counter() - start
    page.wait_for_timeout(300)
    return {
        "seconds": round(elapsed, 3),
        "chromium_cpu": round(cpu_growth(cpu_before[0], chromium_cpu()), 3),
        "server_cpu": round(_cpu([server_pid]) - cpu_before[1], 3),
    }


NOT_MEASURED = {"seconds": float("nan"), "chromium_cpu": float("nan"), "server_cpu": float("nan")}


def _timed(what, *args) -> dict:
    """Run a timing; a timeout is reported as ``nan`` (and said on stderr), not a crash."""
    try:
        return what(*args)
    except TimeoutError as problem:
        print(f"  {what.__name__}{args[1:2]}: {problem}", file=sys.stderr, flush=True)
        return dict(NOT_MEASURED)


def browse_app(
    app: Path, db: Path, root: Path, pages: dict[str, str], first: str, year_pages: tuple[str, ...]
) -> dict:
    """Every browser figure of one app (see the module docstring)."""
    from playwright.sync_api import sync_playwright

    from tests.browser.harness import CHROMIUM, CHROMIUM_ARGS

    out: dict = {"nav": {}, "year": {}}
    with serving(app, db, root) as (url, pid), sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = instance.new_context(viewport={"width": 1400, "height": 1000})
        out["first_tab_after_start_s"] = round(_open_tab(context, url, True), 3)
        out["new_tab_warm_s"] = round(
            statistics.median(_open_tab(context, url, True) for _ in range(3)), 3
        )
        page = context.new_page()
        page.goto(url)
        page.wait_for_selector(_IDLE, timeout=300_000)
        page.wait_for_timeout(500)
        order = [n for n in pages if n != first] + [first]
        for name in order:
            out["nav"][name] = _timed(_navigate, page, name, pid)
        for name in year_pages:
            if name != order[-1]:
                _timed(_navigate, page, name, pid)
            out["year"][name] = _timed(_change_year, page, name, pid)
        instance.close()
    return out


def browser(db: Path, root: Path) -> dict:
    """Kompetens and the trivial app, one after the other in the same run."""
    with tempfile.TemporaryDirectory(prefix="kompetens-trivial-app-") as folder:
        trivial_app = Path(folder) / "trivial_app.py"
        trivial_app.write_text(TRIVIAL_APP, encoding="utf-8")
        trivial = browse_app(trivial_app, db, root, TRIVIAL_PAGES, "Sida A", ("Sida A",))
    kompetens = browse_app(root / "app.py", db, root, URL_PATHS, "Översikt", YEAR_PAGES)
    return {"trivial": trivial, "kompetens": kompetens}


def _median(values) -> float:
    """Median of the measured values (a timeout's ``nan`` left out); ``nan`` if none."""
    kept = [v for v in values if v == v]
    return statistics.median(kept) if kept else float("nan")


def _max(values) -> float:
    kept = [v for v in values if v == v]
    return max(kept) if kept else float("nan")


def _ratio(value: float, floor: float) -> str:
    return f"{value / floor:4.1f}x" if floor and floor == floor and value == value else "  na"


def report(result: dict) -> str:
    """The figures as readable lines: seconds, and the ratio to the trivial app."""
    lines = [
        f"Database: {result['database']}  (load average {result['load_average']} on "
        f"{os.cpu_count()} cores; code: {result['root']})",
        "Server-side script run per page (AppTest through app.py; CPU of the warm run):",
    ]
    for r in result["server"]:
        lines.append(
            f"  {r['page']:<18} cold {r['cold_ms']:7d} ms   warm {r['warm_ms']:6d} ms "
            f"(CPU {r['warm_cpu_ms']} ms)  load {r['load_average']}"
        )
    lines.append(f"  slowest warm page: {result['page_warm_max_ms']} ms")
    b = result.get("browser")
    if b:
        t, k = b["trivial"], b["kompetens"]
        tn = _median(v["seconds"] for v in t["nav"].values())
        tc = _median(v["chromium_cpu"] for v in t["nav"].values())
        ty = _median(v["seconds"] for v in t["year"].values())
        lines += [
            "Browser (headless Chromium; ratio = Kompetens / trivial app, same run):",
            f"  first tab after server start   {k['first_tab_after_start_s']:6.2f} s   trivial "
            f"{t['first_tab_after_start_s']:5.2f} s  {_ratio(k['first_tab_after_start_s'], t['first_tab_after_start_s'])}"
            f"   ({_ratio(k['first_tab_after_start_s'], k['new_tab_warm_s'])} Kompetens's warm new tab)",
            f"  new tab → first chart (warm)   {k['new_tab_warm_s']:6.2f} s   trivial "
            f"{t['new_tab_warm_s']:5.2f} s  {_ratio(k['new_tab_warm_s'], t['new_tab_warm_s'])}",
            f"  sidebar link → page finished (trivial {tn:.2f} s, Chromium CPU {tc:.2f} s):",
        ]
        for name, v in k["nav"].items():
            lines.append(
                f"    {name:<18} {v['seconds']:6.2f} s {_ratio(v['seconds'], tn)}   Chromium CPU "
                f"{v['chromium_cpu']:5.2f} s {_ratio(v['chromium_cpu'], tc)}   server CPU {v['server_cpu']:5.2f} s"
            )
        lines.append(f"  year change → page finished (trivial {ty:.2f} s):")
        for name, v in k["year"].items():
            lines.append(
                f"    {name:<18} {v['seconds']:6.2f} s {_ratio(v['seconds'], ty)}   Chromium CPU "
                f"{v['chromium_cpu']:5.2f} s   server CPU {v['server_cpu']:5.2f} s"
            )
    return "\n".join(lines)


def run(db: Path, *, repeat: int = 5, with_browser: bool = False, root: Path | None = None) -> dict:
    """Everything this benchmark measures, as one dict (see :func:`report`)."""
    from kompetens.core import paths

    code = (root or paths.PROJECT_ROOT).resolve()
    prepared = prepare(db, code)
    server = server_side(db, repeat, code)
    result: dict = {
        "database": str(db),
        "root": str(code),
        "prepare_seconds": round(prepared, 2),
        "server": server,
        "page_warm_max_ms": max(r["warm_ms"] for r in server),
        "load_average": round(os.getloadavg()[0], 1),
    }
    if with_browser:
        b = browser(db, code)
        result["browser"] = b
        t, k = b["trivial"], b["kompetens"]
        result["nav_max_s"] = _max(v["seconds"] for v in k["nav"].values())
        result["nav_trivial_s"] = _median(v["seconds"] for v in t["nav"].values())
        result["first_chart_ratio"] = round(k["new_tab_warm_s"] / t["new_tab_warm_s"], 2)
        result["load_average_after"] = round(os.getloadavg()[0], 1)
    return result


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
    parser.add_argument(
        "--root", type=Path, default=None, help="run another checkout's app and code"
    )
    parser.add_argument(
        "--json", action="store_true", help="also print the figures as one JSON line"
    )
    parser.add_argument("--child-server", nargs=2, help=argparse.SUPPRESS)
    args, _unknown = parser.parse_known_args(argv)
    if args.child_server:
        from kompetens import wiring

        wiring.wire()
        print(json.dumps(_server_side_here(Path(args.child_server[0]), int(args.child_server[1]))))
        return
    db = paths.db_path(args.db).resolve()
    result = run(db, repeat=args.repeat, with_browser=args.browser, root=args.root)
    if args.json:
        print(json.dumps(result), flush=True)
    print(report(result), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])

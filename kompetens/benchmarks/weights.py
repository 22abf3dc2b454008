"""A weight change on Stödbehov in Chromium: seconds until the page finished, and CPU.

    uv run python -m kompetens.benchmarks weights [--db PATH] [--against DIR] [--changes N]

``streamlit run`` on loopback and headless Chromium (1400 px): Stödbehov opens, its
*Vikter* expander opens, and then the *Personalomsättning* slider is moved ``--changes``
times by keyboard (Home, End, Home, …: 0 % and 100 %, so every change changes the
ranking). For each change: seconds from the key press until a script run that began
after it has ended and the ranking's heading is there, Chromium CPU seconds and server
CPU seconds (``pages``'s observer and CPU counters).

``--against DIR`` runs another checkout (e.g. a worktree of an older commit) at the
same time, on its own copy of the database, and alternates the changes between the
two (A B, B A, …), so both see the same load: the before/after ratios come from one
run. Each server gets its own copy of ``--db``, brought up to date with its code first.
Figures are printed with the load average, never asserted.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from kompetens.benchmarks.pages import (
    _IDLE,
    _OBSERVER,
    _cpu,
    _finished,
    chromium_cpu,
    cpu_growth,
    prepare,
    serving,
)

ROOT = Path(__file__).resolve().parents[2]
#: The slider moved (its label on the page) and a heading the weighted part always draws.
SLIDER = "Personalomsättning"
HEADING = "Enheter efter stödbehov"


def _open(browser, url: str):
    """A 1400 px tab on Stödbehov with the weights open, once its first run finished."""
    page = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
    page.goto(f"{url}/stodbehov")
    page.wait_for_selector(_IDLE, timeout=300_000)
    page.get_by_role("heading", name=HEADING).wait_for(timeout=300_000)
    page.wait_for_timeout(1000)
    page.get_by_text("Vikter", exact=True).click()
    page.wait_for_timeout(500)
    return page


def _change(page, server_pid: int, key: str) -> tuple[float, float, float]:
    """Press ``key`` on the slider: (seconds to finished, Chromium CPU s, server CPU s)."""
    handle = page.locator('[data-testid="stSlider"]').filter(has_text=SLIDER).get_by_role("slider")
    handle.focus()
    page.evaluate(_OBSERVER)
    before = (chromium_cpu(), _cpu([server_pid]))
    since = page.evaluate("() => performance.now()")
    start = time.perf_counter()
    handle.press(key)
    _finished(page, since, False)
    page.get_by_role("heading", name=HEADING).wait_for()
    seconds = time.perf_counter() - start
    page.wait_for_timeout(400)  # let the browser finish drawing before the CPU is read
    return seconds, cpu_growth(before[0], chromium_cpu()), _cpu([server_pid]) - before[1]


def run(db: Path, roots: dict[str, Path], changes: int, browser=None) -> dict[str, list[tuple]]:
    """Per checkout (name -> root), the figures of each change, alternating between them.

    ``browser``: a launched Playwright Chromium to use (a test's); without one, one is
    launched here (Playwright's sync API allows one instance per thread at a time).
    """
    with tempfile.TemporaryDirectory(prefix="kompetens-bench-weights-") as folder:
        copies = {}
        for name, root in roots.items():
            copies[name] = Path(folder) / f"{name}.duckdb"
            shutil.copy(db, copies[name])
            prepare(copies[name], root)
        with contextlib.ExitStack() as stack:
            if browser is None:
                browser = stack.enter_context(_chromium())
            tabs = {}
            for name, root in roots.items():
                url, pid = stack.enter_context(serving(root / "app.py", copies[name], root))
                tabs[name] = (_open(browser, url), pid)
            out: dict[str, list[tuple]] = {name: [] for name in roots}
            names = list(roots)
            for i in range(changes):
                key = "Home" if i % 2 == 0 else "End"
                for name in names if i % 2 == 0 else names[::-1]:
                    page, pid = tabs[name]
                    out[name].append(_change(page, pid, key))
            for page, _ in tabs.values():
                page.context.close()
    return out


@contextlib.contextmanager
def _chromium():
    """Headless Chromium (the system's), closed on exit."""
    from playwright.sync_api import sync_playwright

    from tests.browser.harness import CHROMIUM, CHROMIUM_ARGS

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield instance
        finally:
            instance.close()


def report(result: dict[str, list[tuple]]) -> str:
    """Medians per checkout, and each against the first's when there are two."""
    lines = [f"load average {os.getloadavg()[0]:.2f} (1 min)"]
    medians = {}
    for name, rows in result.items():
        medians[name] = [statistics.median(r[k] for r in rows) for k in range(3)]
        seconds = [r[0] for r in rows]
        lines.append(
            f"{name}: weight change -> page finished median {medians[name][0]:.2f} s "
            f"(min {min(seconds):.2f}, max {max(seconds):.2f}, {len(rows)} changes); "
            f"Chromium CPU {medians[name][1]:.2f} s; server CPU {medians[name][2]:.2f} s"
        )
    if len(medians) == 2:
        (a, ma), (b, mb) = medians.items()
        ratios = [mb[k] / ma[k] if ma[k] else float("nan") for k in range(3)]
        lines.append(
            f"{b} / {a}: seconds {ratios[0]:.2f}, Chromium CPU {ratios[1]:.2f}, "
            f"server CPU {ratios[2]:.2f}"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    from kompetens.core import paths

    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", type=Path, default=None, help="database (default: the app's)")
    parser.add_argument(
        "--against", type=Path, default=None, help="another checkout, run alongside (before)"
    )
    parser.add_argument("--changes", type=int, default=8)
    args, _unknown = parser.parse_known_args(argv)
    db = paths.db_path(args.db).resolve()
    roots = {"before": args.against.resolve(), "this": ROOT} if args.against else {"this": ROOT}
    print(report(run(db, roots, args.changes)), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])

"""Server-side time of the ARUBA page per phase: a cold run (query cache cleared) and the best of three warm runs.

Runs app.py and views/aruba.py through Streamlit's AppTest (the frame included), so the
figures are what a script run costs on the server, without the browser.

    uv run python -m kompetens.benchmarks.aruba_page --db /tmp/demo5k.duckdb --year 2026
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

PHASES = ("attrahera", "rekrytera", "utveckla", "behalla", "avveckla")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True, type=Path)
    parser.add_argument("--year", required=True)
    args = parser.parse_args()
    os.environ.setdefault("KOMPETENS_PSEUDONYM_KEY", "benchmark-key-not-secret")

    from kompetens import query
    from tests.app_support import run_page

    at = run_page(args.db, "views/aruba.py", query_params={"ar": args.year})
    for phase in PHASES:
        at.button_group(key="fas").set_value(phase).run()
        query.clear_cache()
        start = time.perf_counter()
        at.run()
        cold = time.perf_counter() - start
        warm = []
        for _ in range(3):
            start = time.perf_counter()
            at.run()
            warm.append(time.perf_counter() - start)
        status = "ok" if not at.exception else f"{len(at.exception)} exceptions"
        print(
            f"{phase:10s} cold {cold * 1000:6.0f} ms   warm {min(warm) * 1000:5.0f} ms   {status}"
        )


if __name__ == "__main__":
    main()

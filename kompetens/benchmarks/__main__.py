"""Run the benchmark scripts: ``uv run python -m kompetens.benchmarks [NAME ...]``.

Each benchmark lives in ``kompetens/benchmarks/<name>.py`` with a ``main()``;
with no argument all of them run in turn. Figures are printed, never asserted:
machines are shared and noisy, so tests never time anything.

``uv run python -m kompetens.benchmarks --summary [--employees N] [--no-browser]``
runs the key benchmarks once on a fresh demo organisation of N staff (default
50,000) and ends with one line (``kompetens.benchmarks._summary``).
"""

from __future__ import annotations

import importlib
import itertools
import pkgutil
import sys

import kompetens.benchmarks as benchmarks


def available() -> list[str]:
    return sorted(
        m.name for m in pkgutil.iter_modules(benchmarks.__path__) if not m.name.startswith("_")
    )


def main(argv: list[str] | None = None) -> None:
    args = argv if argv is not None else sys.argv[1:]
    if "--summary" in args:
        from kompetens.benchmarks import _summary

        _summary.main([a for a in args if a != "--summary"])
        return
    # Names come first; options after them (``indicators --employees 5000``) are the benchmark's own.
    names = list(itertools.takewhile(lambda a: not a.startswith("-"), args)) or available()
    unknown = [n for n in names if n not in available()]
    if unknown:
        raise SystemExit(f"Okänd benchmark: {', '.join(unknown)}. Finns: {', '.join(available())}")
    for name in names:
        print(f"\n=== {name} ===", flush=True)
        module = importlib.import_module(f"kompetens.benchmarks.{name}")
        module.main()


if __name__ == "__main__":
    main()

"""Benchmark: import a 1,000,000-row staff CSV written the way a Swedish office writes it.

The file: ``;`` separator, Windows-1252, Swedish headers and values, decimal
comma and percent FTE, personnummer as employee ids (about 50,000 people over
20 monthly snapshots), names in an extra column. It is imported into a fresh
file-backed database (110 units imported first) in a child process, so that
the child's peak resident memory is the import's.

Run: ``uv run python -m kompetens.benchmarks.importing [--rows N] [--with-hooks]``

By default the after-import hooks (indicator recomputation) are switched off
so that the figure is the importer's own; ``--with-hooks`` includes them.
Targets (issue 2): ≤ 10 s and ≤ 2 GB peak for 1,000,000 rows on 2 cores.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import polars as pl

UNITS = 110
SNAPSHOTS = 20


def _luhn_digit(nine: np.ndarray) -> np.ndarray:
    """Check digits for an (n, 9) array of digits (personnummer Luhn)."""
    weights = np.array([2, 1, 2, 1, 2, 1, 2, 1, 2])
    products = nine * weights
    sums = (products // 10 + products % 10).sum(axis=1)
    return (10 - sums % 10) % 10


def make_personnummer(n: int, rng: np.random.Generator) -> list[str]:
    """``n`` distinct valid personnummer (12-digit or 10-digit with dash, mixed as in real exports)."""
    out: set[str] = set()
    result: list[str] = []
    while len(result) < n:
        m = (n - len(result)) * 2
        year = rng.integers(1960, 2005, m)
        month = rng.integers(1, 13, m)
        day = rng.integers(1, 29, m)
        serial = rng.integers(0, 1000, m)
        nine = np.stack(
            [
                (year // 10) % 10,
                year % 10,
                month // 10,
                month % 10,
                day // 10,
                day % 10,
                serial // 100,
                (serial // 10) % 10,
                serial % 10,
            ],
            axis=1,
        )
        check = _luhn_digit(nine)
        for i in range(m):
            yymmdd = f"{year[i] % 100:02d}{month[i]:02d}{day[i]:02d}"
            tail = f"{serial[i]:03d}{check[i]}"
            value = f"{year[i]}{month[i]:02d}{day[i]:02d}{tail}" if i % 2 else f"{yymmdd}-{tail}"
            key = f"{year[i]}{month[i]:02d}{day[i]:02d}{tail}"
            if key not in out:
                out.add(key)
                result.append(value)
                if len(result) == n:
                    break
    return result


def write_units(path: Path) -> None:
    ids = [f"E{i:03d}" for i in range(UNITS)]
    frame = pl.DataFrame(
        {
            "Enhetskod": ids,
            "Enhetsnamn": [f"Skola {i} – Ängsö" for i in range(UNITS)],
            "Område": [f"Område {i % 5 + 1}" for i in range(UNITS)],
            "Skolform": ["Grundskola" if i % 3 else "Förskola" for i in range(UNITS)],
        }
    )
    path.write_bytes(frame.write_csv(separator=";").encode("cp1252"))


def write_staff(path: Path, rows: int, seed: int = 1) -> None:
    """A ``rows``-row staff file: people × monthly snapshots, Swedish formats, Windows-1252."""
    rng = np.random.default_rng(seed)
    people = max(1, rows // SNAPSHOTS)
    ids = np.array(make_personnummer(people, rng), dtype=object)
    snapshot_dates = pl.date_range(
        pl.date(2023, 1, 1), pl.date(2024, 8, 1), "1mo", eager=True
    ).dt.month_end()
    idx = np.arange(rows)
    person = idx % people
    snap = (idx // people) % SNAPSHOTS
    categories = np.array(
        [
            "Lärare",
            "Förskollärare",
            "Barnskötare",
            "Elevassistent",
            "Fritidspedagog",
            "Rektor",
            "Övrig",
        ]
    )
    ftes = np.array(["100", "0,75", "75 %", "0,5", "1", "80 %", "0.6"])
    forms = np.array(["Tillsvidare", "Visstid", "Timavlönad"])
    birth = rng.integers(1958, 2003, people)
    hire_year = np.minimum(birth + 22, 2022)
    frame = pl.DataFrame(
        {
            "Mätdatum": snapshot_dates.gather(snap).dt.to_string("%Y-%m-%d"),
            "Personnummer": ids[person],
            "Förnamn": np.array(["Test"] * rows),
            # A person stays at one unit across snapshots.
            "Enhet_id": np.array([f"E{u:03d}" for u in range(UNITS)])[person % UNITS],
            "Befattning": categories[person % len(categories)],
            "Sysselsättningsgrad": ftes[(person // 7) % len(ftes)],
            "Anställningsform": forms[(person // 3) % len(forms)],
            "Legitimation": np.where(person % 4 == 0, "Nej", "Ja"),
            "Behörig": np.where(person % 5 == 0, "", "Ja"),
            "Födelseår": birth[person].astype(str),
            "Kön": np.where(person % 3 == 0, "Man", "Kvinna"),
            "Anställningsdatum": np.char.add(hire_year[person].astype(str), "0815"),
        }
    )
    path.write_bytes(frame.write_csv(separator=";").encode("cp1252"))


def _child(db: str, units: str, staff: str, with_hooks: bool) -> None:
    from kompetens.core import hooks, store
    from kompetens.ingest import import_file

    conn = store.connect(db)
    import_file(conn, units, user="benchmark")
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    steps: list[tuple[float, str]] = []
    usage = resource.getrusage(resource.RUSAGE_SELF)
    cpu_before = usage.ru_utime + usage.ru_stime
    start = time.perf_counter()
    with contextlib.nullcontext() if with_hooks else hooks.suspended():
        result = import_file(
            conn,
            staff,
            user="benchmark",
            progress=lambda _f, msg: steps.append((time.perf_counter() - start, msg)),
        )
    seconds = time.perf_counter() - start
    usage = resource.getrusage(resource.RUSAGE_SELF)
    cpu = usage.ru_utime + usage.ru_stime - cpu_before
    conn.close()
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(
        json.dumps(
            {
                "seconds": seconds,
                "cpu_seconds": cpu,
                "peak_rss_mb": peak_kb / 1024,
                "rss_before_import_mb": rss_before / 1024,
                "rows_written": result.rows_written,
                "steps": steps,
                "warnings": result.warnings,
            }
        )
    )


def _n(value: float) -> str:
    """Swedish whole number: ``1 000 000``."""
    return f"{value:,.0f}".replace(",", "\u00a0")


def _d(value: float) -> str:
    """Swedish decimal: ``7,25``."""
    return f"{value:.2f}".replace(".", ",")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument(
        "--with-hooks", action="store_true", help="include the indicator recomputation after import"
    )
    parser.add_argument(
        "--child", nargs=3, metavar=("DB", "UNITS", "STAFF"), help=argparse.SUPPRESS
    )
    parser.add_argument(
        "--generate", nargs=3, metavar=("UNITS", "STAFF", "ROWS"), help=argparse.SUPPRESS
    )
    args = parser.parse_args(argv)
    if args.generate:
        write_units(Path(args.generate[0]))
        write_staff(Path(args.generate[1]), int(args.generate[2]))
        return 0
    if args.child:
        from kompetens import wiring

        wiring.wire()
        _child(*args.child, with_hooks=args.with_hooks)
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        units, staff = tmp_path / "enheter.csv", tmp_path / "personal.csv"
        env = dict(os.environ)
        env.setdefault("KOMPETENS_PSEUDONYM_KEY", "benchmark-key")
        module = [sys.executable, "-m", "kompetens.benchmarks.importing"]
        # Linux keeps a process's peak RSS across fork and exec, so the parent stays
        # small: the file is generated in one child and imported in another.
        t0 = time.perf_counter()
        subprocess.run(
            [*module, "--generate", str(units), str(staff), str(args.rows)], env=env, check=True
        )
        print(
            f"Genererade {_n(args.rows)} rader ({_n(staff.stat().st_size / 1e6)} MB) på {_d(time.perf_counter() - t0)} s"
        )
        cmd = [*module, "--child", str(tmp_path / "k.duckdb"), str(units), str(staff)]
        if args.with_hooks:
            cmd.append("--with-hooks")
        out = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
        if out.returncode != 0:
            print(out.stderr, file=sys.stderr)
            return out.returncode
        figures = json.loads(out.stdout.strip().splitlines()[-1])
    print(
        f"Import av {_n(figures['rows_written'])} rader personal: {_d(figures['seconds'])} s, "
        f"högsta minnesanvändning (RSS) {_n(figures['peak_rss_mb'])} MB "
        f"(varav {_n(figures['rss_before_import_mb'])} MB före importen)"
        f"{' inklusive nyckeltalsberäkning' if args.with_hooks else ''}."
    )
    print(
        f"  CPU-tid (alla trådar): {_d(figures['cpu_seconds'])} s; belastning på maskinen: {_d(os.getloadavg()[0])}"
    )
    for warning in figures["warnings"]:
        print(f"  Varning: {warning}")
    for at, message in figures["steps"]:
        print(f"  {_d(at):>6} s  {message}")
    ok = figures["seconds"] <= 10 and figures["peak_rss_mb"] <= 2048
    print("Mål (≤ 10 s, ≤ 2 GB):", "uppfyllt" if ok else "INTE uppfyllt")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

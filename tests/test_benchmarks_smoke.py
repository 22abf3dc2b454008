"""The summary benchmark runs end to end at a tiny size and ends with its one-line format.

No timing is asserted (the machine is shared and noisy): only that every step
ran, that the last line has every field in order, and that the browser figures
skipped with ``--no-browser`` say ``na``. The browser part is left to the
benchmark itself (it starts two Streamlit servers and Chromium: too slow here).
"""

from __future__ import annotations

import re
import subprocess
import sys

from kompetens.benchmarks import _summary

NUMBER = r"\d+(\.\d+)?"
NUMBER_SV = r"\d+(,\d+)?"  # a Swedish decimal: 0,42


def test_the_summary_line_names_every_field_in_order_and_says_na_for_what_was_not_measured():
    line = _summary.summary_line(
        {"recompute_s": 1.234, "recompute_mb": 512, "pandas_ratio": 6.0, "page_warm_max_ms": 87}
    )
    assert line == (
        "summary: recompute_s=1.23 recompute_mb=512 pandas_ratio=6.00 sql_floor_ratio=na "
        "page_warm_max_ms=87 nav_max_s=na nav_trivial_s=na first_chart_ratio=na"
    )


def test_the_summary_command_runs_at_a_tiny_size_and_its_last_line_has_the_exact_format():
    done = subprocess.run(
        [
            sys.executable, "-m", "kompetens.benchmarks", "--summary",
            "--employees", "150", "--repeat", "1", "--no-browser",
        ],
        capture_output=True, text=True, check=False, timeout=600,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    last = done.stdout.strip().splitlines()[-1]
    pattern = (
        rf"summary: recompute_s={NUMBER} recompute_mb=\d+ pandas_ratio={NUMBER} "
        rf"sql_floor_ratio={NUMBER} page_warm_max_ms=\d+ "
        r"nav_max_s=na nav_trivial_s=na first_chart_ratio=na"
    )
    assert re.fullmatch(pattern, last), last
    # The steps above the line report what they measured.
    assert "Full recompute:" in done.stdout
    assert "DuckDB SQL (the floor" in done.stdout
    assert "slowest warm page:" in done.stdout


def test_the_profile_import_benchmark_imports_both_files_at_a_tiny_size_and_finds_equal_rows():
    done = subprocess.run(
        [sys.executable, "-m", "kompetens.benchmarks", "importing_profile", "--rows", "400"],
        capture_output=True, text=True, check=False, timeout=600,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    out = done.stdout
    # 400 rows = 20 people × 20 monthly snapshots, in both forms.
    assert re.search(rf"Kontraktsform +400 rader: {NUMBER_SV} s, CPU {NUMBER_SV} s", out), out
    assert re.search(rf"Export via profil +400 rader: {NUMBER_SV} s, CPU {NUMBER_SV} s", out), out
    assert "Samma personalrader i båda databaserna: ja" in out
    assert "Rad 405 ('Summa') är en summeringsrad och har hoppats över." in out
    assert re.search(
        rf"Kvot profil/kontrakt: {NUMBER_SV} \(CPU-tid {NUMBER_SV};.*belastning \(1 min\) före {NUMBER_SV}, "
        rf"efter {NUMBER_SV}",
        out,
    ), out


def test_the_incremental_month_benchmark_runs_at_a_tiny_size_and_reports_each_step():
    done = subprocess.run(
        # Without the after-recompute callbacks (the suppression mask): the engine's part only.
        [sys.executable, "-m", "kompetens.benchmarks", "incremental", "--employees", "60",
         "--no-callbacks"],
        capture_output=True, text=True, check=False, timeout=600,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    out = done.stdout
    for step in ("full recompute", "new month, recompute by month", "new month, whole blocks",
                 "old month again, by month", "old month again, whole blocks"):  # fmt: skip
        assert re.search(rf"{step}: +{NUMBER} s \(CPU {NUMBER} s\)", out), out


def test_the_projection_benchmark_runs_at_a_tiny_size_and_ends_with_its_line():
    done = subprocess.run(
        [sys.executable, "-m", "kompetens.benchmarks", "projection", "--employees", "300"],
        capture_output=True, text=True, check=False, timeout=600,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    out = done.stdout
    assert re.search(rf"projection \+ 500-draw band \(warm, best of 3\): +{NUMBER} s wall", out), (
        out
    )
    last = out.strip().splitlines()[-1]
    assert re.fullmatch(
        rf"projection: employees=300 warm_s={NUMBER} cpu_s={NUMBER} peak_mb=\d+", last
    ), last


def test_the_suppression_benchmark_masks_a_database_and_reports_its_figures(small_db, tmp_path):
    import json
    import shutil

    db = tmp_path / "small.duckdb"
    shutil.copy(small_db, db)
    done = subprocess.run(
        [sys.executable, "-m", "kompetens.benchmarks", "suppression", "--employees", "--db",
         str(db), "--timeout", "300"],
        capture_output=True, text=True, check=False, timeout=600,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    line = next(row for row in done.stdout.splitlines() if row.startswith(str(db)))
    figures = json.loads(line.split("| this code: ", 1)[1])
    assert figures["rows"] > 0 and figures["hidden"] > 0, line
    assert {"wall_s", "cpu_s", "peak_mb", "load", "secondary_unit_pct"} <= set(figures), line


def test_browser_cpu_counts_each_living_process_growth_and_never_goes_negative():
    from kompetens.benchmarks.pages import cpu_growth

    before = {10: 5.0, 11: 2.0, 12: 9.0}  # 12: a closed tab's renderer, about to exit
    after = {10: 5.4, 11: 2.1, 13: 0.25}  # 13: a renderer started in between
    # 0.4 + 0.1 + 0.25 = 0.75; the exited process is left out, not subtracted (-8.25 before).
    assert round(cpu_growth(before, after), 6) == 0.75
    assert cpu_growth(before, {}) == 0.0


def test_a_figures_only_run_without_pandas_says_so_and_prints_no_pandas_lines():
    from kompetens.benchmarks.indicators import summary

    run = {
        "employees": 200_000,
        "staff_rows": 18_747_000,
        "events": 1_000,
        "recompute": {
            "seconds": 30.5,
            "cpu_seconds": 41.0,
            "peak_mb": 9_000,
            "key_figure_rows": 12_000_000,
            "figures_only": True,
            "load_average": 1.2,
        },
    }
    text = summary(run)
    assert "the key figures alone (no suppression mask): 30.5 s (CPU 41.0 s)" in text
    assert "peak 9,000 MB" in text
    # The 20 s / 4 GB target is for the whole recompute (mask included) at 50,000 staff:
    # a run without the mask gets no verdict.
    assert "no verdict" in text and "met" not in text
    assert "pandas" not in text and "(load 1.2)" in text
    whole = summary(
        {**run, "employees": 50_000, "recompute": {**run["recompute"], "figures_only": False}}
    )
    assert "the suppression mask included" in whole and "NOT met" in whole  # 30.5 s > 20 s

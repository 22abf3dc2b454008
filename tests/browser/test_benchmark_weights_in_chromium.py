"""The weight-change benchmark (``kompetens.benchmarks.weights``) runs on the small fixture.

Its figures are never asserted (the machine is shared); what is tested is that it finds the
page, moves the slider and reports each change.
"""

from __future__ import annotations

import shutil

import pytest

from kompetens.benchmarks import weights

pytestmark = pytest.mark.browser


def test_the_weight_benchmark_moves_the_slider_twice_and_reports_both_changes(
    small_db, browser, tmp_path
):
    db = tmp_path / "small.duckdb"
    shutil.copy(small_db, db)
    # the session's Chromium: Playwright's sync API allows one instance per thread at a time
    result = weights.run(db, {"this": weights.ROOT}, changes=2, browser=browser)
    assert list(result) == ["this"] and len(result["this"]) == 2
    assert all(seconds > 0 and chromium >= 0 for seconds, chromium, _ in result["this"])
    text = weights.report(result)
    assert "this: weight change -> page finished median" in text and "2 changes" in text

"""Fixtures and helpers for testing the app: AppTest runs and a real browser.

The app is always tested against the hand-built small fixture (``tests/fixtures/small``),
loaded through the real importer into a database file, so figures on screen can be
compared with the hand-computed values in ``tests/test_indicators_fixture.py``.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from kompetens.core import paths, store
from tests.fixtures.small import load_small

APP = str(paths.PROJECT_ROOT / "app.py")


def build_small_db(target: Path) -> Path:
    conn = store.connect(target)
    try:
        load_small(conn)
    finally:
        conn.close()
    return target


@pytest.fixture(scope="session")
def small_db(tmp_path_factory) -> Path:
    """A database file holding the small fixture (built once per test session)."""
    os.environ.setdefault("KOMPETENS_PSEUDONYM_KEY", "test-key-not-secret")
    return build_small_db(tmp_path_factory.mktemp("app") / "small.duckdb")


def run_page(
    db: Path,
    page: str | None = None,
    *,
    query_params: dict[str, str] | None = None,
    timeout: float = 60,
) -> AppTest:
    """Run app.py (the frame) on ``page`` (e.g. ``"views/behorighet.py"``) against ``db``."""
    os.environ["KOMPETENS_DB"] = str(db)
    at = AppTest.from_file(APP, default_timeout=timeout)
    for key, value in (query_params or {}).items():
        at.query_params[key] = value
    at.run()
    if page:
        at.switch_page(page)
        at.run()
    return at


def texts(at: AppTest) -> str:
    """All visible text of a run (markdown, captions, metrics, titles …) as one string, for assertions."""
    parts: list[str] = []
    for kind in (
        "title",
        "header",
        "subheader",
        "markdown",
        "caption",
        "text",
        "info",
        "warning",
        "error",
        "success",
    ):
        parts += [str(getattr(e, "value", "")) for e in getattr(at, kind)]
    for metric in at.metric:
        parts += [str(metric.label), str(metric.value), str(metric.delta or "")]
    return "\n".join(parts)


def plain(text: str) -> str:
    """Text as the reader sees it: without md_text's backslashes and word joiners."""
    return text.replace("\\", "").replace("\u2060", "")


@pytest.fixture(scope="session")
def app_url(small_db, browser, tmp_path_factory) -> Iterator[str]:
    """The real app (``streamlit run app.py``) serving the small fixture on a free loopback port.

    The server gets its own copy of the database: the app holds a read-write
    connection (DuckDB locks the file for other processes), and the AppTest
    tests of the same session must still be able to open ``small_db``.
    """
    import shutil

    from tests.browser.harness import running_app, wait_for_app

    served = tmp_path_factory.mktemp("served") / "small.duckdb"
    shutil.copy(small_db, served)
    with running_app(served) as url:
        # Pay the server's first-run costs (imports, opening the database, filling the
        # query cache) once, before the tests' own waits start counting.
        warm = browser.new_page()
        warm.goto(url)
        wait_for_app(warm, timeout=180_000)
        warm.close()
        yield url


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    from tests.browser.harness import CHROMIUM, CHROMIUM_ARGS

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (.ci/run does)")
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="sv-SE")
    # A shared 2-core machine under load can take far longer than Playwright's 30 s default.
    context.set_default_timeout(90_000)
    tab = context.new_page()
    yield tab
    context.close()

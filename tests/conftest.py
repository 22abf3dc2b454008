"""Shared test set-up.

Every test runs with its own pseudonymisation key and database location, so
no test ever touches the developer's ``data/`` folder or real key file.
"""

from __future__ import annotations

import pytest

from kompetens import wiring


@pytest.fixture(autouse=True, scope="session")
def _wired():
    """Register the migrations and the data-change hook once, as every entry point does."""
    wiring.wire()


@pytest.fixture(autouse=True)
def _isolated_environment(tmp_path_factory, monkeypatch):
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("KOMPETENS_PSEUDONYM_KEY", "test-key-not-secret")
    monkeypatch.setenv("KOMPETENS_KEY_FILE", str(home / "pseudonym.key"))
    monkeypatch.setenv("KOMPETENS_DB", str(home / "kompetens.duckdb"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    yield


# App fixtures (small_db, app_url, browser, page) live in tests/app_support.py.
pytest_plugins = ["tests.app_support"]

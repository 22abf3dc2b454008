"""Helpers for driving the real app in headless Chromium (Debian's /usr/bin/chromium).

``running_app`` starts ``streamlit run app.py`` on a free loopback port against a
given database and yields the base URL; ``wait_for_app`` waits until the page's
script run has finished (Streamlit marks ``stApp`` with ``data-test-script-state``).
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

from kompetens.core import paths

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]
SCREENSHOT_DIR = paths.PROJECT_ROOT / "test-output" / "screenshots"


def free_port() -> int:
    with contextlib.closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def running_app(
    db: Path, *, extra_env: dict[str, str] | None = None, timeout: float = 90.0
) -> Iterator[str]:
    """Start the app as a user would (``streamlit run app.py``) and yield its URL."""
    port = free_port()
    env = {**os.environ, "KOMPETENS_DB": str(db), **(extra_env or {})}
    log = paths.PROJECT_ROOT / "test-output"
    log.mkdir(parents=True, exist_ok=True)
    with open(log / f"streamlit-{port}.log", "wb") as out:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "streamlit",
                "run",
                str(paths.PROJECT_ROOT / "app.py"),
                "--server.port",
                str(port),
                "--server.address",
                "127.0.0.1",
                "--server.headless",
                "true",
                "--browser.gatherUsageStats",
                "false",
                "--server.fileWatcherType",
                "none",
            ],
            cwd=paths.PROJECT_ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + timeout
            while True:
                if process.poll() is not None:
                    raise RuntimeError(
                        f"streamlit exited with {process.returncode}; see {out.name}"
                    )
                try:
                    with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                        if response.status == 200:
                            break
                except OSError:
                    pass
                if time.monotonic() > deadline:
                    raise TimeoutError(f"streamlit did not answer on {url} within {timeout} s")
                time.sleep(0.3)
            yield url
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()


def wait_for_app(page, timeout: float = 90_000) -> None:
    """Wait until the script run triggered by the last navigation or interaction has finished.

    "Finished" means the app is connected and the script state has read ``notRunning``
    in two checks half a second apart: a rerun (a bound widget writing the URL, or the
    frame recovering a deep link on a fresh server) flips the state back to running
    shortly after a first run ends, and a single check could catch the gap between them.
    """
    page.wait_for_selector(
        '[data-testid="stApp"][data-test-connection-state="CONNECTED"]', timeout=timeout
    )
    idle = '[data-testid="stApp"][data-test-script-state="notRunning"]'
    page.wait_for_timeout(300)
    for _ in range(int(timeout / 500)):
        page.wait_for_selector(idle, timeout=timeout)
        page.wait_for_timeout(500)
        if page.locator(idle).count():
            return
    raise TimeoutError("the app kept rerunning")


def screenshot(page, name: str) -> Path:
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    target = SCREENSHOT_DIR / f"{name}.png"
    page.screenshot(path=str(target), full_page=True)
    return target


def no_exception(page) -> None:
    """Fail with the exception's text if the page shows a Streamlit exception box."""
    errors = page.locator('[data-testid="stException"]')
    assert errors.count() == 0, errors.first.inner_text()


def main_text(page) -> str:
    """The visible text of the main area (not the sidebar)."""
    return page.locator('[data-testid="stMain"]').inner_text()


def open_page(page, url: str, heading: str) -> None:
    """Go to a deep link and wait until the page's script run has finished and its heading is shown."""
    page.goto(url)
    wait_for_app(page)
    page.get_by_role("heading", name=heading, exact=True).first.wait_for(state="visible")
    wait_for_app(page)


def tall(page, height: int = 3200) -> None:
    """Streamlit scrolls inside its main area, so a full-page shot needs a tall window."""
    page.set_viewport_size({"width": 1400, "height": height})

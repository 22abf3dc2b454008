"""How long a downloaded file stays at its ``/media/…`` address (``kompetens.ui.frame``).

The sweep relies on Streamlit's media store: a download made on click is
stored without a session holding it, so the first sweep marks it and the
second deletes it, while a file a session still shows stays. These tests pin
that behaviour on a real ``MediaFileManager``, so a Streamlit upgrade that
changes it fails here; the end-to-end check over HTTP is
``tests/browser/test_downloads_in_chromium.py``.
"""

from __future__ import annotations

import threading

import pytest
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.runtime.media_file_storage import MediaFileStorageError
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
from streamlit.testing.v1 import AppTest

from kompetens.ui import frame
from tests.app_support import APP


def test_the_download_lifetime_defaults_to_half_a_minute_and_reads_swedish_decimals():
    assert frame.download_lifetime({}) == 30.0
    assert frame.download_lifetime({frame.DOWNLOAD_LIFETIME_ENV: "10"}) == 10.0
    assert frame.download_lifetime({frame.DOWNLOAD_LIFETIME_ENV: " 2,5 "}) == 2.5


@pytest.mark.parametrize("raw", ["1", "0", "-5", "3601", "en minut", "nan", "inf"])
def test_a_download_lifetime_outside_2_to_3600_seconds_is_refused_in_swedish(raw):
    with pytest.raises(ValueError, match="ska vara ett antal sekunder mellan 2 och 3600"):
        frame.download_lifetime({frame.DOWNLOAD_LIFETIME_ENV: raw})


class _Runtime:
    def __init__(self, manager: MediaFileManager) -> None:
        self.media_file_mgr = manager


@pytest.fixture
def media(monkeypatch) -> tuple[MediaFileManager, MemoryMediaFileStorage]:
    from streamlit import runtime

    storage = MemoryMediaFileStorage("/media")
    manager = MediaFileManager(storage)
    monkeypatch.setattr(runtime, "exists", lambda: True)
    monkeypatch.setattr(runtime, "get_instance", lambda: _Runtime(manager))
    return manager, storage


def _stored(storage: MemoryMediaFileStorage, url: str) -> bool:
    try:
        storage.get_file(url.rsplit("/", 1)[-1])
    except MediaFileStorageError:
        return False
    return True


def test_a_download_made_on_click_is_gone_after_two_sweeps(media):
    manager, storage = media
    placeholder = manager.add_deferred(
        lambda: b"enhet;andel\nE1;57,6\n", "text/csv", "1.0", "tabell.csv", element_id="dl"
    )
    url = manager.execute_deferred(placeholder)  # what a click does
    assert _stored(storage, url)
    frame.expire_downloads()
    assert _stored(storage, url)  # marked: at least half a lifetime to fetch it
    frame.expire_downloads()
    assert not _stored(storage, url)


def test_a_file_a_session_still_shows_survives_the_sweeps(media):
    manager, storage = media
    # Bytes given to st.download_button directly: held by the session while it shows the button.
    url = manager.add(b"%PDF-1.7", "application/pdf", "1.1", "underlag.pdf", True)
    for _ in range(3):
        frame.expire_downloads()
    assert _stored(storage, url)


def test_only_one_sweeper_runs_however_often_the_app_starts_it():
    # Two sweepers could mark and delete a fresh file at once, before its browser fetched it.
    for _ in range(3):
        frame._start_sweeper(3600)
    names = [t.name for t in threading.enumerate() if t.is_alive()]
    assert names.count("kompetens-download-expiry") == 1


def test_a_malformed_download_lifetime_stops_the_app_with_a_swedish_message(small_db, monkeypatch):
    monkeypatch.setenv("KOMPETENS_DB", str(small_db))
    monkeypatch.setenv(frame.DOWNLOAD_LIFETIME_ENV, "en minut")
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    assert not at.exception
    assert "Nedladdningarnas livslängd är fel inställd" in at.error[0].value
    assert not at.title

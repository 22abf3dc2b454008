"""The one-writer lock: who may change the database file, and who is waiting.

DuckDB lets one process open a database file read-write, or many processes
open it read-only, never both. Kompetens therefore never keeps the database
(the *primary* file) open: a writer — an import from the command line or the
app, an undo, a dialogue note, an audit event — takes this lock, opens the
file, writes, closes it and publishes a read-only snapshot for the readers
(``kompetens.core.snapshot``), then lets go. Readers never take it.

The lock is an ``flock`` on ``<database>.lock``. Locks belong to an open file
description, so two threads of one process exclude each other just like two
processes do, and the kernel releases the lock of a process that dies (even
by ``kill -9``): a lock can never be left behind. The file also holds who took
the lock (process, purpose, user, time) so that a waiting writer and
``kompetens doctor`` can say who is writing.

Works on Linux and macOS (``fcntl``).
"""

from __future__ import annotations

import datetime as dt
import fcntl
import getpass
import json
import os
import socket
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import asdict, dataclass
from pathlib import Path

#: Seconds a writer waits for the lock by default (``KOMPETENS_LOCK_TIMEOUT`` overrides).
DEFAULT_TIMEOUT = 600.0
#: How often a waiting writer tries again, in seconds.
POLL_SECONDS = 0.1


@dataclass(frozen=True)
class Holder:
    """Who holds (or last held) the lock: written into the lock file by the holder."""

    pid: int
    purpose: str  # e.g. "import personal.csv", "dialoganteckning"
    user: str
    host: str
    since: str  # ISO 8601, local time with offset

    def describe(self) -> str:
        """Swedish: 'import personal.csv (anna, process 1234, sedan 10:41:07)'."""
        try:
            at = dt.datetime.fromisoformat(self.since).strftime("%H:%M:%S")
        except ValueError:
            at = self.since
        return f"{self.purpose} ({self.user}, process {self.pid}, sedan {at})"


class DatabaseBusy(Exception):
    """Another writer held the lock for longer than this writer was willing to wait.

    ``str()`` is a Swedish message for the user; ``holder`` says who holds it (if known).
    """

    def __init__(self, message: str, holder: Holder | None = None):
        super().__init__(message)
        self.holder = holder


def lock_path(db: str | os.PathLike[str]) -> Path:
    """The lock file that belongs to database file ``db``."""
    return Path(f"{os.fspath(db)}.lock")


def timeout_from_env(default: float = DEFAULT_TIMEOUT) -> float:
    """``KOMPETENS_LOCK_TIMEOUT`` (seconds) if set to a number, else ``default``."""
    raw = os.environ.get("KOMPETENS_LOCK_TIMEOUT")
    if not raw:
        return default
    try:
        return max(0.0, float(raw.replace(",", ".")))
    except ValueError:
        return default


def _read_holder(path: Path) -> Holder | None:
    try:
        text = path.read_text(encoding="utf-8").strip()
        return Holder(**json.loads(text)) if text else None
    except (OSError, ValueError, TypeError):
        return None


def current_holder(db: str | os.PathLike[str]) -> Holder | None:
    """Who holds the writer lock right now, or None when nobody does.

    Probes the lock itself, so the stale record of a writer that died is not reported.
    """
    path = lock_path(db)
    if not path.exists():
        return None
    with open(path, "a+", encoding="utf-8") as probe:
        try:
            fcntl.flock(probe, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return _read_holder(path) or Holder(0, "okänd skrivning", "okänd", "", "")
        fcntl.flock(probe, fcntl.LOCK_UN)
    return None


def busy_message(holder: Holder | None, waited: float) -> str:
    who = holder.describe() if holder else "en annan skrivning"
    return (
        f"Databasen används av en annan skrivning: {who}. Väntade {waited:.0f} s utan att den "
        "blev klar. Försök igen när den är klar (se 'kompetens doctor')."
    )


@contextmanager
def writer_lock(
    db: str | os.PathLike[str],
    purpose: str,
    *,
    timeout: float | None = None,
    on_wait: Callable[[Holder | None], None] | None = None,
    user: str | None = None,
) -> Iterator[Holder]:
    """Hold the writer lock of ``db`` inside the block.

    Waits at most ``timeout`` seconds (``timeout_from_env()`` when None; 0 = try once)
    and then raises :class:`DatabaseBusy`. ``on_wait(holder)`` is called once when
    the lock is taken by someone else, so the caller can tell the user it waits.
    """
    limit = timeout_from_env() if timeout is None else max(0.0, timeout)
    path = lock_path(db)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = open(path, "a+", encoding="utf-8")  # noqa: SIM115 (held for the whole block)
    try:
        started = time.monotonic()
        told = False
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                waited = time.monotonic() - started
                holder = _read_holder(path)
                if waited >= limit:
                    raise DatabaseBusy(busy_message(holder, waited), holder) from None
                if not told and on_wait is not None:
                    told = True
                    on_wait(holder)
                time.sleep(min(POLL_SECONDS, max(0.0, limit - waited)))
        me = Holder(
            pid=os.getpid(),
            purpose=purpose,
            user=user or _login(),
            host=socket.gethostname(),
            since=dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        )
        handle.seek(0)
        handle.truncate()
        handle.write(json.dumps(asdict(me), ensure_ascii=False))
        handle.flush()
        try:
            yield me
        finally:
            with suppress(OSError):
                handle.seek(0)
                handle.truncate()
                handle.flush()
            fcntl.flock(handle, fcntl.LOCK_UN)
    finally:
        handle.close()


def _login() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no login name in some containers
        return "okänd"


__all__ = [
    "DEFAULT_TIMEOUT",
    "DatabaseBusy",
    "Holder",
    "busy_message",
    "current_holder",
    "lock_path",
    "timeout_from_env",
    "writer_lock",
]

"""A watched inbox: files an HR system drops into a folder are imported in order.

``kompetens watch DIR`` polls ``DIR`` (every ``interval`` seconds; ``--once``
for one pass). Each file that has stopped growing is imported like
``kompetens import FILE`` (all or nothing), in the order the files arrived
(modification time, then name):

- imported (or already imported before): moved to ``DIR/klara/``;
- rejected: moved to ``DIR/avvisade/`` together with ``<file>.rapport.txt``,
  the Swedish report saying what is wrong; nothing was written;
- the database busy (another import holds the lock): left in place, tried
  again on the next pass.

Files whose names start with ``.`` or ``~`` or end in ``.tmp``/``.part`` are
being written and are skipped; so are the sub-folders.
"""

from __future__ import annotations

import datetime as dt
import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from kompetens.core.locking import DatabaseBusy
from kompetens.ops import database

DONE = "klara"
REJECTED = "avvisade"
SUFFIXES = {".csv", ".txt", ".xlsx", ".parquet"}
#: Seconds a file must have kept its size before it is taken (a copy may be in progress).
SETTLE_SECONDS = 2.0


@dataclass(frozen=True)
class Outcome:
    file: str
    status: str  # "importerad" | "redan importerad" | "avvisad" | "väntar"
    message: str


def candidates(inbox: Path, *, settle: float = SETTLE_SECONDS) -> list[Path]:
    """Files ready to import, oldest first (modification time, then name)."""
    now = time.time()
    ready = []
    for path in inbox.iterdir():
        name = path.name
        if not path.is_file() or name.startswith((".", "~")) or name.endswith((".tmp", ".part")):
            continue
        if path.suffix.lower() not in SUFFIXES:
            continue
        if now - path.stat().st_mtime < settle:
            continue
        ready.append(path)
    return sorted(ready, key=lambda p: (p.stat().st_mtime_ns, p.name))


def _move(path: Path, folder: Path) -> Path:
    folder.mkdir(exist_ok=True)
    target = folder / path.name
    if target.exists():
        stamp = dt.datetime.now().strftime("%Y%m%dT%H%M%S")
        target = folder / f"{path.stem}.{stamp}{path.suffix}"
    os.replace(path, target)
    return target


def import_one(path: Path, db, *, timeout: float | None) -> Outcome:
    """Import one inbox file and move it to where it belongs."""
    from kompetens.ingest import ImportRejected, import_file

    inbox = path.parent
    try:
        with database.writing(db, f"inkorg {path.name}", timeout=timeout) as conn:
            result = import_file(conn, path, user="inkorg")
    except DatabaseBusy as busy:
        return Outcome(path.name, "väntar", str(busy))
    except (ImportRejected, ValueError) as rejected:
        moved = _move(path, inbox / REJECTED)
        report = moved.with_name(f"{moved.name}.rapport.txt")
        report.write_text(
            f"{rejected}\n\nInget från filen skrevs till databasen. Rätta filen och lägg den i "
            f"{inbox} igen.\n",
            encoding="utf-8",
        )
        return Outcome(path.name, "avvisad", f"{rejected} (rapport: {report})")
    moved = _move(path, inbox / DONE)
    if result.already_imported:
        return Outcome(path.name, "redan importerad", f"{result} Flyttad till {moved.parent}.")
    return Outcome(path.name, "importerad", str(result))


def watch(
    inbox: Path,
    db=None,
    *,
    once: bool = False,
    interval: float = 30.0,
    settle: float = SETTLE_SECONDS,
    timeout: float | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> Iterator[Outcome]:
    """Import what arrives in ``inbox``; yields one outcome per file handled. ``once``: one pass."""
    inbox = Path(inbox)
    while True:
        for path in candidates(inbox, settle=0.0 if once else settle):
            outcome = import_one(path, db, timeout=timeout)
            yield outcome
            if outcome.status == "väntar":
                break  # keep the order: the next files wait for this one
        if once:
            return
        sleep(interval)


__all__ = ["DONE", "REJECTED", "Outcome", "candidates", "import_one", "watch"]

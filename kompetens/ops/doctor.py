"""``kompetens doctor``: check an installation and say, in Swedish, what to do.

Checks, in order: the database file and its schema version; the key figures
(the data version and the code they were computed by, in the published
snapshot, and whether the database changed after the last publication); the
stored suppression mask (``query.suppression_store``: present, and belonging to
those figures and this version's suppression rules); the
pseudonym key; the writer lock; free disk space. Nothing is changed: the
doctor only reads (the published snapshot, never the database file itself).
"""

from __future__ import annotations

import os
import shutil
import stat
from dataclasses import dataclass
from pathlib import Path

import duckdb

from kompetens.core import locking, paths, snapshot, store

OK, WARNING, PROBLEM = "ok", "varning", "fel"
#: Free space wanted beside the database: the file, a published copy and a backup, plus margin.
MIN_FREE_BYTES = 1 << 30


@dataclass(frozen=True)
class Finding:
    level: str  # OK | WARNING | PROBLEM
    topic: str  # Swedish heading, e.g. "Databas"
    text: str  # what was found
    advice: str = ""  # what to do (empty when nothing)


def _size(num: float) -> str:
    for unit in ("byte", "kB", "MB", "GB", "TB"):
        if num < 1024 or unit == "TB":
            return f"{num:,.0f} {unit}".replace(",", "\u00a0") if unit == "byte" else f"{num:.1f} {unit}".replace(".", ",")  # fmt: skip
        num /= 1024
    return str(num)


def check(db: str | os.PathLike[str] | None = None) -> list[Finding]:
    """Every finding about the installation that uses database ``db``."""
    target = paths.db_path(db)
    findings: list[Finding] = []
    if not target.is_file():
        findings.append(
            Finding(
                PROBLEM,
                "Databas",
                f"{target} finns inte.",
                "Kontrollera --db eller KOMPETENS_DB, återställ en säkerhetskopia med "
                "'kompetens restore MAPP' eller bygg demodata med 'kompetens demo'.",
            )
        )
    else:
        findings += _database_findings(target)
    findings.append(_key_finding(target))
    findings.append(_lock_finding(target))
    findings.append(_disk_finding(target))
    return findings


def _database_findings(target: Path) -> list[Finding]:
    from kompetens.indicators import engine

    found: list[Finding] = []
    published = snapshot.read_pointer(target)
    if published is None or not published.file.exists():
        return [
            Finding(
                WARNING,
                "Publicerad kopia",
                "Databasen har ingen publicerad kopia ännu (appen och läsande kommandon läser den).",
                "Starta appen eller kör 'kompetens figures --out nyckeltal.csv': då publiceras en.",
            )
        ]
    newest = store.registered_migrations()[-1].version
    try:
        conn = duckdb.connect(str(published.file), read_only=True)
    except duckdb.Error as problem:
        return [
            Finding(
                PROBLEM,
                "Publicerad kopia",
                f"{published.file} kan inte öppnas: {problem}",
                "Kör 'kompetens figures --out nyckeltal.csv' för att publicera en ny kopia.",
            )
        ]
    try:
        version = store.schema_version(conn)
        data_version = store.data_version(conn)
        meta = engine.read_meta(conn)
        code = store.scalar(conn, "SELECT value FROM meta WHERE key = ?", [engine.CODE_VERSION_KEY])
        mask = _mask_finding(conn)
    finally:
        conn.close()
    size = _size(target.stat().st_size)
    if version > newest:
        found.append(
            Finding(
                PROBLEM,
                "Databas",
                f"{target} ({size}) har schemaversion {version}; den här versionen av Kompetens "
                f"känner bara till {newest}.",
                "Uppgradera Kompetens, eller återställ en säkerhetskopia som den här versionen gjort.",
            )
        )
    elif version < newest:
        found.append(
            Finding(
                WARNING,
                "Databas",
                f"{target} ({size}) har schemaversion {version}; den här versionen använder {newest}.",
                "Databasen uppgraderas vid nästa import eller när appen startar. "
                "Ta en säkerhetskopia först ('kompetens backup MAPP').",
            )
        )
    else:
        found.append(
            Finding(
                OK,
                "Databas",
                f"{target} ({size}), schemaversion {version}, dataversion {data_version}.",
            )
        )
    recompute = "Kör 'kompetens figures --out nyckeltal.csv' (räknar om och publicerar) eller starta om appen."
    if meta is None:
        level = WARNING if data_version else OK
        found.append(
            Finding(
                level,
                "Nyckeltal",
                "Inga nyckeltal är beräknade.",
                recompute if data_version else "",
            )
        )
    elif int(meta["data_version"]) != data_version:
        found.append(
            Finding(
                PROBLEM,
                "Nyckeltal",
                f"Nyckeltalen är beräknade från dataversion {meta['data_version']}, data är version {data_version}.",
                recompute,
            )
        )
    elif code != engine.code_version():
        found.append(
            Finding(
                WARNING,
                "Nyckeltal",
                f"Nyckeltalen räknades av en annan version av Kompetens (kod {code or 'okänd'}, nu {engine.code_version()}).",
                recompute,
            )
        )
    else:
        found.append(
            Finding(
                OK,
                "Nyckeltal",
                f"Beräknade från dataversion {data_version} av den här versionen (kod {code}), "
                f"{str(meta['computed_at'])[:16]}.",
            )
        )
    if mask is not None:
        found.append(mask)
    if snapshot.is_behind(target, published):
        holder = locking.current_holder(target)
        if holder is not None:
            found.append(
                Finding(
                    OK,
                    "Publicerad kopia",
                    f"En skrivning pågår ({holder.describe()}); den publicerar när den är klar.",
                )
            )
        else:
            found.append(
                Finding(
                    WARNING,
                    "Publicerad kopia",
                    f"Databasen har ändrats efter senaste publiceringen ({published.published_at[:19]}), "
                    "t.ex. av en import som avbröts under omräkningen.",
                    recompute,
                )
            )
    else:
        found.append(
            Finding(
                OK,
                "Publicerad kopia",
                f"Aktuell, publicerad {published.published_at[:19].replace('T', ' ')}.",
            )
        )
    return found


def _mask_finding(conn: duckdb.DuckDBPyConnection) -> Finding | None:
    """The stored suppression mask of the published copy (None when there are no key figures)."""
    from kompetens.present.formatting import fmt_number
    from kompetens.query import suppression_store as masks

    state = masks.mask_state(conn)
    if state == masks.NOT_NEEDED:
        return None
    advice = (
        "Kör 'kompetens figures --out nyckeltal.csv' (räknar fram den och publicerar) eller "
        "starta om appen. Till dess räknar appen fram den själv, en gång per databasversion "
        "(upp till en minut för en stor organisation)."
    )
    if state == masks.MISSING:
        return Finding(
            WARNING,
            "Sekretessgranskning",
            "Nyckeltalen har ingen lagrad sekretessgranskning (vilka små tal som döljs).",
            advice,
        )
    stamp = masks.stored_stamp(conn) or {}
    if state == masks.STALE:
        return Finding(
            WARNING,
            "Sekretessgranskning",
            "Den lagrade sekretessgranskningen hör inte till de lagrade nyckeltalen eller till "
            f"den här versionens regler (gjord {str(stamp.get('computed_at', ''))[:16]}).",
            advice,
        )
    hidden = store.scalar(conn, "SELECT count(*) FROM key_figure_suppression WHERE suppressed")
    total = store.scalar(conn, "SELECT count(*) FROM key_figure_suppression")
    return Finding(
        OK,
        "Sekretessgranskning",
        f"Aktuell för hela nyckeltalstabellen: {fmt_number(hidden)} av {fmt_number(total)} värden döljs "
        f"(gjord {str(stamp['computed_at'])[:16]} på {stamp['seconds']:.0f} s).",
    )


def _key_finding(target: Path) -> Finding:
    from kompetens.ops.backup import key_fingerprint

    if os.environ.get("KOMPETENS_PSEUDONYM_KEY"):
        return Finding(
            OK,
            "Pseudonymnyckel",
            f"Nyckeln kommer från miljövariabeln KOMPETENS_PSEUDONYM_KEY (fingeravtryck {key_fingerprint()}).",
        )
    path = paths.key_file_path()
    if not path.is_file():
        return Finding(
            WARNING,
            "Pseudonymnyckel",
            f"Nyckelfilen {path} finns inte.",
            "Den skapas vid första importen. Finns det redan data i databasen: återställ nyckeln "
            "från dess säkerhetskopia först, annars får samma person en ny pseudonym.",
        )
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        return Finding(
            PROBLEM,
            "Pseudonymnyckel",
            f"Nyckelfilen {path} kan läsas av andra (rättigheter {mode:o}).",
            f"Kör 'chmod 600 {path}'.",
        )
    near = target.parent.resolve()
    if path.resolve().parent == near or near in path.resolve().parents:
        return Finding(
            WARNING,
            "Pseudonymnyckel",
            f"Nyckelfilen {path} ligger i samma mapp som databasen.",
            "Flytta den (KOMPETENS_KEY_FILE) så att den inte kopieras med data.",
        )
    return Finding(
        OK,
        "Pseudonymnyckel",
        f"{path} (rättigheter 600, fingeravtryck {key_fingerprint()}). Säkerhetskopiera den "
        "separat från databasen.",
    )


def _lock_finding(target: Path) -> Finding:
    holder = locking.current_holder(target)
    if holder is None:
        return Finding(OK, "Skrivlås", "Ledigt: ingen import eller annan skrivning pågår.")
    return Finding(
        OK,
        "Skrivlås",
        f"Hålls av {holder.describe()} på {holder.host}.",
        "Andra skrivningar väntar tills den är klar. Ett lås släpps alltid när processen avslutas.",
    )


def _disk_finding(target: Path) -> Finding:
    folder = target.parent if target.parent.exists() else Path.cwd()
    free = shutil.disk_usage(folder).free
    size = target.stat().st_size if target.exists() else 0
    wanted = max(MIN_FREE_BYTES, 3 * size)
    if free < wanted:
        return Finding(
            WARNING,
            "Diskutrymme",
            f"{_size(free)} ledigt i {folder}; en import behöver plats för databasen, en publicerad "
            f"kopia och en säkerhetskopia (minst {_size(wanted)}).",
            "Frigör utrymme eller flytta databasen (KOMPETENS_DB) till en större disk.",
        )
    return Finding(OK, "Diskutrymme", f"{_size(free)} ledigt i {folder}.")


__all__ = ["OK", "PROBLEM", "WARNING", "Finding", "check"]

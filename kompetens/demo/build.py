"""The demo dataset: a fictional municipal school administration, loaded through the importer.

``generate_demo`` returns one canonical Polars frame per contract kind,
deterministic from ``seed``; ``write_demo_files`` writes them as an HR system
would (staff as Parquet, everything else as Swedish-office CSV: ``;``,
decimal comma, UTF-8 with BOM, ``Ja``/``Nej``); ``build_demo`` creates a fresh
database and loads every file through ``kompetens.ingest.import_file``, so
the demo exercises the real import path.

What the organisation looks like (5,000 staff, the default)
-----------------------------------------------------------
* ~110 units: 50 preschools, 47 compulsory schools, 10 upper-secondary
  schools and one adapted compulsory school spread over five areas
  ("Område Nord" … "Område Centrum"), plus one central unit in its own area
  ("Central förvaltning"). ``employees=50000`` gives ~10x as many units of
  the same typical size (and a bigger central unit), still five areas.
* Monthly staff snapshots on the **15th** of every month from ``start`` to
  ``end_month`` (the last full month before today). Hires are dated between
  two snapshots (usually the 1st), exits likewise (usually the last day of a
  month), so a hire first appears in the first snapshot after its date and
  an exit is absent from every snapshot after its date. See
  ``kompetens.demo.people`` for the staff-flow model.
* Deliberate gaps: "Sjöstadsskolan" opens mid-period (``valid_from`` the
  first August after the middle of the period, 2023-08-01 for 2019–2026; nobody
  is there before), one compulsory school has no survey at all, three units
  miss 2–4 consecutive months of sick leave.
* Employee ids are synthetic pseudonyms (``D000123``), never personnummer;
  no person names anywhere. Kolada ids use the non-existent municipality
  code 1299 (``V15E129900012``): the organisation is fictional.

Figures it is calibrated to (seed 42, 2019-01..2026-10; ``tests/test_demo.py``
checks the ranges): certified teacher share 69 % (2019) rising to 75 %
(2026), 45–97 % across schools and lower where the socio-economic index is
higher (r ≈ -0.6); licensed preschool teachers ~40–43 % of staff working
with children; permanent-staff turnover 9–11 % a year including
retirements at 63–67; ~17 % of teacher FTE fixed-term; sick leave ~6.3 %
(~42 % of it long-term); HME 70–85; "recommend" 3.5–4.3, rising ~0.04 a
year; ~5 % of permanent assistants/childminders given redundancy notice in
the last 12 months, about half of them placed since.
"""

from __future__ import annotations

import logging
import os
import threading
from datetime import date
from pathlib import Path

import numpy as np
import polars as pl

from kompetens.core import hooks, paths, store
from kompetens.core.contract import IMPORT_ORDER, KINDS
from kompetens.core.progress import Progress, part
from kompetens.demo import allocation as demo_allocation
from kompetens.demo import assignments as demo_assignments
from kompetens.demo import kinds as demo_kinds
from kompetens.demo import paths as demo_paths
from kompetens.demo import people as demo_people
from kompetens.demo import records as demo_records
from kompetens.demo import requisition_subjects as demo_requisition_subjects
from kompetens.demo import support as demo_support
from kompetens.demo import themes as demo_themes
from kompetens.demo.annual_wheel import load_demo_annual_wheel
from kompetens.demo.benchmarks import load_demo_benchmarks
from kompetens.demo.people import Timeline

#: Dependency order for loading: units first (every other kind refers to them).
LOAD_ORDER: tuple[str, ...] = IMPORT_ORDER
DEFAULT_START = date(2019, 1, 1)

log = logging.getLogger(__name__)
_ENSURE_LOCK = threading.Lock()


def default_end_month(today: date | None = None) -> date:
    """First day of the last full calendar month before ``today`` (2026-11-22 -> 2026-10-01)."""
    today = today or date.today()
    return date(today.year - 1, 12, 1) if today.month == 1 else date(today.year, today.month - 1, 1)


def _timeline(start: date, end_month: date | None) -> Timeline:
    end = end_month or default_end_month()
    first = date(start.year, start.month, 1)
    n_months = (end.year * 12 + end.month) - (first.year * 12 + first.month) + 1
    if n_months < 1:
        raise ValueError(f"end_month {end} is before start {start}")
    return Timeline(first, n_months)


def generate_demo(
    *,
    employees: int = 5000,
    start: date = DEFAULT_START,
    end_month: date | None = None,
    seed: int = 42,
) -> dict[str, pl.DataFrame]:
    """The demo dataset as canonical frames, one per contract kind (columns as in ``contract``).

    Deterministic: the same arguments give identical frames.
    """
    if employees < 50:
        raise ValueError("the demo needs at least 50 employees")
    tl = _timeline(start, end_month)
    rng = np.random.default_rng(seed)
    units, info = demo_people.make_units(rng, employees, tl)
    demo_people.add_unit_latents(rng, info)
    slot_unit, slot_cat = demo_people.make_slots(rng, info)
    spells, segments = demo_people.simulate_spells(rng, info, slot_unit, slot_cat, tl)
    segments, redundancy = demo_records.add_redundancy(rng, info, spells, segments, tl)
    ids = demo_records.employee_ids(rng, spells.height)
    unit_ids = info["unit_ids"]
    staff = demo_records.staff_frame(spells, segments, ids, unit_ids, tl)
    events = demo_records.events_frame(rng, spells, segments, redundancy, ids, unit_ids, tl)
    survey = demo_kinds.survey_frame(rng, staff, units, info["no_survey_unit"], tl)
    frames = {
        "units": units,
        "staff": staff,
        "events": events,
        "recruitments": demo_kinds.recruitments_frame(rng, events, staff, units, tl),
        "development": demo_kinds.development_frame(rng, events, staff, tl),
        "placements": demo_kinds.placements_frame(rng, staff, units, tl),
        "survey": survey,
        "sick_leave": demo_kinds.sick_leave_frame(
            rng, staff, units, info["missing_sick_units"], tl
        ),
        "targets": demo_kinds.targets_frame(survey, units, tl),
    }
    last_snapshot = tl.snapshot_dates[-1]
    frames["support_request"], frames["support_effort"] = demo_support.support_frames(
        units, info, last_snapshot, seed
    )
    frames["support_request"] = demo_themes.request_themes(frames["support_request"], seed)
    frames["teaching_assignment"] = demo_assignments.assignments_frame(staff, units, seed)
    frames.update(demo_allocation.allocation_frames(units, staff, seed))
    frames["certification_path"] = demo_paths.paths_frame(
        staff, frames["teaching_assignment"], seed
    )
    frames["recruitments"] = demo_requisition_subjects.with_subjects(
        frames["recruitments"], units, seed
    )
    return {kind: _canonical(kind, frame) for kind, frame in frames.items()}


def _canonical(kind: str, frame: pl.DataFrame) -> pl.DataFrame:
    """Exactly the contract's columns, in its order, with the store's types."""
    schema = store.polars_schema(KINDS[kind])
    return frame.select([pl.col(name).cast(dtype) for name, dtype in schema.items()])


# --------------------------------------------------------------------------- files


def _swedish_csv_frame(kind: str, frame: pl.DataFrame) -> pl.DataFrame:
    """Values as a Swedish office export writes them: Ja/Nej, YYYY-MM months, HT/VT terms."""
    k = KINDS[kind]
    out = []
    for col in k.columns:
        c = pl.col(col.name)
        if col.type == "bool":
            c = pl.when(c).then(pl.lit("Ja")).when(c.not_()).then(pl.lit("Nej")).otherwise(None)
        elif col.type == "month":
            c = c.dt.strftime("%Y-%m")
        elif col.type == "term":
            term = pl.when(c.dt.month() >= 7).then(pl.lit("HT")).otherwise(pl.lit("VT"))
            c = pl.concat_str(term, c.dt.year().cast(pl.String))
        out.append(c.alias(col.name))
    return frame.select(out)


def write_demo_files(frames: dict[str, pl.DataFrame], out_dir: Path) -> dict[str, Path]:
    """Write the canonical files: ``staff.parquet`` and ``<kind>.csv`` for the rest.

    CSV as Swedish offices write it: ``;`` separator, decimal comma, UTF-8 with BOM.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written: dict[str, Path] = {}
    for kind, frame in frames.items():
        if kind == "staff":
            path = out_dir / "staff.parquet"
            frame.write_parquet(path, compression="zstd", statistics=False)
        else:
            path = out_dir / f"{kind}.csv"
            _swedish_csv_frame(kind, frame).write_csv(
                path, separator=";", decimal_comma=True, include_bom=True, date_format="%Y-%m-%d"
            )
        written[kind] = path
    return written


# --------------------------------------------------------------------------- database


def _report(progress: Progress | None, fraction: float, message: str) -> None:
    if progress is not None:
        progress(min(max(fraction, 0.0), 1.0), message)


def _remove_database(db_file: Path) -> None:
    for path in (db_file, Path(f"{db_file}.wal")):
        if path.exists():
            os.remove(path)


def build_demo(
    db: str | os.PathLike[str] | None = None,
    *,
    employees: int = 5000,
    years: int | None = None,
    seed: int = 42,
    out_dir: Path | None = None,
    progress: Progress | None = None,
) -> dict[str, int]:
    """Generate the demo, write its files and load them into a **fresh** database.

    The database at ``paths.db_path(db)`` is deleted first. Every file goes
    through ``kompetens.ingest.import_file`` (units first). ``years=Y``
    covers the last Y years up to the last full month. Returns the live row
    count per kind.
    """
    from kompetens.ingest import import_file  # the importer is the layer above the demo's files

    end = default_end_month()
    start = DEFAULT_START
    if years is not None:
        if years < 1:
            raise ValueError("years must be at least 1")
        first = end.year * 12 + end.month - 1 - (12 * years - 1)
        start = date(first // 12, first % 12 + 1, 1)
    _report(progress, 0.0, "Skapar demodata …")
    frames = generate_demo(employees=employees, start=start, end_month=end, seed=seed)
    _report(progress, 0.15, "Skriver demofiler …")
    files = write_demo_files(frames, Path(out_dir) if out_dir else paths.DEMO_FILES_DIR)

    db_file = paths.db_path(db)
    _remove_database(db_file)
    conn = store.connect(db_file)
    try:
        weights = {kind: max(frame.height, 1) for kind, frame in frames.items()}
        total = sum(weights.values())
        done = 0
        # Key figures are recomputed once at the end, not after each of the nine files.
        with hooks.suspended():
            for kind in LOAD_ORDER:
                _report(
                    progress,
                    0.2 + 0.7 * done / total,
                    f"Importerar {KINDS[kind].label_sv.lower()} …",
                )
                import_file(conn, files[kind], kind=kind, user="demo")
                done += weights[kind]
        _report(progress, 0.9, "Räknar nyckeltal …")
        finished = "Demodatabasen är klar."
        try:
            hooks.after_data_change(conn, LOAD_ORDER, part(progress, 0.9, 0.99))
        except Exception as exc:  # the data is loaded; a failing derived step must not hide that
            log.exception("key-figure recomputation after the demo load failed")
            finished = f"Demodatabasen är klar, men nyckeltalen kunde inte räknas om ({type(exc).__name__}: {exc})."
        # Dialogues with common themes (after the imports: they refer to the units).
        demo_themes.load_dialogues(conn, frames["staff"]["snapshot_date"].max(), seed)
        load_demo_benchmarks(conn, seed)  # fictional Kolada/Skolverket values, labelled as demo
        load_demo_annual_wheel(conn, seed=seed)  # round dates per area, this term's dialogues
        counts = store.table_counts(conn)
    finally:
        conn.close()
    _report(progress, 1.0, finished)
    return counts


def ensure_demo_database(
    db: str | os.PathLike[str] | None = None, progress: Progress | None = None
) -> bool:
    """Build the demo database unless the database already has units. True if it built.

    Serialised within the process: two app sessions starting at once build it once.
    """
    with _ENSURE_LOCK:
        return _ensure_demo_database(db, progress)


def _ensure_demo_database(db: str | os.PathLike[str] | None, progress: Progress | None) -> bool:
    db_file = paths.db_path(db)
    if db_file.exists():
        conn = store.connect(db_file)
        try:
            has_units = bool(store.scalar(conn, "SELECT count(*) FROM current_units"))
        finally:
            conn.close()
        if has_units:
            return False
    build_demo(db, progress=progress)
    return True

"""Remake the example import files: ``uv run python data/examples/make_examples.py``.

One small file per import kind, written as a Swedish office export writes it: Swedish column
headers (each column's Swedish label from the contract), Swedish values (``Ja``/``Nej``, the
first Swedish alias of each code, ``HT2025`` terms), ``;`` as separator, decimal comma and
UTF-8 with BOM. The rows are a slice of the demo dataset (three units, their people, the last
three monthly snapshots), so the files import cleanly, in ``IMPORT_ORDER``, into an empty database.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import polars as pl

from kompetens.core.contract import IMPORT_ORDER, KINDS
from kompetens.demo import generate_demo

HERE = Path(__file__).resolve().parent
END_MONTH = date(2025, 10, 1)


def _swedish_word(code: str, aliases: tuple[str, ...]) -> str:
    """The first alias that is a Swedish word (the canonical code when none is)."""
    english = {"compulsory", "preschool", "gymnasium", "upper_secondary"}
    return next((a for a in aliases if a not in english and "_" not in a), code)


def _swedish(kind: str, frame: pl.DataFrame) -> pl.DataFrame:
    """Headers as Swedish labels, codes and booleans as Swedish words."""
    out = []
    for col in KINDS[kind].columns:
        c = pl.col(col.name)
        if col.type == "bool":
            c = pl.when(c).then(pl.lit("Ja")).when(c.not_()).then(pl.lit("Nej")).otherwise(None)
        elif col.type == "month":
            c = c.dt.strftime("%Y-%m")
        elif col.type == "term":
            term = pl.when(c.dt.month() >= 7).then(pl.lit("HT")).otherwise(pl.lit("VT"))
            c = pl.concat_str(term, c.dt.year().cast(pl.String))
        elif col.type == "code" and col.codes:
            swedish = {code: _swedish_word(code, aliases) for code, aliases in col.codes.items()}
            c = c.replace_strict(swedish, default=c)
        out.append(c.alias(col.label_sv))
    return frame.select(out)


def _further_subject_paths(assignments: pl.DataFrame, last: date) -> pl.DataFrame:
    """Lärarlyftet paths in the subjects the example's teachers teach unqualified (the small demo
    slice has nobody on a path to a licence): started the January before, expected in June."""
    unqualified = (
        assignments.filter(~pl.col("qualified") & (pl.col("subject") != "SPEC"))
        .sort("employee_id", "hours_per_week", descending=[False, True])
        .unique(["employee_id", "subject"], keep="first", maintain_order=True)
    )
    return unqualified.select(
        "employee_id",
        "unit_id",
        pl.lit("lararlyftet").alias("programme"),
        "subject",
        pl.lit(date(last.year, 1, 15)).alias("start_date"),
        pl.lit(date(last.year + 1, 6, 15)).alias("expected_completion"),
    ).head(6)


def main() -> None:
    frames = generate_demo(employees=60, end_month=END_MONTH, seed=7)
    units = frames["units"].sort("unit_id").head(3)
    unit_ids = units["unit_id"].to_list()
    months = sorted(frames["staff"]["snapshot_date"].unique().to_list())[-3:]
    staff = frames["staff"].filter(
        pl.col("unit_id").is_in(unit_ids) & pl.col("snapshot_date").is_in(months)
    )
    people = staff["employee_id"].unique().to_list()
    first = months[0]
    picked: dict[str, pl.DataFrame] = {"units": units, "staff": staff}
    for kind in IMPORT_ORDER:
        if kind in picked:
            continue
        frame = frames[kind]
        if "unit_id" in frame.columns:
            frame = frame.filter(pl.col("unit_id").is_in(unit_ids))
        if "employee_id" in frame.columns:
            frame = frame.filter(pl.col("employee_id").is_in(people))
        if "to_unit_id" in frame.columns:
            frame = frame.filter(
                pl.col("to_unit_id").is_null() | pl.col("to_unit_id").is_in(unit_ids)
            )
        dated = [c.name for c in KINDS[kind].columns if c.type in ("date", "month", "term")]
        if kind == "certification_path":  # the paths still running a year before the snapshots
            dated = ["expected_completion"]
        if dated:  # the last year before the snapshots
            frame = frame.filter(pl.col(dated[0]) >= date(first.year - 1, first.month, 1))
        if kind == "support_effort":  # an effort names a request of the example, or none
            asked = picked["support_request"]["request_id"].implode()
            frame = frame.filter(pl.col("request_id").is_null() | pl.col("request_id").is_in(asked))
        if kind == "targets":  # this year's organisation-wide rows
            frame = frame.filter((pl.col("year") == first.year) & (pl.col("scope") == "org"))
        elif "year" in frame.columns:  # the allocation kinds: the last two years
            frame = frame.filter(pl.col("year") >= first.year - 1)
        if kind == "certification_path" and frame.height == 0:
            frame = _further_subject_paths(picked["teaching_assignment"], months[-1])
        picked[kind] = frame.head(40)
    for number, kind in enumerate(IMPORT_ORDER, start=1):
        path = HERE / f"{number:02d}_{kind}.csv"
        _swedish(kind, picked[kind]).write_csv(
            path, separator=";", decimal_comma=True, include_bom=True, date_format="%Y-%m-%d"
        )
        print(f"{path.name}: {picked[kind].height} rader")


if __name__ == "__main__":
    main()

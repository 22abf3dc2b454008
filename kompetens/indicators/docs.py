"""Generates ``docs/indicators.md`` from the registry (the catalogue page for people).

uv run python -m kompetens.indicators.docs          # rewrite docs/indicators.md
"""

from __future__ import annotations

from kompetens.core import paths
from kompetens.core.contract import KINDS
from kompetens.indicators.engine import KIND_BLOCKS
from kompetens.indicators.pipelines import BLOCKS
from kompetens.indicators.registry import PHASES, REGISTRY

DOC_PATH = paths.PROJECT_ROOT / "docs" / "indicators.md"

INTRO = """# Indicators (nyckeltal)

Generated from `kompetens/indicators/registry.py` by
`uv run python -m kompetens.indicators.docs`; do not edit by hand.

Every key figure is stored at the grain *indicator × level (unit, area,
org) × scope × period type (month, year, rolling_12m) × period ×
breakdown*. Area and organisation values are computed by **summing
numerators and denominators**, never by averaging unit rates; a person in
two units counts once in an area's or the organisation's headcount (FTE
are summed). Stock indicators are read from the monthly staff snapshot
(the latest snapshot date of each month); their yearly value is the
reference-month snapshot (default October, as Skolverket measures on
15 October; configurable); monthly values carry the `all` breakdown, and
every breakdown for the latest month (the current state). Flow indicators are given per calendar year,
with every breakdown, and per rolling
12 months (windows ending at every month from the twelfth snapshot month
on) for the `all` breakdown — and for `exit_reasons` by reason — since
rolling windows are for trend lines. Units are placed in areas as the units
file says today, so trends stay comparable. `n_individuals` is the number of distinct people a
figure rests on (respondents, students or requisitions where noted);
figures on fewer than 5 are shown as `..`.

A calendar year still in progress would make a flow look like a fall (a year
to November against a whole year). Each indicator declares what its `year`
value does then (`unfinished_year`): `leave_out` — the year is given once the
staff snapshots reach its December, and the rolling 12 months carry the
latest picture; `show` — the value is complete when measured (a stock at the
reference month, a survey round, the November cohort).

The traffic light compares a value with its target: green at or past it,
yellow ("near") while the shortfall is at most `near_target` (10 % unless
declared otherwise) *of the target*, red beyond — so sick leave of 8,2 %
against a 5,0 % target (3,2 points over a 0,5-point band) is red.
"""


def recompute_section() -> str:
    """Which blocks an import of each kind redoes (derived from the blocks' declared reads)."""
    rows = "".join(
        f"| {kind} | {', '.join(f'`{b}`' for b in sorted(KIND_BLOCKS[kind])) or '–'} |\n"
        for kind in KINDS
    )
    blocks = "".join(
        f"| `{name}` | {', '.join(f'`{i}`' for i in ids)} |\n" for name, ids in BLOCKS.items()
    )
    return (
        "\n## What an import recomputes\n\n"
        "Indicators are computed in blocks (`kompetens/indicators/pipelines/`); each block "
        "declares the import kinds it reads, also through the staff months grid (rolling "
        "windows and complete years end at the staff snapshot months). After an import or "
        "undo, the blocks that read the changed kind are redone and all their indicators' "
        "rows replaced.\n\n"
        "| Import kind | Blocks redone |\n|---|---|\n" + rows + "\n"
        "| Block | Indicators |\n|---|---|\n" + blocks
    )


def render() -> str:
    parts = [INTRO, recompute_section()]
    for phase, (sv, en) in PHASES.items():
        members = [ind for ind in REGISTRY.values() if ind.phase == phase]
        if not members:
            continue
        parts.append(f"\n## {sv} ({en})\n")
        for ind in members:
            rows = [
                ("Swedish name", ind.name_sv),
                ("Unit", f"{ind.unit} (shown as {ind.number_format})"),
                ("Direction", ind.direction.replace("_", " ")),
                ("Stock or flow", ind.stock_or_flow),
                ("Periods", ", ".join(ind.period_types)),
                ("Unfinished year", ind.unfinished_year or "–"),
                ("Near the target", f"within {ind.near_target:.0%} of the target"),
                ("Breakdowns", ", ".join(["all", *ind.breakdowns])),
                ("Aggregation", ind.aggregation),
                ("Sources", ", ".join(ind.sources)),
                ("Kolada", ind.kolada_id or "–"),
                (
                    "Default target",
                    "–" if ind.default_target is None else f"{ind.default_target:g}",
                ),
            ]
            if ind.computed_by != "engine":
                rows.append(("Computed by", "the analysis layer (not stored in key_figures)"))
            else:
                rows.append(("Compute block", f"`{ind.block}`"))
            parts.append(f"\n### `{ind.id}` — {ind.name_en}\n\n{ind.description}\n\n")
            parts.append(f"**Formula.** {ind.formula}\n\n")
            if ind.note:
                parts.append(f"**Note.** {ind.note}\n\n")
            parts.append("| | |\n|---|---|\n" + "".join(f"| {k} | {v} |\n" for k, v in rows))
    return "".join(parts)


def main() -> None:
    DOC_PATH.parent.mkdir(parents=True, exist_ok=True)
    DOC_PATH.write_text(render(), encoding="utf-8")
    print(f"wrote {DOC_PATH}")


if __name__ == "__main__":
    main()

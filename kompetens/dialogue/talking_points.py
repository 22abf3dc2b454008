"""Talking points for a verksamhetsdialog, generated in plain Swedish from a unit's figures.

Pure functions of the frame ``kompetens.query.compare`` returns (one row per
indicator for one unit and period, already scoped and suppressed) and,
optionally, the unit's trends from ``kompetens.query.series``. Nothing here
reads the database, so the same points can be printed in a PDF brief.

What becomes a point (each kind ranked by a "how notable" score, see below):

- ``target``: the indicators furthest from their target (traffic light red or
  yellow), and at most one that meets its target (good news belongs in a
  dialogue too).
- ``change``: the largest changes against a year earlier. A share counts from
  1 percentage point, anything else from a 5 % relative change.
- ``rank``: best or weakest in the area (needs at least two units with visible
  values; neutral indicators have no "best").
- ``trend``: three consecutive periods moving the same way (from ``series``).
- ``support``: the unit's support-need index and its largest drivers (the
  components contributing most), from ``kompetens.dialogue.discussion``.
- ``suppressed``: which figures are hidden (fewer than 5 people) — named, never
  valued. A suppressed figure is never used for any other point: a value,
  previous value or series point that is suppressed disqualifies the point.

Scores make kinds comparable: 1.0 = a 5-percentage-point gap/change for a
share, a 10 % gap/change for anything else.

A ``compare`` row may carry ``period_label`` and ``previous_label`` (a figure
for the 12 months up to a month of a year still running): the sentence then
names that period and what the change compares with.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

import polars as pl

from kompetens.indicators import registry
from kompetens.present.formatting import area_phrase, display_kind, fmt_number, fmt_value

Kind = Literal["support", "target", "change", "rank", "trend", "suppressed", "basis", "none"]

#: Smallest change worth a point: 1 percentage point for shares, 5 % relative otherwise.
MIN_SHARE_CHANGE = 0.01
MIN_RELATIVE_CHANGE = 0.05
#: Per unit of measure: the smallest absolute difference that is more than noise (also the
#: least "10 %" a score is measured against), e.g. half an FTE, two people, five days.
ABSOLUTE_FLOOR: dict[str, float] = {
    "fte": 0.5,
    "count": 2.0,
    "days": 5.0,
    "hours": 1.0,
    "score_5": 0.1,
    "score_100": 2.0,
    "ratio": 0.5,
}
#: How many points of each kind at most, and in total (the suppressed note comes on top).
PER_KIND = {"support": 1, "target": 2, "change": 2, "rank": 2, "trend": 1}
#: How many support-need drivers a talking point names (the largest contributions).
DRIVERS_NAMED = 3
MAX_POINTS = 6

NO_POINTS_TEXT = "Inga tydliga förändringar eller målavvikelser att ta upp för perioden."


@dataclass(frozen=True)
class TalkingPoint:
    """One sentence for the dialogue; ``score`` orders points within a kind (higher = more notable)."""

    kind: Kind
    indicator_id: str | None
    text: str
    score: float = 0.0

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True)
class SupportDriver:
    """One component of a unit's support-need index (``kompetens.analysis.support``).

    ``contribution``: points of the 0–100 score (normalised weight × percentile);
    ``percentile``: 0–100 within the school form, higher = more need;
    ``figure``: the dialogue's ``compare`` row of ``indicator_id`` (None if absent).
    """

    component_id: str
    label: str
    indicator_id: str | None
    contribution: float
    percentile: float
    figure: Mapping | None = None


@dataclass(frozen=True)
class SupportNeed:
    """A unit's support need at ``month``: score 0–100 and rank (None when data is missing)."""

    score: float | None
    rank: int | None
    month: str
    school_form: str | None
    drivers: tuple[SupportDriver, ...]  # largest contribution first
    missing: tuple[str, ...] = ()  # Swedish labels of components without recent data


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _sign(indicator) -> int:
    return {"higher_is_better": 1, "higher_is_worse": -1}.get(str(indicator.direction), 0)


def _is_share(indicator) -> bool:
    return display_kind(indicator) == "share"


def _name(indicator, *, start: bool = False) -> str:
    """The Swedish name, lower-cased mid-sentence (but not an acronym such as HME)."""
    name = indicator.name_sv
    if start or len(name) < 2 or name[1].isupper():
        return name
    return name[0].lower() + name[1:]


def _subject(row: Mapping, indicator, *, start: bool = True) -> str:
    """The indicator's name, with the period when the row is not the year discussed."""
    name = _name(indicator, start=start)
    label = row.get("period_label")
    return f"{name} för {label}" if label and "mån" in str(label) else name


def _area_phrase(area: str | None) -> str:
    """``'området Norr'``, but ``'Område Nord'`` as it is (no doubled word)."""
    return area_phrase(area) if area else "området"


def _amount(delta: float, indicator) -> str:
    """An unsigned difference: ``8,6 procentenheter`` for shares, the indicator's format otherwise."""
    if _is_share(indicator):
        return f"{fmt_number(abs(delta) * 100, decimals=1)}\u00a0procentenheter"
    return fmt_value(abs(delta), indicator)


def _relative_size(delta: float, base: float | None, indicator) -> float:
    """Score of a change/gap: 1.0 = 5 percentage points (shares) or 10 % of ``base``.

    For non-shares the 10 % is never less than the unit's ``ABSOLUTE_FLOOR``, so
    a move from 0,2 to 0,0 FTE does not outrank everything else.
    """
    if _is_share(indicator):
        return abs(delta) / 0.05
    floor = ABSOLUTE_FLOOR.get(str(indicator.unit), 0.0)
    scale = max(0.10 * abs(base) if not _missing(base) else 0.0, floor)
    if scale == 0:
        return 1.0 if delta else 0.0
    return abs(delta) / scale


def _visible(row: Mapping, value_col: str, suppressed_col: str) -> bool:
    return not row.get(suppressed_col) and not _missing(row.get(value_col))


def _target_points(rows: list[dict]) -> list[TalkingPoint]:
    misses, hits = [], []
    for row in rows:
        ind = registry.get(row["indicator_id"])
        sign = _sign(ind)
        target = row.get("target")
        if sign == 0 or _missing(target) or not _visible(row, "unit_value", "unit_suppressed"):
            continue
        value = row["unit_value"]
        gap = (target - value) * sign  # > 0: on the wrong side of the target
        shown = fmt_value(value, ind)
        if gap > 1e-12:
            side = "under" if sign > 0 else "över"
            text = (
                f"{_subject(row, ind)} är {shown}, {_amount(gap, ind)} {side} målet "
                f"{fmt_value(target, ind)}."
            )
            misses.append(
                TalkingPoint("target", ind.id, text, _relative_size(gap, target, ind) + 1.0)
            )
        else:
            text = f"{_subject(row, ind)} når målet: {shown} mot målet {fmt_value(target, ind)}."
            hits.append(TalkingPoint("target", ind.id, text, 0.5))
    misses.sort(key=lambda p: -p.score)
    chosen = misses[: PER_KIND["target"]]
    if hits and len(chosen) < PER_KIND["target"] + 1:
        chosen.append(hits[0])
    return chosen


def _change_points(rows: list[dict], previous_label: str) -> list[TalkingPoint]:
    points = []
    for row in rows:
        ind = registry.get(row["indicator_id"])
        if not (
            _visible(row, "unit_value", "unit_suppressed")
            and _visible(row, "previous_value", "previous_suppressed")
        ):
            continue
        now, before = row["unit_value"], row["previous_value"]
        delta = now - before
        if _is_share(ind):
            if abs(delta) < MIN_SHARE_CHANGE - 1e-12:
                continue
        else:
            relative_ok = before != 0 and abs(delta) / abs(before) >= MIN_RELATIVE_CHANGE - 1e-12
            absolute_ok = abs(delta) >= ABSOLUTE_FLOOR.get(str(ind.unit), 0.0) / 2 - 1e-12
            if delta == 0 or not (relative_ok or before == 0) or not absolute_ok:
                continue
        verb = "ökat" if delta > 0 else "minskat"
        sign = _sign(ind)
        verdict = ""
        if sign:
            verdict = " – en förbättring" if delta * sign > 0 else " – en försämring"
        text = (
            f"{_subject(row, ind)} har {verb} med {_amount(delta, ind)} jämfört med "
            f"{row.get('previous_label') or previous_label}, från {fmt_value(before, ind)} till {fmt_value(now, ind)}{verdict}."
        )
        points.append(TalkingPoint("change", ind.id, text, _relative_size(delta, before, ind)))
    points.sort(key=lambda p: -p.score)
    return points[: PER_KIND["change"]]


def _rank_points(rows: list[dict]) -> list[TalkingPoint]:
    points = []
    for row in rows:
        ind = registry.get(row["indicator_id"])
        rank, n = row.get("rank_in_area"), row.get("units_in_area")
        if (
            _sign(ind) == 0
            or _missing(rank)
            or _missing(n)
            or n < 2
            or not _visible(row, "unit_value", "unit_suppressed")
        ):
            continue
        where = _area_phrase(row.get("area"))
        value = fmt_value(row["unit_value"], ind)
        # Larger areas make a top or bottom place more telling.
        weight = 0.6 + 0.1 * min(n, 6)
        if rank == 1 and not (_sign(ind) < 0 and row["unit_value"] == 0):
            # (A zero of a higher-is-worse figure is usually shared by many units: no "best".)
            text = f"Bäst i {where} på {_subject(row, ind, start=False)}: {value} (plats 1 av {n})."
            points.append(TalkingPoint("rank", ind.id, text, weight))
        elif rank == n:
            text = f"Svagast i {where} på {_subject(row, ind, start=False)}: {value} (plats {n} av {n})."
            points.append(TalkingPoint("rank", ind.id, text, weight + 0.05))
    # Alternate weakest/best so a dialogue hears both when there are both.
    weakest = sorted((p for p in points if p.text.startswith("Svagast")), key=lambda p: -p.score)
    best = sorted((p for p in points if p.text.startswith("Bäst")), key=lambda p: -p.score)
    mixed = [p for pair in zip(weakest, best, strict=False) for p in pair]
    mixed += weakest[len(mixed) // 2 :] if len(weakest) > len(best) else best[len(mixed) // 2 :]
    return mixed[: PER_KIND["rank"]]


def _trend_points(series: Mapping[str, pl.DataFrame], period: str | None) -> list[TalkingPoint]:
    """Three periods in a row moving one way. A series of 12-month figures (``YYYY-MM``, one
    a year at the month discussed: ``discussion.gather``) is named as such, so a point never
    puts calendar years beside the 12-month figure the other points use."""
    points = []
    for indicator_id, frame in series.items():
        ind = registry.get(indicator_id)
        sign = _sign(ind)
        if period is not None:  # the trend up to the period discussed, not beyond it
            frame = frame.filter(pl.col("period").str.slice(0, 4) <= period[:4])
        if sign == 0 or frame.height < 3:
            continue
        last = frame.sort("period").tail(3)
        suppressed = (
            last["suppressed"].to_list() if "suppressed" in last.columns else [False] * last.height
        )
        values = last["value"].to_list()
        if any(suppressed) or any(_missing(v) for v in values):
            continue  # a hidden value must not be used, not even as the middle of a run
        steps = [b - a for a, b in zip(values, values[1:], strict=False)]
        if all(s * sign < 0 for s in steps):
            verdict = "försämrats"
        elif all(s * sign > 0 for s in steps):
            verdict = "förbättrats"
        else:
            continue
        chain = " → ".join(fmt_value(v, ind) for v in values)
        periods = last["period"].to_list()
        if len(periods[-1]) > 4:  # 12-month figures at the same month of three years
            span = f"12 mån t.o.m. {periods[0]}, {periods[1]} och {periods[2]}"
        else:
            span = f"{periods[0]}–{periods[-1]}"
        text = f"{_name(ind, start=True)} har {verdict} tre perioder i rad ({span}: {chain})."
        score = _relative_size(values[-1] - values[0], values[0], ind) + (
            0.5 if verdict == "försämrats" else 0.0
        )
        points.append(TalkingPoint("trend", ind.id, text, score))
    points.sort(key=lambda p: -p.score)
    return points[: PER_KIND["trend"]]


def _driver_phrase(driver: SupportDriver) -> str:
    """``personalomsättning (22,1 %, bland de 4 % med störst behov i samma skolform)``."""
    name = (
        driver.label[0].lower() + driver.label[1:] if driver.label[1:2].islower() else driver.label
    )
    parts = []
    figure = driver.figure
    if (
        figure is not None
        and driver.indicator_id
        and _visible(figure, "unit_value", "unit_suppressed")
    ):
        parts.append(fmt_value(figure["unit_value"], registry.get(driver.indicator_id)))
    # percentile 100 = the most need of its school form; p = more need than p % of the others
    top = 100 - driver.percentile
    if top < 0.5:
        parts.append("störst behov i samma skolform")
    else:
        parts.append(
            f"bland de {fmt_number(max(1.0, top))}\u00a0% med störst behov i samma skolform"
        )
    return f"{name} ({', '.join(parts)})"


def _support_point(need: SupportNeed | None) -> TalkingPoint | None:
    """The support-need index and its largest drivers, in one sentence."""
    if need is None:
        return None
    if need.score is None:
        if not need.missing:
            return None
        text = (
            f"Stödbehovet kan inte beräknas ({need.month}): aktuella värden saknas för "
            f"{', '.join(m[0].lower() + m[1:] if m[1:2].islower() else m for m in need.missing)}."
        )
        return TalkingPoint("support", None, text, 0.0)
    drivers = [d for d in need.drivers if d.contribution > 0][:DRIVERS_NAMED]
    if not drivers:
        return None
    named = [_driver_phrase(d) for d in drivers]
    listed = named[0] if len(named) == 1 else ", ".join(named[:-1]) + " och " + named[-1]
    rank = f", plats {need.rank} i organisationen" if need.rank is not None else ""
    text = (
        f"Stödbehovsindex {fmt_number(need.score)} av 100 ({need.month}{rank}). "
        f"Störst bidrag: {listed}."
    )
    return TalkingPoint("support", drivers[0].indicator_id, text, need.score / 100)


def _suppressed_point(rows: list[dict]) -> TalkingPoint | None:
    hidden = [registry.get(r["indicator_id"]) for r in rows if r.get("unit_suppressed")]
    if not hidden:
        return None
    names = ", ".join(_name(ind) for ind in hidden)
    count = "Ett nyckeltal bygger" if len(hidden) == 1 else f"{len(hidden)} nyckeltal bygger"
    text = (
        f"{count} på färre än fem personer och visas som .. "
        f"(används inte i samtalspunkterna): {names}."
    )
    return TalkingPoint("suppressed", None, text, 0.0)


def _basis_point(rows: list[dict], period: str | None) -> TalkingPoint | None:
    """The period the points rest on, stated once, when not every figure is for ``period``.

    In a year still running, a figure counted by whole years (turnover, introduction) is
    for the last 12 months (``period_label``, e.g. ``12 mån t.o.m. 2026-11``), and every point
    about it uses that period; this says which figures do.
    """
    if not period:
        return None
    other: dict[str, list[str]] = {}
    for row in rows:
        label = row.get("period_label")
        if (
            label
            and str(label) != period
            and not (_missing(row.get("unit_value")) and not row.get("unit_suppressed"))
        ):
            other.setdefault(str(label), []).append(_name(registry.get(row["indicator_id"])))
    if not other:
        return None
    parts = []
    for label, names in other.items():
        listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " och " + names[-1]
        parts.append(f"{listed}: {label}")
    text = (
        f"Samtalspunkterna avser {period}, utom {'; '.join(parts)} (räknas för hela år och "
        f"{period} är inte slut; jämförs med samma 12 månader året innan)."
    )
    return TalkingPoint("basis", None, text, 0.0)


def _select(candidates: list[TalkingPoint], max_points: int) -> list[TalkingPoint]:
    """At most ``max_points``: the first of every kind first, then the rest; kind order kept."""
    picked: set[int] = set()
    seen: set[str] = set()
    for i, point in enumerate(candidates):
        if point.kind not in seen and len(picked) < max_points:
            picked.add(i)
            seen.add(point.kind)
    for i in range(len(candidates)):
        if len(picked) >= max_points:
            break
        picked.add(i)
    return [p for i, p in enumerate(candidates) if i in picked]


def talking_points(
    compare: pl.DataFrame,
    series: Mapping[str, pl.DataFrame] | None = None,
    *,
    period: str | None = None,
    support: SupportNeed | None = None,
    max_points: int = MAX_POINTS,
) -> list[TalkingPoint]:
    """Talking points for one unit, most important first.

    ``compare``: the frame of ``query.compare`` (one row per indicator).
    ``series``: optional ``{indicator_id: query.series(...) frame}`` (columns
    ``period, value, suppressed``) for trend points. ``period``: the period
    compared (``'2025'``), used to name the year compared with. ``support``:
    the unit's support need (``discussion.support_need``) for the drivers' point.
    Order: the support-need drivers, target points, changes, ranks, trends (at most ``max_points``), then
    the note on suppressed figures if any, and the period basis when some figures are for the
    last 12 months of a year still running (``_basis_point``). Never empty: without anything
    notable, one ``none`` point says so.
    """
    rows = compare.to_dicts()
    previous_label = f"{int(period[:4]) - 1}{period[4:]}" if period else "året innan"
    driver_point = _support_point(support)
    candidates = (
        ([driver_point] if driver_point else [])
        + _target_points(rows)
        + _change_points(rows, previous_label)
        + _rank_points(rows)
        + _trend_points(series or {}, period)
    )
    chosen = _select(candidates, max_points)
    notes = [n for n in (_suppressed_point(rows), _basis_point(rows, period)) if n is not None]
    if not chosen:
        chosen = [TalkingPoint("none", None, NO_POINTS_TEXT, 0.0)]
    return chosen + notes


def as_text(points: list[TalkingPoint]) -> list[str]:
    """The sentences only (for a page list or a PDF brief)."""
    return [p.text for p in points]

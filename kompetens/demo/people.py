"""Demo organisation and its staff flow: units, employment spells, staff snapshots, events.

Part of the demo dataset (see ``kompetens.demo``). Everything here is a pure
function of a ``numpy.random.Generator`` and a ``Timeline``, vectorised with
numpy/Polars so that 50,000 staff over eight years take seconds.

Model
-----
The workforce is a set of **slots** (one per employee at full staffing). A slot
is filled by a chain of **spells** (one employee's employment). A spell ends by
an exit (monthly hazard by employment type, or retirement at 63–68); the slot
is then refilled by a new hire 0–3 months later, in the unit the leaver was in.
During a spell the employee may **move** internally (the slot moves with them),
so unit sizes drift slowly like a random walk while the total stays ~N.

Time is counted in month indices ``m = 0 .. M-1`` from the first month. The
staff snapshot of month ``m`` is taken on the **15th** (as Skolverket counts
on 15 October). A spell with first month ``s`` and end ``e`` (exclusive) is in
the snapshots ``s <= m < e``. Every event that changes a snapshot is dated
strictly between the two snapshots it separates:

* a hire with first month ``s`` is dated in ``(snapshot[s-1], snapshot[s])`` —
  usually the 1st of month ``s`` — so the employee first appears in the first
  snapshot after the hire date;
* an exit with end ``e`` is dated in ``(snapshot[e-1], snapshot[e])`` — usually
  the last day of month ``e-1`` — so the employee is absent from every snapshot
  after the exit date;
* an internal move at month ``k`` is dated in ``(snapshot[k-1], snapshot[k])``
  and the unit changes from snapshot ``k``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import polars as pl

SNAPSHOT_DAY = 15

CATEGORIES: tuple[str, ...] = (
    "teacher",
    "preschool_teacher",
    "leisure_teacher",
    "childminder",
    "assistant",
    "special_educator",
    "principal",
    "other",
)
CAT = {name: i for i, name in enumerate(CATEGORIES)}
EMPLOYMENT_TYPES: tuple[str, ...] = ("permanent", "fixed_term", "hourly")
PERMANENT, FIXED_TERM, HOURLY = 0, 1, 2
FORMS: tuple[str, ...] = (
    "forskola",
    "grundskola",
    "gymnasieskola",
    "anpassad_grundskola",
    "central",
)
EXIT_REASONS: tuple[str, ...] = (
    "retirement",
    "other_employer",
    "studies",
    "relocation",
    "end_of_contract",
    "dismissal",
    "other",
)

AREAS: tuple[str, ...] = (
    "Område Nord",
    "Område Syd",
    "Område Öst",
    "Område Väst",
    "Område Centrum",
)
#: Area effect on the socio-economic index (higher = greater need).
AREA_SEI_SHIFT: tuple[float, ...] = (-14.0, 16.0, 6.0, -6.0, 0.0)
CENTRAL_AREA = "Central förvaltning"

# Units per school form for a 5,000-staff organisation, and a typical unit headcount.
BASE_UNIT_COUNTS = {"forskola": 50, "grundskola": 47, "gymnasieskola": 10, "anpassad_grundskola": 1}
TYPICAL_SIZE = {
    "forskola": 18.0,
    "grundskola": 55.0,
    "gymnasieskola": 110.0,
    "anpassad_grundskola": 35.0,
    "central": 60.0,
}

# Staff composition per school form (after the principals), as shares of headcount.
COMPOSITION: dict[str, dict[str, float]] = {
    "forskola": {"preschool_teacher": 0.46, "childminder": 0.48, "other": 0.06},
    "grundskola": {
        "teacher": 0.62,
        "leisure_teacher": 0.08,
        "assistant": 0.12,
        "special_educator": 0.05,
        "other": 0.13,
    },
    "gymnasieskola": {"teacher": 0.76, "special_educator": 0.04, "assistant": 0.04, "other": 0.16},
    "anpassad_grundskola": {
        "teacher": 0.35,
        "assistant": 0.45,
        "special_educator": 0.08,
        "other": 0.12,
    },
    "central": {"special_educator": 0.35, "other": 0.65},
}

# Share of the *stock* on fixed-term / hourly contracts, per category.
STOCK_FIXED = np.array([0.17, 0.08, 0.12, 0.18, 0.22, 0.05, 0.0, 0.12])
STOCK_HOURLY = np.array([0.01, 0.0, 0.01, 0.03, 0.05, 0.0, 0.0, 0.04])
# Monthly exit hazard (other than retirement) per employment type.
HAZARD = np.array([0.0066, 0.042, 0.06])
# Female share per category (a few "other").
FEMALE = np.array([0.74, 0.96, 0.60, 0.90, 0.70, 0.90, 0.72, 0.65])
MOVE_RATE = 0.0024  # internal moves per permanent employee and month (~2.9 %/year)
RETIREMENT_AGES = np.array([63, 64, 65, 66, 67])
RETIREMENT_P = np.array([0.12, 0.16, 0.34, 0.22, 0.16])
# Categories that follow the school year (exits at the end of June, hires in August).
SCHOOL_YEAR = np.array([True, True, True, False, False, True, True, False])

PLACE_FIRST = (
    "Björk", "Ek", "Sjö", "Lind", "Gran", "Asp", "Rönn", "Hassel", "Sol", "Äng", "Berg", "Lärk",
    "Svan", "Tall", "Alm", "Sälg", "Kvarn", "Sten", "Ros", "Lilje", "Myr", "Ljung", "Vide", "Hag",
    "Kastanj", "Lönn", "Fur", "Mossa", "Strand", "Kyrk", "Mölle", "Skogs", "Hjort", "Tran", "Falk",
    "Örn", "Ugg", "Bäver", "Näckros", "Klöver",
)  # fmt: skip
# (stem used in "<stem>sskolan", definite form used in "<definite>s förskola")
PLACE_SECOND = (
    ("dal", "dalen"), ("back", "backen"), ("stad", "staden"), ("hag", "hagen"), ("lund", "lunden"),
    ("äng", "ängen"), ("vik", "viken"), ("berg", "berget"), ("holm", "holmen"), ("gård", "gården"),
    ("ås", "åsen"), ("torp", "torpet"), ("näs", "näset"), ("hult", "hultet"),
)  # fmt: skip
DIRECTIONS = ("Norra", "Södra", "Östra", "Västra")
NEW_SCHOOL_NAME = "Sjöstadsskolan"


@dataclass(frozen=True)
class Timeline:
    """Monthly grid: month ``m`` starts at ``month_start[m]``; its snapshot is on the 15th."""

    first_month: date
    n_months: int

    @property
    def base(self) -> int:
        return self.first_month.year * 12 + self.first_month.month - 1

    def month_start(self, m) -> np.ndarray:
        """First day of month index ``m`` (array-friendly, may be outside 0..M)."""
        months = np.asarray(m, dtype=np.int64) + self.base - 1970 * 12
        return months.astype("datetime64[M]").astype("datetime64[D]")

    def snapshot(self, m) -> np.ndarray:
        return self.month_start(m) + (SNAPSHOT_DAY - 1)

    def calendar_month(self, m) -> np.ndarray:
        """0 = January .. 11 = December."""
        return (np.asarray(m, dtype=np.int64) + self.base) % 12

    def year(self, m) -> np.ndarray:
        return (np.asarray(m, dtype=np.int64) + self.base) // 12

    @property
    def snapshot_dates(self) -> pl.Series:
        return pl.Series("snapshot_date", self.snapshot(np.arange(self.n_months))).cast(pl.Date)

    @property
    def last_day(self) -> np.datetime64:
        """Last day of the last month (nothing in the demo is dated later)."""
        return self.month_start(self.n_months) - 1


def between_snapshots(
    rng: np.random.Generator, tl: Timeline, m: np.ndarray, usual: str
) -> np.ndarray:
    """A date strictly between snapshot ``m-1`` and snapshot ``m``.

    ``usual`` is the typical day: ``"first"`` (1st of month m, hires and moves) or
    ``"last"`` (last day of month m-1, exits); 35 % of dates fall elsewhere in the window.
    """
    m = np.asarray(m, dtype=np.int64)
    lo = tl.snapshot(m - 1) + 1
    hi = tl.snapshot(m) - 1
    span = (hi - lo).astype(np.int64) + 1
    anywhere = lo + (rng.random(m.size) * span).astype(np.int64)
    typical = tl.month_start(m) if usual == "first" else tl.month_start(m) - 1
    return np.where(rng.random(m.size) < 0.65, typical, anywhere)


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


# --------------------------------------------------------------------------- units


def _place_names(rng: np.random.Generator, n: int) -> list[tuple[str, str]]:
    """``n`` distinct (stem, definite) place names, e.g. ("Björkdal", "Björkdalen")."""
    pool = [
        (a + s, (a + d).capitalize())
        for a in PLACE_FIRST
        for s, d in PLACE_SECOND
        if a + s != "Sjöstad"
    ]
    pool = [(s.capitalize(), d) for s, d in pool]
    order = rng.permutation(len(pool))
    names = [pool[i] for i in order]
    # Beyond the pool (only for very large organisations) add a direction: "Norra Björkdalen".
    k = 0
    while len(names) < n:
        direction = DIRECTIONS[k // len(pool) % len(DIRECTIONS)]
        s, d = pool[order[k % len(pool)]]
        names.append((f"{direction} {s}", f"{direction} {d}"))
        k += 1
    return names[:n]


def _joined(stem: str) -> str:
    """Compound form with the linking s: "Björkdal" -> "Björkdals", "Tallnäs" stays "Tallnäs"."""
    return stem if stem.endswith("s") else stem + "s"


def make_units(rng: np.random.Generator, employees: int, tl: Timeline) -> tuple[pl.DataFrame, dict]:
    """The organisation: one row per unit, plus internal facts the later steps need.

    Returns the canonical ``units`` frame and a dict with per-unit arrays
    (``form``, ``size``, ``sei_z``, ``open_month``) in the frame's row order and
    the ids of the deliberately special units.
    """
    scale = employees / 5000
    counts = {
        form: max(3 if form in ("forskola", "grundskola") else 1, round(base * scale))
        for form, base in BASE_UNIT_COUNTS.items()
    }
    forms: list[str] = []
    for form, c in counts.items():
        forms += [form] * c
    forms.append("central")
    n = len(forms)
    form_arr = np.array(forms)
    area_idx = np.where(form_arr == "central", -1, 0)
    non_central = np.flatnonzero(form_arr != "central")
    # Spread each school form evenly over the areas, in random order.
    for form in BASE_UNIT_COUNTS:
        idx = np.flatnonzero(form_arr == form)
        area_idx[idx] = rng.permutation(np.arange(idx.size) % len(AREAS))

    sei = 100 + np.array(AREA_SEI_SHIFT)[np.maximum(area_idx, 0)] + rng.normal(0, 16, n)
    sei = np.round(np.clip(sei, 55, 165), 1)
    sei_z = np.where(form_arr == "central", 0.0, (sei - 100) / 20)

    size = np.array([TYPICAL_SIZE[f] for f in forms]) * rng.lognormal(0, 0.3, n)
    size[form_arr == "central"] = TYPICAL_SIZE["central"] * max(1.0, scale**0.5)
    size = np.maximum(6, size * employees / size.sum())
    # Largest-remainder rounding so that the slots add up to exactly `employees`.
    whole = np.floor(size).astype(np.int64)
    remainder = employees - whole.sum()
    while remainder != 0:  # more than one pass only for tiny organisations
        if remainder > 0:
            whole[np.argsort(-(size - whole), kind="stable")[:remainder]] += 1
        else:
            whole[np.argsort(-whole, kind="stable")[: min(-remainder, n)]] -= 1
        remainder = employees - whole.sum()
    size = whole

    places = _place_names(rng, n)
    names: list[str] = []
    gym_no = 0
    for i, form in enumerate(forms):
        stem, definite = places[i]
        if form == "forskola":
            names.append(f"{definite}s förskola")
        elif form == "grundskola":
            names.append(f"{_joined(stem)}skolan")
        elif form == "gymnasieskola":
            names.append(
                f"{DIRECTIONS[gym_no]} gymnasiet"
                if gym_no < len(DIRECTIONS)
                else f"{_joined(stem)}gymnasiet"
            )
            gym_no += 1
        elif form == "anpassad_grundskola":
            names.append(f"Anpassade grundskolan {definite}")
        else:
            names.append("Centrala elevhälsan och stödenheten")

    # The deliberately special units (all compulsory schools, chosen at random).
    grund = rng.permutation(np.flatnonzero(form_arr == "grundskola"))
    new_unit, no_survey = int(grund[0]), int(grund[1])
    names[new_unit] = NEW_SCHOOL_NAME
    open_month = np.zeros(n, dtype=np.int64)
    opening = _opening_month(tl)
    if opening is not None:
        open_month[new_unit] = opening
    missing_sick = [
        int(grund[2]),
        *rng.choice(np.flatnonzero(form_arr == "forskola"), 1),
        *rng.choice(np.flatnonzero(form_arr == "gymnasieskola"), 1),
    ]

    # Stable, readable ids ordered by area and form.
    order = np.lexsort(
        (
            np.arange(n),
            np.array([FORMS.index(f) for f in forms]),
            np.where(area_idx < 0, 99, area_idx),
        )
    )
    rank = np.empty(n, dtype=np.int64)
    rank[order] = np.arange(n)
    unit_ids = np.array([f"E{1001 + r}" for r in rank])

    codes = np.unique(rng.integers(10_000_000, 100_000_000, 3 * n))
    codes = rng.permutation(codes)[:n]
    kolada_prefix = {
        "forskola": "V11E",
        "grundskola": "V15E",
        "gymnasieskola": "V17E",
        "anpassad_grundskola": "V15E",
    }
    # 1299 is a municipality code that does not exist: the organisation is fictional.
    kolada = [
        None if f == "central" else f"{kolada_prefix[f]}1299{int(r) + 1:05d}"
        for f, r in zip(forms, rank, strict=True)
    ]
    valid_from = [None] * n
    if opening is not None:
        valid_from[new_unit] = tl.month_start(opening).astype(object)

    units = pl.DataFrame(
        {
            "unit_id": unit_ids,
            "unit_name": names,
            "area": [CENTRAL_AREA if a < 0 else AREAS[a] for a in area_idx],
            "school_form": forms,
            "school_unit_code": [
                None if f == "central" else str(c) for f, c in zip(forms, codes, strict=True)
            ],
            "kolada_ou_id": kolada,
            "socioeconomic_index": [
                None if f == "central" else float(s) for f, s in zip(forms, sei, strict=True)
            ],
            "valid_from": pl.Series(valid_from, dtype=pl.Date),
            "valid_to": pl.Series([None] * n, dtype=pl.Date),
        }
    )
    info = {
        "unit_ids": unit_ids,
        "form": form_arr,
        "size": size,
        "sei_z": sei_z,
        "open_month": open_month,
        "order": order,
        "new_unit": unit_ids[new_unit] if opening is not None else None,
        "no_survey_unit": unit_ids[no_survey],
        "missing_sick_units": [unit_ids[i] for i in missing_sick],
    }
    # non_central kept for readability of intent: every school unit belongs to an area.
    assert (area_idx[non_central] >= 0).all()
    return units.sort("unit_id"), info


def _opening_month(tl: Timeline) -> int | None:
    """Month index at which the new school opens: the first August after the middle of the period.

    2019-01 .. 2026-10 gives August 2023. Without an August late enough, the middle month.
    """
    if tl.n_months < 3:
        return None
    mid = tl.n_months // 2
    augusts = [m for m in range(mid, tl.n_months - 1) if tl.calendar_month(m) == 7]
    return int(augusts[0]) if augusts else mid


# --------------------------------------------------------------------------- slots and spells


def make_slots(rng: np.random.Generator, info: dict) -> tuple[np.ndarray, np.ndarray]:
    """One slot per employee at full staffing: (unit index, category index) arrays."""
    units_out: list[np.ndarray] = []
    cats_out: list[np.ndarray] = []
    for u, (form, size) in enumerate(zip(info["form"], info["size"], strict=True)):
        principals = (
            0 if form == "central" else (1 if form != "gymnasieskola" else 2) + int(size > 90)
        )
        principals = min(principals, size - 1)
        comp = COMPOSITION[str(form)]
        names = list(comp)
        p = np.array([comp[k] for k in names])
        drawn = rng.choice([CAT[k] for k in names], size=size - principals, p=p / p.sum())
        cats_out.append(np.concatenate([np.full(principals, CAT["principal"]), drawn]))
        units_out.append(np.full(size, u))
    return np.concatenate(units_out), np.concatenate(cats_out).astype(np.int64)


def _group_of(form: np.ndarray) -> np.ndarray:
    """Units an employee may move between: same kind of school (adapted counts as compulsory)."""
    return np.select(
        [
            form == "forskola",
            np.isin(form, ["grundskola", "anpassad_grundskola"]),
            form == "gymnasieskola",
        ],
        [0, 1, 2],
        3,
    )


def move_destination(
    rng: np.random.Generator, info: dict, current: np.ndarray, month: np.ndarray
) -> np.ndarray:
    """Another unit of the same group, already open at ``month``."""
    group = _group_of(info["form"])
    dest = current.copy()
    for g in np.unique(group[current]):
        members = np.flatnonzero(group == g)
        rows = np.flatnonzero(group[current] == g)
        if members.size < 2:
            continue
        pick = members[rng.integers(0, members.size, rows.size)]
        for _ in range(4):  # redraw the few that hit their own unit or a not-yet-open unit
            bad = (pick == current[rows]) | (info["open_month"][pick] > month[rows])
            if not bad.any():
                break
            pick[bad] = members[rng.integers(0, members.size, bad.sum())]
        bad = (pick == current[rows]) | (info["open_month"][pick] > month[rows])
        dest[rows] = np.where(bad, current[rows], pick)
    return dest


def simulate_spells(
    rng: np.random.Generator, info: dict, slot_unit: np.ndarray, slot_cat: np.ndarray, tl: Timeline
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Employment spells and their unit segments.

    Returns ``spells`` (one row per spell = employee: start ``s``, end ``e``
    exclusive, attributes, certification months) and ``segments`` (one row per
    spell and unit stay: ``spell``, ``unit``, ``seg_start``, ``seg_end``).
    """
    M = tl.n_months
    start = info["open_month"][slot_unit].copy()
    unit = slot_unit.copy()
    cat = slot_cat.copy()
    initial = np.ones(slot_unit.size, dtype=bool)
    initial[start > 0] = False  # staff of the new school are all hired when it opens
    spell_parts: list[dict] = []
    seg_parts: list[dict] = []
    offset = 0
    while start.size:
        n = start.size
        spell_id = offset + np.arange(n)
        offset += n
        a = _spell_attributes(rng, info, unit, cat, start, initial, tl)
        e, reason = _spell_end(rng, a, cat, start, initial, tl)
        # Internal moves: permanent staff only, at most two per spell, inside the observed part.
        e_obs = np.minimum(e, M)
        room = e_obs - start - 1
        lam = np.where(
            (a["employment_type"] == PERMANENT) & (room > 0), MOVE_RATE * np.maximum(room, 0), 0.0
        )
        k = np.minimum(rng.poisson(lam), 2)
        k = np.where(room >= 2, k, np.minimum(k, np.maximum(room, 0)))
        m1 = start + 1 + (rng.random(n) * np.maximum(room, 1)).astype(np.int64)
        m2 = start + 1 + (rng.random(n) * np.maximum(room, 1)).astype(np.int64)
        m1, m2 = np.minimum(m1, m2), np.maximum(m1, m2)
        k = np.where((k == 2) & (m1 == m2), 1, k)
        u1 = move_destination(rng, info, unit, m1)
        k = np.where((k >= 1) & (u1 == unit), 0, k)  # no destination available
        u2 = move_destination(rng, info, u1, m2)
        k = np.where((k == 2) & (u2 == u1), 1, k)
        has1, has2 = k >= 1, k >= 2
        seg_parts.append(
            {
                "spell": spell_id,
                "unit": unit,
                "seg_start": start,
                "seg_end": np.where(has1, m1, e_obs),
            }
        )
        seg_parts.append(
            {
                "spell": spell_id[has1],
                "unit": u1[has1],
                "seg_start": m1[has1],
                "seg_end": np.where(has2, m2, e_obs)[has1],
            }
        )
        seg_parts.append(
            {
                "spell": spell_id[has2],
                "unit": u2[has2],
                "seg_start": m2[has2],
                "seg_end": e_obs[has2],
            }
        )
        final_unit = np.where(has2, u2, np.where(has1, u1, unit))
        spell_parts.append(
            {
                "spell": spell_id,
                "s": start,
                "e": e,
                "reason": reason,
                "category": cat,
                "first_unit": unit,
                "last_unit": final_unit,
                "initial": initial,
                **a,
            }
        )
        # Refill the slots of those who left, in the unit they left from.
        left = e < M
        gap = rng.choice([0, 1, 2, 3], size=n, p=[0.45, 0.35, 0.15, 0.05])
        # After a June exit the school-year replacement starts in August.
        gap = np.where(SCHOOL_YEAR[cat] & (tl.calendar_month(e) == 6), np.maximum(gap, 1), gap)
        nxt = e + gap
        keep = left & (nxt < M)
        start, unit, cat = nxt[keep], final_unit[keep], cat[keep]
        initial = np.zeros(start.size, dtype=bool)

    spells = pl.concat([pl.DataFrame(p) for p in spell_parts])
    segments = pl.concat([pl.DataFrame(p) for p in seg_parts]).filter(
        pl.col("seg_end") > pl.col("seg_start")
    )
    return spells, segments


def _spell_attributes(rng, info, unit, cat, start, initial, tl) -> dict[str, np.ndarray]:
    """Per-spell attributes: contract, FTE, age, gender and certification months."""
    n = unit.size
    M = tl.n_months
    # Employment type: the initial staff follow the stock shares; new hires the flow shares
    # (stock share x hazard), which keeps the stock share stable over the years.
    stock = np.stack([1 - STOCK_FIXED - STOCK_HOURLY, STOCK_FIXED, STOCK_HOURLY], axis=1)[cat]
    flow = stock * np.array([HAZARD[0] + 0.0017, HAZARD[1], HAZARD[2]])
    flow = flow / flow.sum(axis=1, keepdims=True)
    probs = np.where(initial[:, None], stock, flow)
    u = rng.random(n)
    etype = (u[:, None] > np.cumsum(probs, axis=1)[:, :-1]).sum(axis=1)

    fte = np.where(
        rng.random(n) < np.where(np.isin(cat, [CAT["assistant"], CAT["childminder"]]), 0.55, 0.74),
        1.0,
        rng.choice([0.5, 0.6, 0.7, 0.75, 0.8, 0.9], n),
    )
    fte = np.where(etype == HOURLY, rng.choice([0.2, 0.3, 0.4, 0.5], n), fte)

    year0 = tl.year(start)
    age_initial = np.where(rng.random(n) < 0.7, rng.uniform(24, 65, n), rng.normal(45, 9, n))
    age_hire = rng.normal(35, 9, n)
    age = np.clip(
        np.round(np.where(initial, age_initial, age_hire)), 22, np.where(initial, 65, 62)
    ).astype(np.int64)
    birth_year = year0 - age
    birth_month = rng.integers(0, 12, n)

    gender_u = rng.random(n)
    gender = np.where(gender_u < 0.004, 2, np.where(gender_u < FEMALE[cat], 0, 1))

    # hire_date: the hire itself for new staff; for the initial staff a tenure before the start.
    hire = between_snapshots(rng, tl, np.maximum(start, 1), "first")
    tenure_years = np.minimum(rng.exponential(8.0, n), np.maximum(age - 22, 0) + rng.random(n))
    before_start = tl.month_start(0) - (tenure_years * 365.25).astype(np.int64) - 1
    hire_date = np.where(initial, before_start, hire)

    # Certification. Teachers: licensed AND qualified ("certified"), licensed only, or neither.
    sei_z = info["sei_z"][unit]
    unit_cert = info["cert_logit"][unit]
    trend = np.where(initial, 0.0, 0.03 * (year0 - tl.year(0)))
    contract_shift = np.array([0.35, -1.7, -2.2])[etype]
    big = np.int64(10**6)
    lic_from = np.full(n, big)
    qual_from = np.full(n, big)
    enrolled = np.zeros(n, dtype=bool)
    done = np.full(n, big)

    is_teacher = cat == CAT["teacher"]
    p_cert = _sigmoid(unit_cert + contract_shift + trend)
    r = rng.random(n)
    cert = is_teacher & (r < p_cert)
    licensed_only = is_teacher & ~cert & (rng.random(n) < 0.22)
    lic_from[cert | licensed_only] = -1
    qual_from[cert] = -1

    is_pre = cat == CAT["preschool_teacher"]
    p_pre = _sigmoid(info["pre_logit"][unit] + np.array([0.3, -1.2, -1.5])[etype] + trend)
    pre_lic = is_pre & (rng.random(n) < p_pre)
    lic_from[pre_lic] = -1

    for c, p in (
        (CAT["leisure_teacher"], 0.45),
        (CAT["special_educator"], 0.92),
        (CAT["principal"], 0.85),
    ):
        lic_from[(cat == c) & (rng.random(n) < p - 0.05 * sei_z)] = -1

    # Uncertified teachers and unlicensed preschool teachers on a path to certification.
    can_enrol = (is_teacher & ~cert) | (is_pre & ~pre_lic)
    p_enrol = np.where(initial, 0.22, 0.45) * np.where(etype == PERMANENT, 1.0, 0.4)
    enrolled = can_enrol & (rng.random(n) < p_enrol)
    finish = np.where(initial, rng.integers(1, 36, n), start + rng.integers(12, 42, n))
    done = np.where(enrolled, finish, big)
    lic_from = np.where(enrolled, np.minimum(lic_from, finish), lic_from)
    qual_from = np.where(enrolled & is_teacher, finish, qual_from)
    del M
    return {
        "employment_type": etype,
        "fte": fte,
        "birth_year": birth_year,
        "birth_month": birth_month,
        "gender": gender,
        "hire_date": hire_date,
        "lic_from": lic_from,
        "qual_from": qual_from,
        "enrolled": enrolled,
        "programme_until": done,
    }


def _spell_end(rng, a, cat, start, initial, tl) -> tuple[np.ndarray, np.ndarray]:
    """End month (exclusive) of each spell and the exit reason code (index into EXIT_REASONS)."""
    n = start.size
    etype = a["employment_type"]
    hazard = HAZARD[etype] * np.where(
        np.isin(cat, [CAT["assistant"], CAT["childminder"]]), 1.15, 1.0
    )
    e_quit = start + rng.geometric(hazard)
    r_age = rng.choice(RETIREMENT_AGES, size=n, p=RETIREMENT_P)
    # First month absent: the month after the birthday month of the retirement year.
    retire = (a["birth_year"] + r_age) * 12 + a["birth_month"] + 1 - tl.base
    # Initial staff already past their drawn retirement age retire within a year.
    retire = np.where(retire <= start, start + rng.integers(1, 12, n), retire)
    retired = retire <= e_quit
    # The school year: half of the other exits in school categories move to the nearest end
    # of June (forwards or backwards, so that no year gains or loses exits on average).
    forward = (6 - tl.calendar_month(e_quit)) % 12
    july = np.where(forward <= 6, e_quit + forward, e_quit + forward - 12)
    to_june = SCHOOL_YEAR[cat] & (rng.random(n) < 0.5) & (july > start)
    e_quit = np.where(to_june, july, e_quit)
    retired = retired & (retire <= e_quit)
    e = np.where(retired, retire, e_quit)

    reason = np.where(
        etype == PERMANENT,
        rng.choice([1, 2, 3, 5, 6], size=n, p=[0.50, 0.10, 0.18, 0.04, 0.18]),
        rng.choice([4, 1, 2, 3, 6], size=n, p=[0.68, 0.14, 0.08, 0.04, 0.06]),
    )
    reason = np.where(retired, 0, reason)
    del initial
    return e, reason


def add_unit_latents(rng: np.random.Generator, info: dict) -> None:
    """Unit-level propensities (logits) for certified teachers and licensed preschool teachers.

    Lower where the socio-economic index is higher: the 'pedagogical segregation'
    that the dashboard must be able to show.
    """
    n = info["sei_z"].size
    info["cert_logit"] = 0.97 - 0.7 * info["sei_z"] + rng.normal(0, 0.5, n)
    info["pre_logit"] = 0.95 - 0.45 * info["sei_z"] + rng.normal(0, 0.35, n)


# --------------------------------------------------------------------------- redundancy

"""The demo's support register: a year of support requests, support given and feedback.

Grain: ``support_request`` one row per request, ``support_effort`` one row per effort
(linked to a request, or proactive), as in the contract.

What it looks like (5,000 staff, seed 42): about 150 requests from the schools and
preschools over the twelve months up to the end month, most of them from the
principal, through a dialogue or a function mailbox, about recruitment, the work
environment and student health; each answered request has one or two efforts of
2–40 hours, and about three in four finished efforts have feedback (1–5, mostly 4).
Some requests are left unanswered for weeks (the follow-up lists have content), a
few are declined, and about 20 efforts are proactive. Asking is not the same as
needing: units ask at a rate that barely follows their need, and **six units among
those with the highest need never ask and are never given support** — the
quadrant "high need, no request, no support" on Stödbehov.

The need proxy is the demo's own unit latents (a higher socio-economic index and a
lower propensity for certified teachers), which drive the figures the support-need
index is computed from. Drawn from its own random stream (``seed`` + 1913), so the
other kinds are the same with or without the register.
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import polars as pl

from kompetens.core import store
from kompetens.core.contract import KINDS
from kompetens.core.support_register import DEFAULT_FUNCTIONS

#: Topic -> (support function, description templates); no names, ever.
TOPICS: dict[str, tuple[str, tuple[str, ...]]] = {
    "Rekrytering": (
        "HR",
        (
            "Svårt att rekrytera behöriga lärare inför nästa termin.",
            "Behöver stöd med annonsering och urval för speciallärartjänst.",
            "Många visstidsanställda; vill se över bemanningen.",
        ),
    ),
    "Arbetsmiljö": (
        "HR",
        (
            "Hög sjukfrånvaro i ett arbetslag; behöver stöd i arbetsmiljöarbetet.",
            "Vill genomföra en riskbedömning efter omorganisation.",
        ),
    ),
    "Elevhälsa": (
        "EH",
        (
            "Behöver förstärkt elevhälsoteam under våren.",
            "Stöd i arbetet med frånvarande elever.",
        ),
    ),
    "Kompetensutveckling": (
        "PC",
        (
            "Vill ta fram en kompetensutvecklingsplan för förskollärarna.",
            "Stöd att ordna handledning för nya lärare.",
        ),
    ),
    "Juridik": (
        "Admin & juridik",
        ("Fråga om tolkning av anställningsavtal.", "Behöver råd i ett ärende om skolplacering."),
    ),
    "IT": ("Admin & juridik", ("Problem med behörigheter i schemasystemet.",)),
    "Behålla": ("HR", ("Flera erfarna lärare har sagt upp sig; vill arbeta med att behålla.",)),
    "Utveckla": ("PC", ("Vill stärka det kollegiala lärandet.",)),
}
TOPIC_WEIGHTS = np.array([0.26, 0.18, 0.16, 0.12, 0.08, 0.06, 0.08, 0.06])
ROLES = ("principal", "deputy_principal", "area_manager", "team_leader")
ROLE_WEIGHTS = np.array([0.62, 0.22, 0.1, 0.06])
CHANNELS = ("dialogue", "mailbox", "order", "network", "other")
CHANNEL_WEIGHTS = np.array([0.35, 0.3, 0.18, 0.1, 0.07])
REPORT_TO = ("Rektor", "Områdeschef", "Ledningsgruppen")
EFFORT_TYPES = (
    "advice",
    "training",
    "coaching",
    "investigation",
    "recruitment_support",
    "process_support",
)
FEEDBACK_NOTES = (
    "Stödet kom i rätt tid.",
    "Bra, men vi hade behövt mer tid.",
    "Hjälpte arbetslaget framåt.",
    "Svårt att avgöra effekten än.",
    None,
)

SILENT_UNITS = 6


def _need_proxy(info: dict) -> np.ndarray:
    """Higher = more need: a higher socio-economic index, fewer certified teachers (z-scores)."""
    cert = info["cert_logit"]
    return info["sei_z"] - (cert - cert.mean()) / (cert.std() or 1.0)


def support_frames(
    units: pl.DataFrame, info: dict, end: date, seed: int
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """``(support_request, support_effort)`` for the twelve months ending on ``end`` (inclusive)."""
    rng = np.random.default_rng(seed + 1913)
    start = date(end.year - 1, end.month, end.day) + timedelta(days=1)
    span = (end - start).days + 1
    need = _need_proxy(info)
    ids = info["unit_ids"]
    # info's arrays are per unit, in the order of ``unit_ids``; the central unit never asks.
    school = np.asarray(info["form"]) != "central"
    order = np.argsort(-np.where(school, need, -np.inf))
    high = order[: max(SILENT_UNITS * 3, len(order) // 5)]
    # Six in the full demo; a small demo (a few units) keeps most of its units asking.
    n_silent = min(SILENT_UNITS, max(1, int(school.sum()) // 15))
    silent = set(rng.choice(high, size=min(n_silent, len(high)), replace=False).tolist())
    requests: list[dict] = []
    efforts: list[dict] = []
    topics = list(TOPICS)
    for u in range(len(ids)):
        if not school[u] or u in silent:
            continue
        # Asking barely follows need: a unit's own habit matters more.
        rate = np.exp(0.15 * need[u] + rng.normal(0, 0.6)) * 1.3
        for _ in range(rng.poisson(rate)):
            day = start + timedelta(days=int(rng.integers(0, span)))
            topic = topics[rng.choice(len(topics), p=TOPIC_WEIGHTS)]
            function, texts = TOPICS[topic]
            age = (end - day).days
            if age > 60:
                status = rng.choice(
                    ["done", "declined", "received", "in_progress"], p=[0.8, 0.06, 0.06, 0.08]
                )
            elif age > 20:
                status = rng.choice(
                    ["done", "in_progress", "planned", "received"], p=[0.35, 0.35, 0.15, 0.15]
                )
            else:
                status = rng.choice(["received", "planned", "in_progress"], p=[0.6, 0.25, 0.15])
            request_id = f"S-{day.year}-{len(requests) + 1:04d}"
            requests.append(
                {
                    "request_id": request_id,
                    "unit_id": ids[u],
                    "request_date": day,
                    "asker_role": ROLES[rng.choice(len(ROLES), p=ROLE_WEIGHTS)],
                    "channel": CHANNELS[rng.choice(len(CHANNELS), p=CHANNEL_WEIGHTS)],
                    "topic": topic,
                    "description": texts[rng.integers(len(texts))],
                    "support_function": function,
                    "report_to": REPORT_TO[rng.integers(len(REPORT_TO))],
                    "status": str(status),
                }
            )
            if status in ("received", "declined"):
                continue
            for _ in range(1 + int(rng.random() < 0.3)):
                efforts.append(
                    _effort(rng, len(efforts), request_id, ids[u], function, day, end, str(status))
                )
    # Proactive support: given without a request, to units that are not silent.
    candidates = [u for u in range(len(ids)) if school[u] and u not in silent]
    for u in rng.choice(candidates, size=min(20, len(candidates)), replace=False):
        day = start + timedelta(days=int(rng.integers(0, span)))
        function = DEFAULT_FUNCTIONS[rng.integers(3)]
        status = "done" if (end - day).days > 45 else "in_progress"
        efforts.append(_effort(rng, len(efforts), None, ids[u], function, day, end, status))
    return (
        pl.DataFrame(requests, schema=store.polars_schema(KINDS["support_request"])),
        pl.DataFrame(efforts, schema=store.polars_schema(KINDS["support_effort"])),
    )


def _effort(
    rng: np.random.Generator,
    n: int,
    request_id: str | None,
    unit_id: str,
    function: str,
    asked: date,
    end: date,
    status: str,
) -> dict:
    """One effort starting 2–30 days after ``asked`` (not after ``end``); feedback on 3 of 4 done."""
    begin = min(asked + timedelta(days=int(rng.integers(2, 31))), end)
    finished = (
        min(begin + timedelta(days=int(rng.integers(1, 60))), end) if status == "done" else None
    )
    feedback = status == "done" and rng.random() < 0.75
    return {
        "effort_id": f"I-{n + 1:04d}",
        "request_id": request_id,
        "unit_id": unit_id,
        "support_function": function,
        "start_date": begin,
        "end_date": finished,
        "effort_type": EFFORT_TYPES[rng.integers(len(EFFORT_TYPES))],
        "hours": float(rng.integers(2, 41)),
        "status": status,
        "feedback_score": int(rng.choice([2, 3, 4, 5], p=[0.1, 0.25, 0.4, 0.25]))
        if feedback
        else None,
        "feedback_note": FEEDBACK_NOTES[rng.integers(len(FEEDBACK_NOTES))] if feedback else None,
    }

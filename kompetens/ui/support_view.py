"""View helpers of Stödbehov's "De som inte ber om stöd": need against support per unit.

The support register page's own helpers are in ``ui.support_register_view``.
"""

from __future__ import annotations

import polars as pl

from kompetens.core.labels import (
    SCHOOL_FORM_LABELS,
)
from kompetens.query import support_register as read

NEED_LABELS: dict[str, str] = {
    "quadrant_label": "Behov och stöd",
    "rank": "Rang",
    "unit_id": "Enhets-id",
    "unit_name": "Enhet",
    "area": "Område",
    "school_form": "Skolform",
    "score": "Stödbehov (0–100)",
    "requests": "Ärenden (12 mån)",
    "efforts": "Insatser (12 mån)",
    "hours": "Timmar (12 mån)",
}

# ---- "De som inte ber om stöd" (Stödbehov) ------------------------------------------------


def need_table(frame: pl.DataFrame) -> pl.DataFrame:
    """Need against support for a table or the download: the quadrant and school form in Swedish."""
    return frame.with_columns(
        pl.col("quadrant")
        .replace_strict(read.QUADRANT_LABELS, return_dtype=pl.String)
        .alias("quadrant_label"),
        pl.col("school_form").replace_strict(
            SCHOOL_FORM_LABELS, default=pl.col("school_form"), return_dtype=pl.String
        ),
    ).select(list(NEED_LABELS))


def not_asking_rows(shown: pl.DataFrame) -> pl.DataFrame:
    """The rows of :func:`need_table` in the quadrant "high need, no request, no support"."""
    label = read.QUADRANT_LABELS[read.HIGH_NO_SUPPORT]
    return shown.filter(pl.col("quadrant_label") == label)


def quadrant_counts(frame: pl.DataFrame) -> dict[str, int]:
    """Units per quadrant (every quadrant named, zero included), in ``QUADRANT_LABELS`` order."""
    counts = dict(frame.group_by("quadrant").len().iter_rows())
    return {key: int(counts.get(key, 0)) for key in read.QUADRANT_LABELS}


def not_asking_sentence(frame: pl.DataFrame) -> str:
    """One sentence naming how many units have high need but neither asked nor got support."""
    n = quadrant_counts(frame)[read.HIGH_NO_SUPPORT]
    if n == 0:
        return "Alla enheter med högt stödbehov har begärt eller fått stöd under de senaste tolv månaderna."
    units = "enhet" if n == 1 else "enheter"
    return (
        f"{n} {units} med högt stödbehov (översta fjärdedelen) har varken begärt eller fått stöd "
        "under de senaste tolv månaderna."
    )

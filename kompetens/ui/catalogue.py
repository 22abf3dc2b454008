"""The indicator catalogue as people read it: the registry in Swedish, one row per indicator.

Pure functions of the registry (no Streamlit): the Indikatorer page shows and
downloads ``catalogue_frame()``, filtered with ``search_catalogue``; the
ARUBA page says which import files feed an indicator with ``source_labels``.
"""

from __future__ import annotations

import polars as pl

from kompetens.core.contract import KINDS
from kompetens.core.labels import DIMENSION_LABELS, PERIOD_TYPE_LABELS, PHASE_LABELS
from kompetens.indicators import registry
from kompetens.indicators.targets import BASELINE_INDICATORS
from kompetens.present.formatting import fmt_value
from kompetens.ui.homes import INDICATOR_HOMES

UNIT_LABELS: dict[str, str] = {
    "share": "andel (procent)",
    "fte": "heltidstjänster",
    "count": "antal",
    "days": "dagar",
    "hours": "timmar",
    "score_5": "medelvärde på skala 1–5",
    "score_100": "index 0–100",
    "ratio": "kvot",
}
DIRECTION_LABELS: dict[str, str] = {
    "higher_is_better": "Högre är bättre",
    "higher_is_worse": "Lägre är bättre",
    "neutral": "Neutral (ingen riktning)",
}
STOCK_OR_FLOW_LABELS: dict[str, str] = {
    "stock": "Lager (ögonblicksbild)",
    "flow": "Flöde (under perioden)",
    "composite": "Sammansatt",
}

#: Column order and Swedish headings of the catalogue (also the download's headings).
CATALOGUE_LABELS: dict[str, str] = {
    "phase": "Fas",
    "name_sv": "Namn",
    "description": "Beskrivning",
    "formula": "Formel (definition)",
    "unit": "Enhet",
    "direction": "Riktning",
    "sources": "Källfiler",
    "grain": "Nivå (grain)",
    "period_types": "Perioder",
    "breakdowns": "Uppdelningar",
    "kolada_id": "Kolada",
    "default_target": "Standardmål",
    "pages": "Visas på",
    "note": "Anmärkning",
    "indicator_id": "Id",
    "name_en": "Namn (engelska)",
}


def source_labels(indicator: registry.Indicator) -> list[str]:
    """Swedish names of the import file kinds an indicator is computed from (``Personal (ögonblicksbilder)``, …)."""
    return [KINDS[s].label_sv if s in KINDS else s for s in indicator.sources]


def default_target_text(indicator: registry.Indicator) -> str:
    """The target used when the targets file has none, in words (``100,0 %``, ``utgångsläget + 0,2 …``, ``–``)."""
    if indicator.id in BASELINE_INDICATORS:
        one, two = BASELINE_INDICATORS[indicator.id]
        return (
            f"Utgångsläget (första mätåret) + {fmt_value(one, 'decimal1')} året efter "
            f"och + {fmt_value(two, 'decimal1')} från två år efter"
        )
    if indicator.default_target is None:
        return "–"
    return fmt_value(indicator.default_target, indicator)


def catalogue_frame() -> pl.DataFrame:
    """The catalogue: one row per registry indicator, grouped by phase in the model's order.

    Columns are the keys of ``CATALOGUE_LABELS``, all text (ready to show and download).
    """
    rows = []
    for ind in registry.REGISTRY.values():
        rows.append(
            {
                "phase": PHASE_LABELS[ind.phase],
                "name_sv": ind.name_sv,
                "description": ind.description,
                "formula": ind.formula,
                "unit": UNIT_LABELS.get(ind.unit, ind.unit),
                "direction": DIRECTION_LABELS.get(ind.direction, ind.direction),
                "sources": ", ".join(source_labels(ind)),
                "grain": f"{STOCK_OR_FLOW_LABELS.get(ind.stock_or_flow, ind.stock_or_flow)}. {ind.grain}",
                "period_types": ", ".join(PERIOD_TYPE_LABELS.get(p, p) for p in ind.period_types),
                "breakdowns": ", ".join(DIMENSION_LABELS.get(b, b) for b in ind.breakdowns) or "–",
                "kolada_id": ind.kolada_id or "–",
                "default_target": default_target_text(ind),
                "pages": ", ".join(INDICATOR_HOMES[ind.id]),
                "note": ind.note or "–",
                "indicator_id": ind.id,
                "name_en": ind.name_en,
            }
        )
    return pl.DataFrame(rows, schema={c: pl.String for c in CATALOGUE_LABELS})


def phases() -> list[tuple[str, str]]:
    """(phase id, Swedish name) of every phase, in the model's order (the catalogue's sections)."""
    return [(phase, PHASE_LABELS[phase]) for phase in registry.PHASES]


def of_phase(frame: pl.DataFrame, phase: str) -> pl.DataFrame:
    """The catalogue rows of one phase (registry phase id)."""
    return frame.filter(pl.col("phase") == PHASE_LABELS[phase])


def search_catalogue(frame: pl.DataFrame, text: str | None) -> pl.DataFrame:
    """Rows whose name, description, formula, id, Kolada id, sources or phase contain every word of ``text``.

    Case-insensitive; an empty search returns the frame unchanged.
    """
    words = (text or "").lower().split()
    if not words:
        return frame
    haystack = pl.concat_str(
        [
            pl.col(c)
            for c in (
                "phase",
                "name_sv",
                "name_en",
                "description",
                "formula",
                "indicator_id",
                "kolada_id",
                "sources",
            )
        ],
        separator=" ",
    ).str.to_lowercase()
    condition = pl.lit(True)
    for word in words:
        condition = condition & haystack.str.contains(word, literal=True)
    return frame.filter(condition)

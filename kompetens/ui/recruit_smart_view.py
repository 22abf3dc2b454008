"""ARUBA › Avveckla, "Rekrytera smart": qualified teaching hours lost at exits beside hires, per subject.

Reads ``query.lost_and_hired_by_subject`` (key figures ``"lost_qualified_teaching_hours"`` and
``"filled_requisitions"`` at breakdown ``subject=<code>``, the rolling 12 months ending in the
newest month of the page's year) for the page's area or the organisation. Grain of the table:
one row per subject. Shows a chart in posts (18 teaching hours a week = one post), a table with
``..`` for hidden figures, and CSV/Excel downloads with suppression applied.
"""

from __future__ import annotations

import polars as pl
import streamlit as st

from kompetens import query
from kompetens.present.formatting import MONTH_NAMES, area_phrase, fmt_number, md_text
from kompetens.present.recruit_smart_charts import lost_and_hired_bars
from kompetens.ui import figures
from kompetens.ui.components import download_buttons, empty_state, import_hint

#: Download column -> Swedish heading.
LABELS: dict[str, str] = {
    "subject_name": "Ämne",
    "lost_hours": "Förlorade behöriga undervisningstimmar per vecka",
    "lost_posts": "Förlorade behöriga tjänster",
    "hires": "Tillsatta tjänster",
    "certified_hires": "Varav med behörig",
    "certified_hires_minus_lost_posts": "Behöriga anställda minus förlorade tjänster",
}


def period_for_year(periods: list[str], year: str) -> str | None:
    """The newest rolling 12 months ending in ``year`` or before (``'YYYY-MM'``); None if none."""
    inside = [p for p in periods if p[:4] <= str(year)]
    return inside[-1] if inside else None


def window_text(period: str) -> str:
    """``'2026-10'`` -> ``'november 2025 – oktober 2026'`` (the 12 months ending in it)."""
    year, month = int(period[:4]), int(period[5:7])
    first = year * 12 + month - 1 - 11
    return f"{MONTH_NAMES[first % 12]} {first // 12} – {MONTH_NAMES[month - 1]} {year}"


def _text(value: float | None, hidden: bool, decimals: int) -> str:
    if hidden:
        return ".."
    if value is None:
        return "–"
    return fmt_number(value, decimals)


def screen_table(rows: pl.DataFrame) -> pl.DataFrame:
    """The table as shown: Swedish headings, Swedish numbers, ``..`` where hidden."""
    records = []
    for r in rows.iter_rows(named=True):
        lost, hires = r["lost_suppressed"], r["hires_suppressed"]
        balance = r["certified_hires_minus_lost_posts"]
        records.append(
            {
                LABELS["subject_name"]: r["subject_name"],
                LABELS["lost_hours"]: _text(r["lost_hours"], lost, 1),
                LABELS["lost_posts"]: _text(r["lost_posts"], lost, 1),
                LABELS["hires"]: _text(r["hires"], hires, 0),
                LABELS["certified_hires"]: _text(r["certified_hires"], hires, 0),
                LABELS["certified_hires_minus_lost_posts"]: (
                    ".." if balance is None and (lost or hires) else _text(balance, False, 1)
                ),
            }
        )
    return pl.DataFrame(records, schema=dict.fromkeys(LABELS.values(), pl.String))


def summary(rows: pl.DataFrame) -> str | None:
    """One sentence naming the subjects where certified hires fell short of the lost posts."""
    short = rows.filter(pl.col("certified_hires_minus_lost_posts") < -0.05)
    if short.height == 0:
        return None
    names = [md_text(name) for name in short["subject_name"].to_list()]
    listed = ", ".join(names[:-1]) + f" och {names[-1]}" if len(names) > 1 else names[0]
    return (
        f"Färre behöriga anställda än de behöriga tjänster som försvann vid avgångar: **{listed}**."
    )


def show(cur, scope, year: str, area: str | None) -> None:
    """The Rekrytera smart tab: lost qualified hours beside hires per subject, last 12 months."""
    st.markdown("### Förlorade behöriga timmar och rekryteringar per ämne")
    periods = query.recruit_smart_periods(cur, scope)
    period = period_for_year(periods, year)
    if period is None:
        empty_state(
            f"Inga avgångar eller rekryteringar per ämne till och med {year}.",
            "Förlorade timmar per ämne kräver **Undervisningsuppdrag** och **Händelser**; "
            "rekryteringar per ämne kräver kolumnen **Ämne** i filen **Rekryteringar**. "
            + import_hint("Importera dem på sidan **Import**."),
        )
        return
    rows = query.lost_and_hired_by_subject(cur, scope, period, area=area)
    where = md_text(area_phrase(area)) if area else "hela organisationen"
    st.caption(
        f"De senaste 12 månaderna ({window_text(period)}), {where}. Förlorat: undervisningstimmar "
        "i veckan med behörig lärare hos dem som slutade, och samma timmar som tjänster "
        "(18 timmar i veckan = en tjänst). Anställt: tillsatta rekryteringar med ämne, och hur "
        "många av dem som tillsattes med behörig. `..` = dolt, färre än fem personer."
    )
    if rows.height == 0:
        empty_state(f"Inga avgångar eller rekryteringar per ämne för {where} denna period.")
        return
    sentence = summary(rows)
    if sentence:
        st.markdown(sentence)
    figures.show(
        lost_and_hired_bars(rows), config={"displaylogo": False}, key="recruit_smart_chart"
    )
    st.dataframe(screen_table(rows), hide_index=True, key="recruit_smart_table")
    if rows["hires"].is_null().all():
        st.caption(
            "Rekryteringsfilen saknar ämne: lägg till kolumnen **Ämne** för lärartjänster "
            "för att se anställningar per ämne."
        )
    download_buttons(
        download_table(rows),
        f"Rekrytera smart {period}",
        labels=LABELS,
        formats={
            "lost_hours": "fte",
            "lost_posts": "fte",
            "certified_hires_minus_lost_posts": "fte",
        },
        key="dl_recruit_smart",
    )


def download_table(rows: pl.DataFrame) -> pl.DataFrame:
    """The download's columns (numbers as numbers), each hidden figure with its ``_suppressed`` flag."""
    lost, hires = pl.col("lost_suppressed"), pl.col("hires_suppressed")
    return rows.select(
        "subject_name",
        "lost_hours",
        lost.alias("lost_hours_suppressed"),
        "lost_posts",
        lost.alias("lost_posts_suppressed"),
        "hires",
        hires.alias("hires_suppressed"),
        "certified_hires",
        hires.alias("certified_hires_suppressed"),
        "certified_hires_minus_lost_posts",
        (lost | hires).alias("certified_hires_minus_lost_posts_suppressed"),
    )

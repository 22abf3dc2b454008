"""A unit's dialogue brief as an A4 PDF, typeset with Typst.

The layout is ``brief.typ`` beside this module; the brief's content goes in
as ``data.json`` and the charts as SVG files, all in one temporary folder
that is Typst's root. Every user-entered or imported text (unit names,
actions) reaches Typst as a JSON string and is shown as text, never parsed
as markup, so a ``#`` or ``*`` in an action cannot change the document.

Page 1: header, key figures with arrows and traffic lights, talking points.
Page 2: four charts; then, in an *underlag*, last dialogue's actions and ruled
room for notes, or, in a *protokoll*, the saved notes, the agreed actions
(owner, due date, status) and the follow-up of earlier actions.
"""

from __future__ import annotations

import datetime as dt
import json
import tempfile
from pathlib import Path

import typst

from kompetens.dialogue.briefs import charts as brief_charts
from kompetens.dialogue.briefs.charts import ChartImage, ChartRenderer, ChartRenderError
from kompetens.dialogue.briefs.content import SUPPRESSION_NOTE, ActionLine, Brief
from kompetens.present.formatting import MISSING

TEMPLATE = Path(__file__).with_name("brief.typ")
#: A fixed creation date inside the PDF keeps two builds of the same brief byte-identical.
_EPOCH = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)


def chart_images(brief: Brief, renderer: ChartRenderer) -> list[ChartImage]:
    """The brief's charts (trends, then the place in the area) rendered as SVG."""
    images = []
    for index, trend in enumerate(brief.trends):
        fig = brief_charts.trend_figure(trend.frame, trend.indicator_id, trend.title)
        images.append(ChartImage(f"trend{index}.svg", trend.title, renderer.render(fig)))
    if brief.placement is not None:
        p = brief.placement
        fig = brief_charts.place_figure(p.frame, p.indicator_id, brief.unit_name, p.title, p.target)
        height = int(fig.layout.height or brief_charts.CHART_HEIGHT)
        images.append(ChartImage("place.svg", p.title, renderer.render(fig, height=height)))
    return images


def _short_delta(text: str) -> str:
    return text.replace("\u00a0procentenheter", "\u00a0p.e.")


def _action(a: ActionLine) -> dict[str, str]:
    return {
        "dialogue_date": a.dialogue_date,
        "action": a.action,
        "owner": a.owner,
        "due_date": a.due_date,
        "status": a.status,
    }


def _period_note(label: str, period: str | None) -> str:
    """The key figure's own period when it is not the year of the brief (a 12-month figure)."""
    return label if label and label != period else ""


def _comparison_note(brief: Brief) -> str:
    """Under the comparison table: what the columns are, the group's name, demo or not."""
    if not brief.comparisons:
        return ""
    group = next((c.group_name for c in brief.comparisons if c.group_name), "")
    note = (
        "Publicerade värden från Kolada (senaste år till och med "
        + (brief.period or MISSING)
        + ", året inom parentes); källan länkas per rad. Jämförelsevärdena döljs aldrig, "
        "källans egna markeringar visas som källan visar dem."
    )
    if group:
        note += f" Liknande kommuner: {group}."
    if any(c.is_demo for c in brief.comparisons):
        note += " Demodata: fiktiva värden, inte hämtade från Kolada."
    return note


def typst_data(brief: Brief, images: list[ChartImage], chart_note: str = "") -> dict:
    """The JSON the Typst template reads (strings only where text is shown)."""
    previous = str(int(brief.period) - 1) if brief.period else MISSING
    word = "Dialogprotokoll" if brief.is_protokoll else "Dialogunderlag"
    return {
        "title": f"{word} {brief.unit_name} {brief.period or ''}".strip(),
        "kind_heading": (
            "PROTOKOLL FRÅN VERKSAMHETSDIALOG"
            if brief.is_protokoll
            else "UNDERLAG FÖR VERKSAMHETSDIALOG"
        ),
        "protokoll": brief.is_protokoll,
        "notes": list(brief.notes),
        "no_notes_text": f"Inga anteckningar är sparade för dialogen {brief.dialogue_date.isoformat()}.",
        "agreed": [_action(a) for a in brief.agreed_actions],
        "unit_name": brief.unit_name,
        "unit_id": brief.unit_id,
        "area": brief.area or MISSING,
        "school_form": brief.school_form or MISSING,
        "dialogue_date": brief.dialogue_date.isoformat(),
        "period": brief.period or MISSING,
        "previous_period": previous,
        "data_period": brief.data_period,
        "generated": brief.generated.strftime("%Y-%m-%d %H:%M"),
        "has_data": brief.has_data,
        "no_data_text": brief.no_data_text,
        "key_figures": [
            {
                "name": k.name,
                "phase": k.phase,
                "period_note": _period_note(k.period_label, brief.period),
                "value_text": k.value_text,
                "change_text": _short_delta(k.change_text),
                "change_word": k.change_word,
                "arrow": k.arrow,
                "trend": k.trend or "unset",
                "area_text": k.area_text,
                "org_text": k.org_text,
                "target_text": k.target_text,
                "status": k.status or "unset",
                "status_text": k.status_text,
                "rank_text": k.rank_text,
            }
            for k in brief.key_figures
        ],
        "comparisons": [
            {
                "name": c.name,
                "unit_text": c.unit_text,
                "municipality_text": c.municipality_text,
                "group_text": c.group_text,
                "national_text": c.national_text,
                "source": c.source,
                "source_url": c.source_url,
            }
            for c in brief.comparisons
        ],
        "comparison_note": _comparison_note(brief),
        "talking_points": list(brief.talking_points),
        "outlook": list(brief.outlook),
        "subject_gaps": [g.text for g in brief.subject_gaps],
        "charts": [{"file": image.name, "title": image.title} for image in images],
        "chart_note": chart_note,
        "themes_heading": brief.themes_heading,
        "themes": [t.text for t in brief.themes],
        "themes_note": brief.themes_note,
        "no_themes_text": brief.no_themes_text,
        "previous_dialogue": brief.previous_dialogue,
        "actions": [_action(a) for a in brief.previous_actions],
        "note_lines": 12 if brief.has_data else 18,
        "footer_left": f"{brief.unit_name} · {brief.dialogue_date.isoformat()} · {SUPPRESSION_NOTE}",
    }


def compile_pdf(brief: Brief, images: list[ChartImage], *, chart_note: str = "") -> bytes:
    """Typeset the brief with already rendered chart images."""
    with tempfile.TemporaryDirectory(prefix="kompetens-brief-") as folder:
        root = Path(folder)
        (root / "main.typ").write_bytes(TEMPLATE.read_bytes())
        (root / "data.json").write_text(
            json.dumps(typst_data(brief, images, chart_note), ensure_ascii=False), encoding="utf-8"
        )
        for image in images:
            (root / image.name).write_bytes(image.data)
        return typst.compile(str(root / "main.typ"), root=str(root), format="pdf", timestamp=_EPOCH)


def render_pdf(brief: Brief, renderer: ChartRenderer | None = None) -> bytes:
    """The brief as PDF bytes; charts through ``renderer`` (one is opened and closed if None).

    If Chromium cannot draw the charts the brief is still produced, without
    them and with a note saying so.
    """
    if not brief.has_data:
        return compile_pdf(brief, [])
    own = renderer is None
    renderer = renderer or ChartRenderer()
    try:
        images = chart_images(brief, renderer)
        note = ""
    except ChartRenderError:
        images, note = [], "Diagrammen kunde inte ritas (webbläsaren för diagram saknas)."
    finally:
        if own:
            renderer.close()
    return compile_pdf(brief, images, chart_note=note)

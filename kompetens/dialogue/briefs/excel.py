"""A dialogue brief as an Excel workbook (xlsxwriter), for one unit or a whole area.

One unit: one sheet per section (Översikt, Nyckeltal, Trender, Plats i
området, Samtalspunkter, Åtgärder, Teman; a *protokoll* also has Anteckningar, and
its Åtgärder sheet lists the actions agreed at the dialogue first, then the
follow-up of earlier ones). A whole area: one sheet per unit with the
sections one below the other, and a first sheet listing the units.

Numbers are written as numbers with the indicator's number format
(``exports.EXCEL_FORMATS``: shares as fractions formatted ``0.0%``, which
Excel shows with the reader's decimal comma); a suppressed value is the text
``..`` and a missing one an empty cell, exactly as the PDF and the page.
Every text goes through ``exports.neutralise`` so nothing that starts with
``=``, ``+``, ``-`` or ``@`` can run as a formula, and the workbook is opened
with ``strings_to_formulas`` off.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from kompetens.dialogue.briefs.content import SUPPRESSION_NOTE, Brief, Comparison, KeyFigure
from kompetens.indicators import registry
from kompetens.present.exports import (
    EXCEL_FORMATS,
    SUPPRESSED_MARK,
    _sheet_name,
    neutralise,
    new_workbook,
)
from kompetens.present.formatting import MISSING

#: A change of a share, in percentage points (the value ×100).
POINTS_FORMAT = '+0.0" p.e.";-0.0" p.e.";0.0" p.e."'

KEY_FIGURE_HEADER = (
    "Fas",
    "Nyckeltal",
    "Enheten",
    "Året innan",
    "Förändring",
    "Bedömning",
    "Området",
    "Organisationen",
    "Mål",
    "Status",
    "Plats i området",
    "Enheter i området",
)


@dataclass(frozen=True)
class Cell:
    """A value to write and, for numbers, the key of its number format."""

    value: object
    fmt: str | None = None
    suppressed: bool = False


class _Writer:
    """Formats of one workbook and the cell writer every sheet uses."""

    def __init__(self, workbook: Workbook) -> None:
        self.workbook = workbook
        self.header = workbook.add_format(
            {"bold": True, "bg_color": "#E8EEF4", "text_wrap": True, "valign": "top"}
        )
        self.title = workbook.add_format({"bold": True, "font_size": 14})
        self.section = workbook.add_format({"bold": True, "font_size": 12})
        self.label = workbook.add_format({"font_color": "#5A5A5A"})
        self.wrap = workbook.add_format({"text_wrap": True, "valign": "top"})
        self.right = workbook.add_format({"align": "right"})
        self.numbers = {k: workbook.add_format({"num_format": v}) for k, v in EXCEL_FORMATS.items()}
        self.numbers["points"] = workbook.add_format({"num_format": POINTS_FORMAT})

    def cell(self, sheet: Worksheet, row: int, col: int, cell: Cell | object) -> None:
        if not isinstance(cell, Cell):
            cell = Cell(cell)
        value = cell.value
        if cell.suppressed:
            sheet.write_string(row, col, SUPPRESSED_MARK, self.right)
        elif value is None or value == "":
            sheet.write_blank(row, col, None)
        elif isinstance(value, bool):
            sheet.write_string(row, col, "Ja" if value else "Nej")
        elif isinstance(value, int | float):
            fmt = self.numbers.get(cell.fmt or "")
            if fmt is not None:
                sheet.write_number(row, col, value, fmt)
            else:
                sheet.write_number(row, col, value)
        else:
            sheet.write_string(row, col, neutralise(str(value)))

    def table(
        self,
        sheet: Worksheet,
        top: int,
        header: Sequence[str],
        rows: Sequence[Sequence[Cell | object]],
    ) -> int:
        """Write a header row and the rows from row ``top``; returns the next free row."""
        for j, name in enumerate(header):
            sheet.write_string(top, j, name, self.header)
        for i, row in enumerate(rows, start=top + 1):
            for j, value in enumerate(row):
                self.cell(sheet, i, j, value)
        return top + 1 + len(rows)


def _number_format(unit: str) -> str:
    return unit if unit in EXCEL_FORMATS else "number"


def key_figure_row(k: KeyFigure) -> list[Cell | object]:
    """One key figure as cells: values as numbers (shares as fractions), ``..`` when hidden."""
    fmt = _number_format(k.unit)
    share = k.unit == "share"
    change = None
    if k.change is not None:
        change = Cell(k.change * 100, "points") if share else Cell(k.change, fmt)
    elif k.suppressed or k.previous_suppressed:
        change = Cell(None, suppressed=k.previous_value is not None or k.previous_suppressed)
    return [
        k.phase,
        k.name,
        Cell(k.value, fmt, k.suppressed),
        Cell(k.previous_value, fmt, k.previous_suppressed),
        change,
        k.change_word,
        Cell(k.area_value, fmt, k.area_suppressed),
        Cell(k.org_value, fmt, k.org_suppressed),
        Cell(k.target, fmt),
        k.status_text,
        k.rank_in_area,
        k.units_in_area if k.rank_in_area is not None else None,
    ]


COMPARISON_HEADER = (
    "Nyckeltal",
    "Enheten",
    "Kommunen (Kolada)",
    "År",
    "Liknande kommuner",
    "År",
    "Riket",
    "År",
    "Källa",
    "Länk till källan",
    "Demodata",
)


def comparison_row(c: Comparison) -> list[Cell | object]:
    """The unit against the published values: numbers as numbers, a source's mark as its text."""
    fmt = _number_format(c.unit)

    def value(number: float | None, text: str) -> Cell | object:
        if number is not None:
            return Cell(number, fmt)
        return text.rsplit(" (", 1)[0] if text != MISSING else None  # e.g. Kolada's status

    return [
        c.name,
        c.unit_text,
        value(c.municipality_value, c.municipality_text),
        c.municipality_year,
        value(c.group_value, c.group_text),
        c.group_year,
        value(c.national_value, c.national_text),
        c.national_year,
        c.source,
        c.source_url,
        "Ja" if c.is_demo else "",
    ]


def _overview_rows(brief: Brief) -> list[tuple[str, str]]:
    rows = [
        ("Enhet", brief.unit_name),
        ("Enhets-id", brief.unit_id),
        ("Område", brief.area or ""),
        ("Skolform", brief.school_form or ""),
        ("Typ", brief.kind_label),
        ("Dialogens datum", brief.dialogue_date.isoformat()),
        ("Dataperiod", brief.data_period),
        ("Skapad", brief.generated.strftime("%Y-%m-%d %H:%M")),
        ("Not", SUPPRESSION_NOTE),
    ]
    if not brief.has_data:
        rows.append(("Nyckeltal", brief.no_data_text))
    rows += [("Prognos", line) for line in brief.outlook]
    rows += [("Största ämnesgap", gap.text) for gap in brief.subject_gaps]
    return rows


SUBJECT_GAP_HEADER = (
    "Ämne",
    "Ämneskod",
    "Andel behöriga undervisningstimmar",
    "Obehöriga undervisningstimmar per vecka",
    "Motsvarar heltidstjänster",
)


def _subject_gap_rows(brief: Brief) -> list[list[Cell | object]]:
    return [
        [
            g.subject_name,
            g.subject,
            Cell(g.share, "share", g.share is None),
            Cell(g.hours, "hours"),
            Cell(g.fte, "fte"),
        ]
        for g in brief.subject_gaps
    ]


def _indicator_format(indicator_id: str) -> str:
    return _number_format(str(registry.get(indicator_id).unit))


def _trend_rows(brief: Brief) -> list[list[Cell | object]]:
    rows = []
    for trend in brief.trends:
        fmt = _indicator_format(trend.indicator_id)
        rows += [
            [
                trend.title,
                r["series"],
                r["period"],
                Cell(r["value"], fmt, bool(r["suppressed"])),
                Cell(r["target"], fmt),
            ]
            for r in trend.frame.iter_rows(named=True)
        ]
    return rows


def _placement_rows(brief: Brief) -> list[list[Cell | object]]:
    p = brief.placement
    if p is None:
        return []
    fmt = _indicator_format(p.indicator_id)
    ordered = p.frame.sort("value", descending=True, nulls_last=True)
    return [
        [
            r["unit_name"],
            r["unit_id"],
            Cell(r["value"], fmt, bool(r["suppressed"])),
            "Ja" if r["unit_id"] == brief.unit_id else "",
        ]
        for r in ordered.iter_rows(named=True)
    ]


def _action_rows(brief: Brief) -> list[list[object]]:
    """A protokoll's agreed actions, then the earlier ones followed up; an underlag's earlier ones."""
    lines = (*brief.agreed_actions, *brief.previous_actions)
    return [[a.dialogue_date, a.action, a.owner, a.due_date, a.status] for a in lines]


def _note_rows(brief: Brief) -> list[list[object]]:
    if not brief.notes:
        return [[f"Inga anteckningar är sparade för dialogen {brief.dialogue_date.isoformat()}."]]
    return [[line] for line in brief.notes]


def theme_table(brief: Brief) -> tuple[tuple[str, ...], list[list[Cell | object]]]:
    """The brief's themes as ``(header, rows)``: the unit's own (theme, where it was tagged)
    or, for an organisation-wide reader, the area's (theme, area, units; ``..`` when hidden)."""
    if brief.themes_by_area:
        header = ("Tema", "Område", "Termin", "Antal enheter")
        rows = [
            [t.theme, t.where, brief.themes_term, Cell(t.units, "count", t.suppressed)]
            for t in brief.themes
        ]
    else:
        header = ("Tema", "Var", "Termin")
        rows = [[t.theme, t.where, brief.themes_term] for t in brief.themes]
    if not rows:
        rows = [[brief.no_themes_text]]
    return header, rows


ACTION_HEADER = ("Beslutad", "Åtgärd", "Ansvarig", "Klart senast", "Status")
TREND_HEADER = ("Nyckeltal", "Serie", "Period", "Värde", "Mål")
PLACEMENT_HEADER = ("Enhet", "Enhets-id", "Värde", "Denna enhet")


def _set_widths(sheet: Worksheet, widths: Sequence[int]) -> None:
    for j, width in enumerate(widths):
        sheet.set_column(j, j, width)


def _write_unit_sheets(w: _Writer, brief: Brief) -> None:
    """The unit workbook: one sheet per section."""
    sheet = w.workbook.add_worksheet("Översikt")
    sheet.write_string(0, 0, neutralise(f"Underlag för verksamhetsdialog: {brief.title}"), w.title)
    w.table(sheet, 2, ("Uppgift", "Värde"), _overview_rows(brief))
    _set_widths(sheet, (18, 90))

    sheet = w.workbook.add_worksheet("Nyckeltal")
    end = w.table(sheet, 0, KEY_FIGURE_HEADER, [key_figure_row(k) for k in brief.key_figures])
    if not brief.has_data:
        sheet.write_string(end + 1, 0, neutralise(brief.no_data_text))
    _set_widths(sheet, (11, 44, 11, 11, 13, 13, 11, 14, 10, 17, 10, 10))
    sheet.freeze_panes(1, 2)

    if brief.comparisons:
        sheet = w.workbook.add_worksheet("Jämförelser")
        end = w.table(sheet, 0, COMPARISON_HEADER, [comparison_row(c) for c in brief.comparisons])
        for i, c in enumerate(brief.comparisons, start=1):
            if c.source_url.startswith("https://"):
                sheet.write_url(i, 9, c.source_url, string=c.source_url)
        group = next((c.group_name for c in brief.comparisons if c.group_name), "")
        note = "Publicerade värden från Kolada, senaste år till och med " + (brief.period or "")
        note += f". Liknande kommuner: {group}." if group else "."
        sheet.write_string(end + 1, 0, neutralise(note))
        _set_widths(sheet, (44, 11, 16, 7, 18, 7, 11, 7, 26, 50, 10))
        sheet.freeze_panes(1, 1)

    if brief.subject_gaps:
        sheet = w.workbook.add_worksheet("Ämnesgap")
        end = w.table(sheet, 0, SUBJECT_GAP_HEADER, _subject_gap_rows(brief))
        sheet.write_string(
            end + 1,
            0,
            "De tre ämnena med flest undervisningstimmar utan behörig lärare; ämnen med dolda "
            "timmar (färre än fem lärare) visas inte.",
        )
        _set_widths(sheet, (26, 10, 18, 18, 14))

    sheet = w.workbook.add_worksheet("Trender")
    w.table(sheet, 0, TREND_HEADER, _trend_rows(brief))
    _set_widths(sheet, (40, 24, 10, 11, 11))

    sheet = w.workbook.add_worksheet("Plats i området")
    w.table(sheet, 0, PLACEMENT_HEADER, _placement_rows(brief))
    _set_widths(sheet, (34, 12, 11, 12))

    sheet = w.workbook.add_worksheet("Samtalspunkter")
    w.table(
        sheet, 0, ("Nr", "Samtalspunkt"), [[i, t] for i, t in enumerate(brief.talking_points, 1)]
    )
    _set_widths(sheet, (5, 120))

    if brief.is_protokoll:
        sheet = w.workbook.add_worksheet("Anteckningar")
        w.table(
            sheet,
            0,
            (f"Anteckningar från dialogen {brief.dialogue_date.isoformat()}",),
            _note_rows(brief),
        )
        _set_widths(sheet, (120,))

    sheet = w.workbook.add_worksheet("Åtgärder")
    w.table(sheet, 0, ACTION_HEADER, _action_rows(brief))
    _set_widths(sheet, (12, 70, 22, 13, 10))

    sheet = w.workbook.add_worksheet("Teman")
    header, rows = theme_table(brief)
    end = w.table(sheet, 0, header, rows)
    sheet.write_string(end + 1, 0, neutralise(brief.themes_note))
    _set_widths(sheet, (40, 24, 10, 14))


def _write_unit_section_sheet(w: _Writer, brief: Brief, name: str) -> None:
    """One unit of an area workbook: the sections one below the other on one sheet."""
    sheet = w.workbook.add_worksheet(name)
    sheet.write_string(0, 0, neutralise(brief.title), w.title)
    row = 2
    for label, value in _overview_rows(brief):
        sheet.write_string(row, 0, label, w.label)
        sheet.write_string(row, 1, neutralise(value))
        row += 1
    row += 1
    sheet.write_string(row, 0, "Nyckeltal", w.section)
    row = w.table(sheet, row + 1, KEY_FIGURE_HEADER, [key_figure_row(k) for k in brief.key_figures])
    row += 1
    sheet.write_string(row, 0, "Samtalspunkter", w.section)
    row = w.table(
        sheet,
        row + 1,
        ("Nr", "Samtalspunkt"),
        [[i, t] for i, t in enumerate(brief.talking_points, 1)],
    )
    row += 1
    if brief.is_protokoll:
        sheet.write_string(row, 0, "Anteckningar", w.section)
        row = w.table(sheet, row + 1, ("Anteckningar",), _note_rows(brief)) + 1
        sheet.write_string(row, 0, "Överenskomna och tidigare åtgärder", w.section)
    else:
        sheet.write_string(row, 0, "Åtgärder från föregående dialog", w.section)
    row = w.table(sheet, row + 1, ACTION_HEADER, _action_rows(brief)) + 1
    sheet.write_string(row, 0, neutralise(brief.themes_heading), w.section)
    header, rows = theme_table(brief)
    w.table(sheet, row + 1, header, rows)
    _set_widths(sheet, (18, 44, 11, 11, 13, 13, 11, 14, 10, 17, 10, 10))


def unit_workbook(brief: Brief) -> bytes:
    """One unit's brief as .xlsx bytes (a sheet per section)."""
    buffer, workbook = new_workbook()
    _write_unit_sheets(_Writer(workbook), brief)
    workbook.close()
    return buffer.getvalue()


def sheet_names(briefs: Sequence[Brief]) -> list[str]:
    """Unique Excel sheet names (≤ 31 characters) for the units, in order."""
    names: list[str] = []
    for brief in briefs:
        base = _sheet_name(brief.unit_name)[:31]
        name, n = base, 2
        while name.lower() in {x.lower() for x in names} or name.lower() == "enheter":
            suffix = f" ({n})"
            name, n = base[: 31 - len(suffix)] + suffix, n + 1
        names.append(name)
    return names


def area_workbook(area: str, briefs: Sequence[Brief]) -> bytes:
    """A whole area as .xlsx bytes: a first sheet listing the units, then a sheet per unit."""
    buffer, workbook = new_workbook()
    w = _Writer(workbook)
    names = sheet_names(briefs)
    index = workbook.add_worksheet("Enheter")
    index.write_string(0, 0, neutralise(f"Underlag för verksamhetsdialog: {area}"), w.title)
    rows = []
    for brief, name in zip(briefs, names, strict=True):
        lead = brief.key_figures[0] if brief.key_figures else None
        rows.append(
            [
                brief.unit_name,
                brief.unit_id,
                brief.school_form or "",
                lead.name if lead else brief.no_data_text,
                Cell(lead.value, _number_format(lead.unit), lead.suppressed) if lead else None,
                lead.status_text if lead else "",
                name,
            ]
        )
    w.table(
        index, 2, ("Enhet", "Enhets-id", "Skolform", "Nyckeltal", "Enheten", "Status", "Blad"), rows
    )
    _set_widths(index, (34, 12, 18, 40, 11, 17, 32))
    for brief, name in zip(briefs, names, strict=True):
        _write_unit_section_sheet(w, brief, name)
    workbook.close()
    return buffer.getvalue()

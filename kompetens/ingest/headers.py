"""Finding the header row: title lines, blank lines and several sheets before the data.

Report exports put a title ("Personalrapport – Aktiva anställningar"), a date
line ("per 2025-10-31") and blank lines above the header, and a workbook may
hold the data on its second sheet. ``find_header`` looks at the first
``SEARCH_ROWS`` rows of every sheet and picks the row (and kind) whose cells
match the most contract headers (``normalise.map_headers``: aliases, case and
accents ignored). Among equal matches the row missing the fewest required
columns wins, then the earlier sheet and row.

Grain of the search: one candidate per (sheet, row, kind); the file is read in
full only once, from the chosen row.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from kompetens.core.contract import KINDS, fold
from kompetens.ingest.normalise import map_headers
from kompetens.ingest.reading import _first_used_xlsx_row, peek_rows, sniff_format

#: How many rows from the top are searched for the header row.
SEARCH_ROWS = 20


@dataclass
class HeaderChoice:
    """Where the header is and which kind it fits best.

    ``row_index`` counts rows from the top of the sheet's used range (CSV: lines
    from the top), i.e. how many rows to skip; ``line`` is the row number as the
    user sees it. ``kind`` is None when no row matched any contract header.
    """

    sheet: int = 0
    sheet_name: str | None = None
    row_index: int = 0
    line: int = 1
    kind: str | None = None
    matched: int = 0
    missing: list[str] = field(default_factory=list)
    cells: list[str] = field(default_factory=list)
    title_lines: list[str] = field(default_factory=list)  # non-empty text above the header
    other_sheets: list[str] = field(default_factory=list)

    def warnings(self) -> list[str]:
        out = []
        if self.sheet_name is not None and self.other_sheets:
            others = ", ".join(f"'{s}'" for s in self.other_sheets)
            out.append(
                f"Bladet '{self.sheet_name}' lästes (dess rubrikrad passar bäst); "
                f"övriga blad ({others}) lästes inte. Ladda upp dem som egna filer om de behövs."
            )
        if self.row_index:
            out.append(
                f"Rubrikraden är rad {self.line}: {self.row_index} rad(er) ovanför den ignorerades."
            )
        return out


def _score(cells: list[str], kind_names) -> tuple[int, int, str, list[str]] | None:
    filled = [c for c in cells if c and c.strip()]
    if not filled:
        return None
    best = None
    keys = [fold(c) for c in filled]
    for name in kind_names:
        hm = map_headers(filled, KINDS[name], keys)
        candidate = (len(hm.mapping), len(hm.missing), name, hm.missing)
        if best is None or (candidate[0], -candidate[1]) > (best[0], -best[1]):
            best = candidate
    return best


def find_header(data: bytes, file_name: str, kind: str | None = None) -> HeaderChoice:
    """The best header row among the first ``SEARCH_ROWS`` rows of every sheet (see module doc)."""
    kind_names = [kind] if kind is not None else list(KINDS)
    sheets = peek_rows(data, file_name, SEARCH_ROWS)
    best: tuple | None = None
    for sheet, sheet_name, rows in sheets:
        for index, cells in enumerate(rows):
            scored = _score(cells, kind_names)
            if scored is None or scored[0] == 0:
                continue
            rank = (scored[0], -scored[1], -sheet, -index)
            if best is None or rank > best[0]:
                best = (rank, sheet, sheet_name, index, scored, cells, rows)
    if best is None:
        # No cell is a known header: the widest early row is the likeliest header (the report
        # then lists its cells). Title lines have one filled cell, a header row several.
        sheet, sheet_name, rows = sheets[0] if sheets else (0, None, [])
        widths = [sum(1 for c in row if c and c.strip()) for row in rows]
        index = widths.index(max(widths)) if widths and max(widths) > 1 else 0
        offset = 0
        if sniff_format(data, file_name) == "xlsx":
            offset = _first_used_xlsx_row(data, sheet) - 1
        return HeaderChoice(
            sheet=sheet, sheet_name=sheet_name, row_index=index, line=offset + index + 1
        )
    _, sheet, sheet_name, index, (matched, _, name, missing), cells, rows = best
    offset = 0
    if sniff_format(data, file_name) == "xlsx":
        offset = _first_used_xlsx_row(data, sheet) - 1
    titles = [" ".join(c.strip() for c in row if c and c.strip()) for row in rows[:index]]
    return HeaderChoice(
        sheet=sheet,
        sheet_name=sheet_name,
        row_index=index,
        line=offset + index + 1,
        kind=name,
        matched=matched,
        missing=list(missing),
        cells=[c for c in cells if c and c.strip()],
        title_lines=[t for t in titles if t],
        other_sheets=[n for i, n, _ in sheets if i != sheet and n is not None],
    )


def ambiguous_kinds(cells: list[str]) -> tuple[str, str] | None:
    """Two complete kinds that the header row fits equally well (the user must choose), or None."""
    scores = []
    keys = [fold(c) for c in cells]
    for name, k in KINDS.items():
        hm = map_headers(cells, k, keys)
        if not hm.missing and hm.mapping:
            scores.append((len(hm.mapping), name))
    scores.sort(reverse=True)
    if len(scores) > 1 and scores[0][0] == scores[1][0]:
        return scores[0][1], scores[1][1]
    return None

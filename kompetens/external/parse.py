"""Reading benchmark files and responses as the sources return them, into rows of ``ROW_SCHEMA``.

Grain of the result: one row per source x measure x comparison x period x gender.
Nothing here touches the database; ``writer`` writes what this returns.

Formats (references in docs/external-benchmarks.md):

- **Kolada API JSON**, v2 and v3. The envelope is ``{"values": [...], "count": n}``
  plus a link to the next page (v2 ``next_page``, v3 ``next_url``). Municipality data
  (``/data/kpi/...``) has ``"municipality"`` in each item, unit data (``/oudata/...``)
  ``"ou"``; every item has ``"kpi"``, ``"period"`` and ``"values"``: up to three
  ``{"gender": "T"|"K"|"M", "value": number|null, "status": str, "count": int}``
  (v3 adds ``"isdeleted"``). A file may hold one page or a list of pages.
- **Skolverket school-unit statistics, JSON** (Planned educations API,
  ``/school-units/{code}/statistics/{form}``): ``{"status", "message", "body":
  {measure: [{"value": "72,3", "valueType": "EXISTS", "timePeriod": "2023/24"}],
  "_links": {"self": {"href": ...}}}}``. Values are text with a decimal comma.
- **Skolverket CSV** as downloaded from their statistics search: semicolons,
  decimal comma, title lines above the header row, masked values ``.``, ``..``,
  ``~100``, ``*``.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

import polars as pl

from kompetens.external.errors import ExternalRejected
from kompetens.external.schema import (
    KEY,
    NATIONAL_ID,
    ROW_SCHEMA,
    empty_rows,
    kolada_page_url,
    skolverket_page_url,
    year_of_period,
)

GENDERS = ("T", "K", "M")
#: Skolverket measures read from the statistics responses, with the Kolada-style id we store.
SKOLVERKET_MEASURES: dict[str, str] = {
    "certifiedTeachersQuota": "certifiedTeachersQuota",
    "studentsPerTeacherQuota": "studentsPerTeacherQuota",
}
_SCHOOL_UNIT_IN_URL = re.compile(r"/school-units/(\d{8})(?:/|$)")
_SCHOOL_YEAR = re.compile(r"\b(\d{4})/(\d{2})\b")


@dataclass(frozen=True)
class Context:
    """What a parser needs to name and classify the comparisons.

    ``own_municipality``: our municipality's code (settings); ``names``: ids
    (municipality, group, OU id, school-unit code) -> display name;
    ``fetched_how``: ``'fil: NAME'`` or the API address; ``is_demo``: demo rows.
    """

    own_municipality: str | None = None
    names: dict[str, str] = field(default_factory=dict)
    fetched_how: str = ""
    fetched_at: dt.datetime | None = None
    is_demo: bool = False


def _fail(where: str, message: str, value: object = None) -> ExternalRejected:
    if value is None:
        return ExternalRejected(f"{where}: {message}")
    return ExternalRejected(f"{where}: värdet '{str(value)[:80]}' – {message}")


def municipality_kind(comparison_id: str, own: str | None) -> str:
    """``0000`` national, our own code own_municipality, ``G…`` a group, else a municipality."""
    if comparison_id == NATIONAL_ID:
        return "national"
    if own and comparison_id == own:
        return "own_municipality"
    if comparison_id.upper().startswith("G"):
        return "municipality_group"
    return "municipality"


def _default_name(kind: str, comparison_id: str) -> str:
    if kind == "national":
        return "Riket"
    if kind == "municipality_group":
        return f"Kommungrupp {comparison_id}"
    if kind == "school_unit":
        return f"Enhet {comparison_id}"
    return f"Kommun {comparison_id}"


# ---- Kolada -------------------------------------------------------------------------------


def kolada_pages(document: object, where: str) -> list[dict]:
    """One response page or a list of pages, checked for the ``values`` envelope."""
    pages = document if isinstance(document, list) else [document]
    if not pages:
        raise _fail(where, "filen innehåller inga svar från Kolada")
    for number, page in enumerate(pages, start=1):
        place = where if len(pages) == 1 else f"{where}, svar {number}"
        if not isinstance(page, dict) or not isinstance(page.get("values"), list):
            raise _fail(
                place,
                "detta är inget svar från Koladas API (det saknar listan 'values'); "
                "spara svaret från /data/kpi/… eller /oudata/kpi/… som det kommer",
            )
    return pages


def next_page(page: dict) -> str | None:
    """The address of the next page: v3 ``next_url``, v2 ``next_page``; None on the last."""
    link = page.get("next_url") or page.get("next_page")
    return str(link) if link else None


def is_kolada(document: object) -> bool:
    first = document[0] if isinstance(document, list) and document else document
    return isinstance(first, dict) and isinstance(first.get("values"), list)


def _number(value: object, where: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _fail(where, "värdet ska vara ett tal eller null", value)
    return float(value)


def parse_kolada(document: object, where: str, ctx: Context) -> pl.DataFrame:
    """Rows of every page of a Kolada data response (municipality or OU data).

    Built column by column (a fetch parses ~35,000 values for 110 units x 10 KPIs x 10 years);
    the place named in an error message is worked out only when there is an error.
    """
    cols: dict[str, list] = {
        k: []
        for k in ("measure_id", "comparison_kind", "comparison_id", "comparison_name", "year",
                  "gender", "value", "source_value", "status", "member_count", "source_url")
    }  # fmt: skip
    for page_no, page in enumerate(kolada_pages(document, where), start=1):
        for item_no, item in enumerate(page["values"], start=1):

            def place(item_no=item_no, page_no=page_no) -> str:
                return f"{where}, post {item_no}" + (f" på sida {page_no}" if page_no > 1 else "")

            if not isinstance(item, dict):
                raise _fail(place(), "posten ska vara ett objekt med kpi, period och values")
            kpi = item.get("kpi")
            if not isinstance(kpi, str) or not kpi:
                raise _fail(place(), "'kpi' saknas", kpi)
            if "ou" in item:
                comparison_id, kind = item.get("ou"), "school_unit"
            elif "municipality" in item:
                comparison_id = item.get("municipality")
                kind = municipality_kind(str(comparison_id), ctx.own_municipality)
            else:
                raise _fail(place(), "posten saknar både 'municipality' och 'ou'")
            if not isinstance(comparison_id, str) or not comparison_id:
                raise _fail(place(), "kommun- eller enhets-id saknas", comparison_id)
            period = item.get("period")
            year = year_of_period(str(period)) if period is not None else None
            if year is None or isinstance(period, bool):
                raise _fail(place(), "'period' ska vara ett årtal", period)
            values = item.get("values")
            if not isinstance(values, list):
                raise _fail(place(), "'values' ska vara en lista")
            name = ctx.names.get(comparison_id) or _default_name(kind, comparison_id)
            url = kolada_page_url(kpi, comparison_id, year)
            for value in values:
                if not isinstance(value, dict):
                    raise _fail(place(), "varje värde ska vara ett objekt med gender och value")
                gender = value.get("gender")
                if gender not in GENDERS:
                    raise _fail(place(), "'gender' ska vara T, K eller M", gender)
                if value.get("isdeleted"):
                    continue  # v3 marks values Kolada has withdrawn
                raw = value.get("value")
                number = float(raw) if type(raw) in (float, int) else _number(raw, place())
                status = value.get("status") or None
                count = value.get("count")
                cols["measure_id"].append(kpi)
                cols["comparison_kind"].append(kind)
                cols["comparison_id"].append(comparison_id)
                cols["comparison_name"].append(name)
                cols["year"].append(year)
                cols["gender"].append(gender)
                cols["value"].append(number)
                cols["source_value"].append(_kolada_text(number, status))
                cols["status"].append(status)
                cols["member_count"].append(count if type(count) is int else None)
                cols["source_url"].append(url)
    if not cols["year"]:
        return empty_rows()
    return (
        pl.DataFrame(cols, schema={k: ROW_SCHEMA[k] for k in cols})
        .with_columns(
            pl.lit("kolada").alias("source"),
            pl.col("year").cast(pl.String).alias("period"),
            pl.lit(ctx.fetched_at, ROW_SCHEMA["fetched_at"]).alias("fetched_at"),
            pl.lit(ctx.fetched_how, pl.String).alias("fetched_how"),
            pl.lit(ctx.is_demo, pl.Boolean).alias("is_demo"),
        )
        .select(list(ROW_SCHEMA))
    )


def _kolada_text(number: float | None, status: str | None) -> str:
    """What Kolada shows: the number with a decimal comma, or the status when there is none."""
    if number is None:
        return status or "–"
    text = f"{number:.1f}".replace(".", ",") if number != int(number) else f"{int(number)}"
    return text


# ---- Skolverket ---------------------------------------------------------------------------


def skolverket_number(text: str) -> float | None:
    """``'72,3'`` -> 72.3, ``'~100'`` -> 100.0, ``'cirka 340'`` -> 340.0; masks (``.``, ``..``, ``*``) -> None."""
    cleaned = text.strip().replace("\u00a0", "").replace(" ", "")
    cleaned = cleaned.removeprefix("cirka").removeprefix("~")
    if not cleaned or cleaned.strip(".*") == "":
        return None
    try:
        return float(cleaned.replace(",", "."))
    except ValueError:
        return None


def _skolverket_status(text: str, value_type: str | None) -> str | None:
    stripped = text.strip()
    if stripped in (".", "..", "*") or stripped.startswith("~"):
        return stripped if value_type in (None, "", "EXISTS") else value_type
    return None if value_type in (None, "", "EXISTS") else value_type


def is_skolverket_json(document: object) -> bool:
    return isinstance(document, dict) and isinstance(document.get("body"), dict)


def parse_skolverket_json(
    document: dict, where: str, ctx: Context, school_unit_code: str | None = None
) -> pl.DataFrame:
    """Rows of one school unit's statistics response (``body`` with measure lists)."""
    body = document["body"]
    code = school_unit_code
    href = ((body.get("_links") or {}).get("self") or {}).get("href")
    if code is None and isinstance(href, str):
        found = _SCHOOL_UNIT_IN_URL.search(href)
        code = found.group(1) if found else None
    if code is None:
        raise _fail(
            where,
            "skolenhetskoden framgår inte (svaret saknar _links.self.href med /school-units/KOD/); "
            "spara svaret som det kommer från Skolverket",
        )
    rows: list[dict] = []
    for measure, stored_id in SKOLVERKET_MEASURES.items():
        entries = body.get(measure)
        if entries is None:
            continue
        if not isinstance(entries, list):
            raise _fail(
                f"{where}, {measure}", "ska vara en lista med value, valueType och timePeriod"
            )
        for number, entry in enumerate(entries, start=1):
            place = f"{where}, {measure} post {number}"
            if not isinstance(entry, dict):
                raise _fail(place, "posten ska vara ett objekt")
            period = entry.get("timePeriod")
            year = year_of_period(period) if isinstance(period, str) else None
            if year is None:
                raise _fail(place, "'timePeriod' ska vara ett läsår som 2023/24", period)
            text = entry.get("value")
            text = "" if text is None else str(text)
            value_type = entry.get("valueType")
            rows.append(_skolverket_row(stored_id, code, period, year, text, value_type, ctx))
    if not rows:
        raise _fail(
            where,
            f"svaret innehåller inget av måtten {', '.join(SKOLVERKET_MEASURES)}",
        )
    return _frame(rows)


def _skolverket_row(
    measure: str,
    code: str,
    period: str,
    year: int,
    text: str,
    value_type: str | None,
    ctx: Context,
) -> dict:
    return {
        "source": "skolverket",
        "measure_id": measure,
        "comparison_kind": "school_unit",
        "comparison_id": code,
        "comparison_name": ctx.names.get(code) or _default_name("school_unit", code),
        "period": period,
        "year": year,
        "gender": None,
        "value": skolverket_number(text),
        "source_value": text.strip() or ".",
        "status": _skolverket_status(text, value_type),
        "member_count": None,
        "source_url": skolverket_page_url(code),
        "fetched_at": ctx.fetched_at,
        "fetched_how": ctx.fetched_how,
        "is_demo": ctx.is_demo,
    }


def _norm(header: str) -> str:
    return re.sub(r"[\s\-_]+", "", header.strip().lower())


def _find_header(lines: list[list[str]]) -> int | None:
    for index, cells in enumerate(lines):
        if any(_norm(c) in ("skolenhetskod", "skolenhetkod") for c in cells):
            return index
    return None


def parse_skolverket_csv(
    text: str, where: str, ctx: Context, period: str | None = None
) -> pl.DataFrame:
    """Rows of a Skolverket statistics download: one row per school unit and school year.

    The header row is the first row with a school-unit-code column (``Skolenhetskod``,
    ``Skol-enhetskod``); the certified share is the column whose header says
    ``behörighet`` (``Andel (%) lärare med lärarlegitimation och behörighet i minst ett
    ämne``). The school year comes from a ``Läsår`` column, from a title line above the
    header (``Läsår 2023/24``) or from ``period``.
    """
    lines = list(csv.reader(io.StringIO(text), delimiter=";"))
    header_at = _find_header(lines)
    if header_at is None:
        raise _fail(
            where,
            "hittar ingen rubrikrad med kolumnen Skolenhetskod; är detta en fil från Skolverkets statistik "
            "(semikolonseparerad)?",
        )
    header = [h.strip() for h in lines[header_at]]
    normed = [_norm(h) for h in header]
    code_col = next(i for i, h in enumerate(normed) if h in ("skolenhetskod", "skolenhetkod"))
    share_col = next(
        (i for i, h in enumerate(normed) if "behörighet" in h or "behorighet" in h), None
    )
    if share_col is None:
        raise _fail(
            f"{where}, rad {header_at + 1}",
            "ingen kolumn med andelen lärare med legitimation och behörighet (rubrik med 'behörighet')",
        )
    name_col = next((i for i, h in enumerate(normed) if h in ("skolenhet", "skolenhetsnamn")), None)
    year_col = next((i for i, h in enumerate(normed) if h in ("läsår", "lasar")), None)
    title_period = period
    if title_period is None:
        for cells in lines[:header_at]:
            found = _SCHOOL_YEAR.search(" ".join(cells))
            if found:
                title_period = found.group(0)
                break
    rows: list[dict] = []
    for offset, cells in enumerate(lines[header_at + 1 :], start=header_at + 2):
        if not any(c.strip() for c in cells):
            continue
        place = f"{where}, rad {offset}"
        if len(cells) <= max(code_col, share_col):
            raise _fail(place, f"raden har {len(cells)} kolumner, rubrikraden {len(header)}")
        if cells[0].strip().lower().startswith(("källa", "kalla", "förklaring", "kommentar")):
            break  # footnotes below the table
        code = cells[code_col].strip()
        if not re.fullmatch(r"\d{8}", code):
            raise _fail(
                f"{place}, kolumn {header[code_col]}", "skolenhetskoden ska vara 8 siffror", code
            )
        row_period = cells[year_col].strip() if year_col is not None else title_period
        year = year_of_period(row_period) if row_period else None
        if year is None:
            raise _fail(
                place,
                "läsåret framgår inte (ingen kolumn Läsår och ingen rad 'Läsår 2023/24' ovanför rubrikerna); "
                "ange det med --period 2023/24",
            )
        raw = cells[share_col].strip()
        if raw and skolverket_number(raw) is None and raw.strip(".*") != "":
            raise _fail(
                f"{place}, kolumn {header[share_col]}",
                "ska vara en andel med decimalkomma (72,3) eller en av Skolverkets markeringar . .. * ~100",
                raw,
            )
        names = dict(ctx.names)
        if name_col is not None and cells[name_col].strip():
            names.setdefault(code, cells[name_col].strip())
        named = Context(ctx.own_municipality, names, ctx.fetched_how, ctx.fetched_at, ctx.is_demo)
        rows.append(
            _skolverket_row("certifiedTeachersQuota", code, row_period, year, raw, None, named)
        )
    if not rows:
        raise _fail(where, "filen har rubriker men inga rader med skolenheter")
    return _frame(rows)


# ---- Any file -----------------------------------------------------------------------------


def decode(data: bytes, where: str) -> str:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise _fail(where, "filen kan inte läsas som text (UTF-8 eller Windows-1252)")


def parse_file(name: str, data: bytes, ctx: Context, *, period: str | None = None) -> pl.DataFrame:
    """Rows of a benchmark file: Kolada JSON, Skolverket JSON or a Skolverket CSV (by content)."""
    text = decode(data, name)
    stripped = text.lstrip()
    if stripped.startswith(("{", "[")):
        try:
            document = json.loads(text)
        except json.JSONDecodeError as exc:
            raise _fail(
                f"{name}, rad {exc.lineno}, tecken {exc.colno}", f"ogiltig JSON ({exc.msg})"
            ) from None
        if is_skolverket_json(document):
            return parse_skolverket_json(document, name, ctx)
        return parse_kolada(document, name, ctx)
    return parse_skolverket_csv(text, name, ctx, period)


def deduplicate(frame: pl.DataFrame, where: str) -> pl.DataFrame:
    """Refuse two different values for the same key in one import (pages that overlap)."""
    if frame.is_empty():
        return frame
    unique = frame.unique(subset=[*KEY, "value", "source_value", "status"], keep="first")
    clashes = unique.group_by(list(KEY)).len().filter(pl.col("len") > 1)
    if clashes.height:
        first = clashes.row(0, named=True)
        raise _fail(
            where,
            f"två olika värden för {first['measure_id']}, {first['comparison_id']}, {first['period']} "
            f"({first['gender'] or 'utan kön'}); inget importerades",
        )
    return unique.sort(list(KEY), nulls_last=True)


def _frame(rows: Iterable[dict]) -> pl.DataFrame:
    rows = list(rows)
    if not rows:
        return empty_rows()
    return pl.DataFrame(rows, schema=ROW_SCHEMA)

"""Swedish number, percent and date formatting for everything a user reads.

One home for how a figure looks, so that tables, charts, exports and briefs
agree: ``72,3 %``, ``1 234``, ``−0,62``, ``2026-10-15``, and ``..`` for a
suppressed value (Skolverket's "too few" convention).

Decisions (tested in ``tests/test_formatting.py``):

- Numbers go through babel with locale ``sv_SE``. The thousands separator is
  babel's no-break space (U+00A0), so ``1 234`` never wraps across two lines
  in a table cell; the space before ``%`` is a no-break space too.
- Negative numbers use the typographic minus sign U+2212 (``−0,62``), as
  Swedish typesetting does. babel's ``sv_SE`` locale declares that sign but
  its pattern formatter emits an ASCII hyphen, so we substitute it.
- Shares are stored as fractions (0.723) and shown as percent with one
  decimal. Changes of shares are percentage points (``+2,1 procentenheter``).
- A missing value (no data) is shown as ``–`` (en dash); a suppressed value as
  ``..``. The two must not be confused: ``..`` means "there are data, but too
  few people to show them".
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import re
from typing import Any

from babel import Locale
from babel.numbers import parse_pattern

LOCALE = "sv_SE"
SUPPRESSED = ".."
MISSING = "–"
NBSP = "\u00a0"
MINUS = "\u2212"

#: Display kinds and their babel patterns. ``share`` values are fractions.
PATTERNS: dict[str, str] = {
    "share": f"#,##0.0{NBSP}%",
    "count": "#,##0",
    "integer": "#,##0",
    "decimal1": "#,##0.0",
    "decimal2": "#,##0.00",
}

#: Units of measure (as an indicator registry may spell them) -> display kind.
UNIT_KINDS: dict[str, str] = {
    "share": "share",
    "percent": "share",
    "fraction": "share",
    "rate": "share",
    "ratio": "decimal1",
    "count": "count",
    "persons": "count",
    "people": "count",
    "headcount": "count",
    "students": "count",
    "integer": "integer",
    "days": "integer",
    "fte": "decimal1",
    "hours": "decimal1",
    "hours_per_fte": "decimal1",
    "score": "decimal2",
    "mean": "decimal2",
    "index": "decimal1",
    "decimal": "decimal1",
    "decimal1": "decimal1",
    "decimal2": "decimal2",
    # The registry's number formats and units (kompetens.indicators.registry).
    "percent_1": "share",
    "decimal_1": "decimal1",
    "decimal_2": "decimal2",
    "score_5": "decimal2",
    "score_100": "integer",
}


_SV = Locale.parse(LOCALE)
#: Renderings kept (pattern, number): more than the largest page formats in one run (about
#: 21,000 at 50,000 staff), so a rerun finds every value it formats again; 30–40 MB when full.
RENDER_CACHE_SIZE = 1 << 17


@functools.lru_cache(maxsize=64)
def _pattern(pattern: str):
    return parse_pattern(pattern)


@functools.lru_cache(maxsize=RENDER_CACHE_SIZE)
def _render(pattern: str, number: str) -> str:
    """babel's ``sv_SE`` rendering of ``number`` with ``pattern``, with the minus sign U+2212.

    ``number`` is the value's ``str``: babel itself formats ``Decimal(str(value))``, so the
    text is exactly what ``format_decimal`` / ``format_percent`` give (the same call with
    the pattern and locale parsed once). Cached, because a page formats the same values on
    every rerun: a rerun of Behörighet at 50,000 staff formats about 21,000.
    """
    return _pattern(pattern).apply(number, _SV).replace("-", MINUS)


def _babel(value: float | int, pattern: str) -> str:
    return _render(pattern, str(value))


def display_kind(indicator_or_unit: Any) -> str:
    """The display kind (a key of ``PATTERNS``) for an indicator object or a unit string.

    An indicator is asked for ``number_format`` first, then ``unit``; an
    unknown spelling falls back to one decimal, which never hides a value.
    """
    if isinstance(indicator_or_unit, str):
        candidates = [indicator_or_unit]
    else:
        candidates = [
            getattr(indicator_or_unit, "number_format", None),
            getattr(indicator_or_unit, "unit", None),
        ]
    for candidate in candidates:
        if not candidate:
            continue
        key = str(candidate).strip().lower()
        if key in PATTERNS:
            return key
        if key in UNIT_KINDS:
            return UNIT_KINDS[key]
        if "%" in key or "percent" in key or "share" in key:
            return "share"
    return "decimal1"


def _is_missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def fmt_number(value: float | int | None, decimals: int = 0) -> str:
    """``1234.5`` -> ``'1 234'`` (0 decimals) or ``'1 234,5'`` (1 decimal); NBSP as separator."""
    if _is_missing(value):
        return MISSING
    return _babel(value, "#,##0" + ("." + "0" * decimals if decimals else ""))


def fmt_stored(value: float | int | None) -> str:
    """A stored number as it is, in Swedish: ``2970.4`` -> ``'2 970,4'``, ``0.75`` -> ``'0,75'``,
    ``10290`` -> ``'10 290'`` (up to four decimals, none added; NBSP as separator)."""
    if _is_missing(value):
        return MISSING
    return _babel(value, "#,##0.####")


def fmt_count(n: int, singular: str, plural: str) -> str:
    """A count with its noun in the right number: ``(1, "enhet", "enheter")`` -> ``'1 enhet'``,
    ``(1234, …)`` -> ``'1 234 enheter'`` (NBSP as thousands separator, a space before the noun)."""
    return f"{fmt_number(n)} {singular if n == 1 else plural}"


def fmt_percent(share: float | None, decimals: int = 1) -> str:
    """A fraction as percent: ``0.723`` -> ``'72,3 %'`` (NBSP before ``%``)."""
    if _is_missing(share):
        return MISSING
    return _babel(share, "#,##0" + ("." + "0" * decimals if decimals else "") + f"{NBSP}%")


def fmt_value(
    value: float | int | None, indicator_or_unit: Any = "decimal1", suppressed: bool = False
) -> str:
    """A key-figure value as a Swedish string.

    ``indicator_or_unit`` is a registry ``Indicator`` (its ``number_format`` /
    ``unit`` decide) or a unit string (``'share'``, ``'count'``, ``'fte'``, ...).
    Suppressed -> ``'..'``; missing -> ``'–'``.
    """
    if suppressed:
        return SUPPRESSED
    if _is_missing(value):
        return MISSING
    return _babel(value, PATTERNS[display_kind(indicator_or_unit)])


def fmt_delta(
    delta: float | None, indicator_or_unit: Any = "decimal1", suppressed: bool = False
) -> str:
    """A signed change: shares in percentage points (``'+2,1 procentenheter'``), else ``'+1 234'``."""
    if suppressed:
        return SUPPRESSED
    if _is_missing(delta):
        return MISSING
    kind = display_kind(indicator_or_unit)
    if kind == "share":
        text = fmt_number(delta * 100, decimals=1)
        unit = f"{NBSP}procentenheter"
    else:
        text = _babel(delta, PATTERNS[kind])
        unit = ""
    if not any(ch in "123456789" for ch in text):
        return text.lstrip("\u2212") + unit  # rounds to nothing: '0,00', not '−0,00' or '+0,00'
    return ("+" if delta > 0 else "") + text + unit


def area_phrase(area: str) -> str:
    """An area inside a sentence: ``'området Norr'``, but ``'Område Nord'`` as it is (no
    doubled word)."""
    return area if area.lower().startswith("område") else f"området {area}"


def fmt_correlation(r: float | None) -> str:
    """A correlation coefficient with two decimals: ``-0.62`` -> ``'−0,62'``."""
    if _is_missing(r):
        return MISSING
    return _babel(r, "0.00")


def fmt_date(value: dt.date | dt.datetime | str | None) -> str:
    """ISO date ``2026-10-15`` (the Swedish standard form); a datetime loses its time."""
    if value is None:
        return MISSING
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return dt.date.fromisoformat(str(value)[:10]).isoformat()


#: Swedish month names, January first (lower case, as Swedish writes them in running text).
MONTH_NAMES: tuple[str, ...] = (
    "januari",
    "februari",
    "mars",
    "april",
    "maj",
    "juni",
    "juli",
    "augusti",
    "september",
    "oktober",
    "november",
    "december",
)


def fmt_month_year(year: int, month: int) -> str:
    """``(2026, 11)`` -> ``'november 2026'``."""
    return f"{MONTH_NAMES[month - 1]} {year}"


def fmt_day_span(start: dt.date, end: dt.date | None = None) -> str:
    """A day or a span of days in Swedish: ``'5 december'``, ``'16–27 november'``,
    ``'1 oktober–30 november'``, ``'28 december 2026–3 januari 2027'``."""
    end = end or start
    if end == start:
        return f"{start.day} {MONTH_NAMES[start.month - 1]}"
    if (start.year, start.month) == (end.year, end.month):
        return f"{start.day}–{end.day} {MONTH_NAMES[end.month - 1]}"
    if start.year == end.year:
        return f"{start.day} {MONTH_NAMES[start.month - 1]}–{end.day} {MONTH_NAMES[end.month - 1]}"
    return (
        f"{start.day} {MONTH_NAMES[start.month - 1]} {start.year}–"
        f"{end.day} {MONTH_NAMES[end.month - 1]} {end.year}"
    )


def delta_style(change: float | None, direction: str, shown: str | None = None) -> tuple[str, str]:
    """(colour, arrow) of a change shown as a metric delta, from the number itself.

    Colour: ``green`` when the change goes the good way for the indicator's
    ``direction`` (``higher_is_better`` / ``higher_is_worse``), ``red`` the bad
    way, ``gray`` for a neutral indicator, ``off`` for no change or none; arrow:
    ``up``, ``down`` or ``off``. Set explicitly because Streamlit reads the sign
    from a leading ASCII ``-`` and Swedish formatting writes U+2212, so a fall
    would otherwise show as a green rise. ``shown``: the change as the card writes it; one
    that rounds to ``0,00`` gets no colour and no arrow.
    """
    if _is_missing(change) or abs(change) < 1e-9:
        return "off", "off"
    if shown is not None and not any(ch in "123456789" for ch in shown):
        return "off", "off"  # the change as shown (``fmt_delta``) rounds to nothing
    arrow = "up" if change > 0 else "down"
    if direction not in ("higher_is_better", "higher_is_worse"):
        return "gray", arrow
    good = (change > 0) == (direction == "higher_is_better")
    return ("green" if good else "red"), arrow


#: U+2007 FIGURE SPACE: as wide as a digit, so padded numbers line up; in the browser's
#: collation (``localeCompare``) white space sorts before digits and punctuation.
FIGURE_SPACE = "\u2007"


def padded_texts(texts: list[str]) -> list[str]:
    """Formatted numbers padded on the left with figure spaces to one length.

    A table column of Swedish strings (``9,5 %``, ``82,0 %``, ``..``) then lines up
    when right-aligned, and a click on its heading in the browser sorts it by value:
    equal-length strings compare position by position, digits after the padding, and
    ``..`` or ``–`` (shorter) first. Used for tables whose numbers must show a decimal
    comma whatever the browser's language (Streamlit's number formats follow the browser).
    """
    width = max((len(t) for t in texts), default=0)
    return [t.rjust(width, FIGURE_SPACE) for t in texts]


def value_texts(
    values: list[float | int | None],
    indicator_or_unit: Any = "decimal1",
    suppressed: list[bool] | None = None,
) -> list[str]:
    """``fmt_value`` of every value, padded by ``padded_texts`` (a table column's text)."""
    hidden = suppressed if suppressed is not None else [False] * len(values)
    return padded_texts(
        [
            fmt_value(v, indicator_or_unit, suppressed=bool(h))
            for v, h in zip(values, hidden, strict=True)
        ]
    )


def step_decimals(step: float, scale: float = 1.0) -> int:
    """How many decimals show a tick step without rounding it away (``0.005`` as percent -> 1)."""
    scaled = abs(step * scale)
    for decimals in range(4):
        if abs(round(scaled, decimals) - scaled) < 1e-9 * max(1.0, scaled):
            return decimals
    return 4


def nice_ticks(low: float, high: float, count: int = 6) -> list[float]:
    """About ``count`` round tick values (steps of 1, 2 or 5 × 10^k) covering ``low``..``high``."""
    if high < low:
        low, high = high, low
    span = high - low
    if span <= 0:
        span = abs(high) or 1.0
        low, high = low - span / 2, high + span / 2
    raw = span / max(count - 1, 1)
    exponent = math.floor(math.log10(raw))
    step = 10.0**exponent
    for multiple in (1, 2, 5, 10):
        step = multiple * 10.0**exponent
        if step >= raw - 1e-12:
            break
    start = math.floor(low / step + 1e-9) * step
    n = round((math.ceil(high / step - 1e-9) * step - start) / step)
    return [round(start + i * step, 12) for i in range(n + 1)]


def share_ticks(low: float, high: float, count: int = 6) -> tuple[list[float], list[str]]:
    """Tick values and Swedish labels (``9,5 %``, never ``10%`` twice) for a share axis.

    The decimals follow the step, so neighbouring labels always differ: a range of
    9–11 % gets ``9,0 % 9,5 % … 11,0 %`` rather than ``9% 9% 10% 10% 11%``.
    """
    values = nice_ticks(low, high, count)
    step = values[1] - values[0] if len(values) > 1 else 0.01
    decimals = step_decimals(step, 100)
    return values, [fmt_percent(v, decimals=decimals) for v in values]


#: Every ASCII punctuation character: CommonMark lets a backslash escape each of them,
#: and between them they cover all of Markdown's, GitHub's and Streamlit's syntax
#: (links ``[]()``, emphasis ``*_~``, code ``` `` ```, headings ``#``, lists ``- + 1.``,
#: tables ``|``, HTML ``<>&``, LaTeX ``$``, colour and icon directives ``:red[…]``,
#: ``:material/…:``, autolinks ``http://`` ``www.`` ``a@b``, typography ``-> --``).
_MD_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")
#: U+2060 WORD JOINER: invisible, never a line break. A backslash escape is undone when the
#: Markdown is parsed, and Streamlit's renderer then looks for GitHub's autolinks
#: (``http://``, ``www.``, ``a@b.se``) and shortcodes (``:smile:``, ``:material/x:``) in the
#: resulting *text*: so a joiner follows each ``:`` and ``@`` and sits between ``www`` and
#: its dot, where none of those patterns can match across it. The app's browser set-up
#: (``kompetens.ui.frame``) removes it from copied text, so it never reaches the clipboard.
WORD_JOINER = "\u2060"
_WWW_DOT = re.compile(r"(?i)(www)(?=\\\.)")


def md_text(value: object) -> str:
    """``value`` (a name, a role, free text) escaped so Streamlit's Markdown shows it as typed.

    For every element that reads Markdown: ``st.markdown``, ``st.title``/``header``/
    ``subheader``, ``st.caption``, ``st.info``/``warning``/``error``/``success``, and
    widget, metric, expander and tab labels. Data is never markup: a unit named
    ``[logga in](http://evil.example)`` is shown as those characters, not as a link.

    Each ASCII punctuation character gets a backslash, a word joiner (``WORD_JOINER``)
    follows each colon and ``@`` and splits ``www.``, line breaks become hard breaks
    (``"  \\n"``) and leading spaces no-break spaces, ``&nbsp;`` (four spaces would
    otherwise start a code block). ``None`` is ``""``.
    """
    if value is None:
        return ""
    escaped = _MD_PUNCTUATION.sub(r"\\\1", str(value))
    escaped = escaped.replace(":", ":" + WORD_JOINER).replace("@", "@" + WORD_JOINER)
    escaped = _WWW_DOT.sub(r"\1" + WORD_JOINER, escaped)
    lines = re.split(r"\r\n|\r|\n", escaped)
    return "  \n".join(_keep_indent(line) for line in lines)


def _keep_indent(line: str) -> str:
    # An entity, not the character itself: parsers trim a no-break space from a line's start.
    stripped = line.lstrip(" \t")
    return "&nbsp;" * (len(line) - len(stripped)) + stripped


def plotly_text(value: object) -> str:
    """``value`` for a Plotly text (category, legend name, label): its tags shown as typed.

    Plotly reads a little HTML in every text it draws (``<b>``, ``<br>``, and ``<a href>``,
    which becomes a live link in the chart); it decodes ``&lt;``, ``&gt;`` and ``&amp;``.
    """
    return str(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")

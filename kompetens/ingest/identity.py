"""Identity values (the ``employee_id`` column): personnummer in every spelling, never stored raw.

Grain: one entry per *distinct* raw value of the identity column.

HR exports and Excel write the same personnummer in many ways. ``clean_identity``
undoes the usual ones before the value is tested:

- spaces, no-break spaces and tabs anywhere (``800101 1232``);
- en dash, em dash, minus sign and other dashes for ``-`` (``800101–1232``);
- Excel's text formula ``="19880808-8085"`` and the text marker ``'`` in front;
- a number read from a float cell: ``198001011231.0`` or ``1.98001011231E11``.

A column is *declared* an identity column when its header says personnummer
(``IDENTITY_HEADERS``). In such a column every value is a personnummer: a
number that lost its leading zero in a numeric Excel cell (``304053218`` for
``030405-3218``) is left-padded to 10 digits, and a value that is not a valid
personnummer or samordningsnummer is rejected. Nothing from a declared column
is ever stored raw. In an ordinary id column (``Anställnings-id``) only values
that look like a personnummer are pseudonymised; others (``E100``) are ids.

The birth year comes with each valid personnummer (the 12-digit form's first
four digits; the century of a 10-digit form follows ``pseudonym.twelve_digit_form``:
``-`` = under 100 years old today, ``+`` = 100 or older; a samordningsnummer's
day + 60 does not change the year).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from kompetens.core.contract import fold
from kompetens.ingest import pseudonym

#: Headers that declare the column to hold personnummer (folded when compared).
IDENTITY_HEADERS: frozenset[str] = frozenset(
    fold(h)
    for h in (
        "personnummer",
        "pnr",
        "personnr",
        "pers.nr",
        "persnr",
        "personnummer/samordningsnummer",
        "samordningsnummer",
        "person-id",
    )
)

_DASHES = dict.fromkeys(map(ord, "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe63\uff0d"), "-")
_FORMULA = re.compile(r'^=\s*"(.*)"$')
_FLOAT = re.compile(r"^(\d+)\.0*$")
_SCIENTIFIC = re.compile(r"^\d(\.\d+)?[eE]\+?\d{1,2}$")
_BLANKS = re.compile(r"[\s\u00a0\u202f\u2007\u200b]")

NOT_A_PERSONNUMMER = (
    "kolumnen innehåller personnummer, men värdet är inget giltigt personnummer eller "
    "samordningsnummer (10 eller 12 siffror); rätta värdet i källsystemet"
)
BAD_CHECK_DIGIT = "ser ut som ett personnummer men kontrollsiffran stämmer inte"


def is_identity_header(header: str | None) -> bool:
    """True when the header declares a personnummer column (``Personnr``, ``Personnummer`` …)."""
    return header is not None and fold(header) in IDENTITY_HEADERS


def clean_identity(value: str) -> str:
    """Undo spreadsheet spellings of an id: text formula, apostrophe, dashes, blanks, float."""
    text = value.strip()
    formula = _FORMULA.match(text)
    if formula:
        text = formula.group(1).strip()
    text = text.lstrip("'\u2019").translate(_DASHES)
    text = _BLANKS.sub("", text)
    as_float = _FLOAT.match(text)
    if as_float:
        return as_float.group(1)
    if _SCIENTIFIC.match(text):
        try:
            number = Decimal(text)
        except InvalidOperation:
            return text
        if number == number.to_integral_value():
            return str(int(number))
    return text


def _padded(clean: str) -> str:
    """A declared identity that lost its leading zero in a numeric cell: 9 digits -> 10."""
    if clean.isdigit() and len(clean) == 9:
        return "0" + clean
    return clean


def mask_identity(value: str | None) -> str | None:
    """A value of a declared identity column as a report may show it: the last four digits hidden."""
    if value is None:
        return None
    clean = _padded(clean_identity(value))
    masked = pseudonym.mask(clean)
    if masked != clean:
        return masked
    return (clean[:-4] + "****") if len(clean) > 4 else "****"


@dataclass
class Identities:
    """The distinct raw values of an identity column, resolved.

    ``pseudonyms``: raw -> pseudonym (valid personnummer); ``birth_years``: raw -> year
    for the same values; ``invalid``: raw -> Swedish message (never stored, always masked).
    Raw values in none of them are ordinary ids (only in an undeclared column).
    """

    pseudonyms: dict[str, str] = field(default_factory=dict)
    birth_years: dict[str, int] = field(default_factory=dict)
    invalid: dict[str, str] = field(default_factory=dict)


def resolve(
    values: list[str],
    *,
    declared: bool,
    key: bytes | None = None,
    today: dt.date | None = None,
) -> Identities:
    """Pseudonymise every distinct raw value that is (or, if ``declared``, must be) a personnummer."""
    out = Identities()
    today = today or dt.date.today()
    keyed = None
    for raw in values:
        if raw is None:
            continue
        clean = clean_identity(raw)
        if declared:
            clean = _padded(clean)
        if not pseudonym.looks_like_personnummer(clean):
            if declared:
                out.invalid[raw] = NOT_A_PERSONNUMMER
            continue
        twelve = pseudonym.twelve_digit_form(clean, today)
        if twelve is None:
            out.invalid[raw] = BAD_CHECK_DIGIT
            continue
        if keyed is None:
            # Keying the HMAC once and copying it per value halves the cost over many people.
            keyed = hmac.new(
                key if key is not None else pseudonym.load_key(), digestmod=hashlib.sha256
            )
        h = keyed.copy()
        h.update(twelve.encode("ascii"))
        out.pseudonyms[raw] = "p_" + h.hexdigest()[:24]
        out.birth_years[raw] = int(twelve[:4])
    return out

"""Pseudonymisation of Swedish personal identity numbers (personnummer).

A value *looks like* a personnummer when it has 10 or 12 digits with an
optional ``-``/``+`` before the last four, and its date part is a plausible
date (month 01–12, day 01–31, or day 61–91 for a samordningsnummer). Only
such values are treated as personnummer: a 10-digit HR id whose "date" is
impossible is an ordinary id and kept as given.

A value that looks like a personnummer and has a valid check digit (Luhn over
the 10-digit form) is replaced by ``"p_" + HMAC-SHA256(key, 12-digit form)``
(first 24 hex characters). The 12-digit form is used so that ``8001011234``,
``800101-1234`` and ``198001011234`` of one person give the same pseudonym.
One that fails the check digit is an error in the file, never stored.

The key: env ``KOMPETENS_PSEUDONYM_KEY`` (its UTF-8 bytes), else the key file
at ``paths.key_file_path()`` (default ``~/.config/kompetens/pseudonym.key``),
created on first use with 32 random bytes, mode 0600 in a 0700 directory. The
key is kept outside the database on purpose: without it a pseudonym cannot be
linked back to a person by trying all personnummer.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import os
import re
import secrets

from kompetens.core import paths

#: 10 or 12 digits, optional ``-``/``+`` before the last four. Polars and ``re`` both accept it.
PNR_PATTERN = r"^(\d{6}|\d{8})[-+]?\d{4}$"
_PNR_RE = re.compile(r"^(?P<date>\d{6}|\d{8})(?P<sep>[-+]?)(?P<tail>\d{4})$")


def _plausible_date_part(date_part: str) -> bool:
    mmdd = date_part[-4:]
    month, day = int(mmdd[:2]), int(mmdd[2:])
    if not 1 <= month <= 12:
        return False
    return 1 <= day <= 31 or 61 <= day <= 91


def looks_like_personnummer(value: str) -> bool:
    """True when ``value`` has the shape of a personnummer (10/12 digits, plausible date)."""
    m = _PNR_RE.match(value.strip())
    return bool(m) and _plausible_date_part(m.group("date"))


_DOUBLED = (0, 2, 4, 6, 8, 1, 3, 5, 7, 9)  # digit sum of 2 × d


def luhn_valid(ten_digits: str) -> bool:
    """The personnummer check digit: Luhn over the 10-digit form YYMMDDNNNC."""
    digits = [ord(ch) - 48 for ch in ten_digits]
    total = sum(_DOUBLED[d] for d in digits[0::2]) + sum(digits[1::2])
    return total % 10 == 0


def twelve_digit_form(value: str, today: dt.date | None = None) -> str | None:
    """The normalised 12-digit form ``YYYYMMDDNNNC``, or None if not a valid personnummer.

    For 10-digit input the century is the most recent one that makes the person
    at most 100 years old today; a ``+`` separator means 100 years or older.
    """
    m = _PNR_RE.match(value.strip())
    if not m or not _plausible_date_part(m.group("date")):
        return None
    date_part, sep, tail = m.group("date"), m.group("sep"), m.group("tail")
    ten = date_part[-6:] + tail
    if not luhn_valid(ten):
        return None
    if len(date_part) == 8:
        return date_part + tail
    today = today or dt.date.today()
    yy = int(date_part[:2])
    year = (today.year // 100) * 100 + yy
    if year > today.year:
        year -= 100
    if sep == "+":
        year -= 100
    return f"{year:04d}{date_part[2:]}{tail}"


def mask(value: str) -> str:
    """Hide the last four digits of a personnummer-like value: ``19800101-****``."""
    m = _PNR_RE.match(value.strip())
    if not m:
        return value
    return f"{m.group('date')}{m.group('sep') or '-'}****"


#: Also the spellings spreadsheets produce: a space, an en dash or another dash before the last four.
_PNR_IN_TEXT = re.compile(
    r"(?<!\d)(?P<date>\d{6}|\d{8})(?P<sep>[-+\u2010-\u2015\u2212]|[ \u00a0]{1,3})?(?P<tail>\d{4})(?!\d)"
)


def mask_in_text(text: str, filler: str = "****") -> str:
    """Mask every personnummer-like number inside free text (headers, file names, messages).

    ``filler`` replaces the last four digits; use ``"XXXX"`` in file names.
    """

    def _mask(m: re.Match) -> str:
        if not _plausible_date_part(m.group("date")):
            return m.group(0)
        sep = m.group("sep") or "-"
        return f"{m.group('date')}{sep if sep in '+-' else '-'}{filler}"

    return _PNR_IN_TEXT.sub(_mask, text)


def load_key() -> bytes:
    """The HMAC key: env ``KOMPETENS_PSEUDONYM_KEY``, else the key file (created on first use)."""
    env = os.environ.get("KOMPETENS_PSEUDONYM_KEY")
    if env:
        return env.encode("utf-8")
    path = paths.key_file_path()
    if path.exists():
        return path.read_bytes()
    path.parent.mkdir(parents=True, exist_ok=True)
    os.chmod(path.parent, 0o700)
    key = secrets.token_bytes(32)
    # O_EXCL: two processes creating the key at once must not overwrite each other's key.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_bytes()
    with os.fdopen(fd, "wb") as fh:
        fh.write(key)
    os.chmod(path, 0o600)
    return key


def pseudonym(twelve_digits: str, key: bytes) -> str:
    """``p_`` + the first 24 hex characters of HMAC-SHA256(key, 12-digit form)."""
    return "p_" + hmac.new(key, twelve_digits.encode("ascii"), hashlib.sha256).hexdigest()[:24]


def pseudonymise_values(
    values: list[str], key: bytes | None = None
) -> tuple[dict[str, str], set[str]]:
    """Map each personnummer-like value to its pseudonym.

    Returns ``(mapping, invalid)``: ``mapping`` for values with a valid check
    digit, ``invalid`` for those that look like a personnummer but fail it.
    Values that do not look like a personnummer appear in neither.
    Runs once per *unique* value (the caller deduplicates).
    """
    mapping: dict[str, str] = {}
    invalid: set[str] = set()
    candidates = [v for v in values if v is not None and _PNR_RE.match(v.strip())]
    candidates = [v for v in candidates if looks_like_personnummer(v)]
    if not candidates:
        return mapping, invalid
    key = key if key is not None else load_key()
    today = dt.date.today()
    # Keying the HMAC once and copying it per value halves the cost over many people.
    keyed = hmac.new(key, digestmod=hashlib.sha256)
    for value in candidates:
        twelve = twelve_digit_form(value, today)
        if twelve is None:
            invalid.add(value)
        else:
            h = keyed.copy()
            h.update(twelve.encode("ascii"))
            mapping[value] = "p_" + h.hexdigest()[:24]
    return mapping, invalid

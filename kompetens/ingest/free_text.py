"""Free text (a request's description, a feedback note): where names and personnummer creep in.

Grain: one call per distinct text value.

A personnummer is removed before the text is stored: every number in the text that
``identity`` would take for one (10 or 12 digits, a dash, plus, space or en dash
before the last four, a plausible date; ``identity.clean_identity`` undoes the
spreadsheet spellings, ``pseudonym.looks_like_personnummer`` decides) is replaced by
``[personnummer borttaget]``, check digit or not: a mistyped personnummer is still
personal data. An e-mail address is only warned about (it may be a function
mailbox), and names cannot be detected at all: the form asks people not to write them.
"""

from __future__ import annotations

import re

from kompetens.ingest import identity, pseudonym

REMOVED = "[personnummer borttaget]"

#: A candidate: 6 or 8 digits, an optional separator (dash, plus, en dash, a space), 4 digits.
_CANDIDATE = re.compile(
    r"(?<![\d])(\d{6}|\d{8})([-+\u2010-\u2015\u2212]|[ \u00a0]{1,2})?(\d{4})(?![\d])"
)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+", re.UNICODE)


def strip_personnummer(text: str) -> tuple[str, int]:
    """``text`` with every personnummer-like number replaced by ``REMOVED``, and how many there were."""
    count = 0

    def _replace(match: re.Match) -> str:
        nonlocal count
        clean = identity.clean_identity(match.group(0))
        if pseudonym.looks_like_personnummer(clean):
            count += 1
            return REMOVED
        return match.group(0)

    return _CANDIDATE.sub(_replace, text), count


def has_email(text: str) -> bool:
    """True when the text holds something that looks like an e-mail address."""
    return bool(_EMAIL.search(text))


def check(text: str | None) -> tuple[str | None, bool, bool]:
    """``(text to store, a personnummer was removed, an e-mail address was found)``."""
    if text is None:
        return None, False, False
    stripped, removed = strip_personnummer(text)
    return stripped, removed > 0, has_email(stripped)

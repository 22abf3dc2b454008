"""The contract's building blocks: a kind of import file and its columns (see ``contract``).

Kept apart so that the kinds declared outside ``contract.py`` (``contract_allocation``) can
use them; ``kompetens.core.contract`` re-exports every name.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from typing import Literal

ColumnType = Literal["text", "code", "date", "month", "term", "number", "fte", "int", "bool"]
ReplaceMode = Literal["upsert", "replace_snapshot"]


def fold(text: str) -> str:
    """Fold a header or code value for alias matching.

    Case, accents, surrounding and inner spaces, ``-`` and ``_`` are ignored,
    as the contract says: ``"Sysselsättnings-grad "`` -> ``"sysselsattningsgrad"``.
    """
    decomposed = unicodedata.normalize("NFKD", text.strip().lower())
    no_accents = "".join(c for c in decomposed if not unicodedata.combining(c))
    return "".join(c for c in no_accents if c not in " \t\u00a0-_.")


@dataclass(frozen=True)
class Column:
    """One canonical column of an import kind."""

    name: str
    type: ColumnType
    required: bool
    label_sv: str
    aliases: tuple[str, ...] = ()
    codes: dict[str, tuple[str, ...]] | None = None
    rule: str = ""

    def header_keys(self) -> set[str]:
        """Folded header spellings that map to this column."""
        return {fold(self.name), *(fold(a) for a in self.aliases)}

    def code_lookup(self) -> dict[str, str]:
        """Folded value spelling -> canonical code (for ``code`` columns)."""
        lookup: dict[str, str] = {}
        for canonical, aliases in (self.codes or {}).items():
            lookup[fold(canonical)] = canonical
            for alias in aliases:
                lookup[fold(alias)] = canonical
        return lookup


@dataclass(frozen=True)
class Kind:
    """One kind of import file, with its grain and replacement rule.

    ``key`` is the grain: one current row per key value. A re-import of a row
    with the same key supersedes the earlier row (``upsert``). For ``staff``
    the whole snapshot date is replaced (``replace_snapshot``).
    """

    name: str
    label_sv: str
    grain: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    replace: ReplaceMode = "upsert"
    unit_column: str | None = "unit_id"
    rules: tuple[str, ...] = field(default=())

    def column(self, name: str) -> Column:
        for col in self.columns:
            if col.name == name:
                return col
        raise KeyError(f"{self.name} has no column {name!r}")

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    @property
    def required_columns(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.required)

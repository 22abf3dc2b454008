"""What a targets file may name: indicator ids (with their unit) from the indicator catalogue.

The importer sits below the indicators in the layer order, so it never imports
the catalogue: the composition root (``kompetens.wiring.wire()``) installs a
provider with ``provide_indicators``, which ``indicator_units`` calls when a
targets file is validated.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable

from kompetens.core.contract import fold

_PROVIDER: Callable[[], dict[str, str]] | None = None


def provide_indicators(provider: Callable[[], dict[str, str]]) -> None:
    """Install the function that returns ``{indicator id: unit}`` (``share``, ``count`` …)."""
    global _PROVIDER
    _PROVIDER = provider


def indicator_units() -> dict[str, str]:
    """``{indicator id: unit}`` for every indicator in the catalogue."""
    if _PROVIDER is None:
        raise RuntimeError(
            "kompetens.ingest.catalogue: no indicator catalogue installed; "
            "call kompetens.wiring.wire() at the entry point"
        )
    return _PROVIDER()


def nearest(value: str, valid: list[str]) -> str | None:
    """The valid value closest to ``value`` (case, accents, spaces and ``-``/``_`` ignored), if any."""
    folded = {fold(v): v for v in valid}
    match = difflib.get_close_matches(fold(value), list(folded), n=1, cutoff=0.5)
    return folded[match[0]] if match else None

"""What a targets file may name: indicator ids (with their unit) from the indicator catalogue.

The importer sits below the indicators in the layer order, so it does not import
the catalogue at module load: like ``core.hooks``, it asks for it when a targets
file is validated (``indicator_units``). A composition root may instead install
a provider with ``provide_indicators``.
"""

from __future__ import annotations

import difflib
import importlib
from collections.abc import Callable

from kompetens.core.contract import fold

_PROVIDER: Callable[[], dict[str, str]] | None = None


def provide_indicators(provider: Callable[[], dict[str, str]]) -> None:
    """Install the function that returns ``{indicator id: unit}`` (``share``, ``count`` …)."""
    global _PROVIDER
    _PROVIDER = provider


def indicator_units() -> dict[str, str]:
    """``{indicator id: unit}`` for every indicator in the catalogue."""
    if _PROVIDER is not None:
        return _PROVIDER()
    registry = importlib.import_module("kompetens.indicators.registry")
    return {ind.id: ind.unit for ind in registry.REGISTRY.values()}


def nearest(value: str, valid: list[str]) -> str | None:
    """The valid value closest to ``value`` (case, accents, spaces and ``-``/``_`` ignored), if any."""
    folded = {fold(v): v for v in valid}
    match = difflib.get_close_matches(fold(value), list(folded), n=1, cutoff=0.5)
    return folded[match[0]] if match else None

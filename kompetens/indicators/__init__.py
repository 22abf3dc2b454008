"""Indicator registry, pipelines and key figures (see issue: indicator engine).

The ``key_figures`` migration and the recompute-after-import hook are
registered by ``kompetens.wiring``, not by importing this package.
"""

from kompetens.indicators.engine import recompute
from kompetens.indicators.registry import REGISTRY, Indicator, get
from kompetens.indicators.targets import resolve_targets

__all__ = ["REGISTRY", "Indicator", "get", "recompute", "resolve_targets"]

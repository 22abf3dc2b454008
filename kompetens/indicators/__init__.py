"""Indicator registry, pipelines and key figures (see issue: indicator engine).

Importing this package registers the ``key_figures`` migration and the
recompute-after-import hook.
"""

from kompetens.indicators.engine import recompute
from kompetens.indicators.registry import REGISTRY, Indicator, get
from kompetens.indicators.targets import resolve_targets

__all__ = ["REGISTRY", "Indicator", "get", "recompute", "resolve_targets"]

"""Small-number suppression of key figures; the method is in ``docs/suppression.md``.

``apply_suppression`` (``protect``) is the one entry point; ``equations`` says
which cells add up to which, ``links`` which cells publish the same number,
``exact`` which hidden numbers the published ones determine and ``cover`` the
cheapest cells that set such a number free.
"""

from kompetens.query.suppression.additive import (
    NESTED_DIMENSIONS,
    NON_ADDITIVE_DIMENSIONS,
    OVERLAPPING_DIMENSIONS,
    _with_area,
    equations,
    time_equations,
)
from kompetens.query.suppression.protect import (
    SUPPRESSION_THRESHOLD,
    apply_suppression,
    recoverable_equations,
)

__all__ = [
    "NESTED_DIMENSIONS",
    "NON_ADDITIVE_DIMENSIONS",
    "OVERLAPPING_DIMENSIONS",
    "SUPPRESSION_THRESHOLD",
    "_with_area",
    "apply_suppression",
    "equations",
    "recoverable_equations",
    "time_equations",
]

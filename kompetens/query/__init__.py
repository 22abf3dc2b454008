"""The query layer: the only way pages, exports and briefs read key figures.

Every function takes ``conn`` and the caller's ``Scope`` and returns a Polars
frame (or a small frozen result). Three guarantees hold for every function:

1. **Scope is enforced here**, never trusted from a page. Rows of units and
   areas outside the scope are filtered out; an explicit request for a unit
   or area outside it raises ``ScopeError`` (a ``PermissionError``), so a
   tampered ``?unit=`` shows "no access" instead of data. Organisation-level
   rows are visible to every scope: they are the baseline every dialogue
   compares with.
2. **Suppression is applied before anything is returned**
   (``kompetens.query.suppression``). It is computed on the *complete* groups (all
   units, areas and the organisation of an indicator and period) and only
   then filtered by scope, so a narrow scope cannot see a value that a wide
   one would see hidden, and vice versa.
3. **Caching** is keyed on the database identity, ``store.data_version`` and
   a stamp of the ``key_figures`` table (its row count and the engine's
   ``key_figures_meta.computed_at``, because figures are recomputed after the
   import that bumps the version), plus the function's arguments — never on hashing
   frames. When the stamp of a database changes, its entries are dropped.
   Polars frames are immutable, so a caller cannot alter a cached result.

Modules (each answers one kind of question; import from here, not from them):

- ``cache``: the cache and the database stamp (``clear_cache``).
- ``slices``: loading suppressed key-figure slices, scope filtering and
  checks, the unit list; ``figures`` (every key figure in scope).
- ``periods``: period arithmetic (``previous_period``, ``period_year``).
- ``status``: targets and the traffic light (``status_expr``, ``traffic_light``).
- ``listings``: periods, areas and units a scope can choose from.
- ``trends``: one scope over time and split by a dimension.
- ``comparison``: units beside their area, the organisation, target and last
  year (``unit_table``, ``compare``, ``headline``).
- ``certification``: certification per unit, licence status, segregation.
- ``aruba``: redundant staff against open vacancies.
- ``recruit_smart``: qualified teaching hours lost at exits beside hires, per subject.
- ``data_quality``: coverage, freshness and suppressed cells.
- ``support_index``: the support-need index.
- ``suppression``: the small-number rule; ``export``: the key-figure export file.
"""

from __future__ import annotations

from kompetens.access.scope import Level, Scope, ScopeError
from kompetens.query.aruba import (
    MATCHING_VACANCIES,
    REDUNDANT,
    hires_despite_redundancy,
    may_see_people,
    placement_match,
    redundancy_matches,
    redundant_people,
)
from kompetens.query.cache import MAX_CACHE_ENTRIES, clear_cache
from kompetens.query.certification import (
    CERTIFICATION_SHARES,
    LICENCE_STATUS_LABELS,
    SegregationResult,
    certification_units,
    licence_status,
    segregation,
)
from kompetens.query.certification_paths import path_periods, path_progress
from kompetens.query.comparison import compare, headline, unit_table, unit_values
from kompetens.query.data_quality import (
    COVERAGE_KINDS,
    MONTHLY_KINDS,
    PERSON_KINDS,
    coverage,
    data_freshness,
    incomplete_snapshots,
    suppressed_cells,
)
from kompetens.query.listings import areas, available_periods, latest_month, units
from kompetens.query.periods import PeriodType, period_year, previous_period
from kompetens.query.recruit_smart import lost_and_hired_by_subject, recruit_smart_periods
from kompetens.query.slices import figures
from kompetens.query.status import (
    RELATIVE_TOLERANCE,
    direction_sign,
    status_expr,
    traffic_light,
)
from kompetens.query.subjects import (
    SUBJECT_LABELS,
    largest_subject_gaps,
    subject_units,
    unit_subject_grades,
)
from kompetens.query.support_index import support_need
from kompetens.query.trends import (
    breakdown,
    breakdown_series,
    series,
    series_by_scope,
    trend_with_context,
)

__all__ = [
    # scope
    "Level",
    "PeriodType",
    "Scope",
    "ScopeError",
    # cache
    "MAX_CACHE_ENTRIES",
    "clear_cache",
    # periods and the traffic light
    "RELATIVE_TOLERANCE",
    "direction_sign",
    "period_year",
    "previous_period",
    "status_expr",
    "traffic_light",
    # listings
    "areas",
    "available_periods",
    "latest_month",
    "units",
    # key figures
    "figures",
    "series",
    "series_by_scope",
    "trend_with_context",
    "breakdown",
    "breakdown_series",
    "unit_values",
    "unit_table",
    "compare",
    "headline",
    # certification
    "CERTIFICATION_SHARES",
    "LICENCE_STATUS_LABELS",
    "SegregationResult",
    "certification_units",
    "licence_status",
    "segregation",
    # qualification per subject (teaching assignments)
    "SUBJECT_LABELS",
    "largest_subject_gaps",
    "unit_subject_grades",
    "subject_units",
    # certification paths
    "path_periods",
    "path_progress",
    # ARUBA
    "MATCHING_VACANCIES",
    "REDUNDANT",
    "redundancy_matches",
    "redundant_people",
    "placement_match",
    "hires_despite_redundancy",
    # rekrytera smart: lost qualified hours beside hires, per subject
    "lost_and_hired_by_subject",
    "recruit_smart_periods",
    "may_see_people",
    # data quality
    "COVERAGE_KINDS",
    "MONTHLY_KINDS",
    "PERSON_KINDS",
    "coverage",
    "data_freshness",
    "incomplete_snapshots",
    "suppressed_cells",
    # support need
    "support_need",
]

"""The composition root: the one place that connects the layers' extension points.

The lower layers never import the upper ones. What they need from above is
registered here, explicitly, and every entry point calls :func:`wire` before
it opens a database: ``app.py``, the CLI (``kompetens.cli``'s app callback),
the benchmark scripts and the test set-up (``tests/conftest.py``).

What is wired:

- The schema migrations, each declared with its version number beside its
  tables (1 the contract tables in ``core.store``; 2 ``key_figures``; 3 the
  dialogue tables; 4 ``audit_events``; 5 ``users``; 6 ``import_profiles``; 7 the stored
  suppression mask ``key_figure_suppression``; 8 the external benchmarks ``external_values``; 9 the support register's tables and lists,
  ``core.support_register``; 10 the teaching assignments, ``core.teaching_assignments``; 11 the saved projection scenarios,
  ``query.projection_scenarios``; 12 the users' support functions and the support role,
  ``access.auth``; 13 the annual wheel's dialogue round dates,
  ``query.dialogue_rounds``; 14 the common themes, ``core.themes``; 15 the certification paths,
  ``core.certification_paths``; 16 the requisitions' subject column, ``core.recruitment_subject``;
  17 the allocation model's kinds and saved scenarios, ``core.allocation_tables``).
  ``store.connect`` refuses to open a database until :func:`wire` has run.
- The data-change hook: after every import or undo the indicator engine
  recomputes the key figures the changed kinds feed.
- The after-recompute callback: after every recompute (full or incremental), in the
  same transaction, the whole key-figure table is suppressed once and the mask stored
  (``query.suppression_store``); the engine never imports the query layer.
- The indicator catalogue the importer checks a targets file against
  (``ingest.catalogue``: indicator id -> unit).

:func:`wire` is idempotent and cheap: calling it on every Streamlit rerun or
from several entry points in one process registers everything once.
"""

from __future__ import annotations

import threading

from kompetens.access import audit, auth
from kompetens.core import (
    allocation_tables,
    certification_paths,
    hooks,
    recruitment_subject,
    store,
    support_register,
    teaching_assignments,
    themes,
)
from kompetens.dialogue import dialogues
from kompetens.external import schema as external
from kompetens.indicators import engine, registry
from kompetens.ingest import catalogue, profiles
from kompetens.query import dialogue_rounds, projection_scenarios, suppression_store

#: Every migration after the store's own version 1, by the module that owns the tables.
MIGRATIONS: tuple[store.Migration, ...] = (
    engine.KEY_FIGURES_MIGRATION,
    dialogues.DIALOGUE_MIGRATION,
    audit.AUDIT_MIGRATION,
    auth.USERS_MIGRATION,
    profiles.PROFILES_MIGRATION,
    suppression_store.SUPPRESSION_MIGRATION,
    external.BENCHMARKS_MIGRATION,
    support_register.SUPPORT_MIGRATION,
    teaching_assignments.TEACHING_ASSIGNMENT_MIGRATION,
    projection_scenarios.SCENARIOS_MIGRATION,
    auth.USER_FUNCTIONS_MIGRATION,
    dialogue_rounds.ROUNDS_MIGRATION,
    themes.THEME_MIGRATION,
    certification_paths.CERTIFICATION_PATH_MIGRATION,
    recruitment_subject.RECRUITMENT_SUBJECT_MIGRATION,
    allocation_tables.ALLOCATION_MIGRATION,
)


def indicator_units() -> dict[str, str]:
    """``{indicator id: unit}`` of every indicator in the registry (for ``ingest.catalogue``)."""
    return {ind.id: ind.unit for ind in registry.REGISTRY.values()}


_LOCK = threading.Lock()


def wire() -> None:
    """Register the migrations, the recompute hooks and the importer's catalogue (idempotent).

    Thread-safe: Streamlit sessions start on their own threads and each runs ``app.py``.
    """
    with _LOCK:
        for migration in MIGRATIONS:
            store.register_migration(migration)
        store.registered_migrations()  # refuses a gap in the version numbers here, at start-up
        hooks.on_data_change(engine.recompute_after_change)
        hooks.on_figures_recomputed(suppression_store.store_mask, suppression_store.is_stale)
        catalogue.provide_indicators(indicator_units)
        store.mark_wired()

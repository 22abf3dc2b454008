"""The demo dataset: a fictional municipal school organisation, loaded through the real importer.

``people`` generates the organisation and simulates its employment spells, ``records`` writes
the snapshots and events from them, ``kinds`` derives the other import kinds
from it, and ``build`` writes them as files and imports them (``build_demo``).
"""

from kompetens.demo.build import build_demo, ensure_demo_database, generate_demo

__all__ = ["build_demo", "ensure_demo_database", "generate_demo"]

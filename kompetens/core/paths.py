"""The one place that knows where files live (the project's catalog).

Everything that opens the database, the pseudonymisation key or the demo
files asks here, so a path is never spelled out inside a pipeline step.
"""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DATA_DIR = PROJECT_ROOT / "data"
DEFAULT_DB = DATA_DIR / "kompetens.duckdb"
DEMO_FILES_DIR = DATA_DIR / "demo"


def db_path(explicit: str | os.PathLike[str] | None = None) -> Path:
    """Database file: ``--db PATH`` wins, then ``KOMPETENS_DB``, then ``data/kompetens.duckdb``."""
    if explicit:
        return Path(explicit)
    env = os.environ.get("KOMPETENS_DB")
    if env:
        return Path(env)
    return DEFAULT_DB


def key_file_path() -> Path:
    """Where the pseudonymisation key file lives when ``KOMPETENS_PSEUDONYM_KEY`` is not set.

    ``KOMPETENS_KEY_FILE`` overrides; default ``$XDG_CONFIG_HOME/kompetens/pseudonym.key``
    (``~/.config/kompetens/pseudonym.key``) — deliberately outside ``data/`` so the key is
    never copied along with the database.
    """
    env = os.environ.get("KOMPETENS_KEY_FILE")
    if env:
        return Path(env)
    config_home = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(config_home) / "kompetens" / "pseudonym.key"

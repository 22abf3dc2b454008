"""``python -m kompetens.cli``: the command line."""

from kompetens.cli import app

app()

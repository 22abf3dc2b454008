"""``Progress``: how long work tells whoever waits how far it has come.

A callback ``progress(fraction, message)``: ``fraction`` from 0 to 1, not decreasing within one
piece of work; ``message`` a short Swedish line for the person waiting (the app shows it under
a progress bar, the command line prints it). A step that runs inside a larger one maps its own
0..1 into its part of the caller's range.
"""

from __future__ import annotations

from collections.abc import Callable

Progress = Callable[[float, str], None]

"""``Progress``: how long work tells whoever waits how far it has come.

A callback ``progress(fraction, message)``: ``fraction`` from 0 to 1, not decreasing within one
piece of work; ``message`` a short Swedish line for the person waiting (the app shows it under
a progress bar, the command line prints it). A step that runs inside a larger one maps its own
0..1 into its part of the caller's range.
"""

from __future__ import annotations

from collections.abc import Callable

Progress = Callable[[float, str], None]


def as_line(message: str) -> str:
    """A step's message as a line of its own, for a bar or a log: "läser data" -> "Läser data".

    The engine's steps are written as parts of a line ("sekretessgranskning: …").
    """
    return message[:1].upper() + message[1:]


def no_progress(fraction: float, message: str = "") -> None:
    """A ``Progress`` that tells nobody."""
    return None


def part(progress: Progress | None, start: float, end: float) -> Progress:
    """``progress`` seen by a step that owns ``start..end`` of it: the step's 0..1 maps there.

    ``part(p, 0.3, 0.9)(0.5, "m")`` calls ``p(0.6, "m")``; with ``progress`` None, nobody is told.
    """
    if progress is None:
        return no_progress
    width = end - start
    return lambda fraction, message="": progress(start + width * fraction, message)

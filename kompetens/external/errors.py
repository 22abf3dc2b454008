"""What external-benchmark imports and fetches report back (messages in Swedish)."""

from __future__ import annotations


class ExternalRejected(ValueError):
    """A benchmark file or response that cannot be read; nothing was written.

    The message names the file (or address), where in it, the value and what is wrong.
    """


class FetchFailed(RuntimeError):
    """A live fetch that could not complete (offline, time-out, server error); nothing was written."""


class UndoRefusedExternal(RuntimeError):
    """An undo of a benchmark batch that cannot be done (unknown or already undone)."""

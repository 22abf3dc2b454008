"""What the importer reports back: issues, rejection and refusal (messages in Swedish)."""

from __future__ import annotations

from dataclasses import dataclass

#: How many issues the text of an ImportRejected lists before summarising the rest.
MAX_LISTED_ISSUES = 50


@dataclass(frozen=True)
class ValidationIssue:
    """One problem in a file, located as the user sees it.

    ``row`` is the row number in the file (the header is row 1 of a CSV/XLSX);
    ``row`` and ``column`` are None for problems with the whole file. ``column``
    is the header as written in the file. ``value`` never holds a raw
    personnummer (it is masked: ``19800101-****``).
    """

    file: str
    row: int | None
    column: str | None
    value: str | None
    message: str

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f", rad {self.row}"
        if self.column is not None:
            where += f", kolumn {self.column}"
        message = self.message.rstrip(".") + "."
        if self.value is not None and self.value != "":
            return f"{where}: värdet '{self.value}' – {message}"
        return f"{where}: {message}"


def format_issues(
    file_name: str, issues: list[ValidationIssue], limit: int = MAX_LISTED_ISSUES
) -> str:
    """A Swedish report: a summary line, then one line per issue (at most ``limit``)."""
    n = len(issues)
    lines = [
        f"Filen {file_name} importerades inte: {n} fel hittades. Ingenting har skrivits till databasen."
    ]
    lines += [f"  • {issue}" for issue in issues[:limit]]
    if n > limit:
        lines.append(f"  … och {n - limit} fel till.")
    return "\n".join(lines)


class ImportRejected(Exception):
    """A file (or its rows) failed validation; nothing was written."""

    def __init__(self, issues: list[ValidationIssue], file_name: str):
        self.issues = list(issues)
        self.file_name = file_name
        super().__init__(format_issues(file_name, self.issues))

    def __str__(self) -> str:
        return format_issues(self.file_name, self.issues)


class UndoRefused(Exception):
    """An undo that would break the data (or is impossible); the message says why, in Swedish."""

"""The located errors of a statement sheet, collected so a curator sees all of them at once."""

from __future__ import annotations

import os
from dataclasses import dataclass

from treatykg.core.errors import EXIT_INVALID, TreatyKGError


@dataclass(frozen=True)
class SheetProblem:
    """One problem of a sheet: where (file, line), which statement, and what."""

    path: str
    line: int
    message: str
    statement: str | None = None

    def __str__(self) -> str:
        """Render as `file:line: statement KEY: message` (or `mention NAME:`), the form editors link to."""
        where = f"{self.path}:{self.line}: "
        # A statement is named by its key (a slug); a mention's label ("mention NATO") names itself.
        what = self.statement if self.statement and " " in self.statement else f"statement {self.statement}"
        return where + (f"{what}: " if self.statement else "") + self.message


class SheetInvalid(TreatyKGError):
    """A sheet (or the entity sheet, or a source's text) does not compile: every problem found, in order."""

    exit_code = EXIT_INVALID

    def __init__(self, problems: list[SheetProblem]):
        super().__init__(f"{len(problems)} problem(s)")
        # In file and line order, as an editor walks them (sorted is stable: one line keeps its order).
        self.problems = sorted(problems, key=lambda problem: (problem.path, problem.line))

    def __str__(self) -> str:
        """One located line per problem, then the count."""
        lines = [str(problem) for problem in self.problems]
        return "\n".join([*lines, f"the sheet does not compile: {len(self.problems)} problem(s)"])


class SourceExists(TreatyKGError):
    """The text (by its SHA-256) or the slug is already a source."""

    exit_code = EXIT_INVALID

    def __init__(self, message: str, path: str | os.PathLike[str]):
        super().__init__(message)
        self.message = message
        self.path = os.fspath(path)

    def __str__(self) -> str:
        """The message, naming the existing source's file."""
        return f"{self.message} ({self.path})"

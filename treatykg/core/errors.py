"""TreatyKG's one error hierarchy; each error knows the CLI exit code it maps to."""

from __future__ import annotations

import os

# Exit codes follow pySHACL: 0 ok, 1 the input is invalid (did not conform), 2 the command could not run.
EXIT_OK = 0
EXIT_INVALID = 1
EXIT_ERROR = 2


class TreatyKGError(Exception):
    """Base of every error TreatyKG raises on purpose."""

    exit_code = EXIT_ERROR


class InputError(TreatyKGError):
    """A file that is missing, unreadable, in an unsupported format or syntactically wrong."""

    def __init__(self, message: str, path: str | os.PathLike[str] | None = None, line: int | None = None):
        super().__init__(message)
        self.message = message
        self.path = os.fspath(path) if path is not None else None
        self.line = line

    def __str__(self) -> str:
        """Render as `path:line: message`, the form editors and CI logs link to."""
        if self.path is None:
            return self.message
        if self.line is None:
            return f"{self.path}: {self.message}"
        return f"{self.path}:{self.line}: {self.message}"


class ValidationFailed(TreatyKGError):
    """The data does not conform to the SHACL shapes (at least one sh:Violation)."""

    exit_code = EXIT_INVALID


class ReasoningInconsistency(TreatyKGError):
    """Reasoning found the ontology and data inconsistent."""

    exit_code = EXIT_INVALID


class StoreError(TreatyKGError):
    """The triple store could not be opened, read or written."""

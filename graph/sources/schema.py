"""The JSON Schemas of the statement sheet and the entity sheet (shipped beside this module), checked with
every error located at its line."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from jsonschema import Draft202012Validator

from treatykg.graph.sources.errors import SheetInvalid, SheetProblem
from treatykg.graph.sources.yamlsafe import Value, line_of

SCHEMAS = {"sheet": "sheet.schema.json", "entities": "entities.schema.json"}


def schema_file(name: str) -> Path:
    """The schema file of `name` ("sheet" or "entities")."""
    return Path(__file__).with_name(SCHEMAS[name])


@cache
def _validator(name: str) -> Draft202012Validator:
    """A validator for the named schema, built once."""
    schema = json.loads(schema_file(name).read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def check_schema(document: Value, name: str, path: Path) -> None:
    """SheetInvalid listing every place `document` breaks the named schema, each with its line."""
    problems = []
    for error in sorted(
        _validator(name).iter_errors(document), key=lambda error: list(map(str, error.absolute_path))
    ):
        where = "/".join(str(step) for step in error.absolute_path) or "(top)"
        # The deepest error of a oneOf says most: e.g. which key is unknown in which branch.
        message = error.message
        if error.context:
            message = min(error.context, key=lambda sub: -len(sub.absolute_path)).message
        steps = tuple(error.absolute_path)
        if error.validator == "additionalProperties" and isinstance(error.instance, dict):
            # Point at the first unexpected key, not at the mapping holding it.
            allowed = error.schema.get("properties", {}) if isinstance(error.schema, dict) else {}
            steps += tuple(key for key in error.instance if key not in allowed)[:1]
        problems.append(SheetProblem(str(path), line_of(document, steps), f"{where}: {message}"))
    if problems:
        raise SheetInvalid(problems)

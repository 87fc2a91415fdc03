"""The two implementations of the semantics interface, by name: what `--engine` options choose from."""

from __future__ import annotations

from treatykg.core.iris import BASE
from treatykg.graph.semantics.compiled import CompiledSemantics
from treatykg.graph.semantics.interface import Semantics
from treatykg.graph.semantics.reference import ReferenceSemantics

ENGINES = ("compiled", "reference")


def semantics(name: str, base: str = BASE) -> Semantics:
    """The engine called `name` for the IRI `base`; ValueError for any other name."""
    if name == "compiled":
        return CompiledSemantics(base)
    if name == "reference":
        return ReferenceSemantics(base)
    raise ValueError(f"unknown semantics engine {name!r}: choose one of {', '.join(ENGINES)}")

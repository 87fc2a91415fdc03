"""One interface over the embedded store and a remote one, and the one place a location picks which to open.

    with open_location(location, holder="treatykg query") as handle:   # a Store
        handle.query_union(text)                   # on the embedded database, or on the remote store itself
        handle.replace_build_graphs(graphs, build)  # one transaction, or one push
        handle.embedded()                          # the OpenStore, or None for a remote store

A location is a directory (embedded: `graph/store/embedded.py`) or `sparql+http(s)://…` (remote:
`graph/store/remote.py`); None is `$TREATYKG_STORE`, else the per-user default directory.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Protocol

import pyoxigraph as ox
from rdflib import Graph

from treatykg.core.errors import StoreError
from treatykg.core.terms import QueryResults, Substitutions, graph_from_quads
from treatykg.graph.store.embedded import OpenStore, StoreVersion, build_owned_graphs, open_store, store_path
from treatykg.graph.store.remote import open_remote
from treatykg.graph.store.remote_client import is_remote


class Store(Protocol):
    """A store handle that build, query, export and the server use alike: embedded or remote."""

    @property
    def path(self) -> Path | str:
        """What messages name: the store's directory, or its remote location without credentials."""
        ...

    @property
    def store(self) -> ox.Store:
        """The dataset as a pyoxigraph Store (of a remote store: an in-memory copy, fetched once)."""
        ...

    def version(self) -> StoreVersion:
        """The store version recorded at the last commit (version 0 for a store never written)."""
        ...

    def query_union(self, text: str, substitutions: Substitutions | None = None) -> QueryResults:
        """Run a query over the union of all graphs, where the data lives."""
        ...

    def replace_build_graphs(self, graphs: Mapping[str, Graph], build: dict | None = None) -> StoreVersion:
        """Drop the build-owned graphs and insert `graphs` in their place, keeping all others."""
        ...

    def has_quads(self) -> bool:
        """Whether the store holds any quad at all (an empty store is built before it is served)."""
        ...

    def embedded(self) -> OpenStore | None:
        """The embedded store (a directory, a lock, a database that can be swapped whole), or None."""
        ...

    def close(self) -> None:
        """Release what the handle holds."""
        ...

    def __enter__(self) -> Store: ...

    def __exit__(self, *exc_info: object) -> None: ...


def open_location(
    location: str | os.PathLike[str] | None,
    holder: str = "treatykg",
    create: bool = True,
    options: Mapping[str, object] | None = None,
) -> Store:
    """The store at `location`: a remote one (settings from `options`, else TREATYKG_REMOTE_*), or the
    embedded one, locked for `holder` (StoreInUse if another holds it; created if missing and `create`)."""
    if is_remote(location):
        # A remote store has no lock here: the remote serialises its own requests.
        return open_remote(str(location), options)
    return open_store(store_path(location), holder=holder, create=create)


def embedded_path(location: str | os.PathLike[str] | None, refusal: str) -> Path:
    """The directory of an embedded store location; StoreError `<location>: <refusal>` for a remote one."""
    if is_remote(location):
        raise StoreError(f"{location}: {refusal}")
    return store_path(location)


def other_graphs(handle: Store, rebuilt: Iterable[str]) -> dict[str | None, Graph]:
    """Graphs a rebuild keeps (written over HTTP), by name; None is the store's default graph."""
    replaced = build_owned_graphs(handle.version()) | frozenset(rebuilt)
    kept: dict[str | None, Graph] = {}
    for name in handle.store.named_graphs():
        if isinstance(name, ox.NamedNode) and name.value not in replaced:
            kept[name.value] = graph_from_quads(handle.store.quads_for_pattern(None, None, None, name))
    default = graph_from_quads(handle.store.quads_for_pattern(None, None, None, ox.DefaultGraph()))
    if len(default):
        kept[None] = default
    return kept

"""Helpers for the build, export and query tests: run the CLI, snapshot a store, build the article once."""

from __future__ import annotations

import atexit
import shutil
import tempfile
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pyoxigraph as ox

from treatykg.cli.main import main
from treatykg.graph.store.embedded import VERSION_FILE, open_store

FIXTURES = Path(__file__).parent / "fixtures" / "build"


@dataclass(frozen=True)
class Run:
    """What one CLI run returned and printed."""

    code: int
    out: str
    err: str


def run(capsys, *argv: str | Path) -> Run:
    """Run `treatykg ARGV` through the real entry point, in this process."""
    capsys.readouterr()
    code = main([str(arg) for arg in argv])
    captured = capsys.readouterr()
    return Run(code, captured.out, captured.err)


def store_quads(path: Path) -> list[ox.Quad]:
    """Every quad of the store at `path`."""
    with open_store(path, holder="a test") as handle:
        return list(handle.store)


def canonical(quads) -> ox.Dataset:
    """The quads as a dataset with canonical blank nodes, for isomorphism by equality."""
    dataset = ox.Dataset(quads)
    dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    return dataset


def store_state(path: Path) -> tuple[bytes, str]:
    """The store's version file and its canonical N-Quads: equal states mean an untouched store."""
    version = (path / VERSION_FILE).read_bytes() if (path / VERSION_FILE).exists() else b""
    return version, "".join(sorted(f"{quad} .\n" for quad in canonical(store_quads(path))))


def graph_names(path: Path) -> set[str]:
    """The named graphs of the store at `path`."""
    with open_store(path, holder="a test") as handle:
        return {name.value for name in handle.store.named_graphs()}


@cache
def article_store() -> Path:
    """A store built once per session from the packaged ontology and article data; copy it, never write it."""
    folder = Path(tempfile.mkdtemp(prefix="treatykg-article-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    store = folder / "store"
    code = main(["build", "--store", str(store)])
    assert code == 0, "the packaged article data must build"
    return store


def copy_store(source: Path, target: Path) -> Path:
    """A private copy of a (closed) store."""
    shutil.copytree(source, target)
    return target

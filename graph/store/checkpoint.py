"""Writable checkpoints of a store this process holds: a throwaway copy a write is tried on first."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pyoxigraph as ox

from treatykg.core.errors import StoreError
from treatykg.graph.store.embedded import OpenStore

WRITE_CHECK_DIR = (
    "write-check"  # in the store's directory: the writable checkpoints of the writes in progress
)


@contextmanager
def writable_checkpoint(handle: OpenStore) -> Iterator[ox.Store]:
    """A writable copy of the store (a RocksDB checkpoint: hard links to its immutable files, so
    milliseconds at any size) in its directory, removed on leaving; nothing written there reaches the
    store."""
    folder = Path(handle.path) / WRITE_CHECK_DIR
    folder.mkdir(exist_ok=True)
    path = Path(tempfile.mkdtemp(prefix="write-", dir=folder))
    try:
        path.rmdir()  # the checkpoint makes its own directory
        try:
            handle.store.flush()
            handle.store.backup(str(path))
        except OSError as error:
            raise StoreError(f"could not make a checkpoint of the store: {error}") from None
        yield ox.Store(str(path))
    finally:
        shutil.rmtree(path, ignore_errors=True)

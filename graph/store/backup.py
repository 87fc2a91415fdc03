"""Backup and restore of a store directory: a RocksDB checkpoint plus the commit record, and its reverse."""

from __future__ import annotations

import shutil
from pathlib import Path

import pyoxigraph as ox

from treatykg.core.errors import StoreError
from treatykg.graph.store.embedded import DATABASE_DIR, VERSION_FILE, OpenStore, read_version


class BackupError(StoreError):
    """The backup directory is missing, unreadable or not a TreatyKG backup."""


def backup_store(handle: OpenStore, path: Path) -> int:
    """Write a backup of a store this process holds (no commit may run meanwhile); returns its version."""
    path.mkdir(parents=True)
    try:
        handle.store.flush()
        handle.store.backup(str(path / DATABASE_DIR))  # a consistent RocksDB checkpoint
        version_file = handle.path / VERSION_FILE
        if version_file.exists():
            shutil.copy2(version_file, path / VERSION_FILE)
    except OSError as error:
        shutil.rmtree(path, ignore_errors=True)
        raise BackupError(f"{path}: the backup failed and was removed: {error}") from None
    return handle.version().version


def backup_quads(path: Path) -> tuple[list[ox.Quad], list[str]]:
    """Every quad of a backup (opened read-only: a backup is never written), checked against its record."""
    if not (path / DATABASE_DIR).is_dir():
        raise BackupError(f"{path}: not a TreatyKG backup (no {DATABASE_DIR}/ in it)")
    try:
        store = ox.Store.read_only(str(path / DATABASE_DIR))
        quads = list(store.quads_for_pattern(None, None, None, None))
        graphs = [n.value for n in store.named_graphs() if isinstance(n, ox.NamedNode)]
        del store
    except OSError as error:
        raise BackupError(f"{path}: cannot read the backup: {error}") from None
    recorded = read_version(path)
    named = sum(1 for q in quads if not isinstance(q.graph_name, ox.DefaultGraph))
    if recorded.version and named != sum(recorded.graph_quads.values()):
        raise BackupError(
            f"{path}: the backup holds {named} named-graph quads, its record says "
            f"{sum(recorded.graph_quads.values())}"
        )
    return quads, graphs

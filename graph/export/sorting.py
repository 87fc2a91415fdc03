"""External merge sort of byte records: sorted output from any number of records in a fixed memory bound."""

from __future__ import annotations

import heapq
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import ExitStack
from itertools import islice
from pathlib import Path

# Bytes of records held in memory at once; each run of this size is sorted and spilled to a file. Python keeps
# about 40 bytes per record beside its bytes, so a run's memory is about 1.3x this at the dumps' line lengths.
RUN_BYTES = 96 * 2**20
BLOCK_RECORDS = 10_000  # records handed on at a time: Python works list by list, not record by record


def sorted_records(blocks: Iterable[list[bytes]], folder: Path) -> Iterator[list[bytes]]:
    """The records of `blocks` (each ending in its only newline) in byte order, a block at a time."""
    runs: list[Path] = []
    chunk: list[bytes] = []
    held = 0
    for block in blocks:
        chunk += block
        held += sum(map(len, block))
        if held >= RUN_BYTES:
            runs.append(_spill(chunk, folder))
            chunk, held = [], 0
    chunk.sort()
    if not runs:
        for start in range(0, len(chunk), BLOCK_RECORDS):
            yield chunk[start : start + BLOCK_RECORDS]
        return
    runs.append(_spill(chunk, folder))
    del chunk
    with ExitStack() as stack:
        files = [stack.enter_context(run.open("rb", buffering=2**20)) for run in runs]
        merged = heapq.merge(*files)
        while block := list(islice(merged, BLOCK_RECORDS)):
            yield block
    for run in runs:
        run.unlink()


def blocks(path: Path, size: int = 2**20) -> Iterator[list[bytes]]:
    """The lines of a file, about `size` bytes of them at a time."""
    with path.open("rb", buffering=size) as stream:
        while block := stream.readlines(size):
            yield block


class DistinctCounter:
    """Counts distinct byte strings: a set while it fits in RUN_BYTES, sorted runs on disk beyond."""

    def __init__(self, folder: Path) -> None:
        self.folder, self.seen, self.held, self.runs = folder, set[bytes](), 0, list[Path]()

    def add(self, item: bytes) -> None:
        """Count `item` (it must not hold a newline)."""
        if item not in self.seen:
            self.seen.add(item)
            self.held += len(item)
            if self.held >= RUN_BYTES:
                self.runs.append(_spill([entry + b"\n" for entry in self.seen], self.folder))
                self.seen, self.held = set(), 0

    def count(self) -> int:
        """How many distinct items were added."""
        if not self.runs:
            return len(self.seen)
        rest = sorted(entry + b"\n" for entry in self.seen)
        with ExitStack() as stack:
            files = [stack.enter_context(run.open("rb", buffering=2**20)) for run in self.runs]
            total, last = 0, None
            for item in heapq.merge(rest, *files):
                if item != last:
                    total, last = total + 1, item
        for run in self.runs:
            run.unlink()
        return total


def _spill(chunk: list[bytes], folder: Path) -> Path:
    """Sort one run and write it to a file of its own."""
    chunk.sort()
    with tempfile.NamedTemporaryFile("wb", dir=folder, prefix="run-", delete=False) as stream:
        stream.writelines(chunk)
    return Path(stream.name)

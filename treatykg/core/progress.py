"""Progress of long work: counts and rates on stderr when it is a terminal, nothing when piped."""

from __future__ import annotations

import sys
import time
from typing import TextIO


class Progress:
    """Reports finished steps (what, how many, how fast) to a terminal; silent otherwise."""

    def __init__(self, stream: TextIO | None = None, enabled: bool | None = None):
        self.stream = stream if stream is not None else sys.stderr
        # Piped output (CI logs, `| less`) stays clean; a terminal user sees the pipeline move.
        self.enabled = self.stream.isatty() if enabled is None else enabled
        self.steps: list[tuple[str, float]] = []  # (step, seconds) of every finished step, for benchmarks
        self._started = time.perf_counter()

    def start(self) -> None:
        """Start timing the next step."""
        self._started = time.perf_counter()

    def done(self, step: str, count: int | None = None, unit: str = "triples") -> None:
        """Report a finished step, with its count and rate if it has one; restarts the clock."""
        elapsed = time.perf_counter() - self._started
        self.steps.append((step, elapsed))
        if self.enabled:
            if count is None:
                print(f"{step} ({elapsed:.2f} s)", file=self.stream, flush=True)
            else:
                rate = f", {count / elapsed:,.0f} {unit}/s" if elapsed > 0 else ""
                print(f"{step}: {count:,} {unit} ({elapsed:.2f} s{rate})", file=self.stream, flush=True)
        self.start()


class _Silent(Progress):
    """Reports and records nothing: the shared default where no one watches (it would grow forever)."""

    def done(self, step: str, count: int | None = None, unit: str = "triples") -> None:
        """Nothing to do."""


QUIET = _Silent(enabled=False)

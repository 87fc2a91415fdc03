"""The long fault-injection run: `treatykg serve` SIGKILLed at random moments during a write stream, N times.

    .venv/bin/python bench/faults.py --kills 100 [--seed 1]

Prints the kills, acknowledged writes, and any acknowledged write missing or write half applied; then runs
`treatykg check`. Exit 0 when all is well. (The suite runs the same with a 12-kill budget.)
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from treatykg.server.harness import installed, seed_store, stream_and_kill, verify


def main() -> int:
    """Run the kills and report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kills", type=int, default=100)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    store = Path(tempfile.mkdtemp(prefix="treatykg-faults-")) / "store"
    seed_store(store)
    acknowledged: set[int] = set()
    started = time.monotonic()
    kills = stream_and_kill(store, args.kills, args.seed, acknowledged, budget=args.kills * 30)
    problems = verify(store, acknowledged)
    check = subprocess.run(
        [installed("treatykg"), "check", "--store", str(store)], capture_output=True, text=True
    )
    print(
        f"{kills} kills in {time.monotonic() - started:.0f} s, {len(acknowledged)} acknowledged writes, "
        f"{len(problems)} problems; treatykg check exit {check.returncode}"
    )
    for line in problems[:20]:
        print(" ", line)
    return 0 if not problems and check.returncode == 0 else 1


if __name__ == "__main__":
    sys.exit(main())

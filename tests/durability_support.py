"""For the durability tests and bench/faults.py: a real `treatykg serve` to kill, and a write stream."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pyoxigraph as ox
from server_harness import http_request

from treatykg.graph.store.embedded import open_store, record_commit

TOKEN = "fault-token"  # noqa: S105 - the scratch server's own token
TREATYKG = str(Path(sys.executable).with_name("treatykg"))


def seed_store(path: Path) -> None:
    """A store that is not empty (so serve builds nothing) with a first commit record."""
    with open_store(path) as handle:
        handle.store.update("INSERT DATA { <http://e/seed> <http://e/p> 0 }")
        record_commit(handle)


class Served:
    """`treatykg serve` in its own process group on a free loopback port."""

    def __init__(self, store: Path, *extra: str) -> None:
        self.process = subprocess.Popen(
            [TREATYKG, "serve", "--port", "0", "--store", str(store), "--update-token", TOKEN, *extra],
            stderr=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            text=True,
            start_new_session=True,
        )
        self.log: list[str] = []
        for line in self.process.stderr:
            self.log.append(line)
            if " at http://" in line and "serving " in line:
                self.url = line.split(" at ")[1].split("/sparql")[0]
                break
        else:
            raise RuntimeError("the server did not start:\n" + "".join(self.log))
        threading.Thread(target=lambda: self.log.extend(self.process.stderr), daemon=True).start()

    def kill(self) -> None:
        """SIGKILL the server (its read view exits when its control socket closes)."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def update(self, text: str, timeout: float = 30):
        return http_request(
            self.url,
            "POST",
            "/update",
            text,
            {"Content-Type": "application/sparql-update", "Authorization": f"Bearer {TOKEN}"},
            timeout=timeout,
        )


def write_text(n: int) -> str:
    """Write n: two quads in two graphs (so a half-applied write would show), replacing write n-1's marker."""
    return (
        "DELETE WHERE { GRAPH <http://e/marker> { <http://e/marker> <http://e/last> ?n } } ; "
        f"INSERT DATA {{ GRAPH <http://e/a> {{ <http://e/w{n}> <http://e/p> {n} }} "
        f"GRAPH <http://e/b> {{ <http://e/w{n}> <http://e/q> {n} }} "
        f"GRAPH <http://e/marker> {{ <http://e/marker> <http://e/last> {n} }} }}"
    )


def stream_and_kill(store: Path, kills: int, seed: int, acknowledged: set[int], budget: float) -> int:
    """Start, stream writes, SIGKILL at a random moment, restart: `kills` times or until `budget` s."""
    rng = random.Random(seed)  # noqa: S311 - reproducible timing, not secrets
    n, done, started = 0, 0, time.monotonic()
    while done < kills and time.monotonic() - started < budget:
        served = Served(store)
        stop = threading.Event()

        def writer(served: Served, stop: threading.Event) -> None:
            nonlocal n
            while not stop.is_set():
                n += 1
                try:
                    if served.update(write_text(n)).status == 204:
                        acknowledged.add(n)
                except OSError:
                    return

        thread = threading.Thread(target=writer, args=(served, stop))
        thread.start()
        time.sleep(rng.uniform(0.2, 2.0))
        served.kill()
        stop.set()
        thread.join()
        done += 1
    return done


def verify(store: Path, acknowledged: set[int]) -> list[str]:
    """Problems: an acknowledged write missing, or a write half there."""
    problems = []
    with open_store(store, holder="verify") as handle:
        s = handle.store
        for n in range(1, max(acknowledged, default=0) + 2):
            a = ox.Quad(
                ox.NamedNode(f"http://e/w{n}"),
                ox.NamedNode("http://e/p"),
                ox.Literal(str(n), datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")),
                ox.NamedNode("http://e/a"),
            )
            b = ox.Quad(
                ox.NamedNode(f"http://e/w{n}"),
                ox.NamedNode("http://e/q"),
                ox.Literal(str(n), datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")),
                ox.NamedNode("http://e/b"),
            )
            if (a in s) != (b in s):
                problems.append(f"write {n} is half there")
            if n in acknowledged and a not in s:
                problems.append(f"acknowledged write {n} is missing")
        markers = list(s.quads_for_pattern(None, None, None, ox.NamedNode("http://e/marker")))
        if len(markers) > 1:
            problems.append(f"{len(markers)} markers: a write's deletion and insertion came apart")
    return problems

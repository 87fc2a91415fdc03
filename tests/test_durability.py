"""Durability: kill -9 during a stream of writes loses no acknowledged write and half-applies none;
`treatykg check`; backup and restore, while serving and not; SIGTERM finishes what is in progress."""

from __future__ import annotations

import json
import subprocess
import threading
import time
from pathlib import Path

import pyoxigraph as ox
import pytest

from treatykg.graph.store.embedded import (
    PENDING_FILE,
    StoreVersion,
    open_store,
    read_version,
    record_commit,
    write_pending,
)
from treatykg.server.harness import (
    FAULT_TOKEN,
    TreatyKGServe,
    http_request,
    installed,
    seed_store,
    stream_and_kill,
    verify,
    write_text,
)
from treatykg.server.writes import commit

pytestmark = pytest.mark.slow

TOKEN = FAULT_TOKEN
TREATYKG = installed("treatykg")
KILLS = 12  # the suite's budget; bench/faults.py runs more
BUDGET_SECONDS = 75


def check(store: Path, *extra: str) -> subprocess.CompletedProcess:
    """`treatykg check --store STORE`."""
    return subprocess.run(
        [TREATYKG, "check", "--store", str(store), *extra],
        capture_output=True,
        text=True,
        timeout=300,
        env={"TREATYKG_UPDATE_TOKEN": TOKEN, "PATH": "/usr/bin:/bin"},
    )


def test_kill_9_during_writes_loses_no_acknowledged_write(tmp_path: Path) -> None:
    """Many SIGKILLs at random moments: every acknowledged write is there, none half there, check passes."""
    store = tmp_path / "store"
    seed_store(store)
    acknowledged: set[int] = set()
    kills = stream_and_kill(store, KILLS, seed=8, acknowledged=acknowledged, budget=BUDGET_SECONDS)
    assert kills >= 8
    assert len(acknowledged) >= 10
    result = check(store)
    assert result.returncode == 0, result.stdout + result.stderr
    assert verify(store, acknowledged) == []


def test_a_commit_killed_before_its_record_is_settled(tmp_path: Path) -> None:
    """Killed between the store's commit and version.json: the pending record is promoted at the next open."""
    store = tmp_path / "store"
    seed_store(store)
    with open_store(store) as handle:
        previous = handle.version()
        change = commit.Change(
            removed=[],
            added=[
                ox.Quad(ox.NamedNode("http://e/x"), ox.NamedNode("http://e/p"), ox.NamedNode("http://e/y"))
            ],
            dropped=[],
            created=[],
        )
        stub = StoreVersion(version=previous.version + 1, store_id=previous.store_id)
        change.added += commit.provenance(stub, "t", "test", "test", [])
        version = commit.next_version(previous, change)
        write_pending(handle, version)
        handle.store.update(commit.request(change))  # the commit lands; the "kill" comes before the promotion
    assert read_version(store).version == previous.version
    assert check(store).returncode == 0  # check settles it, then finds the counts right
    assert read_version(store).version == previous.version + 1
    assert not (store / PENDING_FILE).exists()
    with open_store(store) as handle:  # and a record whose commit never landed is dropped
        write_pending(handle, StoreVersion(version=99, store_id=previous.store_id))
    assert check(store).returncode == 0
    assert read_version(store).version == previous.version + 1


def test_check_finds_counts_that_do_not_match(tmp_path: Path) -> None:
    """A quad written behind the record's back: exit 1, naming the graph."""
    store = tmp_path / "store"
    seed_store(store)
    with open_store(store) as handle:
        handle.store.add(
            ox.Quad(
                ox.NamedNode("http://e/s"),
                ox.NamedNode("http://e/p"),
                ox.NamedNode("http://e/o"),
                ox.NamedNode("http://e/g"),
            )
        )
    result = check(store)
    assert result.returncode == 1
    assert "http://e/g" in result.stdout
    assert check(tmp_path / "nowhere").returncode == 2


def test_backup_and_restore_round_trip_while_serving_and_not(tmp_path: Path) -> None:
    """Back up through the server, write more, restore through the server.

    The restored store has the backup's content, at a new version.
    """
    store = tmp_path / "store"
    seed_store(store)
    served = TreatyKGServe(store, "--update-token", TOKEN)
    try:
        assert served.update(write_text(1), TOKEN).status == 204
        backup = tmp_path / "backup"
        run = subprocess.run(
            [TREATYKG, "backup", str(backup), "--store", str(store), "--token", TOKEN],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert run.returncode == 0, run.stderr
        assert served.update(write_text(2), TOKEN).status == 204
        before = read_version(store).version
        run = subprocess.run(
            [TREATYKG, "restore", str(backup), "--store", str(store), "--token", TOKEN],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert run.returncode == 0, run.stderr
        ask = "ASK { GRAPH <http://e/a> { <http://e/w2> ?p ?o } }"
        reply = served.update("INSERT DATA { <http://e/after> <http://e/p> 1 }", TOKEN)
        assert reply.status == 204
        from urllib.parse import quote

        answer = http_request(
            served.url, "GET", f"/sparql?query={quote(ask)}", headers={"Accept": "application/json"}
        )
        assert json.loads(answer.body)["boolean"] is False
        assert check(store).returncode == 0  # through the server
    finally:
        served.kill()
    assert read_version(store).version > before
    assert check(store).returncode == 0  # directly
    second = tmp_path / "backup2"
    run = subprocess.run(
        [TREATYKG, "backup", str(second), "--store", str(store)], capture_output=True, text=True
    )
    assert run.returncode == 0, run.stderr
    assert (second / "version.json").exists()


def test_sigterm_finishes_the_write_in_progress(tmp_path: Path) -> None:
    """SIGTERM while a write is being checked: it is answered 204 and is in the store; the server exits 0."""
    store = tmp_path / "store"
    seed_store(store)
    with open_store(store) as handle:  # enough data that a write's check takes a moment
        handle.store.update(
            "INSERT DATA { "
            + " ".join(f"<http://e/s{i}> <http://e/p> <http://e/s{i + 1}> ." for i in range(2000))
            + " }"
        )
        record_commit(handle)
    served = TreatyKGServe(store, "--update-token", TOKEN)
    replies = []
    thread = threading.Thread(
        target=lambda: replies.append(
            served.update("INSERT { ?s <http://e/seen> true } WHERE { ?s <http://e/p> ?o }", TOKEN)
        )
    )
    thread.start()
    time.sleep(0.3)
    served.process.terminate()
    thread.join(timeout=60)
    assert served.process.wait(timeout=60) == 0
    assert replies
    assert replies[0].status == 204
    with open_store(store) as handle:
        assert (
            len(list(handle.store.quads_for_pattern(None, ox.NamedNode("http://e/seen"), None, None))) == 2001
        )  # with the seed

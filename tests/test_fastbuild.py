"""`treatykg build --engine fast`: the same store as the reference engine, and a database swap that a kill
can't tear. (Both engines also run every case of tests/test_build_cli.py.)"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyoxigraph as ox
import pytest
from pipeline_support import FIXTURES, canonical, run, store_quads, store_state

from treatykg.cli.build import AUTO_FAST_BYTES, choose_engine
from treatykg.core import resources
from treatykg.core.iris import INFERRED_GRAPH, SYNTHETIC_BASE
from treatykg.graph.store.embedded import (
    DATABASE_DIR,
    NEXT_DIR,
    NEXT_VERSION_FILE,
    OLD_DIR,
    VERSION_FILE,
    graph_quads,
    open_store,
    read_version,
)
from treatykg.graph.synthetic.generate import Generator, write_ntriples
from treatykg.server.harness import OxigraphServe

pytestmark = pytest.mark.slow

TREATYKG = Path(sys.executable).with_name("treatykg")  # the installed console script
TINY = FIXTURES / "tiny-article.ttl"


def export(capsys, store: Path, out: Path) -> dict[str, bytes]:
    """The canonical N-Quads dumps `treatykg export` writes for a store (VoID aside: it names the engine)."""
    assert run(capsys, "export", "--format", "nq", "--store", store, "--out", out).code == 0
    return {name: (out / name).read_bytes() for name in ("dataset.nq", "inferred.nq", "asserted.nq")}


def test_both_engines_build_byte_identical_stores_from_the_article(capsys, tmp_path):
    for engine in ("reference", "fast"):
        result = run(capsys, "build", "--engine", engine, "--store", tmp_path / engine)
        assert result.code == 0, result.err
        assert f"({engine} engine)" in result.out
    reference, fast = (export(capsys, tmp_path / e, tmp_path / f"{e}-out") for e in ("reference", "fast"))
    assert fast == reference
    assert b"<https://w3id.org/treatykg/graph/inferred> .\n" in fast["dataset.nq"]


def test_the_new_database_is_written_in_chunks_to_the_same_bytes(capsys, tmp_path, monkeypatch):
    assert run(capsys, "build", "--engine", "fast", "--store", tmp_path / "whole").code == 0
    monkeypatch.setattr("treatykg.graph.build.fast.WRITE_CHUNK", 7)  # the article's ~1,000 quads: many chunks
    chunks = []
    bulk_extend = ox.Store.bulk_extend

    def counted(database: ox.Store, quads) -> None:
        if (tmp_path / "chunked" / NEXT_DIR).exists():
            quads = list(quads)
            chunks.append(len(quads))
        bulk_extend(database, quads)

    monkeypatch.setattr(ox.Store, "bulk_extend", counted)
    assert run(capsys, "build", "--engine", "fast", "--store", tmp_path / "chunked").code == 0
    monkeypatch.undo()
    assert max(chunks) == 7
    assert len(chunks) > 100
    assert sum(chunks) == len(store_quads(tmp_path / "chunked"))
    whole, chunked = (
        export(capsys, tmp_path / name, tmp_path / f"{name}-out") for name in ("whole", "chunked")
    )
    assert chunked == whole


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory) -> Path:
    """2,000 generated triples (their own IRI base) as an N-Triples file."""
    path = tmp_path_factory.mktemp("synthetic") / "synthetic.nt"
    with path.open("wb") as stream:
        write_ntriples(stream, Generator(3).lines(2000))
    return path


def test_both_engines_build_byte_identical_stores_from_generated_data(capsys, tmp_path, synthetic):
    for engine in ("reference", "fast"):
        argv = ["build", "--engine", engine, "--store", tmp_path / engine, "--data", synthetic]
        result = run(capsys, *argv, "--base", SYNTHETIC_BASE)
        assert result.code == 0, result.err
    reference, fast = (export(capsys, tmp_path / e, tmp_path / f"{e}-out") for e in ("reference", "fast"))
    assert fast == reference
    assert len(fast["inferred.nq"].splitlines()) > 1000


def test_generated_data_fails_under_the_wrong_base_and_a_bad_base_is_refused(capsys, tmp_path, synthetic):
    result = run(capsys, "build", "--engine", "fast", "--store", tmp_path, "--data", synthetic)
    assert result.code == 1
    assert result.err.startswith("does not conform: ")
    assert re.search(
        r"source/article-\d{6}/span/\d+-\d+>: A source, text span or reference must be an IRI under the "
        r"project's source/ space\.",
        result.err,
    )
    with pytest.raises(SystemExit) as exit_info:
        run(capsys, "build", "--store", tmp_path, "--base", "ftp://example.org/kg")
    assert exit_info.value.code == 2
    assert (
        "argument --base: IRI base must be an absolute http(s) IRI ending in '/'" in capsys.readouterr().err
    )


def test_auto_takes_the_fast_engine_above_the_size_threshold(tmp_path):
    small, large = tmp_path / "small.nt", tmp_path / "large.nt"
    small.write_bytes(b"\n")
    with large.open("wb") as stream:
        stream.truncate(AUTO_FAST_BYTES + 1)  # sparse: only its size is read
    assert choose_engine("auto", [small]) == "reference"
    assert choose_engine("auto", [large]) == "fast"
    assert choose_engine("auto", [small, tmp_path / "missing.nt"]) == "reference"
    assert choose_engine("auto", None) == "reference"  # the packaged article
    assert choose_engine("reference", [large]) == "reference"


def test_an_ontology_beyond_the_fast_rules_is_refused_with_advice(capsys, tmp_path):
    ontology = tmp_path / "ontology.ttl"
    ontology.write_text(
        resources.ontology_file().read_text(encoding="utf-8")
        + "\n<http://example.org/C> <http://www.w3.org/2002/07/owl#unionOf> () .\n"
    )
    result = run(capsys, "build", "--engine", "fast", "--store", tmp_path / "store", "--ontology", ontology)
    assert (result.code, result.err) == (
        2,
        f"{ontology}: the fast reasoner does not implement the OWL 2 RL rules for: "
        "http://www.w3.org/2002/07/owl#unionOf; build with --engine reference\n",
    )


def test_a_syntax_error_names_file_and_line(capsys, tmp_path):
    bad = tmp_path / "bad.nt"
    bad.write_text('<http://example.org/a> <http://example.org/p> "x" .\n<http://example.org/a> <oops .\n')
    result = run(capsys, "build", "--engine", "fast", "--store", tmp_path / "store", "--data", bad)
    assert result.code == 2
    assert result.err.startswith(f"{bad}:2: syntax error ")
    assert not (tmp_path / "store" / DATABASE_DIR).exists() or store_quads(tmp_path / "store") == []


# -- the database swap -----------------------------------------------------------------------------------


def two_builds(capsys, tmp_path) -> tuple[Path, tuple, tuple]:
    """A store at its first build (TINY), and the two states a second build (the article) can leave."""
    store = tmp_path / "store"
    assert run(capsys, "build", "--engine", "fast", "--store", store, "--data", TINY).code == 0
    old = store_state(store)
    after = tmp_path / "after"
    assert run(capsys, "build", "--engine", "fast", "--store", after, "--data", TINY).code == 0
    assert run(capsys, "build", "--engine", "fast", "--store", after).code == 0
    return store, old, quads_and_counter(after)


def quads_and_counter(store: Path) -> tuple[int, str]:
    """The version counter and the canonical quads: what a torn build would make disagree."""
    return read_version(store).version, store_state(store)[1]


def only_the_database_and_records(store: Path) -> bool:
    """No swap leftovers."""
    return sorted(p.name for p in store.iterdir()) == [DATABASE_DIR, "treatykg.pid", VERSION_FILE]


@pytest.mark.parametrize("crash_point", ["recording", "filled", "renamed-away", "renamed-in", "recorded"])
def test_a_swap_stopped_at_any_step_is_settled_at_the_next_open(capsys, tmp_path, crash_point):
    """Recreate what a kill leaves at each step of store.replace_database, then open the store."""
    store, old, new = two_builds(capsys, tmp_path)
    staged = tmp_path / "after"
    (staged / DATABASE_DIR).rename(store / NEXT_DIR)
    if crash_point == "recording":  # killed while writing the new version record, before its rename
        (staged / VERSION_FILE).rename(store / f".{NEXT_VERSION_FILE}.999.tmp")
    else:
        (staged / VERSION_FILE).rename(store / NEXT_VERSION_FILE)
    if crash_point not in ("recording", "filled"):  # past the commit point: the old database is renamed away
        (store / DATABASE_DIR).rename(store / OLD_DIR)
    if crash_point in ("renamed-in", "recorded"):
        (store / NEXT_DIR).rename(store / DATABASE_DIR)
    if crash_point == "recorded":
        (store / NEXT_VERSION_FILE).rename(store / VERSION_FILE)
    open_store(store).close()
    assert only_the_database_and_records(store)
    if crash_point in ("recording", "filled"):
        assert store_state(store) == old
    else:
        assert quads_and_counter(store) == new


def test_kill_9_during_a_fast_build_leaves_the_old_store_or_the_new_one(capsys, tmp_path):
    store, old, new = two_builds(capsys, tmp_path)
    version = read_version(store).version
    started = time.perf_counter()
    subprocess.run([TREATYKG, "build", "--engine", "fast", "--store", tmp_path / "timing"], check=True)
    duration = time.perf_counter() - started
    outcomes = []
    # Kills from mid-start-up to well past the end: the early ones find the old store, the late ones the new.
    for kill in range(16):
        process = subprocess.Popen(
            [TREATYKG, "build", "--engine", "fast", "--store", store], stdout=subprocess.DEVNULL
        )
        time.sleep(duration * (0.3 + 0.1 * kill))
        os.kill(process.pid, signal.SIGKILL)
        process.wait()
        open_store(store).close()
        assert only_the_database_and_records(store), sorted(p.name for p in store.iterdir())
        state = quads_and_counter(store)
        assert state in ((version, old[1]), (version + 1, new[1])), (kill, state[0], version)
        outcomes.append("old" if state[1] == old[1] else "new")
        if outcomes[-1] == "new":  # back to the old content for the next kill
            assert run(capsys, "build", "--engine", "fast", "--store", store, "--data", TINY).code == 0
            version += 2
        if {"old", "new"} <= set(outcomes) and kill >= 7:
            break
    assert {"old", "new"} <= set(outcomes), outcomes


def test_a_failed_fill_leaves_no_trace(capsys, tmp_path, monkeypatch):
    store = tmp_path / "store"
    assert run(capsys, "build", "--engine", "fast", "--store", store, "--data", TINY).code == 0
    before = store_state(store)

    bulk_extend = ox.Store.bulk_extend

    def full_disk(database: ox.Store, quads) -> None:
        if (store / NEXT_DIR).exists():  # the write into the new database, not the build's own loading
            raise OSError(28, "No space left on device")
        bulk_extend(database, quads)

    monkeypatch.setattr(ox.Store, "bulk_extend", full_disk)
    result = run(capsys, "build", "--engine", "fast", "--store", store)
    monkeypatch.undo()
    assert (result.code, result.err) == (
        2,
        f"{store}: the store was left unchanged: [Errno 28] No space left on device\n",
    )
    assert only_the_database_and_records(store)
    assert store_state(store) == before


# -- a remote store ----------------------------------------------------------------------------------------


def test_the_fast_engine_pushes_the_same_quads_to_a_remote_store(capsys, tmp_path):
    assert run(capsys, "build", "--engine", "reference", "--store", tmp_path / "reference").code == 0
    with OxigraphServe(tmp_path / "remote") as server:
        result = run(capsys, "build", "--engine", "fast", "--store", server.store)
        assert result.code == 0, result.err
        assert canonical(server.quads()) == canonical(store_quads(tmp_path / "reference"))
        assert any(q.graph_name == ox.NamedNode(INFERRED_GRAPH) for q in server.quads())


# -- treatykg add -------------------------------------------------------------------------------------------


@pytest.fixture
def synthetic_store(capsys, tmp_path, synthetic) -> Path:
    """The 2,000 generated triples built by the fast engine."""
    store = tmp_path / "store"
    argv = ["build", "--engine", "fast", "--store", store, "--data", synthetic, "--base", SYNTHETIC_BASE]
    assert run(capsys, *argv).code == 0
    return store


def next_article(tmp_path: Path) -> Path:
    """The ~200-triple article the generator makes after the 2,000 triples."""
    generator, path = Generator(3), tmp_path / "next-article.nt"
    for _ in generator.lines(2000):  # the next article builds on the world those lines created
        pass
    with path.open("wb") as stream:
        write_ntriples(stream, generator.article(budget=200))
    return path


def test_add_gives_the_store_a_rebuild_with_the_file_would_give(capsys, tmp_path, synthetic, synthetic_store):
    article = next_article(tmp_path)
    result = run(capsys, "add", article, "--store", synthetic_store, "--base", SYNTHETIC_BASE)
    assert result.code == 0, result.err
    graph = "https://w3id.org/treatykg/graph/next-article"  # its source is not under w3id.org: the stem
    assert result.out.startswith(f"added {article} to {graph} in {synthetic_store}: version 2 (")
    rebuilt = tmp_path / "rebuilt"
    argv = ["build", "--engine", "fast", "--store", rebuilt, "--data", synthetic, article]
    assert run(capsys, *argv, "--base", SYNTHETIC_BASE).code == 0
    added, expected = (export(capsys, s, tmp_path / f"{s.name}-out") for s in (synthetic_store, rebuilt))
    assert added == expected
    assert graph not in read_version(synthetic_store).build_graphs  # kept by later builds, like HTTP writes
    with open_store(synthetic_store) as handle:  # only two graphs were recounted: the record must be exact
        recorded = handle.version()
        assert (recorded.graph_quads, recorded.default_graph_quads) == graph_quads(handle.store)


def test_add_refuses_what_it_cannot_do_incrementally_and_changes_nothing(capsys, tmp_path, synthetic_store):
    before = store_state(synthetic_store)
    schema = tmp_path / "schema.ttl"
    schema.write_text(
        "<http://example.org/Cat> <http://www.w3.org/2000/01/rdf-schema#subClassOf> "
        "<https://w3id.org/treatykg/ontology#Agent> .\n"
    )
    bad = tmp_path / "bad.ttl"
    bad.write_text(f"<{SYNTHETIC_BASE}source/x> a <https://w3id.org/treatykg/ontology#NewsArticle> .\n")
    cases = [
        (schema, 2, f"{schema}: the added triples change the schema; rebuild instead of reasoning the delta"),
        (FIXTURES / "quads.trig", 2, f"{FIXTURES / 'quads.trig'}: add takes one graph;"),
        (bad, 1, "does not conform: "),
    ]
    for path, code, first_line in cases:
        result = run(capsys, "add", path, "--store", synthetic_store, "--base", SYNTHETIC_BASE)
        assert (result.code, result.err.splitlines()[0][: len(first_line)]) == (code, first_line)
    owned = run(capsys, "add", TINY, "--store", synthetic_store, "--graph", INFERRED_GRAPH)
    assert (owned.code, owned.err) == (
        2,
        f"{TINY}: the graph {INFERRED_GRAPH} is the build's; add the file to a build instead\n",
    )
    assert store_state(synthetic_store) == before


def test_add_needs_an_embedded_store(capsys, tmp_path):
    result = run(capsys, "add", TINY, "--store", "sparql+http://127.0.0.1:9/")
    assert (result.code, result.err) == (
        2,
        "sparql+http://127.0.0.1:9/: add works on an embedded store; PUT the file to the remote store\n",
    )

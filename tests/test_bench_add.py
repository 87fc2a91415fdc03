"""bench/add.py's sheet at a tiny size: derived from the generator's world, it names its most-connected
entities, compiles under the synthetic base and is added to (and removed from) a generated store."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest
from pipeline_support import run

from treatykg.core.iris import SYNTHETIC_BASE
from treatykg.graph.sources.entities import load_entities
from treatykg.graph.sources.errors import SheetInvalid

pytestmark = pytest.mark.slow  # builds a store

BENCH = Path(__file__).resolve().parents[1] / "bench" / "add.py"


def bench_module():
    """bench/add.py as a module (bench/ is a folder of scripts, on sys.path for its own imports)."""
    sys.path.insert(0, str(BENCH.parent))
    spec = importlib.util.spec_from_file_location("bench_add", BENCH)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_sheet_names_the_generators_entities_and_adds_under_its_base(capsys, tmp_path):
    bench = bench_module()
    data, generator = bench.generate(10_000, 1, tmp_path)  # enough articles to name two alliances
    ranked = bench.most_connected(data, generator)
    assert [len(entries) for entries in ranked.values()] == [5, 2, 4]
    counts = [count for entries in ranked.values() for _, _, count in entries]
    assert all(count > 0 for count in counts)
    entity_sheet, sheet = bench.write_sheet(tmp_path, ranked)
    store = tmp_path / "store"
    base = ("--base", SYNTHETIC_BASE, "--store", store)
    assert run(capsys, "build", "--engine", "fast", "--data", data, *base).code == 0
    result = run(capsys, "add", sheet, "--entities", entity_sheet, "--curator", "bench", *base)
    assert result.code == 0, result.err
    mints = [line.split()[2] for line in result.out.splitlines() if line.startswith("mint ")]
    # 30 acts and the 7 declarations' propositions, every one under the synthetic base.
    assert len(mints) == 37
    assert all(iri.startswith(SYNTHETIC_BASE + "id/") for iri in mints)
    assert run(capsys, "source", "remove", bench.SLUG, *base).code == 0


def test_an_entity_sheet_must_be_under_the_base(tmp_path):
    with pytest.raises(SheetInvalid) as caught:
        load_entities(base=SYNTHETIC_BASE)
    russia = "https://w3id.org/treatykg/id/state/russia"
    assert f"IRI {russia} is not under {SYNTHETIC_BASE}id/" in str(caught.value)

"""docs/curating.md runs as written: each `sh` block in order, each `text` block its block's output."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # runs commands or a server end to end: seconds each

DOC = Path(__file__).resolve().parents[1] / "docs" / "curating.md"
BLOCK = re.compile(r"^```(sh|text)\n(.*?)^```$", re.MULTILINE | re.DOTALL)


def steps() -> list[tuple[str, str | None]]:
    """(commands, expected output or None) for every `sh` block of the page."""
    found: list[tuple[str, str | None]] = []
    for kind, body in BLOCK.findall(DOC.read_text(encoding="utf-8")):
        if kind == "sh":
            found.append((body, None))
        else:
            assert found, "a text block follows an sh block"
            assert found[-1][1] is None, "one text block per sh block"
            found[-1] = (found[-1][0], body)
    return found


def test_the_walk_through_runs_as_written(tmp_path):
    assert len(steps()) == 9
    # The venv's `treatykg` first on PATH, as a curator's shell has it.
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    for commands, expected in steps():
        done = subprocess.run(
            ["bash", "-e", "-c", commands], cwd=tmp_path, env=env, capture_output=True, text=True, check=False
        )
        assert done.returncode == 0, (commands, done.stderr)
        if expected is not None:
            assert done.stdout == expected, commands
    assert (tmp_path / "nato-cfe-statement.ttl").read_text(encoding="utf-8").count("tkg:Account") == 2

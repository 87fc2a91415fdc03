"""The package type-checks: mypy, pinned in the test extra, over all of `treatykg` with pyproject's config."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# pyproject maps these folders into the namespace (package-dir); mypy only sees a package as a folder tree.
MAPPED = {"graph": "graph", "server": "server", "ontology": "ontology", "queries": "queries"}


def shadow_package(tmp_path: Path) -> Path:
    """A tree of symlinks laid out as the installed package: treatykg/ with graph/, server/, … inside."""
    package = tmp_path / "treatykg"
    package.mkdir()
    for entry in (ROOT / "treatykg").iterdir():
        if entry.name != "__pycache__":
            (package / entry.name).symlink_to(entry)
    for name, folder in MAPPED.items():
        (package / name).symlink_to(ROOT / folder)
    return tmp_path


def test_mypy_finds_no_error(tmp_path: Path) -> None:
    tree = shadow_package(tmp_path)
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--config-file",
            str(ROOT / "pyproject.toml"),
            "--cache-dir",
            str(tmp_path / ".mypy_cache"),
            "-p",
            "treatykg",
        ],
        cwd=tree,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr

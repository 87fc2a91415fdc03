"""The house: the import contract holds, no module imports another's private names, no import cycle."""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path

SOURCE_ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = SOURCE_ROOT / "pyproject.toml"


def package_folders() -> dict[str, Path]:
    """Each package of pyproject.toml's package-dir that holds Python, by name: its source folder."""
    mapping = tomllib.loads(PYPROJECT.read_text())["tool"]["setuptools"]["package-dir"]
    folders = {name: SOURCE_ROOT / folder for name, folder in mapping.items()}
    return {name: folder for name, folder in folders.items() if any(folder.rglob("*.py"))}


def modules() -> dict[str, Path]:
    """Every module of the package, by dotted name (a package by its __init__.py)."""
    found = {}
    for package, folder in package_folders().items():
        for path in sorted(folder.rglob("*.py")):
            parts = path.relative_to(folder).with_suffix("").parts
            if parts[-1] == "__init__":
                parts = parts[:-1]
            found[".".join((package, *parts))] = path
    return found


def imported_from(module: str, path: Path, node: ast.ImportFrom) -> str:
    """The absolute name of the module a `from … import` reads from."""
    if not node.level:
        return node.module or ""
    package = module.split(".")
    if path.name != "__init__.py":
        package = package[:-1]
    base = package[: len(package) - node.level + 1]
    return ".".join([*base, *([node.module] if node.module else [])])


def imports(module: str, path: Path, known: dict[str, Path]) -> Iterator[tuple[str, str, int]]:
    """(imported module, name or "", line) for every import anywhere in the module, function bodies too."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, "", node.lineno
        elif isinstance(node, ast.ImportFrom):
            source = imported_from(module, path, node)
            for alias in node.names:
                # `from package import module` imports the module; `from module import name`, the module.
                submodule = f"{source}.{alias.name}"
                yield (
                    (submodule, "", node.lineno) if submodule in known else (source, alias.name, node.lineno)
                )


def import_graph() -> dict[str, dict[str, int]]:
    """Module -> the project modules it imports (module-level and lazy), with the line of the first."""
    known = modules()
    graph: dict[str, dict[str, int]] = {}
    for module, path in known.items():
        edges = graph.setdefault(module, {})
        for target, _, line in imports(module, path, known):
            if target in known and target != module:
                edges.setdefault(target, line)
    return graph


def cycles(graph: dict[str, dict[str, int]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan's algorithm, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found = []
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, successors = work[-1]
            for successor in successors:
                if successor not in index:
                    index[successor] = low[successor] = len(index)
                    stack.append(successor)
                    on_stack.add(successor)
                    work.append((successor, iter(sorted(graph.get(successor, {})))))
                    break
                if successor in on_stack:
                    low[node] = min(low[node], index[successor])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    if len(component) > 1:
                        found.append(sorted(component))
    return found


def test_the_import_contract_holds(tmp_path: Path) -> None:
    # import-linter reads the package from its folder; an editable install maps graph/ and server/ into
    # treatykg from beside it, so the contract runs on a copy laid out as the wheel lays it out.
    staged = tmp_path / "site"
    for package, folder in package_folders().items():
        target = staged.joinpath(*package.split("."))
        for path in folder.rglob("*.py"):
            destination = target / path.relative_to(folder)
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, destination)
    lint_imports = shutil.which("lint-imports", path=str(Path(sys.executable).parent)) or "lint-imports"
    result = subprocess.run(
        [lint_imports, "--no-cache", str(PYPROJECT)],
        cwd=staged,
        env={**os.environ, "PYTHONPATH": str(staged)},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_no_module_imports_another_modules_private_names() -> None:
    known = modules()
    offences = []
    for module, path in known.items():
        aliases: dict[str, str] = {}  # local name -> project module it is bound to
        for target, name, line in imports(module, path, known):
            if name.startswith("_") and not name.startswith("__") and target.startswith("treatykg"):
                offences.append(f"{module}:{line} imports {target}.{name}")
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom | ast.Import):
                for alias in node.names:
                    source = imported_from(module, path, node) if isinstance(node, ast.ImportFrom) else ""
                    full = f"{source}.{alias.name}" if source else alias.name
                    if full in known and (alias.asname or "." not in alias.name):
                        aliases[alias.asname or alias.name] = full
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and node.value.id in aliases
                and node.attr.startswith("_")
                and not node.attr.startswith("__")
            ):
                offences.append(f"{module}:{node.lineno} reads {aliases[node.value.id]}.{node.attr}")
    assert offences == []


def test_no_import_cycle_between_modules_not_even_a_lazy_one() -> None:
    graph = import_graph()
    assert len(graph) > 50  # the walk found the package
    report = [
        [f"{a} -> {b} (line {graph[a][b]})" for a in component for b in sorted(graph[a]) if b in component]
        for component in cycles(graph)
    ]
    assert report == []


def test_the_cycle_finder_finds_a_cycle_and_the_walk_sees_lazy_imports(tmp_path: Path) -> None:
    assert cycles({"a": {"b": 1}, "b": {"c": 1}, "c": {"a": 9}, "d": {"a": 1}}) == [["a", "b", "c"]]
    lazy = tmp_path / "lazy.py"
    lazy.write_text("def f():\n    from treatykg.core import iris\n    from treatykg.core.iris import _x\n")
    known = {"treatykg.core.iris": lazy}
    assert list(imports("treatykg.lazy", lazy, known)) == [
        ("treatykg.core.iris", "", 2),
        ("treatykg.core.iris", "_x", 3),
    ]

"""Check ontologies as Protégé would, offline: the OWL API (Debian's libowlapi-java), HermiT (owlready2)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
import zipfile
from collections.abc import Iterable, Sequence
from pathlib import Path

from rdflib import OWL

from treatykg.core.resources import CATALOG_NAME
from treatykg.graph.rdf.imports import load_with_imports

OWLAPI_PACKAGE = "libowlapi-java"
JAVA_LIBRARY_DIR = "/usr/share/java"
SOURCE = Path(__file__).parent / "owlapi" / "OwlTool.java"
# Debian ships every SLF4J binding side by side; more than one on a classpath makes SLF4J pick one at random
# (and slf4j-jcl with jcl-over-slf4j loops), so keep exactly one: the simple logger, which writes to stderr.
SLF4J_BINDER = "org/slf4j/impl/StaticLoggerBinder.class"
SLF4J_BINDING = "slf4j-simple.jar"
INSTALL_HINT = "apt-get install default-jdk-headless libowlapi-java (see .ci/run)"

_compiled: Path | None = None


class HarnessError(RuntimeError):
    """The OWL API tool could not be built or could not load its input."""


def owlapi_classpath(package: str = OWLAPI_PACKAGE) -> list[str]:
    """The jars of `package` and of every Java library package it depends on, transitively, from dpkg."""
    # Debian's OWL API jars carry no Class-Path manifest, and globbing /usr/share/java would pull in whatever
    # else a machine has; the package's own dependency closure is exactly what apt installs on a fresh one.
    installed = _installed_java_packages()
    if package not in installed:
        raise HarnessError(f"{package} is not installed: {INSTALL_HINT}")
    closure, pending = [], [package]
    while pending:
        name = pending.pop(0)
        if name in closure:
            continue
        closure.append(name)
        pending.extend(installed[name])
    return _jars_of(closure)


def _installed_java_packages() -> dict[str, list[str]]:
    """Each installed `*-java` package -> the installed `*-java` packages its Depends resolve to."""
    listing = subprocess.run(
        ["dpkg-query", "-W", "-f", "${Package}\t${db:Status-Abbrev}\t${Depends}\t${Provides}\n"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    depends: dict[str, list[list[str]]] = {}
    providers: dict[str, str] = {}
    for row in listing.splitlines():
        name, status, depends_field, provides_field = row.split("\t")
        if status.startswith("ii") and name.endswith("-java"):
            groups = [group for group in depends_field.split(",") if group.strip()]
            depends[name] = [_package_names(group, "|") for group in groups]
            for virtual in _package_names(provides_field, ","):
                providers.setdefault(virtual, name)
    # A dependency is the first alternative that is installed, directly or as a virtual package, as apt chose.
    return {
        name: [resolved for group in groups if (resolved := _first_installed(group, depends, providers))]
        for name, groups in depends.items()
    }


def _first_installed(alternatives: list[str], installed: dict, providers: dict[str, str]) -> str | None:
    """The first alternative that is an installed package, or the installed package providing it."""
    for alternative in alternatives:
        if alternative in installed:
            return alternative
        if alternative in providers:
            return providers[alternative]
    return None


def _package_names(field: str, separator: str) -> list[str]:
    """Package names from a Depends/Provides field part, without version constraints or :arch."""
    return [item.split()[0].split(":")[0] for item in field.split(separator) if item.strip()]


def _jars_of(packages: Sequence[str]) -> list[str]:
    """The jars the packages install directly in /usr/share/java, each real file once, one SLF4J binding."""
    files = subprocess.run(["dpkg-query", "-L", *packages], check=True, capture_output=True, text=True).stdout
    jars, seen = [], set()
    for line in files.splitlines():
        jar = Path(line)
        if str(jar.parent) != JAVA_LIBRARY_DIR or jar.suffix != ".jar" or not jar.exists():
            continue
        real = jar.resolve()
        if real not in seen and (jar.name == SLF4J_BINDING or not _is_slf4j_binding(jar)):
            seen.add(real)
            jars.append(str(jar))
    return jars


def _is_slf4j_binding(jar: Path) -> bool:
    """Whether the jar binds SLF4J to a logger; libslf4j-java and maven ship several, which clash."""
    with zipfile.ZipFile(jar) as archive:
        return SLF4J_BINDER in archive.namelist()


def compile_owltool(build_dir: Path) -> Path:
    """Compile OwlTool.java into `build_dir` and make it the tool the check functions run."""
    global _compiled
    if shutil.which("javac") is None:
        raise HarnessError(f"javac not found: {INSTALL_HINT}")
    classpath = os.pathsep.join(owlapi_classpath())
    result = subprocess.run(
        ["javac", "-nowarn", "-cp", classpath, "-d", str(build_dir), str(SOURCE)],
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        raise HarnessError(f"javac failed:\n{result.stderr}")
    (build_dir / "classpath").write_text(os.pathsep.join([str(build_dir), classpath]))
    _compiled = build_dir
    return build_dir


def run_owltool(*args: str) -> subprocess.CompletedProcess[str]:
    """Run OwlTool with the arguments, compiling it first if this process has not."""
    if _compiled is None:
        compile_owltool(Path(tempfile.mkdtemp(prefix="treatykg-owltool-")))
    assert _compiled is not None
    classpath = (_compiled / "classpath").read_text()
    # Headless and bounded: the machine has 2 cores, and the OWL API never needs a display.
    command = ["java", "-Djava.awt.headless=true", "-Xmx1g", "-cp", classpath, "OwlTool", *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=600)


def owlapi_check(path: str | os.PathLike[str], catalog_dirs: Iterable[str | os.PathLike[str]] = ()) -> dict:
    """Load a file in the OWL API and report its IRI, unparsed triples, missing imports and DL violations."""
    result = run_owltool("check", str(path), *map(str, catalog_dirs))
    try:
        report = json.loads(result.stdout)
    except json.JSONDecodeError:
        report = {}
    if result.returncode not in (0, 1) or "error" in report or not report:
        raise HarnessError(f"OWL API could not load {path}:\n{result.stdout}{result.stderr}")
    report["clean"] = result.returncode == 0
    return report


def owlapi_save(
    path: str | os.PathLike[str],
    out: str | os.PathLike[str],
    syntax: str,
    catalog_dirs: Iterable[str | os.PathLike[str]] = (),
) -> None:
    """Write the ontology at `path` to `out` in `syntax` (rdfxml or turtle) as the OWL API saves it."""
    result = run_owltool("save", str(path), str(out), syntax, *map(str, catalog_dirs))
    if result.returncode != 0:
        raise HarnessError(f"OWL API could not save {path}:\n{result.stdout}{result.stderr}")


def dl_consistent(path: str | os.PathLike[str], catalog_dirs: Iterable[str | os.PathLike[str]] = ()) -> bool:
    """Whether HermiT finds the file and its imports closure (resolved via the catalogs) consistent."""
    import owlready2

    graph = load_with_imports(path, [Path(directory) / CATALOG_NAME for directory in catalog_dirs])
    # The closure is merged already; owlready2 would otherwise try to fetch each import from the web.
    graph.remove((None, OWL.imports, None))
    with tempfile.TemporaryDirectory(prefix="treatykg-hermit-") as scratch:
        closure = Path(scratch) / "closure.nt"
        graph.serialize(closure, format="nt", encoding="utf-8")
        world = owlready2.World()
        with closure.open("rb") as stream:
            world.get_ontology("http://treatykg.invalid/dl-check").load(fileobj=stream, format="ntriples")
        try:
            owlready2.sync_reasoner_hermit(world, infer_property_values=False, debug=0)
        except owlready2.OwlReadyInconsistentOntologyError:
            return False
        finally:
            world.close()
    return True

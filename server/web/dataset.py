"""/dataset (the VoID/DCAT description) and /dumps/… (every export format), made once per version."""

from __future__ import annotations

import atexit
import shutil
import tempfile
import threading
from collections import defaultdict
from pathlib import Path

import pyoxigraph as ox
from flask import Blueprint, Response, current_app, request, send_file

from treatykg.core.iris import DATASET, DUMPS
from treatykg.graph.export import dumps as export
from treatykg.server.extensions import get_engine
from treatykg.server.ops import etag, not_modified
from treatykg.server.query.messages import ExportJob
from treatykg.server.query.results import RDF_FORMATS
from treatykg.server.web import entity, lookup, represent, vocab
from treatykg.server.web import pages as web

bp = Blueprint("dataset", __name__)

_lock = threading.Lock()
MEDIA_BY_SUFFIX = {f".{f.extension}": f.media_type for f in export.FORMATS.values()}
VOID = "http://rdfs.org/ns/void#"
DCAT = "http://www.w3.org/ns/dcat#"
DCTERMS = "http://purl.org/dc/terms/"
PROV = "http://www.w3.org/ns/prov#"
SPDX = "http://spdx.org/rdf/terms#"


def exports() -> Path:
    """The folder of this version's dumps, written by a query worker from its snapshot (graph/export)."""
    tag = get_engine().version.etag
    with _lock:
        made = current_app.extensions.get("treatykg.dumps")
        if made and made[0] == tag and made[1].is_dir():
            return made[1]
        folder = Path(tempfile.mkdtemp(prefix=f"{tag.strip(chr(34))}-", dir=_dumps_root()))
        job = ExportJob(str(folder), tuple(export.FORMATS), get_engine().version.build, DUMPS)
        try:
            lookup.run(job, timeout=current_app.config["EXPORT_TIMEOUT"])
        except lookup.LookupFailed:
            shutil.rmtree(folder, ignore_errors=True)
            raise
        if made:
            shutil.rmtree(made[1], ignore_errors=True)
        current_app.extensions["treatykg.dumps"] = (tag, folder)
        return folder


def _dumps_root() -> Path:
    """This process's folder for dumps (one subfolder per store version), removed when the process exits."""
    root = current_app.extensions.get("treatykg.dumps-root")
    if root is None:
        root = Path(tempfile.mkdtemp(prefix="treatykg-dumps-"))
        atexit.register(shutil.rmtree, root, ignore_errors=True)
        current_app.extensions["treatykg.dumps-root"] = root
    return root


def _description(folder: Path) -> dict:
    """The VoID file read back into what the page shows."""
    values: dict[str, dict[str, list]] = defaultdict(lambda: defaultdict(list))
    for quad in ox.parse(path=str(folder / "void.ttl"), format=ox.RdfFormat.TURTLE):
        values[str(quad.subject)][quad.predicate.value].append(quad.object)
    node = values[f"<{DATASET}>"]
    one = lambda subject, predicate: next((v.value for v in values[subject].get(predicate, [])), None)  # noqa: E731
    ref = lambda term: str(term)  # noqa: E731
    counts = {
        name: one(f"<{DATASET}>", VOID + name)
        for name in ("triples", "entities", "distinctSubjects", "distinctObjects", "classes", "properties")
    }
    graphs = sorted((g.value, one(ref(g), VOID + "triples")) for g in node.get(VOID + "subset", []))
    classes = sorted(
        (
            (one(ref(p), VOID + "class"), int(one(ref(p), VOID + "entities")))  # type: ignore[arg-type]  # the VoID export counts every partition
            for p in node.get(VOID + "classPartition", [])
        ),
        key=lambda item: -item[1],
    )
    properties = sorted(
        (
            (one(ref(p), VOID + "property"), int(one(ref(p), VOID + "triples")))  # type: ignore[arg-type]  # the VoID export counts every partition
            for p in node.get(VOID + "propertyPartition", [])
        ),
        key=lambda item: -item[1],
    )
    downloads = sorted(
        (one(ref(d), DCAT + "downloadURL"), one(ref(d), DCAT + "mediaType"), one(ref(d), DCTERMS + "title"))
        for d in node.get(DCAT + "distribution", [])
    )
    software, inputs = [], []
    for activity in node.get(PROV + "wasGeneratedBy", []):
        software = sorted(
            (
                one(ref(a), "http://www.w3.org/2000/01/rdf-schema#label"),
                one(ref(a), "http://www.w3.org/2002/07/owl#versionInfo"),
            )
            for a in values[ref(activity)].get(PROV + "wasAssociatedWith", [])
        )
        inputs = sorted(
            (
                one(ref(e), DCTERMS + "identifier"),
                one(ref(e), DCTERMS + "type"),
                one(ref(values[ref(e)][SPDX + "checksum"][0]), SPDX + "checksumValue"),
            )
            for e in values[ref(activity)].get(PROV + "used", [])
        )
    return {
        "title": one(f"<{DATASET}>", DCTERMS + "title"),
        "description": one(f"<{DATASET}>", DCTERMS + "description"),
        "license": one(f"<{DATASET}>", DCTERMS + "license"),
        "endpoint": one(f"<{DATASET}>", VOID + "sparqlEndpoint"),
        "counts": counts,
        "graphs": graphs,
        "classes": classes,
        "properties": properties,
        "downloads": downloads,
        "software": software,
        "inputs": inputs,
    }


def _labels(iris: list[str]) -> entity.Labeller:
    """Labels for the classes and properties the description counts."""
    return entity.Labeller(lookup.iris(ox.NamedNode(iri) for iri in iris))


@bp.route("/dataset")
@bp.route("/dataset<any('.html', '.ttl', '.jsonld', '.rdf', '.nt'):suffix>")
def dataset(suffix: str | None = None):
    """The dataset's description, HTML or RDF."""
    suffix_key = represent.SUFFIXES[suffix] if suffix else None
    key = represent.choose(suffix_key)
    document = f"{request.script_root}/dataset"
    tag = etag(f"dataset-{key}")
    if cached := not_modified(tag):
        return cached
    try:
        folder = exports()
        if key == "html":
            described = vocab.per_version("dataset-description", lambda: _description(folder))
            names = _labels([c for c, _ in described["classes"]] + [p for p, _ in described["properties"]])
            response = web.page(
                "dataset.html",
                d=described,
                names=names,
                iri=DATASET,
                document=document,
                alternates=represent.alternates(document),
            )
        else:
            triples = [
                quad.triple for quad in ox.parse(path=str(folder / "void.ttl"), format=ox.RdfFormat.TURTLE)
            ]
            prefixes = dict(web.PREFIXES) if key in ("turtle", "trig") else None
            body = ox.serialize(triples, format=RDF_FORMATS[key], prefixes=prefixes)
            response = Response(
                body,
                content_type=represent.MEDIA[key]
                + ("; charset=utf-8" if key in ("turtle", "ntriples") else ""),
            )
    except lookup.LookupFailed as error:
        return web.error_page(error.status, "The dataset could not be described", str(error))
    response.set_etag(tag)
    return represent.headers(response, document, key, suffix_key is None)


@bp.route("/dumps/<name>")
def dump(name: str):
    """One export file (the dumps' w3id IRIs map here)."""
    try:
        folder = exports()
    except lookup.LookupFailed as error:
        return web.error_page(error.status, "The dump could not be made", str(error))
    files = {path.name: path for path in folder.iterdir() if not path.name.startswith(".")}
    if name not in files:
        return web.error_page(
            404, "Not found", f"There is no dump called {name[:100]}; see the dataset page."
        )
    tag = etag(f"dump-{name}")
    if cached := not_modified(tag):
        return cached
    suffix = Path(name).suffix
    media = (
        "application/ld+json"
        if suffix == ".jsonld"
        else MEDIA_BY_SUFFIX.get(suffix, "application/octet-stream")
    )
    response = send_file(
        files[name],
        mimetype=media + ("; charset=utf-8" if media.startswith("text/") else ""),
        etag=False,
        conditional=False,
    )
    response.set_etag(tag)
    return response

"""The write job a query worker runs: the request's delta, reasoned and validated on a checkpoint.

It runs in a forked child of the read view (server/query/zygote.py), so a pathological WHERE clause or a huge
closure is stopped by the same deadline, CPU and memory limits as a query; the server commits the answer.
The delta is computed on the snapshot (read only); the server made a writable checkpoint of the same version
for this job alone, where the delta is applied, the derived graphs and the inferred graph are brought up to
date and the focus nodes validated (writes/entailment.py). A killed job leaves only that checkpoint, which
the server removes.
"""

from __future__ import annotations

from collections.abc import Iterable

import pyoxigraph as ox
from rdflib import URIRef
from rdflib.term import Node

from treatykg.graph.semantics.shapes import ValidationResult
from treatykg.server.query.messages import (
    GraphStoreWrite,
    Header,
    Rejection,
    ShaclResult,
    WriteAccount,
    WriteJob,
    encode,
)
from treatykg.server.writes import delta as deltas
from treatykg.server.writes import entailment
from treatykg.server.writes.overlay import ox_graph, ox_term


def _nquads(quads: Iterable[tuple[Node, Node, Node, URIRef | None]]) -> str:
    """rdflib quads (graph key last) as N-Quads."""
    converted = [ox.Quad(*(ox_term(t) for t in q[:3]), ox_graph(q[3])) for q in quads]  # type: ignore[call-arg, arg-type]  # a quad of the store: subject, predicate, object are of the right kinds
    data: bytes = ox.serialize(converted, format=ox.RdfFormat.N_QUADS)  # type: ignore[assignment]  # no output given: the bytes
    return data.decode("utf-8")


def shacl_result(result: ValidationResult) -> ShaclResult:
    """A SHACL result as it crosses the process boundary (every term in N-Triples syntax)."""
    return ShaclResult(
        focusNode=result.focus.n3(),
        resultPath=result.path,
        value=None if result.value is None else result.value.n3(),
        sourceConstraintComponent=str(result.component),
        resultSeverity=str(result.severity),
        sourceShape=result.source_shape.n3(),
        resultMessage=result.message,
    )


def _in_store(store: ox.Store, triple: tuple[Node, Node, Node], graph: str) -> bool:
    return ox.Quad(*(ox_term(t) for t in triple), ox.NamedNode(graph)) in store  # type: ignore[call-arg, arg-type]  # a triple of the store: its terms are of the right kinds


def run(store: ox.Store, job: WriteJob) -> tuple[Header, bytes]:
    """Compute, reason and validate the write: 200 with a WriteAccount, 422 with a Rejection, or an error."""
    existed = None
    change = job.change
    try:
        if isinstance(change, GraphStoreWrite):
            quads = list(ox.parse(change.quads.encode("utf-8"), format=ox.RdfFormat.N_QUADS))
            delta, existed = deltas.graph_store_delta(store, change.method, change.target, quads)
        else:
            delta = deltas.update_delta(store, change.update, change.base_iri)
    except deltas.UpdateSyntax as error:
        return Header(400, f"update syntax error: {error}"), b""
    except deltas.UpdateFailed as error:
        return Header(400, f"the update failed and nothing was written: {error}"), b""
    # The inferred graph is the reasoner's: what a client writes there is replaced by what reasoning gives.
    delta.removed = {q for q in delta.removed if q[3] != URIRef(entailment.INFERRED_GRAPH)}
    delta.added = {q for q in delta.added if q[3] != URIRef(entailment.INFERRED_GRAPH)}
    delta.dropped.discard(URIRef(entailment.INFERRED_GRAPH))
    delta.created.discard(URIRef(entailment.INFERRED_GRAPH))
    if len(delta.removed) + len(delta.added) > job.max_quads:
        return Header(
            413,
            f"the write changes {len(delta.removed) + len(delta.added)} quads; "
            f"one validated write may change at most {job.max_quads} (split it, or rebuild from files)",
        ), b""
    try:
        if job.checkpoint is None:
            checked = entailment.check(store, delta, job.base, region_limit=job.region_limit)
        else:
            checked = entailment.check_checkpoint(
                store, ox.Store(job.checkpoint), delta, job.base, job.region_limit
            )
    except entailment.TooLarge as error:
        return Header(413, f"the write is too large to validate: {error}"), b""
    delta.removed |= checked.derived_removed
    delta.added |= checked.derived_added
    inferred = entailment.INFERRED_GRAPH
    if not checked.accepted:
        rejection = Rejection(
            conforms=False,
            inconsistencies=tuple(checked.inconsistencies),
            results=tuple(shacl_result(r) for r in (checked.report.results if checked.report else ())),
        )
        return Header(422, "the write does not conform"), encode(rejection)
    # Exactly the net change to the inferred graph, so the commit record's counts stay exact.
    inferred_removed = {t for t in checked.inferred_removed if _in_store(store, t, inferred)}
    inferred_added = {t for t in checked.inferred_added if not _in_store(store, t, inferred)}
    inferred_added -= {q[:3] for q in delta.added}
    graphs = sorted(
        {str(q[3]) for q in delta.removed | delta.added if q[3] is not None} | {str(g) for g in delta.created}
    )
    account = WriteAccount(
        removed=_nquads(delta.removed),
        added=_nquads(delta.added),
        dropped=tuple(sorted(str(g) for g in delta.dropped)),
        created=tuple(sorted(str(g) for g in delta.created)),
        inferred_removed=_nquads((*t, URIRef(inferred)) for t in inferred_removed),
        inferred_added=_nquads((*t, URIRef(inferred)) for t in inferred_added),
        graphs=tuple(graphs),
        default_changed=any(q[3] is None for q in delta.removed | delta.added),
        existed=existed,
        path=checked.path,
        focus=checked.focus,
        counts=(len(delta.removed), len(delta.added), len(inferred_removed), len(inferred_added)),
    )
    return Header(200, content_type="application/json"), encode(account)

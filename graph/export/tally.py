"""VoID's counts, taken from the sorted statements as they stream past, not by queries over the store."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from itertools import pairwise
from pathlib import Path

from treatykg.core.iris import ID
from treatykg.graph.export.describe import DatasetCounts
from treatykg.graph.export.sorting import DistinctCounter

RDF_TYPE = b"<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
SEP = b"\0"


class Tally:
    """Counts over the union of the graphs, as the VoID queries define them, from `triple NUL graph` records.

    The records come sorted, so a triple's copies in several graphs and a subject's triples are adjacent.
    """

    def __init__(self, folder: Path) -> None:
        self.triples = self.subjects = self.entities = 0
        self.objects = DistinctCounter(folder)
        self.classes: Counter[bytes] = Counter()
        self.properties: Counter[bytes] = Counter()
        self.graphs: Counter[bytes] = Counter()

    def records(self, blocks: Iterable[list[bytes]]) -> Iterator[list[bytes]]:
        """Count each block of records, passing it on."""
        last_triple = last_subject = b""
        entity_prefix = b"<" + ID.encode()
        for block in blocks:
            fields = [record.split(SEP, 2) for record in block]
            self.graphs.update(graph for _triple, graph, _tag in fields if graph[:1] == b"<")
            triples = [last_triple] + [triple for triple, _graph, _tag in fields]
            new = [triple.split(b" ", 2) for before, triple in pairwise(triples) if triple != before]
            last_triple = triples[-1]
            self.triples += len(new)
            self.properties.update(predicate for _subject, predicate, _value in new)
            self.classes.update(value for _s, p, value in new if p == RDF_TYPE and value[:1] == b"<")
            for _subject, _predicate, value in new:
                self.objects.add(value)
            subjects = [last_subject] + [subject for subject, _predicate, _value in new]
            fresh = [subject for before, subject in pairwise(subjects) if subject != before]
            last_subject = subjects[-1]
            self.subjects += len(fresh)
            self.entities += sum(1 for subject in fresh if subject.startswith(entity_prefix))
            yield block

    def counts(self) -> DatasetCounts:
        """What was counted."""
        return DatasetCounts(
            triples=self.triples,
            distinct_subjects=self.subjects,
            distinct_objects=self.objects.count(),
            entities=self.entities,
            classes={_iri(term): count for term, count in sorted(self.classes.items())},
            properties={_iri(term): count for term, count in sorted(self.properties.items())},
            graphs={_iri(term): count for term, count in sorted(self.graphs.items())},
        )


def _iri(term: bytes) -> str:
    """The IRI of `<…>` N-Triples text."""
    return term[1:-1].decode("utf-8")

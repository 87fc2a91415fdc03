"""Synthetic TreatyKG data for benchmarks: invented articles under the synthetic base, deterministic by seed.

for line in generate_lines(10_000, seed=1): ...      # N-Triples lines, streamed article by article
for triple in generate(10_000, seed=1): ...          # the same as pyoxigraph Triples
generator = Generator(seed=1)
generator.lines(10_000); generator.article(budget=200)  # 10k triples, then one more ~200-triple article
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Iterator
from itertools import islice
from typing import BinaryIO

import pyoxigraph as ox

from treatykg.core.iris import ONTOLOGY, SYNTHETIC_BASE
from treatykg.graph.synthetic.article import Article, english, ref
from treatykg.graph.synthetic.stories import Story
from treatykg.graph.synthetic.world import World

# Triples an article writes after its last sentence: the boilerplate row (8) and the source node (5).
_CLOSING = 13


class Generator:
    """A stream of synthetic articles about one invented world; later ones mention earlier ones' entities."""

    def __init__(self, seed: int = 0, base: str = SYNTHETIC_BASE):
        self.seed = seed
        self.base = base
        self.rng = random.Random(seed)  # noqa: S311 -- reproducible data, not secrets
        self.world = World(self.rng)
        self.articles = 0

    def header(self) -> list[str]:
        """The dataset's ontology header: it imports the TreatyKG ontology and says it is synthetic."""
        iri = f"{self.base}data/synthetic-{self.seed}"
        return [
            f"<{iri}> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> "
            "<http://www.w3.org/2002/07/owl#Ontology> .\n",
            f"<{iri}> <http://www.w3.org/2002/07/owl#imports> {ref(ONTOLOGY)} .\n",
            f"<{iri}> <http://www.w3.org/2000/01/rdf-schema#label> "
            f"{english(f'TreatyKG synthetic benchmark data (seed {self.seed})')} .\n",
        ]

    def article(self, budget: int | None = None) -> list[str]:
        """The N-Triples lines of the next article, kept near `budget` triples when one is given."""
        self.articles += 1
        article = Article(self.base, self.articles, self.seed)
        story = Story(article, self.world, self.rng)
        planned = self.rng.randint(2, 9)  # sentences after the lead: articles differ in length

        def full() -> bool:
            return planned <= 0 or (budget is not None and len(article.lines) + _CLOSING >= budget)

        # A small remaining budget gets a shorter lead, so the last article lands near the asked size.
        story.lead(follows=self.rng.random() < 0.7 and (budget is None or budget > 400))
        for heading, sentences in story.sections():
            if full():
                break
            heading()
            for sentence in sentences[: self.rng.randint(1, len(sentences))]:
                sentence()
                planned -= 1
                if full():
                    break
        story.close()
        return article.finish()

    def lines(self, triples: int) -> Iterator[str]:
        """The header, then articles until about `triples` lines; the generator can go on after that."""
        written = 0
        for line in self.header():
            written += 1
            yield line
        while written < triples:
            lines = self.article(budget=triples - written)
            written += len(lines)
            yield from lines


def generate_lines(triples: int, seed: int = 0, base: str = SYNTHETIC_BASE) -> Iterator[str]:
    """About `triples` N-Triples lines, one per triple (the last article cut short near the count)."""
    return Generator(seed, base).lines(triples)


def generate(triples: int, seed: int = 0, base: str = SYNTHETIC_BASE) -> Iterator[ox.Triple]:
    """The triples of generate_lines as pyoxigraph Triples, parsed in chunks so memory stays flat."""
    lines = generate_lines(triples, seed, base)
    while chunk := "".join(islice(lines, 20_000)):
        yield from (quad.triple for quad in ox.parse(chunk, format=ox.RdfFormat.N_TRIPLES))


def write_ntriples(stream: BinaryIO, lines: Iterable[str], chunk: int = 20_000) -> int:
    """Write N-Triples lines to a binary stream in UTF-8, in chunks; the number of lines written."""
    count = 0
    iterator = iter(lines)
    while block := list(islice(iterator, chunk)):
        stream.write("".join(block).encode("utf-8"))
        count += len(block)
    return count

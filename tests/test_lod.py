"""Every IRI the graph mints dereferences: an HTML page with its label and RDF with the triples about it."""

from __future__ import annotations

import json
import re
from concurrent.futures import ThreadPoolExecutor

import pyoxigraph as ox
import pytest
from web_support import HTML, TURTLE, about, escaped, kind, local_path, subjects

from treatykg.core.iris import BASE, INFERRED_GRAPH
from treatykg.graph.export import dumps
from treatykg.graph.store.embedded import open_store

VOID_TRIPLES = ox.NamedNode("http://rdfs.org/ns/void#triples")


@pytest.fixture(scope="module")
def found(store):
    """The store's subjects (read before the app holds the store)."""
    return subjects(store)


@pytest.fixture(scope="module")
def exported(store, tmp_path_factory):
    """`treatykg export`'s files for the store (written before the app holds it)."""
    out = tmp_path_factory.mktemp("exported")
    with open_store(store, holder="a test") as handle:
        dumps.export(handle.store, out, list(dumps.FORMATS), handle.version().build)
    return out


@pytest.fixture(scope="module")
def test_config(test_config, found, exported):
    """The shared settings, once `found` and `exported` have read the store."""
    return test_config


def parse(body: bytes, rdf_format: ox.RdfFormat = ox.RdfFormat.TURTLE) -> set[ox.Triple]:
    """The triples of an RDF document."""
    return {quad.triple for quad in ox.parse(body, format=rdf_format)}


def fetch_all(client, requests):
    """(path, headers) requests answered in parallel (the engine has several workers)."""
    with ThreadPoolExecutor(max_workers=4) as pool:
        return list(pool.map(lambda request: client.get(request[0], headers=request[1]), requests))


@pytest.mark.slow
def test_every_subject_has_a_page_with_its_label(found, client):
    resources = sorted(iri for iri in found if kind(iri) == "resource")
    assert len(resources) > 150
    for iri, response in zip(
        resources, fetch_all(client, [(local_path(iri), HTML) for iri in resources]), strict=True
    ):
        assert response.status_code == 200, iri
        assert response.mimetype == "text/html"
        assert escaped(found[iri]["label"] or iri) in response.text, iri


def test_every_subject_has_turtle_with_the_triples_about_it(found, client):
    resources = sorted(iri for iri in found if kind(iri) == "resource")
    for iri, response in zip(
        resources, fetch_all(client, [(local_path(iri), TURTLE) for iri in resources]), strict=True
    ):
        assert response.status_code == 200, iri
        assert response.mimetype == "text/turtle"
        missing = about(found[iri]) - parse(response.data)
        assert not missing, (iri, sorted(map(str, missing))[:3])


def test_ontology_terms_are_sections_of_the_ontology_page(found, client):
    page = client.get("/ontology", headers=HTML)
    document = parse(client.get("/ontology", headers=TURTLE).data)
    terms = [iri for iri in found if kind(iri) == "ontology" and iri.startswith(BASE + "ontology#")]
    assert len(terms) > 80
    for iri in terms:
        assert f'id="{iri.split("#", 1)[1]}"' in page.text, iri
        assert escaped(found[iri]["label"]) in page.text, iri
        assert not about(found[iri], term_graphs=True) - document, iri


def test_named_graphs_are_described(found, client):
    graphs = [iri for iri, entry in found.items() if "named graph" in entry["graphs"]]
    assert {BASE + "graph/ontology", INFERRED_GRAPH, BASE + "graph/source/cfe-withdrawal-article"} <= set(
        graphs
    )
    for iri in graphs:
        page = client.get(local_path(iri), headers=HTML)
        assert page.status_code == 200, iri
        assert "<h1>" in page.text, iri
        triples = parse(client.get(local_path(iri), headers=TURTLE).data)
        counts = [
            t.object.value for t in triples if t.subject == ox.NamedNode(iri) and t.predicate == VOID_TRIPLES
        ]
        assert counts, iri
        assert int(counts[0]) > 0, iri


@pytest.mark.parametrize(
    ("suffix", "rdf_format", "media_type"),
    [
        (".ttl", ox.RdfFormat.TURTLE, "text/turtle"),
        (".jsonld", ox.RdfFormat.JSON_LD, "application/ld+json"),
        (".rdf", ox.RdfFormat.RDF_XML, "application/rdf+xml"),
        (".nt", ox.RdfFormat.N_TRIPLES, "application/n-triples"),
    ],
)
def test_suffixes_and_accept_give_the_same_rdf(client, suffix, rdf_format, media_type):
    by_suffix = client.get("/id/treaty/cfe" + suffix)
    by_accept = client.get("/id/treaty/cfe", headers={"Accept": media_type})
    assert by_suffix.mimetype == by_accept.mimetype == media_type
    assert parse(by_suffix.data, rdf_format) == parse(by_accept.data, rdf_format)
    assert by_accept.headers["Content-Location"] == "/id/treaty/cfe" + suffix
    assert "Accept" in by_accept.headers["Vary"]
    assert ox.NamedNode(BASE + "id/treaty/cfe") in {t.subject for t in parse(by_suffix.data, rdf_format)}


def test_negotiation_headers_and_errors(client):
    page = client.get("/id/state/russia", headers=HTML)
    links = page.headers["Link"]
    for suffix, media in (
        (".ttl", "text/turtle"),
        (".jsonld", "application/ld+json"),
        (".rdf", "application/rdf+xml"),
        (".nt", "application/n-triples"),
    ):
        assert f'</id/state/russia{suffix}>; rel="alternate"; type="{media}"' in links
    assert "Accept" in page.headers["Vary"]
    assert client.get("/id/state/russia", headers={"Accept": "image/png"}).status_code == 406
    assert client.get("/id/state/russia?format=ttl").mimetype == "text/turtle"
    head = client.head("/id/state/russia", headers=TURTLE)
    assert head.status_code == 200
    assert head.data == b""
    again = client.get("/id/state/russia", headers={**TURTLE, "If-None-Match": page.headers.get("ETag", "x")})
    tag = client.get("/id/state/russia", headers=TURTLE).headers["ETag"]
    assert again.status_code == 200  # an HTML ETag never matches the Turtle document
    assert client.get("/id/state/russia", headers={**TURTLE, "If-None-Match": tag}).status_code == 304


def test_rdf_keeps_w3id_iris_and_html_links_locally(client):
    turtle = client.get("/id/event/2023-05-russia-denounces-cfe", headers=TURTLE).text
    assert "https://w3id.org/treatykg/id/state/russia" in turtle
    assert "localhost" not in turtle
    page = client.get("/id/event/2023-05-russia-denounces-cfe", headers=HTML).text
    assert 'href="/id/state/russia"' in page
    assert not re.search(r'href="https://w3id\.org/treatykg/', page)


@pytest.mark.parametrize(
    "path",
    [
        "/id/%2e%2e/%2e%2e/etc/passwd",
        "/id/state/..%2F..%2Fetc",
        "/source/./x",
        "/id/state//russia",
        "/id/state/rus%00sia",
        "/id/state/a%20b",
        "/graph/..%2Fontology",
        "/data/%2e%2e",
    ],
)
def test_path_traversal_is_a_clean_404(client, path):
    response = client.get(path, headers=HTML)
    assert response.status_code == 404
    assert "Traceback" not in response.text
    assert "root:" not in response.text
    assert 'type="search"' in response.text


def test_over_long_iris_are_refused(client):
    response = client.get("/id/" + "a" * 5000, headers=HTML)
    assert response.status_code == 414
    assert client.get("/source/" + "a/" * 1000, headers=TURTLE).status_code == 414


def test_unknown_iri_is_a_404_page_with_a_search(client):
    response = client.get("/id/state/atlantis", headers=HTML)
    assert response.status_code == 404
    assert 'action="/search"' in response.text
    assert 'value="atlantis"' in response.text
    assert client.get("/id/state/atlantis", headers=TURTLE).status_code == 404
    assert client.get("/graph/nowhere", headers=HTML).status_code == 404


def test_entity_page_shows_types_facts_events_and_claims(client):
    page = client.get("/id/state/russia", headers=HTML).text
    assert 'class="type"' in page
    assert 'class="type inferred"' in page
    assert '<span class="tag inferred">inferred</span>' in page
    assert "agent in" in page  # "X agent Russia" read from Russia's side
    events = re.findall(r'<span class="date">([^<]*)</span>', page)
    # Russia's acts in date order, dated as the curated note gives them (the article: 2007, 2015, May 2023).
    dated = [
        "12 December 2007 to 13 December 2007",
        "11 March 2015",
        "2022",
        "29 May 2023",
        "7 November 2023",
    ]
    assert [event for event in events if event in dated] == dated
    assert "according to" in page
    assert 'href="/id/organization/nato"' in page
    assert "<mark>Russia</mark> has formally withdrawn" in page


def test_event_page_states_its_speaker_and_sentence(client):
    claimed = client.get("/id/event/russia-cfe-non-compliance", headers=HTML).text
    assert "According to" in claimed
    assert ">NATO</a>" in claimed
    assert "When: undated (\u201cfor years\u201d)" in claimed
    # NATO cites the 2007 suspension; the curated note reports and dates it: both sources' words show.
    page = client.get("/id/event/russia-suspends-cfe-participation-2007", headers=HTML).text
    assert "According to" not in page
    assert "When: 12 December 2007 to 13 December 2007" in page
    assert "<mark>Moscow\u2019s suspension of participation in 2007</mark>" in page
    note = "the suspension took effect 150 days after notification, in the night of 12 to 13 December 2007"
    assert f"{note}</mark>" in page
    denounced = client.get("/id/event/2023-05-russia-denounces-cfe", headers=HTML).text
    assert (
        "Russia, after a full-scale invasion of Ukraine in 2022, <mark>officially denounced the CFE in May "
        "2023</mark>."
    ) in denounced
    hypothetical = client.get("/id/event/adapted-cfe-ratification", headers=HTML).text
    assert "<strong>Hypothetical</strong>" in hypothetical


def test_pages_embed_schema_org_json_ld(client):
    page = client.get("/id/state/russia", headers=HTML).text
    block = re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S).group(1)
    document = json.loads(block)
    assert document["@type"] == "Country"
    assert document["@id"] == BASE + "id/state/russia"
    assert document["sameAs"] == ["http://www.wikidata.org/entity/Q159"]
    event = client.get("/id/event/2023-05-russia-denounces-cfe", headers=HTML).text
    data = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', event, re.S).group(1))
    assert data["@type"] == "Event"
    # The article's May 2023 refined by the note's 29 May 2023.
    assert data["startDate"] == data["endDate"] == "2023-05-29"


def test_sources_sentences_and_spans(client):
    article = client.get("/source/cfe-withdrawal-article", headers=HTML).text
    assert "editorial" in article
    assert "U.S.-Russia Relations in Crisis" in article
    sentence = client.get("/source/cfe-withdrawal-article/sentence/8", headers=HTML).text
    assert "What rests on it" in sentence
    assert "Russia officially denounces the CFE (May 2023)" in sentence
    span = client.get("/source/cfe-withdrawal-article/span/1164-1204", headers=HTML).text
    assert "<mark>officially denounced the CFE in May 2023</mark>" in span


def test_html_pages_carry_the_csp_and_no_inline_script_or_style(client):
    for path in (
        "/",
        "/id/state/russia",
        "/timeline",
        "/ontology",
        "/dataset",
        "/search?q=cfe",
        "/queries",
        "/queries/cq-treaties-left?format=html",
        "/graph/inferred",
        "/id/state/atlantis",
    ):
        response = client.get(path, headers=HTML)
        assert "default-src 'self'" in response.headers["Content-Security-Policy"], path
        assert not re.search(r"<script(?![^>]*(src=|application/ld\+json))", response.text), path
        assert not re.search(r"\sstyle=|<style", response.text), path
        # Nothing loaded from elsewhere (links a person may follow to other sites are fine).
        assert not re.search(r'src="(https?:)?//|<link [^>]*href="(https?:)?//', response.text), path


def test_ontology_documents(client):
    page = client.get("/ontology", headers=HTML).text
    assert "TreatyKG ontology" in page
    assert 'id="State"' in page
    assert "Subclass of" in page
    assert "In the data:" in page  # examples from the data
    for suffix, rdf_format in ((".ttl", ox.RdfFormat.TURTLE), (".rdf", ox.RdfFormat.RDF_XML)):
        triples = parse(client.get("/ontology" + suffix).data, rdf_format)
        assert (
            ox.Triple(
                ox.NamedNode(BASE + "ontology"),
                ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
                ox.NamedNode("http://www.w3.org/2002/07/owl#Ontology"),
            )
            in triples
        )
    assert (
        client.get("/ontology", headers={"Accept": "application/rdf+xml"}).mimetype == "application/rdf+xml"
    )
    assert client.get("/ontology/2026-12-06", headers=TURTLE).status_code == 200
    assert client.get("/ontology/1999-01-01", headers=TURTLE).status_code == 404


@pytest.mark.java
def test_ontology_rdfxml_loads_in_the_owl_api(client, owltool, tmp_path):
    from owlapi_harness import owlapi_check

    path = tmp_path / "ontology.rdf"
    path.write_bytes(client.get("/ontology", headers={"Accept": "application/rdf+xml"}).data)
    report = owlapi_check(path)
    assert report["clean"], report


def test_dataset_describes_and_downloads_every_format(client):
    page = client.get("/dataset", headers=HTML).text
    links = sorted(set(re.findall(r'href="(/dumps/[^"]+)"', page)))
    assert {
        "/dumps/dataset.trig",
        "/dumps/dataset.nq",
        "/dumps/dataset.jsonld",
        "/dumps/asserted.ttl",
        "/dumps/asserted.rdf",
        "/dumps/asserted.nt",
        "/dumps/void.ttl",
        "/dumps/context.jsonld",
    } <= set(links)
    formats = {
        ".ttl": ox.RdfFormat.TURTLE,
        ".nt": ox.RdfFormat.N_TRIPLES,
        ".rdf": ox.RdfFormat.RDF_XML,
        ".nq": ox.RdfFormat.N_QUADS,
        ".trig": ox.RdfFormat.TRIG,
        ".jsonld": ox.RdfFormat.JSON_LD,
    }
    for link in links:
        response = client.get(link)
        assert response.status_code == 200, link
        if not link.endswith("context.jsonld"):
            assert list(ox.parse(response.data, format=formats["." + link.rsplit(".", 1)[1]])), link
    void = parse(client.get("/dataset.ttl").data)
    assert ox.NamedNode(BASE + "dataset") in {t.subject for t in void}
    assert any(t.object.value.startswith(BASE + "dumps/") for t in void)  # download URLs stay canonical


def test_dumps_are_the_exports_bytes(client, exported):
    """A query worker writes /dumps from its snapshot: the same bytes as `treatykg export` of the store."""
    files = sorted(path.name for path in exported.iterdir())
    assert {"dataset.nq", "void.ttl"} <= set(files)
    for name in files:
        assert client.get(f"/dumps/{name}").data == (exported / name).read_bytes(), name


def bar_x(bar: str) -> float:
    """The x of a timeline bar's rect."""
    return float(re.search(r'<rect [^>]* x="([\d.]+)"', bar).group(1))


def test_timeline_draws_precision_honestly(client):
    page = client.get("/timeline", headers=HTML).text
    bars = {m.group(1): m.group(0) for m in re.finditer(r'data-iri="([^"]+)".*?<rect [^>]*>', page, re.S)}

    def width(iri):
        return float(re.search(r'width="([\d.]+)"', bars[BASE + iri]).group(1))

    invasion = bars[BASE + "id/event/russia-invades-ukraine-2022"]
    assert 'data-precision="year"' in invasion
    assert 'class="bar reported"' in invasion
    assert 'data-precision="day"' in bars[BASE + "id/event/2023-05-russia-denounces-cfe"]
    # The United States' ratification: between 25 November 1991 and 10 July 1992, 229 days.
    year = width("id/event/russia-invades-ukraine-2022")
    assert width("id/event/united-states-ratifies-cfe") == pytest.approx(year * 229 / 365, rel=0.05)
    assert '<li class="attributed"><a href="/id/event/russia-cfe-non-compliance"' in page
    # Only acts are on the axis, never their accounts.
    assert not [iri for iri in bars if "/account/" in iri]
    assert "open" in bars[BASE + "id/event/fall-of-the-berlin-wall"]  # undated, before the 1990 signing
    # The formal withdrawal, dated by the curated note, is drawn after the May 2023 denunciation.
    withdrawal = bars[BASE + "id/event/russia-withdraws-from-cfe"]
    assert 'data-earliest="2023-11-07T00:00:00+00:00"' in withdrawal
    assert bar_x(withdrawal) > bar_x(bars[BASE + "id/event/2023-05-russia-denounces-cfe"])
    # The article's order holds: the recent revocation of the CTBT's ratification, undated, is drawn open
    # and ends where the withdrawal it preceded begins.
    revocation = bars[BASE + "id/event/russia-revokes-ctbt-ratification"]
    assert "open" in revocation
    assert bar_x(revocation) + width("id/event/russia-revokes-ctbt-ratification") <= bar_x(withdrawal) + 0.01
    assert 'href="/id/event/russia-withdraws-from-cfe"' in page


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("russia", "Russia"),
        ("RUSSIA", "Russia"),
        ("Rússia", "Russia"),
        ("moldóva", "Moldova"),
        ("NATO's expansion", "NATO\u2019s expansion"),
        ("u.s.-russia", "U.S.\u2013Russia relations"),
        ("cfe treaty", "CFE"),
    ],
)
def test_search_ignores_case_and_accents(client, query, expected):
    results = client.get("/search", query_string={"q": query, "format": "json"}).get_json()
    assert results
    assert expected in results[0]["label"] + " ".join(r["label"] for r in results[:5])
    assert client.get("/search", query_string={"q": query}, headers=HTML).status_code == 200


def test_search_box_on_every_page(client):
    for path in ("/", "/id/state/russia", "/timeline", "/ontology", "/dataset", "/queries"):
        assert 'role="search"' in client.get(path, headers=HTML).text, path


def test_an_acts_page_lists_its_conflicts_with_both_sources_quotes(client):
    """The 2015 act: the note's cessation of participation against the article's "complete withdrawal" (a
    class conflict), each source's quote beside its name; an act without conflicts has no such section."""
    page = client.get("/id/event/russia-completely-withdraws-from-cfe-2015", headers=HTML).get_data(
        as_text=True
    )
    section = page[
        page.index("Where the sources disagree") : page.index("</section>", page.index("disagree"))
    ]
    assert "<h3>class conflict</h3>" in section
    assert ">cfe-withdrawal-article</a>: “complete withdrawal in 2015”" in section
    assert ">cfe-treaty-record</a>: “On 10 March 2015 Russia announced" in section
    plain = client.get("/id/event/2023-05-russia-denounces-cfe", headers=HTML).get_data(as_text=True)
    assert "Where the sources disagree" not in plain

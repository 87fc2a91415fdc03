"""Server building blocks without HTTP: the lexical guard, content negotiation, settings and tokens."""

from __future__ import annotations

import pytest

from treatykg.core.errors import InputError
from treatykg.server import config
from treatykg.server.protocol import negotiate
from treatykg.server.query import guard

C = "http://127.0.0.1:9/"

# Each hides SERVICE or LOAD from a naive scan; Oxigraph's parser would read the keyword in every one.
HIDDEN_KEYWORDS = [
    f"SELECT * {{ SERVICE <{C}> {{ ?s ?p ?o }} }}",
    f"select * {{ service silent <{C}> {{}} }}",
    f"PREFIX ex: <{C}> SELECT * {{ SERVICEex:x {{ ?s ?p ?o }} }}",  # a keyword glued to a prefixed name
    f"PREFIX : <{C}> SELECT * {{ SERVICE:x {{ ?s ?p ?o }} }}",
    f"SELECT * {{ ?s ?p true SERVICE<{C}>{{}} }}",
    f"SELECT * {{ ?s ?p 1SERVICE<{C}>{{}} }}",
    f"SELECT * {{ ?s ?p ?o.SERVICE<{C}>{{}} }}",  # the variable ends at the dot
    f"SELECT * {{ ?s ?p ex:a~SERVICE <{C}> {{}} }}",
    # `<` as less-than read as the start of an IRI that swallows the keyword:
    f"SELECT * {{ VALUES ?x {{ <{C}> }} FILTER(1<2)SERVICE?x#>\n{{}} }}",
    "SELECT * { ?s <http://x#> ?o FILTER(?a<?b)SERVICE?x#>\n{} }",
    "SELECT * { ?s <http://x/O'B> ?o FILTER(?a<?b)SERVICE?x#>'\n{} }",
    f"SELECT * {{ FILTER(?a<?b&&'>'=?c) SERVICE <{C}> {{}} #'\n}}",
    f"SELECT * {{ FILTER(?a<?b#> '''\n ) SERVICE <{C}> {{}} #'''\n}}",
    f"LOAD <{C}>",
    "load<http://x/>",
    "INSERT DATA {} ; LoAd SILENT <http://x/> INTO GRAPH <http://y/>",
]
HARMLESS = [
    'SELECT ?service { ?service a <http://example.org/service> ; ex:loadFactor 3 ; <http://x/load#y> "a" }',
    "SELECT * { ?s a sd:Service ; ex:down-load ?x . _:load1 ?p ?o } # SERVICE in a comment",
    'SELECT * { ?s ?p """a long string\nSERVICE <http://x/> {}""" }',
    "SELECT * { <http://dbpedia.org/resource/Foo_(service)> ?p ?o FILTER(?o < 3) }",
    "SELECT * { ?s ?p ?o FILTER(?o < 3 && ?o > 1) }",
]


@pytest.mark.parametrize("text", HIDDEN_KEYWORDS)
def test_guard_refuses_service_and_load_however_written(text: str) -> None:
    """The screen finds the keyword wherever Oxigraph could read it."""
    with pytest.raises(guard.Refused):
        guard.screen_query(text)


@pytest.mark.parametrize("text", HARMLESS)
def test_guard_lets_names_strings_iris_and_comments_through(text: str) -> None:
    """Variables, prefixed names, IRIs, strings and comments that merely contain the words pass."""
    guard.screen_query(text)


def test_guard_finds_form_and_dataset() -> None:
    """The query form and the presence of FROM, without a parse."""
    assert guard.screen_query("PREFIX ask: <http://x/> construct where { ?s ?p ?o }") == guard.Screened(
        "CONSTRUCT", False
    )
    assert guard.screen_query("ASK FROM NAMED <http://x/> {}") == guard.Screened("ASK", True)
    assert guard.screen_query("SELECT ?from { ?s ex:from ?from }").has_dataset is False


def test_guard_stays_linear_on_long_queries() -> None:
    """A long one-line query full of IRIs with fragments is screened, not refused as too ambiguous."""
    text = (
        "SELECT * { "
        + " ".join(f"?s{i} <http://example.org/service#p{i}> ?o{i} ." for i in range(2000))
        + " }"
    )
    assert guard.screen_query(text).form == "SELECT"


def test_using_parameters_become_using_clauses() -> None:
    """using-graph-uri / using-named-graph-uri go before each top-level WHERE (not DELETE WHERE)."""
    update = "INSERT { ?s a <B> } WHERE { ?s a <D> } ; DELETE WHERE { ?s ?p ?o }"
    assert guard.with_using(update, ["http://d/"], ["http://n/"]) == (
        "INSERT { ?s a <B> } USING <http://d/> USING NAMED <http://n/> WHERE { ?s a <D> } ; "
        "DELETE WHERE { ?s ?p ?o }"
    )
    assert guard.with_using(update, [], []) == update
    with pytest.raises(guard.Refused, match="WITH"):
        guard.with_using("WITH <http://g/> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }", ["http://d/"], [])
    with pytest.raises(guard.Refused, match="not an IRI"):
        guard.with_using(update, ["not an iri"], [])


@pytest.mark.parametrize(
    ("accept", "family", "key"),
    [
        (None, "solutions", "json"),
        ("", "graph", "turtle"),
        ("text/csv;q=0.2, application/sparql-results+xml;q=0.3", "solutions", "xml"),
        ("text/*, application/sparql-results+json;q=0.5", "solutions", "csv"),  # text/* (q=1) outranks
        ("*/*;q=0.1, text/tab-separated-values", "solutions", "tsv"),
        ("application/sparql-results+json;q=0, */*", "solutions", "xml"),  # q=0 means never
        ("application/ld+json, text/turtle;q=0.9", "graph", "jsonld"),
        ("application/json", "graph", "jsonld"),
        ("application/json", "boolean", "json"),
        ("text/csv", "boolean", None),
        ("image/png", "graph", None),
    ],
)
def test_accept_with_q_values(accept: str | None, family: str, key: str | None) -> None:
    """The offer with the highest q of its most specific matching range wins; none is None."""
    choice = negotiate.choose(family, accept, None)
    assert (choice.key if choice else None) == key


def test_format_parameter_names() -> None:
    """`format=` takes short names and media types, per result family."""
    assert negotiate.choose("graph", "text/turtle", "json").key == "jsonld"
    assert negotiate.choose("solutions", "text/csv", "json").media_type == "application/sparql-results+json"
    assert negotiate.choose("graph", None, "application/rdf+xml").key == "rdfxml"
    assert negotiate.choose("solutions", None, "turtle") is None


def test_settings_precedence(tmp_path) -> None:
    """Defaults < config file < environment < flags; tokens are kept hashed, a bare one named `default`."""
    config_file = tmp_path / "treatykg.toml"
    config_file.write_text(
        "[server]\nport = 9000\nrow_limit = 7\nquery_timeout = 5\n\n"
        f'[tokens]\nalice = "{config.hash_token("a")}"\n'
    )
    environ = {"TREATYKG_CONFIG": str(config_file), "TREATYKG_ROW_LIMIT": "8", "TREATYKG_UPDATE_TOKEN": "env"}
    settings = config.load({"QUERY_TIMEOUT": 1.5, "PORT": None}, environ=environ)
    assert (settings["PORT"], settings["ROW_LIMIT"], settings["QUERY_TIMEOUT"]) == (9000, 8, 1.5)
    assert settings["HOST"] == config.DEFAULTS["HOST"]
    assert config.token_name(settings["UPDATE_TOKENS"], "a") == "alice"
    assert config.token_name(settings["UPDATE_TOKENS"], "env") == "default"
    assert config.token_name(settings["UPDATE_TOKENS"], "b") is None
    assert "env" not in str(settings)  # only hashes are kept
    flag = config.load({"UPDATE_TOKEN": "flag"}, environ=environ)
    assert config.token_name(flag["UPDATE_TOKENS"], "flag") == "default"
    assert config.token_name(flag["UPDATE_TOKENS"], "env") is None


def test_result_cache_settings(tmp_path) -> None:
    """The cache's cap and remote trust by file, environment and flags; yes/no words read as booleans."""
    config_file = tmp_path / "treatykg.toml"
    config_file.write_text("[server]\nresult_cache_bytes = 1000\nremote_cache_trusted = true\n")
    from_file = config.load({"CONFIG": str(config_file)}, environ={})
    assert (from_file["RESULT_CACHE_BYTES"], from_file["REMOTE_CACHE_TRUSTED"]) == (1000, True)
    environ = {"TREATYKG_CONFIG": str(config_file), "TREATYKG_REMOTE_CACHE_TRUSTED": "no"}
    assert config.load({}, environ=environ)["REMOTE_CACHE_TRUSTED"] is False
    assert config.load({"RESULT_CACHE_BYTES": 0}, environ=environ)["RESULT_CACHE_BYTES"] == 0
    defaults = config.load({}, environ={})
    assert (defaults["RESULT_CACHE_BYTES"], defaults["REMOTE_CACHE_TRUSTED"]) == (64 * 1024 * 1024, False)
    assert [config.boolean(word) for word in ("1", "On", "YES", "true", "0", "off", "No", "false")] == [
        True
    ] * 4 + [False] * 4


def test_result_cache_flags() -> None:
    """`--result-cache-bytes` and `--remote-cache-trusted` override the environment; absent, they do not."""
    from treatykg.cli.main import build_parser
    from treatykg.cli.serve import overrides

    environ = {"TREATYKG_RESULT_CACHE_BYTES": "5000", "TREATYKG_REMOTE_CACHE_TRUSTED": "false"}
    flags = build_parser().parse_args(["serve", "--result-cache-bytes", "0", "--remote-cache-trusted"])
    settings = config.load(overrides(flags), environ=environ)
    assert (settings["RESULT_CACHE_BYTES"], settings["REMOTE_CACHE_TRUSTED"]) == (0, True)
    settings = config.load(overrides(build_parser().parse_args(["serve"])), environ=environ)
    assert (settings["RESULT_CACHE_BYTES"], settings["REMOTE_CACHE_TRUSTED"]) == (5000, False)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[server]\nport = 'x'\n", "port must be an integer"),
        ("[server]\nspeed = 1\n", "unknown setting"),
        ('[tokens]\nbob = "plain"\n', "sha256"),
        ("[server\n", "TOML"),
        ("[server]\nremote_cache_trusted = 'maybe'\n", "remote_cache_trusted must be true or false"),
    ],
)
def test_bad_config_files_name_the_problem(tmp_path, text: str, message: str) -> None:
    """A bad config file is an InputError naming the file and the problem."""
    path = tmp_path / "bad.toml"
    path.write_text(text)
    with pytest.raises(InputError, match=message):
        config.load({"CONFIG": str(path)}, environ={})

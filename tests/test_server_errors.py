"""Every error code the server answers, each as a short plain-text message (never a stack trace)."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from server_harness import AUTH, TOKEN, LiveServer, Reply

MAX_BODY = 4096


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory):
    """A server with a small request-size limit."""
    with LiveServer(tmp_path_factory.mktemp("errors-store"), MAX_BODY=MAX_BODY) as live:
        yield live


def _plain(reply: Reply, status: int, *words: str) -> None:
    """The reply has this status and a short plain-text message naming `words`, and no traceback."""
    assert reply.status == status, reply.text
    assert reply.media_type == "text/plain"
    assert "Traceback" not in reply.text
    assert "<html" not in reply.text.lower()
    for word in words:
        assert word.lower() in reply.text.lower()


def test_400_bad_query_gives_the_parser_message(server: LiveServer) -> None:
    """A syntax error answers 400 with Oxigraph's message (where it failed)."""
    _plain(
        server.request("GET", f"/sparql?query={quote('SELECT * WHERE { ?s ?p }')}"), 400, "syntax error", "1:"
    )


def test_400_bad_update_and_bad_rdf(server: LiveServer) -> None:
    """A bad update or an unreadable upload is 400, and nothing is written."""
    _plain(server.update("INSERT DATA { <a> }"), 400, "syntax error")
    _plain(
        server.request(
            "PUT",
            "/store?graph=http://example.org/g",
            "<http://a> <http://b> .",
            {"Content-Type": "text/turtle", **AUTH},
        ),
        400,
        "syntax error",
    )
    assert server.request("GET", "/store?graph=http://example.org/g").status == 404


def test_400_protocol_misuse(server: LiveServer) -> None:
    """Two queries, an update on the query endpoint, a bad graph IRI: 400."""
    _plain(server.request("GET", "/sparql?query=ASK%7B%7D&query=ASK%7B%7D"), 400, "exactly one query")
    _plain(
        server.request(
            "POST", "/sparql", "update=CLEAR%20ALL", {"Content-Type": "application/x-www-form-urlencoded"}
        ),
        400,
        "update",
    )
    _plain(server.request("GET", "/store?graph=not%20an%20iri"), 400, "IRI")


def test_401_without_a_token(server: LiveServer) -> None:
    """A write without a token is 401 with a Bearer challenge."""
    reply = server.request("POST", "/update", "CLEAR ALL", {"Content-Type": "application/sparql-update"})
    _plain(reply, 401, "token")
    assert reply.headers["WWW-Authenticate"].startswith("Bearer")
    _plain(server.request("PUT", "/store?default", "", {"Content-Type": "text/turtle"}), 401, "token")


def test_403_with_a_wrong_token(server: LiveServer) -> None:
    """A write with a token that is not configured is 403."""
    wrong = {"Authorization": f"Bearer {TOKEN}x", "Content-Type": "application/sparql-update"}
    _plain(server.request("POST", "/update", "CLEAR ALL", wrong), 403, "not valid")


def test_403_on_a_read_only_server(tmp_path) -> None:
    """Without any configured token the server is read-only: writes are 403, queries work."""
    with LiveServer(tmp_path, UPDATE_TOKEN=None) as live:
        _plain(live.update("CLEAR ALL"), 403, "read-only")
        assert live.request("GET", "/sparql?query=ASK%7B%7D").status == 200


def test_404_and_405(server: LiveServer) -> None:
    """An absent graph is 404; a method an endpoint does not take is 405."""
    _plain(server.request("GET", "/store?graph=http://example.org/absent"), 404, "no graph")
    _plain(server.request("PUT", "/sparql?query=ASK%7B%7D"), 405)
    _plain(server.request("GET", "/update"), 405)


def test_406_not_acceptable(server: LiveServer) -> None:
    """An Accept the result can't be served in, or a format= naming none of its formats, is 406."""
    _plain(
        server.request("GET", f"/sparql?query={quote('SELECT * {}')}", headers={"Accept": "text/turtle"}), 406
    )
    _plain(
        server.request(
            "GET",
            f"/sparql?query={quote('CONSTRUCT WHERE {}')}",
            headers={"Accept": "application/sparql-results+json"},
        ),
        406,
    )
    _plain(server.request("GET", f"/sparql?query={quote('ASK {}')}", headers={"Accept": "text/csv"}), 406)
    _plain(server.request("GET", f"/sparql?query={quote('ASK {}')}&format=png"), 406)
    _plain(server.request("GET", "/sparql", headers={"Accept": "image/png"}), 406)


def test_413_body_too_large(server: LiveServer) -> None:
    """A body over the configured limit is refused with 413, in any form."""
    big = "ASK { " + "?s ?p ?o . " * MAX_BODY + "}"
    assert server.request("POST", "/sparql", big, {"Content-Type": "application/sparql-query"}).status == 413
    assert (
        server.request(
            "POST", "/sparql", "query=" + quote(big), {"Content-Type": "application/x-www-form-urlencoded"}
        ).status
        == 413
    )
    assert (
        server.request(
            "PUT", "/store?default", "#" * (MAX_BODY + 1), {"Content-Type": "text/turtle", **AUTH}
        ).status
        == 413
    )


def test_415_unsupported_media_type(server: LiveServer) -> None:
    """A body type the operation does not take, or a charset other than UTF-8, is 415."""
    _plain(server.request("POST", "/sparql", "ASK {}", {"Content-Type": "text/plain"}), 415)
    _plain(
        server.request(
            "POST",
            "/sparql",
            "ASK {}".encode("utf-16"),
            {"Content-Type": "application/sparql-query; charset=UTF-16"},
        ),
        415,
        "UTF-8",
    )
    _plain(server.request("PUT", "/store?default", "x", {"Content-Type": "text/n3", **AUTH}), 415)
    _plain(server.request("POST", "/update", "CLEAR ALL", {"Content-Type": "text/plain", **AUTH}), 415)

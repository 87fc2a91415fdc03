"""`treatykg query`: run a prepared or ad-hoc SPARQL query against the store; a table, CSV or JSON."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from treatykg.cli.common import add_store_option, examples, open_cli_store
from treatykg.core.errors import EXIT_INVALID, EXIT_OK, InputError
from treatykg.core.terms import Substitutions, serialized, solutions
from treatykg.graph.store.protocol import Store


def add_query(subcommands: argparse._SubParsersAction) -> None:
    """Register `treatykg query`."""
    parser = subcommands.add_parser(
        "query",
        help="run a prepared query (queries/*.rq), a .rq file or -e TEXT against the store",
        description=(
            "Run a SPARQL query against the store; its default graph is the union of all graphs. NAME is a "
            "prepared query (queries/NAME.rq, see --list), FILE.rq any query file. Parameters declared in "
            "`#+ param: NAME TYPE [DEFAULT]` header lines are bound with --param NAME=VALUE (substituted as "
            "RDF terms, never pasted into the text). For -e queries, --param NAME=<IRI> binds an IRI and "
            "NAME=TEXT a string. A `check-` query that returns rows exits 1. CONSTRUCT and DESCRIBE results "
            "print as N-Triples."
        ),
        **examples("""
            treatykg query --list
            treatykg query cq-treaties-left
            treatykg query cq-treaties-left --param state=https://w3id.org/treatykg/id/state/russia
            treatykg query my-question.rq --format csv
            treatykg query -e 'SELECT ?g (COUNT(*) AS ?n) { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g'
            treatykg query check-events-without-provenance || echo "provenance is missing"

            exit codes: 0 ok, 1 a check- query returned rows,
                        2 could not run (unknown query, bad parameter, syntax error, store in use)
        """),
    )
    parser.add_argument(
        "query", nargs="?", metavar="NAME|FILE.rq", help="a prepared query name or a .rq file"
    )
    parser.add_argument("-e", "--expression", metavar="TEXT", help="the query text itself")
    parser.add_argument(
        "--param", metavar="NAME=VALUE", action="append", default=[], help="bind a parameter (repeatable)"
    )
    parser.add_argument(
        "--format", choices=("table", "csv", "json"), default="table", help="output format (default: table)"
    )
    parser.add_argument("--list", action="store_true", help="list the prepared queries and their parameters")
    add_store_option(parser)
    parser.set_defaults(run=run_query)


def run_query(args: argparse.Namespace) -> int:
    """Run the query and print its results."""
    from treatykg.graph.query.prepared import list_queries

    if args.list:
        for prepared in list_queries():
            params = " ".join(
                f"{p.name}:{p.type}" + ("" if p.default is None else "?") for p in prepared.params
            )
            print(f"{prepared.name:<36} {prepared.summary}" + (f"  [{params}]" if params else ""))
        return EXIT_OK
    prepared, substitutions = _prepare(args)
    with open_cli_store(args, "query") as handle:
        rows = _run(handle, prepared.text, substitutions, args.format, prepared.name)
    if prepared.name.startswith("check-") and rows:
        print(f"{prepared.name}: {rows} row(s); any row is a failure", file=sys.stderr)
        return EXIT_INVALID
    return EXIT_OK


def _prepare(args: argparse.Namespace):
    """The query to run and its substitutions, or InputError naming what is wrong."""
    from treatykg.graph.query.prepared import Parameter, PreparedQuery, load_query, load_query_file

    if (args.query is None) == (args.expression is None):
        raise InputError("give exactly one of NAME, FILE.rq or -e TEXT (see treatykg query --help)")
    values = {}
    for item in args.param:
        name, separator, value = item.partition("=")
        if not separator or not name:
            raise InputError(f"--param {item!r}: expected NAME=VALUE")
        values[name.removeprefix("?")] = value
    if args.expression is not None:
        # Ad-hoc parameters have no declared type: <IRI> or a string.
        params = tuple(
            Parameter(name, "iri" if value.startswith("<") and value.endswith(">") else "string")
            for name, value in values.items()
        )
        prepared = PreparedQuery(name="-e", text=args.expression, params=params)
    elif args.query.endswith(".rq") or Path(args.query).is_file():
        prepared = load_query_file(args.query)
    else:
        prepared = load_query(args.query)
    try:
        return prepared, prepared.bind(values)
    except ValueError as error:
        raise InputError(str(error)) from None


def _run(handle: Store, text: str, substitutions: Substitutions, output: str, name: str) -> int:
    """Execute and print; the number of result rows (or triples)."""
    import pyoxigraph as ox

    from treatykg.graph.query.text_table import print_table

    try:
        results = handle.query_union(text, substitutions=substitutions)  # a remote store runs it itself
    except SyntaxError as error:
        raise InputError(f"{name}: {_syntax_error(text, str(error))}") from None
    except (OSError, RuntimeError, ValueError) as error:
        raise InputError(f"{name}: the query failed: {error}") from None
    stdout = sys.stdout.buffer
    if isinstance(results, ox.QueryTriples | list):
        triples = list(results)
        stdout.write(serialized(ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)))
        return len(triples)
    if output == "table":
        return print_table(results, sys.stdout)
    json_format = ox.QueryResultsFormat.JSON
    data = serialized(results.serialize(format=json_format))
    if isinstance(results, ox.QueryBoolean):
        if output != "json":
            data = serialized(results.serialize(format=ox.QueryResultsFormat.CSV))
        stdout.write(data)
        return 0
    # A result iterator can be read once: keep the lossless JSON, count it, and convert it for CSV.
    if output == "csv":
        csv = ox.parse_query_results(data, json_format).serialize(format=ox.QueryResultsFormat.CSV)
        stdout.write(serialized(csv))
    else:
        stdout.write(data + b"\n")
    return sum(1 for _ in solutions(ox.parse_query_results(data, json_format)))


def _syntax_error(text: str, message: str) -> str:
    """A SPARQL syntax error as `line L, column C` and the offending line, not Oxigraph's token list."""
    import re

    position = re.search(r"error at (\d+):(\d+)", message)
    if position is None:
        return f"SPARQL syntax error: {message.splitlines()[0][:200]}"
    line, column = int(position.group(1)), int(position.group(2))
    lines = text.splitlines() or [""]
    source = lines[line - 1] if 0 < line <= len(lines) else ""
    return f"SPARQL syntax error at line {line}, column {column}:\n  {source}\n  {' ' * (column - 1)}^"

"""SPARQL results as a readable text table: compact IRIs, and labels beside the IRIs they name."""

from __future__ import annotations

import shutil
from typing import TextIO

import pyoxigraph as ox

from treatykg.core.iris import GRAPH, ID, PREFIXES, SOURCE

# Longest namespaces first, so id: wins over a shorter prefix of it.
DISPLAY_PREFIXES = sorted(
    {**PREFIXES, "id": ID, "source": SOURCE, "graph": GRAPH}.items(), key=lambda item: -len(item[1])
)
LABEL_SUFFIXES = ("Label", "_label")


def compact(term: ox.NamedNode | ox.BlankNode | ox.Literal | None) -> str:
    """A term as a reader wants it: prefix:local for IRIs, the bare value for literals."""
    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        for prefix, namespace in DISPLAY_PREFIXES:
            if term.value.startswith(namespace) and len(term.value) > len(namespace):
                return f"{prefix}:{term.value[len(namespace) :]}"
        return f"<{term.value}>"
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    return term.value


def label_columns(names: list[str]) -> dict[str, str]:
    """Columns whose values are the labels of another column: `xLabel` or `x_label` beside `x`."""
    pairs = {}
    for name in names:
        for suffix in LABEL_SUFFIXES:
            if name.endswith(suffix) and name[: -len(suffix)] in names:
                pairs[name[: -len(suffix)]] = name
    return pairs


def table_rows(variables: list[str], solutions) -> tuple[list[str], list[list[str]]]:
    """Header and cells: a label column is folded into its IRI column as `label [prefix:local]`."""
    labels = label_columns(variables)
    shown = [name for name in variables if name not in labels.values()]
    rows = []
    for solution in solutions:
        row = []
        for name in shown:
            cell = compact(solution[name])
            label = solution[labels[name]] if name in labels else None
            if label is not None and isinstance(solution[name], ox.NamedNode | ox.BlankNode):
                cell = f"{label.value} [{cell}]"
            elif label is not None:
                cell = label.value
            row.append(cell)
        rows.append(row)
    return shown, rows


def print_table(results, stream: TextIO, max_width: int | None = None) -> int:
    """Print SELECT or ASK results as an aligned table; the number of rows."""
    if isinstance(results, ox.QueryBoolean):
        print("true" if bool(results) else "false", file=stream)
        return 0
    header, rows = table_rows([variable.value for variable in results.variables], results)
    if max_width is None and stream.isatty():
        # On a terminal, keep each cell readable; piped output stays complete.
        max_width = max(24, shutil.get_terminal_size().columns // max(1, len(header)))
    if max_width:
        rows = [
            [cell if len(cell) <= max_width else cell[: max_width - 1] + "…" for cell in row] for row in rows
        ]
    widths = [max([len(name)] + [len(row[i]) for row in rows]) for i, name in enumerate(header)]
    print(
        "  ".join(name.ljust(width) for name, width in zip(header, widths, strict=True)).rstrip(), file=stream
    )
    print("  ".join("-" * width for width in widths), file=stream)
    for row in rows:
        print(
            "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip(),
            file=stream,
        )
    print(f"({len(rows)} row{'s' if len(rows) != 1 else ''})", file=stream)
    return len(rows)

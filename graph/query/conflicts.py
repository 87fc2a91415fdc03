"""The conflicts of the reconciled view, read with the prepared query report-conflicts."""

from __future__ import annotations

from dataclasses import dataclass, field

import pyoxigraph as ox

from treatykg.core.iris import SOURCE, TKG
from treatykg.core.terms import solutions
from treatykg.graph.query.prepared import load_query
from treatykg.graph.store.protocol import Store


@dataclass
class Account:
    """One source's account involved in a conflict: the account, its source and the quotes it rests on."""

    iri: str
    act: str
    source: str
    quotes: list[str] = field(default_factory=list)  # in the text's order

    def to_json(self) -> dict[str, str | list[str]]:
        """As a JSON object."""
        return {"account": self.iri, "act": self.act, "source": self.source, "quotes": self.quotes}


@dataclass
class Conflict:
    """A typed conflict about one act (or the acts of an order cycle)."""

    iri: str
    kind: str
    acts: dict[str, str] = field(default_factory=dict)  # IRI -> English label (or the IRI)
    accounts: list[Account] = field(default_factory=list)

    def to_json(self) -> dict:
        """As a JSON object."""
        return {
            "conflict": self.iri,
            "kind": self.kind,
            "acts": [{"act": act, "label": label} for act, label in self.acts.items()],
            "accounts": [account.to_json() for account in self.accounts],
        }

    def lines(self) -> list[str]:
        """`Kind  act label <IRI>`, then one line per account: its source's slug and quotes."""
        acts = "; ".join(f"{label} <{act}>" for act, label in self.acts.items())
        rows = [f"{self.kind}  {acts}"]
        rows += [
            f"  {account.source.removeprefix(SOURCE)}: "
            + " … ".join(f"“{quote}”" for quote in account.quotes)
            for account in self.accounts
        ]
        return rows


def conflicts(handle: Store) -> list[Conflict]:
    """Every conflict in the store, in the query's order."""
    found: dict[str, Conflict] = {}
    for row in solutions(handle.query_union(load_query("report-conflicts").text)):
        iri, kind, act = row["conflict"], row["kind"], row["act"]
        if not (
            isinstance(iri, ox.NamedNode) and isinstance(kind, ox.NamedNode) and isinstance(act, ox.NamedNode)
        ):
            continue
        conflict = found.setdefault(iri.value, Conflict(iri.value, kind.value.removeprefix(TKG)))
        label = row["actLabel"]
        conflict.acts[act.value] = label.value if label is not None else act.value
        account, quote = row["account"].value, row["quote"]
        if not conflict.accounts or conflict.accounts[-1].iri != account:
            conflict.accounts.append(Account(account, act.value, row["source"].value))
        if quote is not None:
            conflict.accounts[-1].quotes.append(quote.value)
    return list(found.values())

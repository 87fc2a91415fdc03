"""The store: embedded Oxigraph or a remote SPARQL store; versions, transactions, backup and check."""

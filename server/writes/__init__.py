"""Validated writes: a request as a concrete delta, reasoned and validated, committed in one transaction."""

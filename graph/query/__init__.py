"""Prepared queries (`queries/*.rq` with their metadata and parameters) and results as a text table."""

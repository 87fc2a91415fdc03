"""Linked-data exports: deterministic dumps in every format, VoID/DCAT, the JSON-LD context."""

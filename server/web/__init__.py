"""Linked-data pages (entity, source, graph, ontology, dataset), timeline, search, query UI, /queries."""

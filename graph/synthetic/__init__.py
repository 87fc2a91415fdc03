"""Synthetic benchmark data: invented articles about an invented world, under the synthetic IRI base."""

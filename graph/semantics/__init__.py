"""Reasoning (OWL 2 RL) and validation (SHACL): reference (owlrl, pySHACL) and compiled (SPARQL)."""

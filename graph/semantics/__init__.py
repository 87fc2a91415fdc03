"""Reasoning (OWL 2 RL) and validation (SHACL) behind one interface: reference (owlrl, pySHACL), compiled."""

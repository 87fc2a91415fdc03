"""What every layer imports and which imports no layer: errors, IRIs, resources, RDF terms, progress."""

"""RDF files: parsing with located errors, offline owl:imports, canonical Turtle, census."""

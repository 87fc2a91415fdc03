"""Sources and statement sheets: ingest a text, compile a sheet into RDF."""

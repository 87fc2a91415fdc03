"""The Flask application: SPARQL endpoint, linked-data pages and query UI (`treatykg.server`)."""

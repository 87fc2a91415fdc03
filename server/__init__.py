"""The Flask application: SPARQL endpoint, linked-data pages and query UI (`treatykg.server`)."""


def __getattr__(name: str):
    """`create_app`, imported on first use: the read-view processes import this package without Flask."""
    if name == "create_app":
        from treatykg.server.app import create_app

        return create_app
    raise AttributeError(name)

"""The build pipeline: load, reason, validate, index and export the graph (`treatykg.graph`)."""

"""The `treatykg` command line: one module per subcommand (`main` assembles them)."""

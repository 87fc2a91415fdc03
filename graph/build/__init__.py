"""The build pipeline: inputs loaded, reasoned, validated and swapped into the store (reference and fast engines)."""

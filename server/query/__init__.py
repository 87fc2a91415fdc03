"""Query execution: worker pool over a read view, remote engine, lexical guard, result writers and cache."""

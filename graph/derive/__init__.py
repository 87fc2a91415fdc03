"""Derived graphs: the reconciled view of the accounts, and the treaty status intervals derived from it."""

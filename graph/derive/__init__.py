"""Derived graphs: the reconciled view of the accounts (and, later, treaty status)."""

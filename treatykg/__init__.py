"""TreatyKG: a linked-data knowledge graph of arms-control treaties, states, alliances and their acts."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("treatykg")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0+unknown"

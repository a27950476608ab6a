"""pytest-hacluster: acceptance tests for a two-node Pacemaker cluster, with real faults."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("pytest-hacluster")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0+unknown"

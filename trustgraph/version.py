"""The version of trustgraph (read by the build backend too)."""

__version__ = "0.1.0"

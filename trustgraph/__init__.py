"""trustgraph: trust chains and cross-signs of the Web PKI, as a graph.

The public API, re-exported here; see :mod:`trustgraph.api` for one call per query.
"""

from importlib import import_module
from typing import TYPE_CHECKING, Any

from trustgraph.errors import (
    AmbiguousTargetError,
    CertificateParseError,
    DatabaseError,
    InputError,
    TargetError,
    TrustgraphError,
    UsageError,
)
from trustgraph.version import __version__

if TYPE_CHECKING:
    from trustgraph import api
    from trustgraph.anchors import AnchorSet
    from trustgraph.chains import ChainPath, ChainsResult
    from trustgraph.database import Database
    from trustgraph.graph import TrustGraph
    from trustgraph.loader import LoadReport, load_paths
    from trustgraph.pathrules import PathRules, Purpose
    from trustgraph.reach import ReachResult

# Imported on first use (PEP 562), so that ``import trustgraph`` and the command line start
# quickly; ``from trustgraph import Database`` works as usual.
_LAZY = {
    "api": "trustgraph.api",
    "AnchorSet": "trustgraph.anchors",
    "ChainPath": "trustgraph.chains",
    "ChainsResult": "trustgraph.chains",
    "Database": "trustgraph.database",
    "TrustGraph": "trustgraph.graph",
    "LoadReport": "trustgraph.loader",
    "load_paths": "trustgraph.loader",
    "PathRules": "trustgraph.pathrules",
    "Purpose": "trustgraph.pathrules",
    "ReachResult": "trustgraph.reach",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'trustgraph' has no attribute {name!r}")
    if name == "api":
        return import_module(module)
    return getattr(import_module(module), name)


__all__ = [
    "AmbiguousTargetError",
    "AnchorSet",
    "CertificateParseError",
    "ChainPath",
    "ChainsResult",
    "Database",
    "DatabaseError",
    "InputError",
    "LoadReport",
    "PathRules",
    "Purpose",
    "ReachResult",
    "TargetError",
    "TrustGraph",
    "TrustgraphError",
    "UsageError",
    "__version__",
    "api",
    "load_paths",
]

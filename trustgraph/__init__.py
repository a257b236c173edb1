"""trustgraph: trust chains and cross-signs of the Web PKI, as a graph.

The public API, re-exported here; see :mod:`trustgraph.api` for one call per query.
"""

from trustgraph import api
from trustgraph.anchors import AnchorSet
from trustgraph.chains import ChainPath, ChainsResult
from trustgraph.database import Database
from trustgraph.errors import (
    AmbiguousTargetError,
    CertificateParseError,
    DatabaseError,
    InputError,
    TargetError,
    TrustgraphError,
    UsageError,
)
from trustgraph.graph import TrustGraph
from trustgraph.loader import LoadReport, load_paths
from trustgraph.pathrules import PathRules, Purpose
from trustgraph.reach import ReachResult
from trustgraph.version import __version__

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

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
    Neo4jError,
    TargetError,
    TrustgraphError,
    UsageError,
)
from trustgraph.version import __version__

if TYPE_CHECKING:
    from trustgraph import api
    from trustgraph.analysis.chains import ChainPath, ChainsResult
    from trustgraph.analysis.checks.base import Severity
    from trustgraph.analysis.reach import ReachResult
    from trustgraph.api import (
        chains,
        check,
        cross_signs,
        impact,
        load,
        reach,
        serials,
        stores,
        timeline,
    )
    from trustgraph.core.kinds import EdgeKind
    from trustgraph.graph.trustgraph import TrustGraph
    from trustgraph.ingest.loader import LoadReport, load_paths
    from trustgraph.policy.anchors import AnchorSet
    from trustgraph.policy.rules import PathRules, Purpose
    from trustgraph.storage.database import Database

# ``graph`` stays in ``trustgraph.api`` only: ``trustgraph.graph`` is the graph package.
# Imported on first use (PEP 562), so that ``import trustgraph`` and the command line start
# quickly; ``from trustgraph import Database`` works as usual.
_LAZY = {
    "api": "trustgraph.api",
    "AnchorSet": "trustgraph.policy.anchors",
    "ChainPath": "trustgraph.analysis.chains",
    "ChainsResult": "trustgraph.analysis.chains",
    "Database": "trustgraph.storage.database",
    "TrustGraph": "trustgraph.graph.trustgraph",
    "LoadReport": "trustgraph.ingest.loader",
    "load_paths": "trustgraph.ingest.loader",
    "PathRules": "trustgraph.policy.rules",
    "Purpose": "trustgraph.policy.rules",
    "ReachResult": "trustgraph.analysis.reach",
    "EdgeKind": "trustgraph.core.kinds",
    "Severity": "trustgraph.analysis.checks.base",
    "chains": "trustgraph.api",
    "reach": "trustgraph.api",
    "timeline": "trustgraph.api",
    "impact": "trustgraph.api",
    "load": "trustgraph.api",
    "cross_signs": "trustgraph.api",
    "serials": "trustgraph.api",
    "check": "trustgraph.api",
    "stores": "trustgraph.api",
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
    "EdgeKind",
    "InputError",
    "LoadReport",
    "Neo4jError",
    "PathRules",
    "Purpose",
    "ReachResult",
    "Severity",
    "TargetError",
    "TrustGraph",
    "TrustgraphError",
    "UsageError",
    "__version__",
    "api",
    "chains",
    "check",
    "cross_signs",
    "impact",
    "load",
    "load_paths",
    "reach",
    "serials",
    "stores",
    "timeline",
]

"""trustgraph: trust chains and cross-signs of the Web PKI, as a graph.

``trustgraph.open(db)`` opens a session with every capability as a method; the rest of
the public API is re-exported here (see :mod:`trustgraph.api`).
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
    from trustgraph import api as api
    from trustgraph.analysis.chains import ChainPath as ChainPath
    from trustgraph.analysis.chains import ChainsResult as ChainsResult
    from trustgraph.analysis.checks.base import Severity as Severity
    from trustgraph.analysis.reach import ReachResult as ReachResult
    from trustgraph.api import chains as chains
    from trustgraph.api import check as check
    from trustgraph.api import cross_signs as cross_signs
    from trustgraph.api import impact as impact
    from trustgraph.api import load as load
    from trustgraph.api import open as open
    from trustgraph.api import reach as reach
    from trustgraph.api import serials as serials
    from trustgraph.api import stores as stores
    from trustgraph.api import timeline as timeline
    from trustgraph.core.kinds import EdgeKind as EdgeKind
    from trustgraph.graph.trustgraph import TrustGraph as TrustGraph
    from trustgraph.ingest.loader import LoadReport as LoadReport
    from trustgraph.ingest.loader import load_paths as load_paths
    from trustgraph.policy.anchors import AnchorSet as AnchorSet
    from trustgraph.policy.rules import PathRules as PathRules
    from trustgraph.policy.rules import Purpose as Purpose
    from trustgraph.session import Session as Session
    from trustgraph.storage.database import Database as Database

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
    "open": "trustgraph.api",
    "Session": "trustgraph.session",
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
    "CertificateParseError",
    "DatabaseError",
    "InputError",
    "Neo4jError",
    "TargetError",
    "TrustgraphError",
    "UsageError",
    "__version__",
    *_LAZY,
]

"""The kinds of issuance edge, shared by the loader that decides them, the database that
keeps them, the rules that rank them and every report that prints them.

* **verified**: the issuer's name matches and its key verifies the signature;
* **unverifiable**: the name matches, the signature cannot be checked (MD2, SM2, an unknown
  algorithm or key type);
* **declared**: metadata (a CCADB record, a case file) says who issued it, without bytes;
* **none**: no loaded CA can have issued it (yet);
* **invalid**: every candidate issuer's key was tried and none verifies the signature.

Only the first three are edges of the graph.
"""

from __future__ import annotations

import enum


class EdgeKind(enum.StrEnum):
    VERIFIED = "verified"
    UNVERIFIABLE = "unverifiable"
    DECLARED = "declared"
    NONE = "none"
    INVALID = "invalid"


VERIFIED = EdgeKind.VERIFIED
UNVERIFIABLE = EdgeKind.UNVERIFIABLE
DECLARED = EdgeKind.DECLARED
NONE = EdgeKind.NONE
INVALID = EdgeKind.INVALID

GRAPH_KINDS: tuple[str, ...] = (VERIFIED, UNVERIFIABLE, DECLARED)
"""Kinds that are edges of the graph."""
RELINKABLE_KINDS: tuple[str, ...] = (NONE, INVALID, UNVERIFIABLE, DECLARED)
"""Kinds decided again when a CA of the matching name arrives."""

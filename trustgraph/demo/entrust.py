"""The demo's recent story beside WoSign: Entrust's distrust of 2024, told program by
program from the root programs' own histories (crt.sh's snapshots, with Microsoft's trust
lists and certifi's bundles where the folder has them).

Entrust's roots are the anchors whose subject organisation is Entrust's (``Entrust, Inc.``,
``Entrust.net``) or AffirmTrust's (Entrust has owned AffirmTrust since April 2016, as
AffirmTrust's about page says: https://www.affirmtrust.com/about-us/). For each program:
the constraints it put on them, when it removed them, and which it still lists.
"""

from __future__ import annotations

from trustgraph.analysis.fates import AnchorFate, anchor_fate
from trustgraph.policy.stores import list_snapshots
from trustgraph.storage import certificates
from trustgraph.storage.database import Database
from trustgraph.stored import StoredRecords
from trustgraph.x509.names import fold

ORGANIZATIONS = ("entrust", "affirmtrust")
"""Folded subject organisations (prefixes) of Entrust's roots."""


def entrust_cas(db: Database) -> set[str]:
    """The CAs whose subject organisation is Entrust's or AffirmTrust's."""
    return {
        ca
        for ca, organization in certificates.ca_subject_organizations(db)
        if organization and fold(organization).startswith(ORGANIZATIONS)
    }


def entrust_fates(db: Database, stores: list[str]) -> list[AnchorFate]:
    """What each store did with Entrust's roots (stores that never listed one left out),
    judged as of the latest snapshot of any of them."""
    cas = entrust_cas(db)
    dated = [s.as_of for store in stores for s in list_snapshots(db, store)]
    if not cas or not dated:
        return []
    today = max(dated)
    records = StoredRecords(db)
    fates = [anchor_fate(records, store, cas, today) for store in stores]
    return [fate for fate in fates if fate.listed]

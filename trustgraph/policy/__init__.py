"""Policy: the rules a path must obey at the date asked, as immutable objects that path
search only consumes. Path rules (RFC 5280 section 6 checks on single certificates),
signature-hash cut-offs, name constraints, revocations, subject-name distrust rules, and
trust anchors with what their store says (snapshots, distrust-after, distrusted
certificates), and client profiles (how a TLS client builds a path, which store it
trusts).

Imports :mod:`trustgraph.storage` (to build those objects from the database),
:mod:`trustgraph.x509` and :mod:`trustgraph.core`.
"""

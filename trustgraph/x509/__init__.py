"""X.509: reading certificates. A strict DER walker, RFC 5280 name comparison keys, the
certificate record the rest of trustgraph uses (read by ``cryptography``, else
``asn1crypto``) and the stored form of its name constraints, signature checks with any
issuer key, and extension details for reports.

Imports :mod:`trustgraph.core` and errors only.
"""

"""Ingest: turning inputs into the database. Readers for PEM, DER, bundles, directories and
CCADB reports, NSS certdata and root-store sources, case files and fetched certificates;
the loader, which parses in worker processes and accounts for every input; and linking,
which decides each certificate's issuance edge.

Imports :mod:`trustgraph.x509`, :mod:`trustgraph.storage` and :mod:`trustgraph.core`.
"""

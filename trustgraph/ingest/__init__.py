"""Ingest: turning inputs into the database. Readers for PEM, DER, bundles, directories and
CCADB reports, NSS certdata and every root program's store format (Microsoft's authroot
CTL, the Chrome Root Store textproto, Apple and Android archives), case files and fetched
certificates; the loader, which parses in worker processes and accounts for every input;
and linking, which decides each certificate's issuance edge.

Imports :mod:`trustgraph.x509`, :mod:`trustgraph.storage` and :mod:`trustgraph.core`.
"""

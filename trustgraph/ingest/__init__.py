"""Ingest: turning inputs into the database. Readers for PEM, DER, bundles, directories, tar
archives and CCADB reports, NSS certdata and every root program's store format (Microsoft's
authroot CTL, the Chrome Root Store textproto, Apple and Android archives, crt.sh's
root-program snapshots, certifi's history), Firefox's own lists (OneCRL, intermediate
preloading), Certificate Transparency logs (:mod:`.ct`), case files and fetched
certificates; the loader, which parses in worker processes and accounts for every input;
and linking, which decides each certificate's issuance edge.

Imports :mod:`trustgraph.x509`, :mod:`trustgraph.storage` and :mod:`trustgraph.core`.
"""

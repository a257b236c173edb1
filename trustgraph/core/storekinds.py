"""The kinds of trust-store source ``store add`` reads, named in one light module so that
the command line can list them without importing the readers, and the policy layer can
tell which sources state constraints."""

from __future__ import annotations

BUNDLE = "pem-bundle"
NSS = "nss-certdata"
CCADB = "ccadb-records"
AUTHROOT = "microsoft-authroot"
CHROME = "chrome-textproto"
APPLE = "apple-archive"
ANDROID = "android-archive"
CRTSH = "crtsh-root-programs"
CERTIFI = "certifi-history"
KINDS = {
    BUNDLE: "PEM bundle (certifi, curl): every certificate is an anchor",
    NSS: "NSS certdata.txt: trust objects, explicit distrust, distrust-after dates",
    CCADB: "CCADB certificate-records report: one program's status column (--program)",
    AUTHROOT: "Microsoft authroot.stl, or a directory of versions: a series by ThisUpdate",
    CHROME: "Chrome Root Store root_store.textproto, with constraints (needs --as-of)",
    APPLE: "archive of Apple iOS/macOS stores (--platform ios|macos): a series",
    ANDROID: "archive of Android system stores by AOSP tag: a series by release month",
    CRTSH: "crt.sh's root-program snapshots (archive or folder of YYYYMMDD_PROGRAM.sql): a "
    "series per program (NAME all: every program, each into a store of its name)",
    CERTIFI: "certifi's history (archive or folder of cacert-certifi-VERSION.pem): a series "
    "by release day",
}
"""Every kind of source ``store add`` reads, and what it takes from it."""
DATED = frozenset({AUTHROOT, APPLE, ANDROID, CRTSH, CERTIFI})
"""Kinds that carry their own dates; the others need the user's ``as_of``."""
LISTS_ONLY = frozenset({BUNDLE, CERTIFI})
"""Kinds whose sources list the anchors without the program's constraints on them
(distrust-after dates, SCT cut-offs, disabled dates)."""

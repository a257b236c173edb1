"""The database's tables, their columns, and the schema version.

Bump :data:`SCHEMA_VERSION` with every change to :data:`SCHEMA` or :data:`INDEXES`, and add
the statements that bring a database of the previous version up to date to
:data:`MIGRATIONS` (``tests/storage/test_migrations.py`` opens a database of every earlier
version). No statement of these scripts may contain a semicolon but the one that ends it.
"""

from __future__ import annotations

SCHEMA_VERSION = 7

APPLICATION_ID = 0x54724752
"""SQLite's application id of a trustgraph database (ASCII "TrGR"), from schema 2 on."""

LEAF_TABLES = """
CREATE TABLE IF NOT EXISTS leaf_sources (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,  -- ct (a log) or files (certificates read from files)
    prefix TEXT NOT NULL,  -- a log's monitoring prefix, or the files' path
    log_id TEXT,  -- hex SHA-256 of the log's key
    key BLOB,  -- the log's SubjectPublicKeyInfo
    origin TEXT,
    size INTEGER NOT NULL DEFAULT 0,  -- entries of the latest verified checkpoint
    root BLOB,
    checkpoint TEXT,
    checkpoint_time INTEGER,  -- its signed tree head's time (ms since the epoch)
    synced_at TEXT,
    UNIQUE (kind, prefix, log_id)
);
CREATE TABLE IF NOT EXISTS leaf_tiles (  -- data tiles stored, and how many of their entries
    source INTEGER NOT NULL,
    tile INTEGER NOT NULL,
    width INTEGER NOT NULL,
    PRIMARY KEY (source, tile)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS leaf_issuers (
    id INTEGER PRIMARY KEY,
    certificate TEXT NOT NULL UNIQUE  -- SHA-256 of the issuing CA's certificate
);
CREATE TABLE IF NOT EXISTS leaves (
    source INTEGER NOT NULL,
    idx INTEGER NOT NULL,  -- the entry's index in the log (files: the order read)
    issuer INTEGER,
    ident INTEGER NOT NULL,  -- 64 bits of SHA-256(issuer name, serial): a certificate
    not_before INTEGER NOT NULL,  -- seconds since the epoch
    not_after INTEGER NOT NULL,
    logged INTEGER,  -- the entry's timestamp (its SCT's time), ms since the epoch
    precert INTEGER NOT NULL,
    PRIMARY KEY (source, idx)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS leaf_domains (
    source INTEGER NOT NULL,
    idx INTEGER NOT NULL,
    domain INTEGER NOT NULL,  -- 64 bits of SHA-256 of the registered domain
    PRIMARY KEY (source, idx, domain)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS domains (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL
);
"""
"""The tables of leaf certificates (from CT logs and files), added in schema 6."""

LEAF_CHAINS = """
ALTER TABLE leaves ADD COLUMN chain INTEGER;  -- the chain logged with it (None: not known)
CREATE TABLE IF NOT EXISTS leaf_chains (
    id INTEGER PRIMARY KEY,
    certificates BLOB NOT NULL UNIQUE  -- SHA-256s of the chain above the leaf, nearest first
);
"""
"""The chain each CT entry was logged with, from its issuing CA's certificate on (added in
schema 7)."""

SCHEMA = (
    """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS sources (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    path TEXT NOT NULL,
    loaded_at TEXT NOT NULL,
    tool_version TEXT NOT NULL,
    summary TEXT,
    digest TEXT  -- SHA-256 of the bytes read, so that the same input loads once
);
CREATE TABLE IF NOT EXISTS certificates (
    sha256 TEXT PRIMARY KEY,
    version INTEGER,
    serial TEXT,
    subject TEXT NOT NULL,
    issuer TEXT NOT NULL,
    subject_key TEXT NOT NULL,
    issuer_key TEXT NOT NULL,
    subject_cn TEXT,
    subject_o TEXT,
    issuer_cn TEXT,
    issuer_o TEXT,
    not_before TEXT,
    not_after TEXT,
    spki_sha256 TEXT,
    ca_id TEXT,
    key_algorithm TEXT,
    key_size INTEGER,
    key_curve TEXT,
    sig_oid TEXT,
    sig_name TEXT,
    sig_hash TEXT,
    is_ca INTEGER,
    path_len INTEGER,
    key_usage INTEGER,
    eku TEXT,
    name_constraints TEXT,
    san TEXT,
    ski TEXT,
    aki TEXT,
    unreadable_critical TEXT,
    parser TEXT,
    warnings TEXT,
    sha1 TEXT,  -- how Microsoft's trust lists name certificates
    sct_earliest TEXT,  -- earliest embedded SCT; '' none; NULL not read (older trustgraph)
    der BLOB  -- last: queries of the other columns then never read through it
);
CREATE TABLE IF NOT EXISTS cas (
    ca_id TEXT PRIMARY KEY,
    subject TEXT NOT NULL,
    subject_key TEXT NOT NULL,
    subject_cn TEXT,
    subject_o TEXT,
    spki_sha256 TEXT,
    spki BLOB,
    key_algorithm TEXT,
    key_size INTEGER,
    key_curve TEXT,
    ski TEXT,
    subject_folded TEXT,
    cn_folded TEXT
);
CREATE TABLE IF NOT EXISTS edges (
    certificate TEXT PRIMARY KEY,
    issuer_ca TEXT,
    subject_ca TEXT,
    kind TEXT NOT NULL,
    reason TEXT
);
CREATE TABLE IF NOT EXISTS occurrences (
    source_id INTEGER NOT NULL,
    location TEXT NOT NULL,
    certificate TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS problems (
    source_id INTEGER NOT NULL,
    location TEXT NOT NULL,
    certificate TEXT,
    kind TEXT NOT NULL,
    reason TEXT NOT NULL,
    count INTEGER NOT NULL DEFAULT 1  -- more than 1: the row stands for that many alike
);
CREATE TABLE IF NOT EXISTS revocations (
    certificate TEXT,
    issuer_key TEXT,
    serial TEXT,
    revoked_at TEXT,
    no_later_than TEXT,
    source TEXT NOT NULL,
    note TEXT,
    subject_key TEXT,  -- with spki_sha256: every certificate of that CA (name and key)
    spki_sha256 TEXT,
    scope TEXT,  -- the store whose clients honour it (Mozilla's OneCRL); NULL: every view
    list TEXT,  -- the published list it came from, replaced whole (onecrl); NULL: a fact
    origin TEXT,  -- the file of that list
    UNIQUE (certificate, issuer_key, serial, source)
);
CREATE TABLE IF NOT EXISTS declarations (
    certificate TEXT PRIMARY KEY,
    issuer_certificate TEXT,
    same_ca_as TEXT,
    source TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS store_snapshots (
    id INTEGER PRIMARY KEY,
    store TEXT NOT NULL,
    as_of TEXT NOT NULL,
    source_kind TEXT NOT NULL,
    source_path TEXT NOT NULL,
    description TEXT,
    loaded_at TEXT NOT NULL,
    sequence TEXT,  -- the source's own version number (a CTL's sequence number)
    precision TEXT NOT NULL DEFAULT 'day',  -- of as_of: day, month (an OS release)
    superseded_from TEXT,  -- a newer release, never observed, was current from then on
    UNIQUE (store, as_of)
);
CREATE TABLE IF NOT EXISTS store_anchors (
    snapshot_id INTEGER NOT NULL,
    certificate TEXT,  -- SHA-256, when the source gives it
    sha1 TEXT,  -- SHA-1, when that is all the source gives
    distrust_after TEXT,  -- certificates issued after it are not trusted below the anchor
    distrust_purposes TEXT,  -- JSON EKU OIDs distrust_after applies to; NULL: all
    disabled_from TEXT,  -- the anchor is not trusted from then on
    purposes TEXT,  -- JSON EKU OIDs the anchor is trusted for; NULL: not restricted
    sct_not_after TEXT,  -- a certificate needs an SCT at or before it
    label TEXT,
    attributes TEXT  -- JSON: what else the source says of the anchor
);
CREATE TABLE IF NOT EXISTS store_blocked (
    snapshot_id INTEGER NOT NULL,
    certificate TEXT,
    issuer_key TEXT,
    serial TEXT,
    label TEXT
);
CREATE TABLE IF NOT EXISTS distrust_rules (
    id INTEGER PRIMARY KEY,
    store TEXT NOT NULL,
    subjects TEXT NOT NULL,
    not_before_after TEXT NOT NULL,
    effective TEXT NOT NULL,
    source TEXT NOT NULL,
    note TEXT,
    UNIQUE (store, subjects, not_before_after, effective)
);
CREATE TABLE IF NOT EXISTS preloaded (
    certificate TEXT NOT NULL,  -- SHA-256 of an intermediate a client knows on its own
    client TEXT NOT NULL,  -- firefox
    source TEXT NOT NULL,
    UNIQUE (certificate, client)
);
CREATE TABLE IF NOT EXISTS owners (
    name TEXT PRIMARY KEY,
    aliases TEXT,
    source TEXT
);
CREATE TABLE IF NOT EXISTS ownership (
    owner TEXT NOT NULL,
    owned TEXT NOT NULL,
    start TEXT,
    until TEXT,
    source TEXT NOT NULL,
    relation TEXT NOT NULL DEFAULT 'owned_by',  -- or reseller_of: owned resold owner's
    precision TEXT NOT NULL DEFAULT 'day',  -- of start: day, month, year
    UNIQUE (owner, owned, start)
);
CREATE TABLE IF NOT EXISTS operator_facts (
    certificate TEXT,
    organization TEXT,
    owner TEXT NOT NULL,
    basis TEXT NOT NULL,
    source TEXT NOT NULL,
    as_of TEXT,  -- when the source said so (a CCADB report's date); NULL: timeless
    UNIQUE (certificate, organization, owner, basis)
);
"""
    + LEAF_TABLES
    + LEAF_CHAINS
)

INDEXES = """
CREATE INDEX IF NOT EXISTS certificates_issuer_serial ON certificates(issuer_key, serial);
CREATE INDEX IF NOT EXISTS certificates_ca ON certificates(ca_id);
CREATE INDEX IF NOT EXISTS certificates_sha1 ON certificates(sha1);
CREATE INDEX IF NOT EXISTS certificates_subject ON certificates(subject_key);
CREATE UNIQUE INDEX IF NOT EXISTS store_anchors_once ON store_anchors(
    snapshot_id, COALESCE(certificate, ''), COALESCE(sha1, ''));
CREATE INDEX IF NOT EXISTS cas_subject_key ON cas(subject_key);
CREATE INDEX IF NOT EXISTS edges_issuer ON edges(issuer_ca);
CREATE INDEX IF NOT EXISTS edges_subject ON edges(subject_ca);
CREATE INDEX IF NOT EXISTS occurrences_certificate ON occurrences(certificate);
CREATE INDEX IF NOT EXISTS edges_kind ON edges(kind);
CREATE UNIQUE INDEX IF NOT EXISTS revocations_once ON revocations(
    COALESCE(certificate, ''), COALESCE(issuer_key, ''), COALESCE(serial, ''),
    COALESCE(subject_key, ''), COALESCE(spki_sha256, ''), COALESCE(scope, ''), source);
CREATE UNIQUE INDEX IF NOT EXISTS ownership_once ON ownership(owner, owned, COALESCE(start, ''));
CREATE INDEX IF NOT EXISTS leaves_issuer ON leaves(issuer, not_after);
CREATE UNIQUE INDEX IF NOT EXISTS operator_facts_once ON operator_facts(
    COALESCE(certificate, ''), COALESCE(organization, ''), owner, basis);
CREATE UNIQUE INDEX IF NOT EXISTS store_blocked_once ON store_blocked(
    snapshot_id, COALESCE(certificate, ''), COALESCE(issuer_key, ''), COALESCE(serial, ''));
"""
"""The indexes, made when the tables are (and remade after a load suspends some). The
unique ones make facts count once even where a column is NULL (SQLite's UNIQUE constraints
treat NULLs as distinct), so that reading a source again adds nothing."""

MIGRATIONS: dict[int, str] = {
    2: """
ALTER TABLE sources ADD COLUMN digest TEXT;
ALTER TABLE problems ADD COLUMN count INTEGER NOT NULL DEFAULT 1;
DELETE FROM revocations WHERE rowid NOT IN (SELECT MIN(rowid) FROM revocations GROUP BY
    COALESCE(certificate, ''), COALESCE(issuer_key, ''), COALESCE(serial, ''), source);
DELETE FROM ownership WHERE rowid NOT IN (SELECT MIN(rowid) FROM ownership GROUP BY
    owner, owned, COALESCE(start, ''));
DELETE FROM operator_facts WHERE rowid NOT IN (SELECT MIN(rowid) FROM operator_facts GROUP BY
    COALESCE(certificate, ''), COALESCE(organization, ''), owner, basis);
DELETE FROM store_blocked WHERE rowid NOT IN (SELECT MIN(rowid) FROM store_blocked GROUP BY
    snapshot_id, COALESCE(certificate, ''), COALESCE(issuer_key, ''), COALESCE(serial, ''));
""",
    3: """
ALTER TABLE ownership ADD COLUMN relation TEXT NOT NULL DEFAULT 'owned_by';
ALTER TABLE ownership ADD COLUMN precision TEXT NOT NULL DEFAULT 'day';
ALTER TABLE operator_facts ADD COLUMN as_of TEXT;
UPDATE operator_facts SET as_of = substr(source, -11, 10) || 'T00:00:00Z'
    WHERE basis = 'ccadb' AND source GLOB '*([0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9])';
""",
    4: """
ALTER TABLE certificates ADD COLUMN sha1 TEXT;
ALTER TABLE certificates ADD COLUMN sct_earliest TEXT;
UPDATE certificates SET sha1 = tg_sha1(der) WHERE der IS NOT NULL;
ALTER TABLE store_snapshots ADD COLUMN sequence TEXT;
ALTER TABLE store_snapshots ADD COLUMN precision TEXT NOT NULL DEFAULT 'day';
ALTER TABLE store_snapshots ADD COLUMN superseded_from TEXT;
CREATE TABLE store_anchors_4 (
    snapshot_id INTEGER NOT NULL,
    certificate TEXT,
    sha1 TEXT,
    distrust_after TEXT,
    distrust_purposes TEXT,
    disabled_from TEXT,
    purposes TEXT,
    sct_not_after TEXT,
    label TEXT,
    attributes TEXT
);
INSERT INTO store_anchors_4(snapshot_id, certificate, distrust_after, label)
    SELECT snapshot_id, certificate, distrust_after, label FROM store_anchors;
DROP TABLE store_anchors;
ALTER TABLE store_anchors_4 RENAME TO store_anchors;
""",
    5: """
ALTER TABLE revocations ADD COLUMN subject_key TEXT;
ALTER TABLE revocations ADD COLUMN spki_sha256 TEXT;
ALTER TABLE revocations ADD COLUMN scope TEXT;
ALTER TABLE revocations ADD COLUMN list TEXT;
ALTER TABLE revocations ADD COLUMN origin TEXT;
DROP INDEX IF EXISTS revocations_once;
CREATE TABLE preloaded (
    certificate TEXT NOT NULL,
    client TEXT NOT NULL,
    source TEXT NOT NULL,
    UNIQUE (certificate, client)
);
""",
    6: LEAF_TABLES,
    7: LEAF_CHAINS,
}
"""For each version above 1, the statements that turn a database of the version before it
into one of that version."""

CERTIFICATE_COLUMNS = (
    "sha256",
    "der",
    "version",
    "serial",
    "subject",
    "issuer",
    "subject_key",
    "issuer_key",
    "subject_cn",
    "subject_o",
    "issuer_cn",
    "issuer_o",
    "not_before",
    "not_after",
    "spki_sha256",
    "ca_id",
    "key_algorithm",
    "key_size",
    "key_curve",
    "sig_oid",
    "sig_name",
    "sig_hash",
    "is_ca",
    "path_len",
    "key_usage",
    "eku",
    "name_constraints",
    "san",
    "ski",
    "aki",
    "unreadable_critical",
    "parser",
    "warnings",
    "sha1",
    "sct_earliest",
)
CA_COLUMNS = (
    "ca_id",
    "subject",
    "subject_key",
    "subject_cn",
    "subject_o",
    "spki_sha256",
    "spki",
    "key_algorithm",
    "key_size",
    "key_curve",
    "ski",
    "subject_folded",
    "cn_folded",
)
EDGE_COLUMNS = ("certificate", "issuer_ca", "subject_ca", "kind", "reason")

# Indexes of queries, not of loading: dropped during a large load and rebuilt after it.
DEFERRABLE_INDEXES = (
    "certificates_issuer_serial",
    "certificates_ca",
    "certificates_sha1",
    "certificates_subject",
    "edges_issuer",
    "edges_subject",
    "occurrences_certificate",
)

-- The schema of trustgraph 0.1.0 (schema version 1), for the migration tests.
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS sources (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    path TEXT NOT NULL,
    loaded_at TEXT NOT NULL,
    tool_version TEXT NOT NULL,
    summary TEXT
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
    der BLOB  -- last: queries of the other columns then never read through it
);
DROP INDEX IF EXISTS certificates_issuer_key;
CREATE INDEX IF NOT EXISTS certificates_issuer_serial ON certificates(issuer_key, serial);
CREATE INDEX IF NOT EXISTS certificates_ca ON certificates(ca_id);
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
CREATE INDEX IF NOT EXISTS cas_subject_key ON cas(subject_key);
CREATE TABLE IF NOT EXISTS edges (
    certificate TEXT PRIMARY KEY,
    issuer_ca TEXT,
    subject_ca TEXT,
    kind TEXT NOT NULL,
    reason TEXT
);
CREATE INDEX IF NOT EXISTS edges_issuer ON edges(issuer_ca);
CREATE INDEX IF NOT EXISTS edges_subject ON edges(subject_ca);
CREATE TABLE IF NOT EXISTS occurrences (
    source_id INTEGER NOT NULL,
    location TEXT NOT NULL,
    certificate TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS occurrences_certificate ON occurrences(certificate);
CREATE TABLE IF NOT EXISTS problems (
    source_id INTEGER NOT NULL,
    location TEXT NOT NULL,
    certificate TEXT,
    kind TEXT NOT NULL,
    reason TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS revocations (
    certificate TEXT,
    issuer_key TEXT,
    serial TEXT,
    revoked_at TEXT,
    no_later_than TEXT,
    source TEXT NOT NULL,
    note TEXT,
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
    UNIQUE (store, as_of)
);
CREATE TABLE IF NOT EXISTS store_anchors (
    snapshot_id INTEGER NOT NULL,
    certificate TEXT NOT NULL,
    distrust_after TEXT,
    label TEXT,
    UNIQUE (snapshot_id, certificate)
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
    UNIQUE (owner, owned, start)
);
CREATE TABLE IF NOT EXISTS operator_facts (
    certificate TEXT,
    organization TEXT,
    owner TEXT NOT NULL,
    basis TEXT NOT NULL,
    source TEXT NOT NULL,
    UNIQUE (certificate, organization, owner, basis)
);

-- Images built from a Dockerfile and a code zip (docs/images.md). Timestamps are epoch milliseconds (UTC).
CREATE TABLE images (
    seq          INTEGER PRIMARY KEY AUTOINCREMENT,
    id           TEXT    NOT NULL UNIQUE,
    name         TEXT    NOT NULL UNIQUE,
    arn          TEXT    NOT NULL UNIQUE,
    state        TEXT    NOT NULL,
    state_reason TEXT,
    tags         TEXT,
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER,
    client_token TEXT UNIQUE,
    fingerprint  TEXT
);

-- One row per version; spec is the request that made it (JSON, as returned by the API).
CREATE TABLE image_versions (
    seq          INTEGER PRIMARY KEY AUTOINCREMENT,
    image_id     TEXT    NOT NULL REFERENCES images (id),
    version      INTEGER NOT NULL,
    state        TEXT    NOT NULL,
    status       TEXT    NOT NULL,
    state_reason TEXT,
    spec         TEXT    NOT NULL,
    vcpus        INTEGER NOT NULL,
    memory_mib   INTEGER NOT NULL,
    environment  TEXT    NOT NULL,
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER,
    client_token TEXT UNIQUE,
    fingerprint  TEXT,
    UNIQUE (image_id, version)
);

-- One build per version.
CREATE TABLE image_builds (
    seq          INTEGER PRIMARY KEY AUTOINCREMENT,
    id           TEXT    NOT NULL UNIQUE,
    image_id     TEXT    NOT NULL REFERENCES images (id),
    version      INTEGER NOT NULL,
    state        TEXT    NOT NULL,
    state_reason TEXT,
    created_at   INTEGER NOT NULL,
    started_at   INTEGER,
    ended_at     INTEGER,
    vmm_pid      INTEGER,
    memory_bytes INTEGER,
    code_bytes   INTEGER,
    disk_bytes   INTEGER
);

CREATE INDEX image_builds_state ON image_builds (state, seq);

-- Tenants and their access keys; every microVM, image and event belongs to one tenant.
-- A tenant's id is its 12-digit account id, the one in its ARNs. The admin tenant (000000000000, the account
-- the ARNs of earlier versions already named) owns what existed before tenants.
CREATE TABLE tenants (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,
    id         TEXT    NOT NULL UNIQUE CHECK (length(id) = 12),
    name       TEXT    NOT NULL UNIQUE,
    admin      INTEGER NOT NULL DEFAULT 0,
    quotas     TEXT,                   -- JSON; a field absent: the server's default
    created_at INTEGER NOT NULL,
    deleted_at INTEGER                 -- kept, so that its id is never given to another tenant
);

INSERT INTO tenants (id, name, admin, created_at)
VALUES ('000000000000', 'admin', 1, CAST(strftime('%s', 'now') AS INTEGER) * 1000);

CREATE TABLE access_keys (
    seq          INTEGER PRIMARY KEY AUTOINCREMENT,
    id           TEXT    NOT NULL UNIQUE,
    tenant_id    TEXT    NOT NULL REFERENCES tenants (id),
    secret       BLOB    NOT NULL,     -- sealed with the host key: the database alone cannot give it back
    status       TEXT    NOT NULL CHECK (status IN ('ACTIVE', 'REVOKED')),
    created_at   INTEGER NOT NULL,
    revoked_at   INTEGER,
    last_used_at INTEGER
);

CREATE INDEX access_keys_tenant ON access_keys (tenant_id, seq);

-- Client tokens stay one column: from now on Ember stores them prefixed with the tenant's id, so two tenants'
-- tokens never meet. Earlier rows are the admin's.
ALTER TABLE microvms ADD COLUMN tenant_id TEXT NOT NULL DEFAULT '000000000000';
UPDATE microvms SET client_token = '000000000000/' || client_token WHERE client_token IS NOT NULL;
CREATE INDEX microvms_tenant ON microvms (tenant_id, seq);
UPDATE usage SET tenant_id = (SELECT m.tenant_id FROM microvms m WHERE m.id = usage.microvm_id);

-- Image names are unique per tenant, no longer on the host: the table is rebuilt (SQLite cannot drop a
-- UNIQUE constraint). With foreign keys enforced (they cannot be turned off inside the migration's transaction),
-- dropping a parent that still has children counts each child as a violation, and renaming a parent makes its
-- children follow the old table. So the children's rows are set aside, children and parent dropped, the new
-- parent put in place, and the children recreated (as V3 made them) and refilled.
CREATE TABLE images_v7 (
    seq          INTEGER PRIMARY KEY AUTOINCREMENT,
    id           TEXT    NOT NULL UNIQUE,
    tenant_id    TEXT    NOT NULL,
    name         TEXT    NOT NULL,
    arn          TEXT    NOT NULL UNIQUE,
    state        TEXT    NOT NULL,
    state_reason TEXT,
    tags         TEXT,
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER,
    client_token TEXT UNIQUE,
    fingerprint  TEXT,
    UNIQUE (tenant_id, name)
);

INSERT INTO images_v7 (seq, id, tenant_id, name, arn, state, state_reason, tags, created_at, updated_at, client_token, fingerprint)
SELECT seq, id, '000000000000', name, arn, state, state_reason, tags, created_at, updated_at,
       CASE WHEN client_token IS NULL THEN NULL ELSE '000000000000/' || client_token END, fingerprint
FROM images;

CREATE TABLE image_versions_v6 AS SELECT * FROM image_versions;
CREATE TABLE image_builds_v6 AS SELECT * FROM image_builds;
DROP TABLE image_builds;
DROP TABLE image_versions;
DROP TABLE images;
ALTER TABLE images_v7 RENAME TO images;

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
INSERT INTO image_versions SELECT * FROM image_versions_v6;
INSERT INTO image_builds SELECT * FROM image_builds_v6;
DROP TABLE image_versions_v6;
DROP TABLE image_builds_v6;
UPDATE image_versions SET client_token = '000000000000/' || client_token WHERE client_token IS NOT NULL;

-- Events: every event names its tenant, and an event may concern no microVM (a refused RunMicrovm).
CREATE TABLE events_v7 (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,
    tenant_id  TEXT    NOT NULL,
    microvm_id TEXT    REFERENCES microvms (id),
    at         INTEGER NOT NULL,
    from_state TEXT,
    to_state   TEXT,
    cause      TEXT    NOT NULL,
    message    TEXT
);

INSERT INTO events_v7 (seq, tenant_id, microvm_id, at, from_state, to_state, cause, message)
SELECT e.seq, m.tenant_id, e.microvm_id, e.at, e.from_state, e.to_state, e.cause, e.message
FROM events e JOIN microvms m ON m.id = e.microvm_id;

DROP TABLE events;
ALTER TABLE events_v7 RENAME TO events;
CREATE INDEX events_microvm ON events (microvm_id, seq);
CREATE INDEX events_tenant ON events (tenant_id, seq);

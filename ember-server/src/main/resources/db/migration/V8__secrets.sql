-- Secrets by reference (docs/secrets.md). A secret's value is sealed with the host key (AES-256-GCM, the key file lives
-- outside this database) under the context "secret:<tenant_id>:<name>", so a sealed value copied to another row or
-- tenant does not open. Times are epoch milliseconds (UTC).
CREATE TABLE secrets (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    tenant_id   TEXT    NOT NULL,
    name        TEXT    NOT NULL,
    description TEXT,
    sealed      BLOB    NOT NULL,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    UNIQUE (tenant_id, name)
);

-- An execution role: the names of the tenant's secrets a microVM launched with it may read. Names are kept as given
-- (a JSON array of strings): a secret deleted later is simply not found when the role is used.
CREATE TABLE roles (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    tenant_id   TEXT    NOT NULL,
    name        TEXT    NOT NULL,
    description TEXT,
    secrets     TEXT    NOT NULL,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    UNIQUE (tenant_id, name)
);

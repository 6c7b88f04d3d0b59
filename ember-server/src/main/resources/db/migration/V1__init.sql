-- One row per microVM ever run. Timestamps are epoch milliseconds (UTC).
-- seq gives the creation order that ListMicrovms pages over.
CREATE TABLE microvms (
    seq                      INTEGER PRIMARY KEY AUTOINCREMENT,
    id                       TEXT    NOT NULL UNIQUE,
    arn                      TEXT    NOT NULL,
    image_name               TEXT    NOT NULL,
    image_arn                TEXT    NOT NULL,
    image_version            TEXT    NOT NULL,
    state                    TEXT    NOT NULL,
    state_reason             TEXT,
    vcpus                    INTEGER NOT NULL,
    memory_mib               INTEGER NOT NULL,
    idle_policy              TEXT,
    maximum_duration_seconds INTEGER NOT NULL,
    execution_role_arn       TEXT,
    started_at               INTEGER NOT NULL,
    terminated_at            INTEGER,
    vmm_pid                  INTEGER,
    work_dir                 TEXT    NOT NULL,
    client_token             TEXT UNIQUE
);

CREATE INDEX microvms_state ON microvms (state);

-- Every lifecycle transition, with what caused it (USER, BOOT, FAILURE, LIFETIME, RECONCILE).
CREATE TABLE events (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,
    microvm_id TEXT    NOT NULL REFERENCES microvms (id),
    at         INTEGER NOT NULL,
    from_state TEXT,
    to_state   TEXT    NOT NULL,
    cause      TEXT    NOT NULL,
    message    TEXT
);

CREATE INDEX events_microvm ON events (microvm_id, seq);

-- Metering (docs/metering.md): the intervals a microVM was billed for, written in the same transaction as the
-- transition that opens or closes them. Times are epoch milliseconds (UTC); end_ms NULL: the open interval, which
-- runs until now. kind RUNNING: a VMM holds vcpus and memory_mib; kind SUSPENDED: only disk_bytes on disk.
CREATE TABLE usage (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,
    microvm_id TEXT    NOT NULL REFERENCES microvms (id),
    tenant_id  TEXT,                       -- NULL until tenants exist
    kind       TEXT    NOT NULL CHECK (kind IN ('RUNNING', 'SUSPENDED')),
    start_ms   INTEGER NOT NULL,
    end_ms     INTEGER CHECK (end_ms IS NULL OR end_ms >= start_ms),
    vcpus      INTEGER NOT NULL,
    memory_mib INTEGER NOT NULL,
    disk_bytes INTEGER NOT NULL
);

CREATE INDEX usage_microvm ON usage (microvm_id, start_ms);
CREATE INDEX usage_start ON usage (start_ms);
-- At most one open interval per microVM: a second one would count the same seconds twice.
CREATE UNIQUE INDEX usage_open ON usage (microvm_id) WHERE end_ms IS NULL;

-- microVMs alive at the upgrade are metered from their last transition on (disk bytes of a suspended one unknown: 0).
INSERT INTO usage (microvm_id, kind, start_ms, vcpus, memory_mib, disk_bytes)
SELECT m.id,
       CASE WHEN m.state = 'SUSPENDED' OR (m.state = 'TERMINATING' AND e.from_state = 'SUSPENDED')
            THEN 'SUSPENDED' ELSE 'RUNNING' END,
       COALESCE(e.at, m.started_at), m.vcpus, m.memory_mib, 0
FROM microvms m
LEFT JOIN events e ON e.seq = (SELECT MAX(seq) FROM events
                               WHERE microvm_id = m.id AND (from_state IS NULL OR from_state <> to_state))
WHERE m.state <> 'TERMINATED';

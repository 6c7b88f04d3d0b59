-- Network connectors (docs/connectors.md): a tenant's egress policies, chosen by ARN at RunMicrovm. The configuration
-- is kept as JSON ({"egressPolicyConfiguration": ...}); times are epoch milliseconds (UTC).
CREATE TABLE network_connectors (
    seq           INTEGER PRIMARY KEY AUTOINCREMENT,
    id            TEXT    NOT NULL UNIQUE,   -- nc-<24 hex digits>
    tenant_id     TEXT    NOT NULL,
    name          TEXT    NOT NULL,
    configuration TEXT    NOT NULL,
    operator_role TEXT,
    state         TEXT    NOT NULL CHECK (state IN ('PENDING', 'ACTIVE', 'FAILED', 'DELETING')),
    state_reason  TEXT,
    client_token  TEXT    UNIQUE,            -- prefixed with the tenant's id, like RunMicrovm's
    tags          TEXT,                      -- JSON object; null: none
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL,
    UNIQUE (tenant_id, name)
);

-- What a microVM was run with, kept for its life: the connectors' ARNs (JSON arrays, as GetMicrovm returns them) and
-- the egress policy they meant then (JSON), so that updating a connector does not change a running microVM and a
-- restart restores the same policy. NULL on rows from before: ALL_INGRESS, INTERNET_EGRESS.
ALTER TABLE microvms ADD COLUMN ingress_connectors TEXT;
ALTER TABLE microvms ADD COLUMN egress_connectors TEXT;
ALTER TABLE microvms ADD COLUMN egress_policy TEXT;

-- The replay guard's memory: state-changing signatures accepted, per tenant, kept until they could no longer verify
-- (so that a captured request is refused after a restart too), swept when expired.
CREATE TABLE signatures_seen (
    tenant_id  TEXT    NOT NULL,
    signature  TEXT    NOT NULL,   -- hex of the SigV4 signature
    expires_at INTEGER NOT NULL,   -- epoch millis
    PRIMARY KEY (tenant_id, signature)
) WITHOUT ROWID;

CREATE INDEX signatures_seen_expiry ON signatures_seen (expires_at);

package io.ember.store;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Tenants and their access keys (V7__tenants.sql), on a connection of its own to the database {@link Store#open}
 * created and migrated, used under this object's monitor like {@link Store}'s.
 */
public final class TenantStore implements AutoCloseable {
    private static final String TENANT = "seq, id, name, admin, quotas, created_at";
    private static final String KEY = "id, tenant_id, secret, status, created_at, revoked_at, last_used_at";

    private final Connection conn;

    private TenantStore(Connection conn) {
        this.conn = conn;
    }

    /** Opens the database at {@code file}, which {@link Store#open} must have migrated. */
    public static TenantStore open(Path file) {
        return new TenantStore(Sqlite.connect(file));
    }

    /** False when the id or the name is taken (by a live or a deleted tenant). */
    public synchronized boolean insert(TenantRecord t) {
        if (!query("SELECT " + TENANT + " FROM tenants WHERE id = ? OR name = ?", TenantStore::tenant, t.id(), t.name()).isEmpty()) {
            return false;
        }
        update("INSERT INTO tenants (id, name, admin, quotas, created_at) VALUES (?,?,?,?,?)", t.id(), t.name(),
                t.admin() ? 1 : 0, t.quotasJson(), t.createdAt());
        return true;
    }

    /** A live tenant by id or name. */
    public synchronized Optional<TenantRecord> tenant(String idOrName) {
        return query("SELECT " + TENANT + " FROM tenants WHERE (id = ? OR name = ?) AND deleted_at IS NULL",
                TenantStore::tenant, idOrName, idOrName).stream().findFirst();
    }

    public synchronized List<TenantRecord> tenants(long afterOrdinal, int limit) {
        return query("SELECT " + TENANT + " FROM tenants WHERE seq > ? AND deleted_at IS NULL ORDER BY seq LIMIT ?",
                TenantStore::tenant, afterOrdinal, limit);
    }

    public synchronized void setQuotas(String tenantId, String quotasJson) {
        update("UPDATE tenants SET quotas = ? WHERE id = ?", quotasJson, tenantId);
    }

    /** Marks the tenant deleted (its id and name are never given again) and revokes its keys, in one transaction. */
    public synchronized void delete(String tenantId, Instant now) {
        Sqlite.transaction(conn, () -> {
            update("UPDATE access_keys SET status = 'REVOKED', revoked_at = ? WHERE tenant_id = ? AND status = 'ACTIVE'", now, tenantId);
            update("UPDATE tenants SET deleted_at = ? WHERE id = ?", now, tenantId);
            return null;
        });
    }

    public synchronized void insertKey(AccessKeyRecord k) {
        update("INSERT INTO access_keys (" + KEY + ") VALUES (?,?,?,?,?,?,?)", k.id(), k.tenantId(), k.sealedSecret(),
                k.status(), k.createdAt(), k.revokedAt(), k.lastUsedAt());
    }

    /** An access key of a live tenant, whatever its status. */
    public synchronized Optional<AccessKeyRecord> key(String id) {
        return query("SELECT k.id, k.tenant_id, k.secret, k.status, k.created_at, k.revoked_at, k.last_used_at "
                + "FROM access_keys k JOIN tenants t ON t.id = k.tenant_id WHERE k.id = ? AND t.deleted_at IS NULL",
                TenantStore::key, id).stream().findFirst();
    }

    public synchronized List<AccessKeyRecord> keys(String tenantId) {
        return query("SELECT " + KEY + " FROM access_keys WHERE tenant_id = ? ORDER BY seq", TenantStore::key, tenantId);
    }

    /** False when the tenant has no such active key. */
    public synchronized boolean revokeKey(String tenantId, String keyId, Instant now) {
        return update("UPDATE access_keys SET status = 'REVOKED', revoked_at = ? WHERE id = ? AND tenant_id = ? AND status = 'ACTIVE'",
                now, keyId, tenantId) == 1;
    }

    public synchronized void touchKey(String keyId, Instant now) {
        update("UPDATE access_keys SET last_used_at = ? WHERE id = ?", now, keyId);
    }

    /** Microvms of the tenant that are not TERMINATED. */
    public synchronized int liveMicrovms(String tenantId) {
        return query("SELECT COUNT(*) FROM microvms WHERE tenant_id = ? AND state <> 'TERMINATED'", rs -> rs.getInt(1), tenantId)
                .getFirst();
    }

    /**
     * Remembers a state-changing signature of the tenant until {@code expires}; false when it is remembered and not
     * expired at {@code now} (an expired row not yet swept is taken over).
     */
    public synchronized boolean recordSignature(String tenantId, String signature, Instant now, Instant expires) {
        return update("INSERT INTO signatures_seen (tenant_id, signature, expires_at) VALUES (?,?,?) ON CONFLICT (tenant_id, "
                + "signature) DO UPDATE SET expires_at = excluded.expires_at WHERE signatures_seen.expires_at <= ?",
                tenantId, signature, expires, now) == 1;
    }

    /**
     * Forgets the signatures expired at {@code now}, a thousand at a time, letting other calls on this store run
     * between batches (a minute of a busy host's signatures took 0.3 s to delete at once).
     */
    public void sweepSignatures(Instant now) {
        while (sweepSignatureBatch(now, SWEEP_BATCH) == SWEEP_BATCH) Thread.onSpinWait();
    }

    private static final int SWEEP_BATCH = 1_000;

    private synchronized int sweepSignatureBatch(Instant now, int batch) {
        return update("DELETE FROM signatures_seen WHERE (tenant_id, signature) IN (SELECT tenant_id, signature FROM "
                + "signatures_seen WHERE expires_at <= ? LIMIT ?)", now, batch);
    }

    /** The expiries of the signatures still remembered, per tenant, oldest first. */
    public synchronized java.util.Map<String, List<Instant>> liveSignatures(Instant now) {
        java.util.Map<String, List<Instant>> out = new java.util.HashMap<>();
        query("SELECT tenant_id, expires_at FROM signatures_seen WHERE expires_at > ? ORDER BY expires_at", rs -> {
            out.computeIfAbsent(rs.getString(1), t -> new ArrayList<>()).add(Instant.ofEpochMilli(rs.getLong(2)));
            return null;
        }, now);
        return out;
    }

    @Override
    public synchronized void close() {
        Sqlite.close(conn);
    }

    private static TenantRecord tenant(ResultSet rs) throws SQLException {
        return new TenantRecord(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getInt(4) != 0, rs.getString(5),
                Rows.instant(rs, 6));
    }

    private static AccessKeyRecord key(ResultSet rs) throws SQLException {
        return new AccessKeyRecord(rs.getString(1), rs.getString(2), rs.getBytes(3), rs.getString(4), Rows.instant(rs, 5),
                Rows.instant(rs, 6), Rows.instant(rs, 7));
    }

    private <T> List<T> query(String sql, Sqlite.RowMapper<T> mapper, Object... args) {
        return Sqlite.query(conn, "tenant", sql, mapper, args);
    }

    private int update(String sql, Object... args) {
        return Sqlite.update(conn, "tenant", sql, args);
    }
}

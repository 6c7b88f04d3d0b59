package io.ember.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * Secrets and execution roles (tables of V8__secrets.sql), every row owned by one tenant and every query scoped to it.
 * Values arrive sealed: this class never sees a plaintext. One connection used under this object's monitor, like
 * {@link Store}, which must have created and migrated the database.
 */
public final class SecretStore implements AutoCloseable {
    private static final String SECRET = "seq, tenant_id, name, description, sealed, created_at, updated_at";
    private static final String ROLE = "seq, tenant_id, name, description, secrets, created_at, updated_at";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Connection conn;

    private SecretStore(Connection conn) {
        this.conn = conn;
    }

    public static SecretStore open(Path file) {
        return new SecretStore(Sqlite.connect(file));
    }

    /** Creates the secret or replaces its value and description (its creation time and ordinal stay). */
    public synchronized SecretRecord putSecret(String tenantId, String name, String description, byte[] sealed, Instant now) {
        return Sqlite.transaction(conn, () -> {
            update("INSERT INTO secrets (tenant_id, name, description, sealed, created_at, updated_at) VALUES (?,?,?,?,?,?) "
                    + "ON CONFLICT (tenant_id, name) DO UPDATE SET description = excluded.description, "
                    + "sealed = excluded.sealed, updated_at = excluded.updated_at", tenantId, name, description, sealed, now, now);
            return secret(tenantId, name).orElseThrow();
        });
    }

    public synchronized Optional<SecretRecord> secret(String tenantId, String name) {
        return query("SELECT " + SECRET + " FROM secrets WHERE tenant_id = ? AND name = ?", SecretStore::secret, tenantId, name)
                .stream().findFirst();
    }

    /** Up to {@code limit} of the tenant's secrets created after ordinal {@code after}, oldest first. */
    public synchronized List<SecretRecord> secrets(String tenantId, long after, int limit) {
        return query("SELECT " + SECRET + " FROM secrets WHERE tenant_id = ? AND seq > ? ORDER BY seq LIMIT ?",
                SecretStore::secret, tenantId, after, limit);
    }

    /** True when it existed. */
    public synchronized boolean deleteSecret(String tenantId, String name) {
        return update("DELETE FROM secrets WHERE tenant_id = ? AND name = ?", tenantId, name) > 0;
    }

    /** Creates the role or replaces its secrets and description (its creation time and ordinal stay). */
    public synchronized RoleRecord putRole(String tenantId, String name, String description, List<String> secrets, Instant now) {
        String json;
        try {
            json = JSON.writeValueAsString(secrets);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        return Sqlite.transaction(conn, () -> {
            update("INSERT INTO roles (tenant_id, name, description, secrets, created_at, updated_at) VALUES (?,?,?,?,?,?) "
                    + "ON CONFLICT (tenant_id, name) DO UPDATE SET description = excluded.description, "
                    + "secrets = excluded.secrets, updated_at = excluded.updated_at", tenantId, name, description, json, now, now);
            return role(tenantId, name).orElseThrow();
        });
    }

    public synchronized Optional<RoleRecord> role(String tenantId, String name) {
        return query("SELECT " + ROLE + " FROM roles WHERE tenant_id = ? AND name = ?", SecretStore::role, tenantId, name)
                .stream().findFirst();
    }

    public synchronized List<RoleRecord> roles(String tenantId, long after, int limit) {
        return query("SELECT " + ROLE + " FROM roles WHERE tenant_id = ? AND seq > ? ORDER BY seq LIMIT ?",
                SecretStore::role, tenantId, after, limit);
    }

    public synchronized boolean deleteRole(String tenantId, String name) {
        return update("DELETE FROM roles WHERE tenant_id = ? AND name = ?", tenantId, name) > 0;
    }

    /** The tags of a tenant's secret ({@code roles} false) or role (true), sorted by key; empty when it has none such. */
    public synchronized Optional<Map<String, String>> tags(boolean roles, String tenantId, String name) {
        return query("SELECT tags FROM " + (roles ? "roles" : "secrets") + " WHERE tenant_id = ? AND name = ?",
                rs -> TagColumn.read(rs.getString(1)), tenantId, name).stream().findFirst();
    }

    /** Replaces those tags with {@code change(current)} under this store's monitor; false when there is no such one. */
    public synchronized boolean updateTags(boolean roles, String tenantId, String name, UnaryOperator<Map<String, String>> change) {
        Optional<Map<String, String>> current = tags(roles, tenantId, name);
        if (current.isEmpty()) return false;
        update("UPDATE " + (roles ? "roles" : "secrets") + " SET tags = ? WHERE tenant_id = ? AND name = ?",
                TagColumn.write(change.apply(current.get())), tenantId, name);
        return true;
    }

    @Override
    public synchronized void close() {
        Sqlite.close(conn);
    }

    private static SecretRecord secret(ResultSet rs) throws SQLException {
        return new SecretRecord(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getBytes(5),
                Rows.instant(rs, 6), Rows.instant(rs, 7));
    }

    private static RoleRecord role(ResultSet rs) throws SQLException {
        List<String> secrets;
        try {
            secrets = JSON.readValue(rs.getString(5), new TypeReference<List<String>>() {});
        } catch (JsonProcessingException e) {
            throw new StoreException("a stored role's secrets column is not a JSON array of strings", e);
        }
        return new RoleRecord(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4), secrets,
                Rows.instant(rs, 6), Rows.instant(rs, 7));
    }

    private <T> List<T> query(String sql, Sqlite.RowMapper<T> mapper, Object... args) {
        return Sqlite.query(conn, "secret", sql, mapper, args);
    }

    private int update(String sql, Object... args) {
        return Sqlite.update(conn, "secret", sql, args);
    }
}

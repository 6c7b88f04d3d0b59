package io.ember.store;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Network connectors (table of V11__network_connectors.sql), every query scoped to a tenant except {@link #pending}.
 * One connection used under this object's monitor, like {@link Store}, which must have created and migrated the database.
 */
public final class ConnectorStore implements AutoCloseable {
    private static final String COLUMNS = "seq, id, tenant_id, name, configuration, operator_role, state, state_reason, "
            + "client_token, tags, created_at, updated_at";

    private final Connection conn;

    private ConnectorStore(Connection conn) {
        this.conn = conn;
    }

    public static ConnectorStore open(Path file) {
        return new ConnectorStore(Sqlite.connect(file));
    }

    /** Inserts {@code r} (its ordinal ignored); StoreException when the tenant has one of that name or the token is taken. */
    public synchronized ConnectorRecord insert(ConnectorRecord r) {
        Sqlite.update(conn, "creating network connector " + r.name(), "INSERT INTO network_connectors (id, tenant_id, name, "
                + "configuration, operator_role, state, state_reason, client_token, tags, created_at, updated_at) "
                + "VALUES (?,?,?,?,?,?,?,?,?,?,?)", r.id(), r.tenantId(), r.name(), r.configurationJson(), r.operatorRole(),
                r.state(), r.stateReason(), r.clientToken(), r.tagsJson(), r.createdAt(), r.updatedAt());
        return byId(r.id()).orElseThrow();
    }

    /** The tenant's connector whose id or name is {@code idOrName}. */
    public synchronized Optional<ConnectorRecord> find(String tenantId, String idOrName) {
        return Sqlite.query(conn, "reading network connector " + idOrName, "SELECT " + COLUMNS
                + " FROM network_connectors WHERE tenant_id = ? AND (id = ? OR name = ?)", ConnectorStore::row,
                tenantId, idOrName, idOrName).stream().findFirst();
    }

    public synchronized Optional<ConnectorRecord> byClientToken(String clientToken) {
        return Sqlite.query(conn, "reading a network connector by client token", "SELECT " + COLUMNS
                + " FROM network_connectors WHERE client_token = ?", ConnectorStore::row, clientToken).stream().findFirst();
    }

    /** Up to {@code limit} of the tenant's connectors created after ordinal {@code after}, oldest first. */
    public synchronized List<ConnectorRecord> list(String tenantId, long after, int limit) {
        return Sqlite.query(conn, "listing network connectors", "SELECT " + COLUMNS
                + " FROM network_connectors WHERE tenant_id = ? AND seq > ? ORDER BY seq LIMIT ?", ConnectorStore::row,
                tenantId, after, limit);
    }

    /** Every PENDING connector, of every tenant (validated again after a restart). */
    public synchronized List<ConnectorRecord> pending() {
        return Sqlite.query(conn, "listing pending network connectors", "SELECT " + COLUMNS
                + " FROM network_connectors WHERE state = 'PENDING' ORDER BY seq", ConnectorStore::row);
    }

    /** Replaces the configuration and operator role and sets the state; false when there is no such connector. */
    public synchronized boolean update(String id, String configurationJson, String operatorRole, String state,
                                       String stateReason, Instant now) {
        return Sqlite.update(conn, "updating network connector " + id, "UPDATE network_connectors SET configuration = ?, "
                + "operator_role = ?, state = ?, state_reason = ?, updated_at = ? WHERE id = ?",
                configurationJson, operatorRole, state, stateReason, now, id) == 1;
    }

    /**
     * Moves a connector from {@code from} to {@code to} only if its configuration is still {@code configurationJson}
     * (an update while it was validated wins); false otherwise.
     */
    public synchronized boolean settle(String id, String configurationJson, String from, String to, String stateReason, Instant now) {
        return Sqlite.update(conn, "settling network connector " + id, "UPDATE network_connectors SET state = ?, "
                + "state_reason = ?, updated_at = ? WHERE id = ? AND state = ? AND configuration = ?",
                to, stateReason, now, id, from, configurationJson) == 1;
    }

    public synchronized boolean delete(String id) {
        return Sqlite.update(conn, "deleting network connector " + id, "DELETE FROM network_connectors WHERE id = ?", id) == 1;
    }

    private synchronized Optional<ConnectorRecord> byId(String id) {
        return Sqlite.query(conn, "reading network connector " + id, "SELECT " + COLUMNS
                + " FROM network_connectors WHERE id = ?", ConnectorStore::row, id).stream().findFirst();
    }

    private static ConnectorRecord row(ResultSet rs) throws SQLException {
        return new ConnectorRecord(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
                rs.getString(6), rs.getString(7), rs.getString(8), rs.getString(9), rs.getString(10),
                Rows.instant(rs, 11), Rows.instant(rs, 12));
    }

    @Override
    public synchronized void close() {
        Sqlite.close(conn);
    }
}

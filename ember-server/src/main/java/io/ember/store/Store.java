package io.ember.store;

import io.ember.egress.EgressPolicyJson;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.flywaydb.core.Flyway;
import org.sqlite.SQLiteDataSource;

/**
 * The records of microVMs and their lifecycle events, in one SQLite file (WAL mode). One
 * connection, used under this object's monitor: the write rate is a few rows per VM lifetime,
 * far below what serializing costs.
 */
public final class Store implements AutoCloseable {

    private final Connection conn;

    private Store(Connection conn) {
        this.conn = conn;
    }

    /** Opens (creating if needed) the database at {@code file} and applies pending migrations. */
    public static Store open(Path file) {
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) Files.createDirectories(parent);
            SQLiteDataSource ds = Sqlite.dataSource(file);
            Flyway.configure()
                    .dataSource(ds)
                    .locations("classpath:db/migration")
                    .loggers("slf4j")
                    .load()
                    .migrate();
            return new Store(ds.getConnection());
        } catch (java.io.IOException | SQLException | RuntimeException e) {
            throw new StoreException("cannot open the database " + file + ": " + e.getMessage(), e);
        }
    }

    /** Inserts a new microVM with its first event; returns it with its creation ordinal. */
    public synchronized MicrovmRecord insert(MicrovmRecord r, EventRecord created) {
        return insert(r, null, created);
    }

    /** As {@link #insert(MicrovmRecord, EventRecord)}, with what it is launched from, in the same transaction. */
    public synchronized MicrovmRecord insert(MicrovmRecord r, LaunchRecord launch, EventRecord created) {
        return insert(r, launch, created, null);
    }

    /** As {@link #insert(MicrovmRecord, LaunchRecord, EventRecord)}, opening its first metered interval too (null: none). */
    public synchronized MicrovmRecord insert(MicrovmRecord r, LaunchRecord launch, EventRecord created, UsageRecord usage) {
        String sql = "INSERT INTO microvms (id, arn, image_name, image_arn, image_version, state, state_reason, vcpus, "
                + "memory_mib, idle_policy, maximum_duration_seconds, execution_role_arn, started_at, terminated_at, "
                + "vmm_pid, work_dir, client_token, tenant_id, ingress_connectors, egress_connectors, egress_policy, size_mib) "
                + "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)";
        return inTransaction(() -> {
            long ordinal;
            try (PreparedStatement ps = conn.prepareStatement(sql, Statement.RETURN_GENERATED_KEYS)) {
                int i = 0;
                ps.setString(++i, r.id());
                ps.setString(++i, r.arn());
                ps.setString(++i, r.imageName());
                ps.setString(++i, r.imageArn());
                ps.setString(++i, r.imageVersion());
                ps.setString(++i, r.state());
                ps.setString(++i, r.stateReason());
                ps.setInt(++i, r.vcpus());
                ps.setInt(++i, r.memoryMib());
                ps.setString(++i, r.idlePolicyJson());
                ps.setInt(++i, r.maximumDurationSeconds());
                ps.setString(++i, r.executionRoleArn());
                Rows.setInstant(ps, ++i, r.startedAt());
                Rows.setInstant(ps, ++i, r.terminatedAt());
                Rows.setLong(ps, ++i, r.vmmPid());
                ps.setString(++i, r.workDir());
                ps.setString(++i, r.clientToken());
                ps.setString(++i, r.tenantId());
                ps.setString(++i, Rows.json(r.ingressNetworkConnectors()));
                ps.setString(++i, Rows.json(r.egressNetworkConnectors()));
                ps.setString(++i, EgressPolicyJson.toText(r.egressPolicy()));
                if (r.sizeMib() == null) ps.setNull(++i, java.sql.Types.INTEGER);
                else ps.setInt(++i, r.sizeMib());
                ps.executeUpdate();
                try (ResultSet keys = ps.getGeneratedKeys()) {
                    if (!keys.next()) throw new StoreException("no ordinal generated for " + r.id());
                    ordinal = keys.getLong(1);
                }
            }
            insertEvent(created);
            if (launch != null) setLaunch(r.id(), launch);
            if (usage != null) openUsage(usage);
            return r.withOrdinal(ordinal);
        });
    }

    public synchronized Optional<MicrovmRecord> find(String id) {
        return queryOne("SELECT " + Rows.MICROVM_COLUMNS + " FROM microvms WHERE id = ?", id);
    }

    public synchronized Optional<MicrovmRecord> findByClientToken(String clientToken) {
        return queryOne("SELECT " + Rows.MICROVM_COLUMNS + " FROM microvms WHERE client_token = ?", clientToken);
    }

    /**
     * Up to {@code limit} microVMs of one tenant created after {@code afterOrdinal}, oldest first. A null
     * filter matches everything.
     */
    public synchronized List<MicrovmRecord> list(String tenantId, long afterOrdinal, int limit, String imageArn,
                                                 String imageVersion) {
        String sql = "SELECT " + Rows.MICROVM_COLUMNS + " FROM microvms WHERE tenant_id = ? AND seq > ?"
                + " AND (? IS NULL OR image_arn = ?) AND (? IS NULL OR image_version = ?) ORDER BY seq LIMIT ?";
        try (PreparedStatement ps = conn.prepareStatement(sql)) {
            Sqlite.bind(ps, tenantId, afterOrdinal, imageArn, imageArn, imageVersion, imageVersion, limit);
            return queryList(ps);
        } catch (SQLException e) {
            throw new StoreException("listing microVMs failed", e);
        }
    }

    /** Every microVM whose state is not {@code terminalState}, oldest first. */
    public synchronized List<MicrovmRecord> notIn(String terminalState) {
        try (PreparedStatement ps = conn.prepareStatement(
                "SELECT " + Rows.MICROVM_COLUMNS + " FROM microvms WHERE state <> ? ORDER BY seq")) {
            ps.setString(1, terminalState);
            return queryList(ps);
        } catch (SQLException e) {
            throw new StoreException("listing microVMs failed", e);
        }
    }

    /**
     * Moves a microVM from {@code event.fromState()} to {@code event.toState()} and records the event,
     * in one transaction. Fails if the stored state is not {@code fromState} (the caller's view was stale).
     *
     * @param terminatedAt set when the new state is terminal, else null (left unchanged)
     */
    public synchronized void transition(EventRecord event, String stateReason, Instant terminatedAt) {
        transition(event, stateReason, terminatedAt, UsageChange.NONE);
    }

    /**
     * As {@link #transition(EventRecord, String, Instant)}, closing and opening metered intervals at the event's time
     * in the same transaction: a crash keeps all of it or none, so seconds are neither lost nor counted twice.
     */
    public synchronized void transition(EventRecord event, String stateReason, Instant terminatedAt, UsageChange usage) {
        inTransaction(() -> {
            try (PreparedStatement ps = conn.prepareStatement("UPDATE microvms SET state = ?, "
                    + "state_reason = COALESCE(?, state_reason), terminated_at = COALESCE(?, terminated_at) "
                    + "WHERE id = ? AND state = ?")) {
                ps.setString(1, event.toState());
                ps.setString(2, stateReason);
                Rows.setInstant(ps, 3, terminatedAt);
                ps.setString(4, event.microvmId());
                ps.setString(5, event.fromState());
                if (ps.executeUpdate() != 1) {
                    throw new StoreException("microVM " + event.microvmId() + " is not in state " + event.fromState());
                }
            }
            insertEvent(event);
            if (usage.close()) closeUsage(event.microvmId(), event.at());
            if (usage.open() != null) {
                UsageRecord o = usage.open();
                if (!o.microvmId().equals(event.microvmId())) {
                    // Only this microVM's interval may open with its event; anything else is a caller's bug.
                    throw new StoreException("usage of " + o.microvmId() + " opened by an event of " + event.microvmId());
                }
                openUsage(new UsageRecord(event.microvmId(), o.tenantId(), o.kind(), event.at(), null, o.vcpus(),
                        o.memoryMib(), o.diskBytes()));
            }
            return null;
        });
    }

    /**
     * The metered intervals that overlap [from, to) (open ones included), of one tenant (null: all) and one microVM
     * (null: all), in the order they were opened.
     */
    public synchronized List<UsageRecord> usage(String tenantId, String microvmId, Instant from, Instant to) {
        String sql = "SELECT microvm_id, tenant_id, kind, start_ms, end_ms, vcpus, memory_mib, disk_bytes, "
                + "COALESCE(vcpu_millis, vcpus * 1000) FROM usage "
                + "WHERE start_ms < ? AND (end_ms IS NULL OR end_ms > ?) AND (? IS NULL OR microvm_id = ?) "
                + "AND (? IS NULL OR tenant_id = ?) ORDER BY seq";
        try (PreparedStatement ps = conn.prepareStatement(sql)) {
            Sqlite.bind(ps, to, from, microvmId, microvmId, tenantId, tenantId);
            List<UsageRecord> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new UsageRecord(rs.getString(1), rs.getString(2), rs.getString(3),
                            Instant.ofEpochMilli(rs.getLong(4)), Rows.instant(rs, 5), rs.getInt(6), rs.getInt(7), rs.getLong(8), rs.getInt(9)));
                }
            }
            return out;
        } catch (SQLException e) {
            throw new StoreException("reading usage failed", e);
        }
    }

    /** A clock that stepped back never makes an interval negative: it closes empty. */
    private void closeUsage(String microvmId, Instant at) throws SQLException {
        try (PreparedStatement ps = conn.prepareStatement(
                "UPDATE usage SET end_ms = MAX(start_ms, ?) WHERE microvm_id = ? AND end_ms IS NULL")) {
            Sqlite.bind(ps, at, microvmId);
            ps.executeUpdate();
        }
    }

    private void openUsage(UsageRecord u) throws SQLException {
        try (PreparedStatement ps = conn.prepareStatement("INSERT INTO usage (microvm_id, tenant_id, kind, start_ms, "
                + "end_ms, vcpus, memory_mib, disk_bytes, vcpu_millis) VALUES (?,COALESCE(?, (SELECT tenant_id FROM microvms WHERE id = ?)),?,?,?,?,?,?,?)")) {
            Sqlite.bind(ps, u.microvmId(), u.tenantId(), u.microvmId(), u.kind(), u.start(), u.end(), u.vcpus(), u.memoryMib(),
                    u.diskBytes(), u.vcpuMillis());
            ps.executeUpdate();
        }
    }

    /** null: no VMM process (suspended). */
    public synchronized void setVmmPid(String id, Long pid) {
        update("recording the VMM pid of " + id, "UPDATE microvms SET vmm_pid = ? WHERE id = ?", pid, id);
    }

    public synchronized void setLaunch(String id, LaunchRecord launch) {
        update("recording the launch of " + id, "UPDATE microvms SET rootfs = ?, template = ?, environment = ?, hooks = ?, "
                + "run_hook_payload = ? WHERE id = ?", launch.rootfs(), launch.template(), launch.environmentJson(),
                launch.hooksJson(), launch.runHookPayload(), id);
    }

    /** Forgets the runHookPayload once the run hook was called (it may hold secrets). */
    public synchronized void clearRunHookPayload(String id) {
        update("clearing the run hook payload of " + id, "UPDATE microvms SET run_hook_payload = NULL WHERE id = ?", id);
    }

    public synchronized Optional<LaunchRecord> launch(String id) {
        try (PreparedStatement ps = conn.prepareStatement(
                "SELECT rootfs, template, environment, hooks, run_hook_payload FROM microvms WHERE id = ?")) {
            ps.setString(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(new LaunchRecord(rs.getString(1), rs.getString(2), rs.getString(3),
                        rs.getString(4), rs.getString(5))) : Optional.empty();
            }
        } catch (SQLException e) {
            throw new StoreException("reading the launch of " + id + " failed", e);
        }
    }

    /** When the microVM was last suspended (null: it is not suspended). */
    public synchronized void setSuspendedAt(String id, Instant at) {
        update("recording the suspension of " + id, "UPDATE microvms SET suspended_at = ? WHERE id = ?", at, id);
    }

    public synchronized Optional<Instant> suspendedAt(String id) {
        try (PreparedStatement ps = conn.prepareStatement("SELECT suspended_at FROM microvms WHERE id = ?")) {
            ps.setString(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) return Optional.empty();
                return Optional.ofNullable(Rows.instant(rs, 1));
            }
        } catch (SQLException e) {
            throw new StoreException("reading the suspension of " + id + " failed", e);
        }
    }

    /** The tags of a microVM (an empty map: none), sorted by key; empty when there is no such microVM. */
    public synchronized Optional<Map<String, String>> tags(String id) {
        try (PreparedStatement ps = conn.prepareStatement("SELECT tags FROM microvms WHERE id = ?")) {
            ps.setString(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(TagColumn.read(rs.getString(1))) : Optional.empty();
            }
        } catch (SQLException e) {
            throw new StoreException("reading the tags of " + id + " failed", e);
        }
    }

    /**
     * Replaces the tags of a microVM with {@code change(current)} under this store's monitor, so that two changes
     * do not lose one another; an exception from {@code change} leaves them as they were. False: no such microVM.
     */
    public synchronized boolean updateTags(String id, UnaryOperator<Map<String, String>> change) {
        Optional<Map<String, String>> current = tags(id);
        if (current.isEmpty()) return false;
        update("recording the tags of " + id, "UPDATE microvms SET tags = ? WHERE id = ?", TagColumn.write(change.apply(current.get())), id);
        return true;
    }

    private void update(String what, String sql, Object... args) {
        try (PreparedStatement ps = conn.prepareStatement(sql)) {
            Sqlite.bind(ps, args);
            ps.executeUpdate();
        } catch (SQLException e) {
            throw new StoreException(what + " failed", e);
        }
    }

    /**
     * Records an event that moves nothing (a hook's outcome: {@code fromState} equals {@code toState}); the microVM's
     * row is left as it is.
     */
    public synchronized void addEvent(EventRecord event) {
        try {
            insertEvent(event);
        } catch (SQLException e) {
            throw new StoreException("recording an event of " + event.microvmId() + " failed", e);
        }
    }

    /** Bytes on disk held by the tenant's SUSPENDED microVMs, as metered when each was suspended. */
    public synchronized long suspendedBytes(String tenantId) {
        try (PreparedStatement ps = conn.prepareStatement(
                "SELECT COALESCE(SUM(disk_bytes), 0) FROM usage WHERE tenant_id = ? AND kind = 'SUSPENDED' AND end_ms IS NULL")) {
            ps.setString(1, tenantId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getLong(1) : 0;
            }
        } catch (SQLException e) {
            throw new StoreException("reading suspended bytes of " + tenantId + " failed", e);
        }
    }

    /** An event of a tenant that concerns no microVM (a refused RunMicrovm: nothing was created). */
    public synchronized void addTenantEvent(String tenantId, Instant at, String cause, String message) {
        update("recording an event of tenant " + tenantId, "INSERT INTO events (tenant_id, microvm_id, at, from_state, "
                + "to_state, cause, message) VALUES (?,NULL,?,NULL,NULL,?,?)", tenantId, at, cause, message);
    }

    /**
     * Up to {@code limit} events of a tenant after {@code afterSeq}, oldest first: of one microVM when
     * {@code microvmId} is set, else all of the tenant's, those about no microVM included.
     */
    public synchronized List<TenantEvent> events(String tenantId, String microvmId, long afterSeq, int limit) {
        String sql = "SELECT seq, tenant_id, microvm_id, at, from_state, to_state, cause, message FROM events "
                + "WHERE tenant_id = ? AND seq > ? AND (? IS NULL OR microvm_id = ?) ORDER BY seq LIMIT ?";
        try (PreparedStatement ps = conn.prepareStatement(sql)) {
            Sqlite.bind(ps, tenantId, afterSeq, microvmId, microvmId, limit);
            List<TenantEvent> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new TenantEvent(rs.getLong(1), rs.getString(2), rs.getString(3), Rows.instant(rs, 4),
                            rs.getString(5), rs.getString(6), rs.getString(7), rs.getString(8)));
                }
            }
            return out;
        } catch (SQLException e) {
            throw new StoreException("reading events of tenant " + tenantId + " failed", e);
        }
    }

    /** The events of one microVM, oldest first. */
    public synchronized List<EventRecord> events(String id) {
        try (PreparedStatement ps = conn.prepareStatement("SELECT microvm_id, at, from_state, to_state, cause, message "
                + "FROM events WHERE microvm_id = ? ORDER BY seq")) {
            ps.setString(1, id);
            List<EventRecord> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) out.add(Rows.event(rs));
            }
            return out;
        } catch (SQLException e) {
            throw new StoreException("reading events of " + id + " failed", e);
        }
    }

    @Override
    public synchronized void close() {
        Sqlite.close(conn);
    }

    private void insertEvent(EventRecord e) throws SQLException {
        try (PreparedStatement ps = conn.prepareStatement("INSERT INTO events (tenant_id, microvm_id, at, from_state, "
                + "to_state, cause, message) VALUES ((SELECT tenant_id FROM microvms WHERE id = ?),?,?,?,?,?,?)")) {
            Sqlite.bind(ps, e.microvmId(), e.microvmId(), e.at(), e.fromState(), e.toState(), e.cause(), e.message());
            ps.executeUpdate();
        }
    }

    private Optional<MicrovmRecord> queryOne(String sql, String arg) {
        try (PreparedStatement ps = conn.prepareStatement(sql)) {
            ps.setString(1, arg);
            List<MicrovmRecord> rows = queryList(ps);
            return rows.isEmpty() ? Optional.empty() : Optional.of(rows.getFirst());
        } catch (SQLException e) {
            throw new StoreException("reading microVM " + arg + " failed", e);
        }
    }

    private static List<MicrovmRecord> queryList(PreparedStatement ps) throws SQLException {
        List<MicrovmRecord> out = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) out.add(Rows.microvm(rs));
        }
        return out;
    }

    private <T> T inTransaction(Sqlite.Work<T> work) {
        return Sqlite.transaction(conn, work);
    }
}

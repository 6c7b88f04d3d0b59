package io.ember.store;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;

/** Mapping between rows and records. */
final class Rows {
    static final String MICROVM_COLUMNS = "seq, id, arn, image_name, image_arn, image_version, state, state_reason, "
            + "vcpus, memory_mib, idle_policy, maximum_duration_seconds, execution_role_arn, started_at, "
            + "terminated_at, vmm_pid, work_dir, client_token, tenant_id";

    private Rows() {}

    static MicrovmRecord microvm(ResultSet rs) throws SQLException {
        return new MicrovmRecord(
                rs.getLong("seq"),
                rs.getString("id"),
                rs.getString("arn"),
                rs.getString("image_name"),
                rs.getString("image_arn"),
                rs.getString("image_version"),
                rs.getString("state"),
                rs.getString("state_reason"),
                rs.getInt("vcpus"),
                rs.getInt("memory_mib"),
                rs.getString("idle_policy"),
                rs.getInt("maximum_duration_seconds"),
                rs.getString("execution_role_arn"),
                instant(rs, "started_at"),
                instant(rs, "terminated_at"),
                nullableLong(rs, "vmm_pid"),
                rs.getString("work_dir"),
                rs.getString("client_token"),
                rs.getString("tenant_id"));
    }

    static EventRecord event(ResultSet rs) throws SQLException {
        return new EventRecord(rs.getString("microvm_id"), instant(rs, "at"), rs.getString("from_state"),
                rs.getString("to_state"), rs.getString("cause"), rs.getString("message"));
    }

    static void setInstant(PreparedStatement ps, int index, Instant value) throws SQLException {
        if (value == null) ps.setNull(index, Types.INTEGER);
        else ps.setLong(index, value.toEpochMilli());
    }

    static void setLong(PreparedStatement ps, int index, Long value) throws SQLException {
        if (value == null) ps.setNull(index, Types.INTEGER);
        else ps.setLong(index, value);
    }

    private static Instant instant(ResultSet rs, String column) throws SQLException {
        Long millis = nullableLong(rs, column);
        return millis == null ? null : Instant.ofEpochMilli(millis);
    }

    private static Long nullableLong(ResultSet rs, String column) throws SQLException {
        long v = rs.getLong(column);
        return rs.wasNull() ? null : v;
    }

    /** A nullable epoch-milliseconds column, by position. */
    static Instant instant(ResultSet rs, int column) throws SQLException {
        Long millis = nullableLong(rs, column);
        return millis == null ? null : Instant.ofEpochMilli(millis);
    }

    static Long nullableLong(ResultSet rs, int column) throws SQLException {
        long v = rs.getLong(column);
        return rs.wasNull() ? null : v;
    }
}

package io.ember.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ember.egress.EgressPolicy;
import io.ember.egress.EgressPolicyJson;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.List;

/** Mapping between rows and records. */
final class Rows {
    static final String MICROVM_COLUMNS = "seq, id, arn, image_name, image_arn, image_version, state, state_reason, "
            + "vcpus, memory_mib, idle_policy, maximum_duration_seconds, execution_role_arn, started_at, "
            + "terminated_at, vmm_pid, work_dir, client_token, tenant_id, ingress_connectors, egress_connectors, egress_policy, size_mib";
    private static final ObjectMapper JSON = new ObjectMapper();

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
                rs.getString("tenant_id"),
                strings(rs.getString("ingress_connectors")),
                strings(rs.getString("egress_connectors")),
                policy(rs.getString("egress_policy")),
                nullableInt(rs, "size_mib"));
    }

    /** A JSON array of strings, null kept null. */
    static List<String> strings(String json) {
        if (json == null) return null;
        try {
            return JSON.readValue(json, new TypeReference<List<String>>() {});
        } catch (JsonProcessingException e) {
            throw new StoreException("a stored list is not a JSON array of strings: " + json, e);
        }
    }

    static String json(List<String> values) {
        try {
            return values == null ? null : JSON.writeValueAsString(values);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static EgressPolicy policy(String json) {
        if (json == null) return null;
        try {
            return EgressPolicyJson.parse(json);
        } catch (IllegalArgumentException e) {
            throw new StoreException("a stored egress policy does not parse: " + e.getMessage(), e);
        }
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

    static Integer nullableInt(ResultSet rs, int column) throws SQLException {
        int v = rs.getInt(column);
        return rs.wasNull() ? null : v;
    }

    static Integer nullableInt(ResultSet rs, String column) throws SQLException {
        int v = rs.getInt(column);
        return rs.wasNull() ? null : v;
    }
}

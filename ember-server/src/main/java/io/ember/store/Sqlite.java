package io.ember.store;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteDataSource;

/** The one way Ember's stores open ember.db and run a transaction on it. */
final class Sqlite {
    static final int BUSY_TIMEOUT_MS = 5_000;

    private Sqlite() {}

    interface Work<T> {
        T run() throws SQLException;
    }

    /** WAL, synchronous NORMAL, a busy timeout (two stores share the file), foreign keys enforced. */
    static SQLiteDataSource dataSource(Path file) {
        SQLiteConfig config = new SQLiteConfig();
        config.setJournalMode(SQLiteConfig.JournalMode.WAL);
        config.setSynchronous(SQLiteConfig.SynchronousMode.NORMAL);
        config.setBusyTimeout(BUSY_TIMEOUT_MS);
        config.enforceForeignKeys(true);
        SQLiteDataSource ds = new SQLiteDataSource(config);
        ds.setUrl("jdbc:sqlite:" + file.toAbsolutePath());
        return ds;
    }

    /** A connection of its own to {@code file}, which {@link Store#open} must have migrated. */
    static Connection connect(Path file) {
        try {
            return dataSource(file).getConnection();
        } catch (SQLException e) {
            throw new StoreException("cannot open the database " + file + ": " + e.getMessage(), e);
        }
    }

    static void close(Connection conn) {
        try {
            conn.close();
        } catch (SQLException e) {
            throw new StoreException("closing the database failed: " + e.getMessage(), e);
        }
    }

    /** Binds {@code args} in order: null, Instant (epoch millis), Integer, Long, byte[] (a BLOB), anything else as its string. */
    static void bind(PreparedStatement ps, Object... args) throws SQLException {
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case null -> ps.setNull(i + 1, Types.NULL);
                case Instant t -> ps.setLong(i + 1, t.toEpochMilli());
                case Integer n -> ps.setInt(i + 1, n);
                case Long n -> ps.setLong(i + 1, n);
                case byte[] b -> ps.setBytes(i + 1, b);
                case Object o -> ps.setString(i + 1, o.toString());
            }
        }
    }

    interface RowMapper<T> {
        T map(ResultSet rs) throws SQLException;
    }

    /** The rows of {@code sql} bound to {@code args}, each mapped; StoreException naming {@code what} on failure. */
    static <T> List<T> query(Connection conn, String what, String sql, RowMapper<T> mapper, Object... args) {
        try (PreparedStatement ps = conn.prepareStatement(sql)) {
            bind(ps, args);
            List<T> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) out.add(mapper.map(rs));
            }
            return out;
        } catch (SQLException e) {
            throw new StoreException(what + " query failed: " + e.getMessage(), e);
        }
    }

    /** The rows {@code sql} changed; StoreException naming {@code what} on failure. */
    static int update(Connection conn, String what, String sql, Object... args) {
        try (PreparedStatement ps = conn.prepareStatement(sql)) {
            bind(ps, args);
            return ps.executeUpdate();
        } catch (SQLException e) {
            throw new StoreException(what + " update failed: " + e.getMessage(), e);
        }
    }

    /** Runs {@code work} in a transaction; inside one already (auto-commit off), the outer one commits. */
    static <T> T transaction(Connection conn, Work<T> work) {
        try {
            if (!conn.getAutoCommit()) return work.run();
            conn.setAutoCommit(false);
            try {
                T result = work.run();
                conn.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                conn.rollback();
                throw e;
            } finally {
                conn.setAutoCommit(true);
            }
        } catch (SQLException e) {
            throw new StoreException("database write failed: " + e.getMessage(), e);
        }
    }
}

package io.ember.store;

import io.ember.arn.LambdaArn;
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
 * Images, their versions and builds (tables of V3__images.sql), on a connection of its own to the database
 * {@link Store#open} created and migrated. One connection used under this object's monitor, like {@link Store}.
 */
public final class ImageStore implements AutoCloseable {
    private static final String IMAGE = "seq, id, name, arn, state, state_reason, tags, created_at, updated_at, client_token, fingerprint, tenant_id";
    private static final String VERSION = "image_id, version, state, status, state_reason, spec, vcpus, memory_mib, environment, "
            + "created_at, updated_at, client_token, fingerprint, hooks_contract, size_mib";
    private static final String BUILD = "seq, id, image_id, version, state, state_reason, created_at, started_at, ended_at, vmm_pid, "
            + "memory_bytes, code_bytes, disk_bytes";

    private final Connection conn;

    private ImageStore(Connection conn) {
        this.conn = conn;
    }

    /** Opens the database at {@code file}, which {@link Store#open} must have migrated. */
    public static ImageStore open(Path file) {
        return new ImageStore(Sqlite.connect(file));
    }

    /** A new image with its first version and that version's build. */
    public synchronized void create(ImageRecord i, ImageVersionRecord v, ImageBuildRecord b) {
        tx(() -> {
            update("INSERT INTO images (id, name, arn, state, state_reason, tags, created_at, updated_at, client_token, fingerprint, "
                    + "tenant_id) VALUES (?,?,?,?,?,?,?,?,?,?,?)", i.id(), i.name(), i.arn(), i.state(), i.stateReason(), i.tagsJson(),
                    i.createdAt(), i.updatedAt(), i.clientToken(), i.fingerprint(), i.tenantId());
            insertVersion(v);
            insertBuild(b);
            return null;
        });
    }

    /** A new version of an existing image (UpdateMicrovmImage); the image becomes {@code imageState}. */
    public synchronized void addVersion(ImageVersionRecord v, ImageBuildRecord b, String imageState, Instant now) {
        tx(() -> {
            update("UPDATE images SET state = ?, state_reason = NULL, updated_at = ? WHERE id = ?", imageState, now, v.imageId());
            insertVersion(v);
            insertBuild(b);
            return null;
        });
    }

    /** By id (whoever owns it). */
    public synchronized Optional<ImageRecord> image(String id) {
        return query("SELECT " + IMAGE + " FROM images WHERE id = ?", ImageStore::image, id).stream().findFirst();
    }

    /** One of a tenant's images, by id, name or ARN (any form {@link LambdaArn} reads; stored without a region). */
    public synchronized Optional<ImageRecord> image(String tenantId, String identifier) {
        String arn = LambdaArn.normalize(identifier);
        List<ImageRecord> r = query("SELECT " + IMAGE + " FROM images WHERE tenant_id = ? AND (id = ? OR name = ? OR arn = ?)",
                ImageStore::image, tenantId, identifier, identifier, arn);
        return r.stream().findFirst();
    }

    public synchronized Optional<ImageRecord> imageByToken(String token) {
        return query("SELECT " + IMAGE + " FROM images WHERE client_token = ?", ImageStore::image, token).stream().findFirst();
    }

    /** Up to {@code limit} images after {@code afterOrdinal}, oldest first; names containing {@code nameFilter} (null: all). */
    public synchronized List<ImageRecord> images(String tenantId, long afterOrdinal, int limit, String nameFilter) {
        return query("SELECT " + IMAGE + " FROM images WHERE tenant_id = ? AND seq > ? AND (? IS NULL OR instr(name, ?) > 0) "
                + "ORDER BY seq LIMIT ?", ImageStore::image, tenantId, afterOrdinal, nameFilter, nameFilter, limit);
    }

    public synchronized int nextVersion(String imageId) {
        return query("SELECT COALESCE(MAX(version), 0) + 1 FROM image_versions WHERE image_id = ?", rs -> rs.getInt(1), imageId)
                .getFirst();
    }

    public synchronized List<ImageVersionRecord> versions(String imageId) {
        return query("SELECT " + VERSION + " FROM image_versions WHERE image_id = ? ORDER BY version", ImageStore::version, imageId);
    }

    public synchronized Optional<ImageVersionRecord> version(String imageId, int version) {
        return query("SELECT " + VERSION + " FROM image_versions WHERE image_id = ? AND version = ?", ImageStore::version,
                imageId, version).stream().findFirst();
    }

    public synchronized Optional<ImageVersionRecord> versionByToken(String token) {
        return query("SELECT " + VERSION + " FROM image_versions WHERE client_token = ?", ImageStore::version, token).stream().findFirst();
    }

    public synchronized void setStatus(String imageId, int version, String status, Instant now) {
        update("UPDATE image_versions SET status = ?, updated_at = ? WHERE image_id = ? AND version = ?", status, now, imageId, version);
    }

    public synchronized List<ImageBuildRecord> builds(String imageId, int version) {
        return query("SELECT " + BUILD + " FROM image_builds WHERE image_id = ? AND version = ? ORDER BY seq", ImageStore::build,
                imageId, version);
    }

    public synchronized Optional<ImageBuildRecord> build(String buildId) {
        return query("SELECT " + BUILD + " FROM image_builds WHERE id = ?", ImageStore::build, buildId).stream().findFirst();
    }

    /** Builds in {@code state}, oldest first. */
    public synchronized List<ImageBuildRecord> buildsIn(String state) {
        return query("SELECT " + BUILD + " FROM image_builds WHERE state = ? ORDER BY seq", ImageStore::build, state);
    }

    /** PENDING to IN_PROGRESS, for the build and its version; false when the build is no longer PENDING (deleted). */
    public synchronized boolean started(String buildId, Instant now) {
        return tx(() -> {
            Optional<ImageBuildRecord> b = build(buildId);
            if (b.isEmpty() || !b.get().state().equals("PENDING")) return false;
            update("UPDATE image_builds SET state = 'IN_PROGRESS', started_at = ? WHERE id = ?", now, buildId);
            update("UPDATE image_versions SET state = 'IN_PROGRESS', updated_at = ? WHERE image_id = ? AND version = ?", now,
                    b.get().imageId(), b.get().version());
            return true;
        });
    }

    /** What the build read as its code artifact (JSON, see V12_1__build_code_source.sql). */
    public synchronized void setBuildCodeSource(String buildId, String json) {
        update("UPDATE image_builds SET code_source = ? WHERE id = ?", json, buildId);
    }

    /** What {@link #setBuildCodeSource} recorded; empty for a build that read nothing from a store. */
    public synchronized Optional<String> buildCodeSource(String buildId) {
        return query("SELECT code_source FROM image_builds WHERE id = ?", rs -> rs.getString(1), buildId).stream()
                .filter(java.util.Objects::nonNull).findFirst();
    }

    public synchronized void setBuildPid(String buildId, Long pid) {
        update("UPDATE image_builds SET vmm_pid = ? WHERE id = ?", pid, buildId);
    }

    /**
     * Ends a build: the build and its version become SUCCESSFUL or FAILED with {@code reason}, and the image, if it is
     * CREATING or UPDATING, becomes CREATED/UPDATED or CREATE_FAILED/UPDATE_FAILED with that reason.
     */
    public synchronized void ended(String buildId, boolean ok, String reason, Long memoryBytes, Long codeBytes, Long diskBytes,
                                   String environmentJson, Instant now) {
        tx(() -> {
            ImageBuildRecord b = build(buildId).orElseThrow(() -> new StoreException("no build " + buildId));
            String state = ok ? "SUCCESSFUL" : "FAILED";
            update("UPDATE image_builds SET state = ?, state_reason = ?, ended_at = ?, vmm_pid = NULL, memory_bytes = ?, "
                    + "code_bytes = ?, disk_bytes = ? WHERE id = ?", state, reason, now, memoryBytes, codeBytes, diskBytes, buildId);
            update("UPDATE image_versions SET state = ?, state_reason = ?, updated_at = ?, environment = COALESCE(?, environment) "
                    + "WHERE image_id = ? AND version = ?", state, reason, now, environmentJson, b.imageId(), b.version());
            update("UPDATE images SET state = CASE state WHEN 'CREATING' THEN ? WHEN 'UPDATING' THEN ? ELSE state END, "
                    + "state_reason = ?, updated_at = ? WHERE id = ?", ok ? "CREATED" : "CREATE_FAILED",
                    ok ? "UPDATED" : "UPDATE_FAILED", reason, now, b.imageId());
            return null;
        });
    }

    /** Removes a version and its builds; the image, if it was waiting for that version's build, becomes *_FAILED. */
    public synchronized void deleteVersion(String imageId, int version, Instant now) {
        tx(() -> {
            update("DELETE FROM image_builds WHERE image_id = ? AND version = ?", imageId, version);
            update("DELETE FROM image_versions WHERE image_id = ? AND version = ?", imageId, version);
            update("UPDATE images SET state = CASE state WHEN 'CREATING' THEN 'CREATE_FAILED' WHEN 'UPDATING' THEN 'UPDATE_FAILED' "
                    + "ELSE state END, updated_at = ? WHERE id = ?", now, imageId);
            return null;
        });
    }

    public synchronized void setImageState(String imageId, String state, Instant now) {
        update("UPDATE images SET state = ?, updated_at = ? WHERE id = ?", state, now, imageId);
    }

    public synchronized void deleteImage(String imageId) {
        tx(() -> {
            update("DELETE FROM image_builds WHERE image_id = ?", imageId);
            update("DELETE FROM image_versions WHERE image_id = ?", imageId);
            update("DELETE FROM images WHERE id = ?", imageId);
            return null;
        });
    }

    /** Replaces the tags of an image with {@code change(current)} under this store's monitor; false: no such image. */
    public synchronized boolean updateTags(String imageId, UnaryOperator<Map<String, String>> change) {
        List<String> current = query("SELECT tags FROM images WHERE id = ?", rs -> rs.getString(1), imageId);
        if (current.isEmpty()) return false;
        update("UPDATE images SET tags = ? WHERE id = ?", TagColumn.write(change.apply(TagColumn.read(current.getFirst()))), imageId);
        return true;
    }

    /** How many microVMs that are not TERMINATED run {@code imageArn} (any version when {@code version} is null). */
    public synchronized int microvmsUsing(String imageArn, String version) {
        return query("SELECT COUNT(*) FROM microvms WHERE image_arn = ? AND (? IS NULL OR image_version = ?) AND state <> 'TERMINATED'",
                rs -> rs.getInt(1), imageArn, version, version).getFirst();
    }

    @Override
    public synchronized void close() {
        Sqlite.close(conn);
    }

    private void insertVersion(ImageVersionRecord v) throws SQLException {
        update("INSERT INTO image_versions (" + VERSION + ") VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", v.imageId(), v.version(), v.state(),
                v.status(), v.stateReason(), v.specJson(), v.vcpus(), v.memoryMib(), v.environmentJson(), v.createdAt(),
                v.updatedAt(), v.clientToken(), v.fingerprint(), v.hooksContract(), v.sizeMib());
    }

    private void insertBuild(ImageBuildRecord b) throws SQLException {
        update("INSERT INTO image_builds (id, image_id, version, state, state_reason, created_at) VALUES (?,?,?,?,?,?)", b.id(),
                b.imageId(), b.version(), b.state(), b.stateReason(), b.createdAt());
    }

    private static ImageRecord image(ResultSet rs) throws SQLException {
        return new ImageRecord(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5), rs.getString(6),
                rs.getString(7), Rows.instant(rs, 8), Rows.instant(rs, 9), rs.getString(10), rs.getString(11), rs.getString(12));
    }

    private static ImageVersionRecord version(ResultSet rs) throws SQLException {
        return new ImageVersionRecord(rs.getString(1), rs.getInt(2), rs.getString(3), rs.getString(4), rs.getString(5),
                rs.getString(6), rs.getInt(7), rs.getInt(8), rs.getString(9), Rows.instant(rs, 10), Rows.instant(rs, 11),
                rs.getString(12), rs.getString(13), rs.getString(14), Rows.nullableInt(rs, 15));
    }

    private static ImageBuildRecord build(ResultSet rs) throws SQLException {
        return new ImageBuildRecord(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getInt(4), rs.getString(5), rs.getString(6),
                Rows.instant(rs, 7), Rows.instant(rs, 8), Rows.instant(rs, 9), Rows.nullableLong(rs, 10),
                Rows.nullableLong(rs, 11), Rows.nullableLong(rs, 12), Rows.nullableLong(rs, 13));
    }

    private <T> List<T> query(String sql, Sqlite.RowMapper<T> mapper, Object... args) {
        return Sqlite.query(conn, "image", sql, mapper, args);
    }

    private void update(String sql, Object... args) {
        Sqlite.update(conn, "image", sql, args);
    }

    private <T> T tx(Sqlite.Work<T> work) {
        return Sqlite.transaction(conn, work);
    }
}

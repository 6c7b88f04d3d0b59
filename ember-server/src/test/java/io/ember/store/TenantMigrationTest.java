package io.ember.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** V7 on a database that has images with versions and builds, microVMs with client tokens, and events: nothing lost. */
class TenantMigrationTest {
    @TempDir
    Path dir;

    @Test
    void upgradesADatabaseWithImagesAndKeepsItsForeignKeys() throws Exception {
        Path file = dir.resolve("ember.db");
        var ds = Sqlite.dataSource(file);
        Flyway.configure().dataSource(ds).locations("classpath:db/migration").target("6").load().migrate();
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            s.executeUpdate("INSERT INTO images (id, name, arn, state, created_at, client_token) VALUES "
                    + "('img-1', 'app', 'arn:aws:lambda:local:000000000000:microvm-image/app', 'CREATED', 1, 'tok')");
            s.executeUpdate("INSERT INTO image_versions (image_id, version, state, status, spec, vcpus, memory_mib, environment, "
                    + "created_at, client_token) VALUES ('img-1', 1, 'SUCCESSFUL', 'ACTIVE', '{}', 1, 128, '{}', 1, 'vtok')");
            s.executeUpdate("INSERT INTO image_builds (id, image_id, version, state, created_at) VALUES ('bld-1', 'img-1', 1, 'SUCCESSFUL', 1)");
            s.executeUpdate("INSERT INTO microvms (id, arn, image_name, image_arn, image_version, state, vcpus, memory_mib, "
                    + "maximum_duration_seconds, started_at, work_dir, client_token) VALUES ('mvm-000000000000000000000001', 'arn', "
                    + "'app', 'arn:img', '1', 'RUNNING', 1, 128, 600, 1, '/w', 'run-tok')");
            s.executeUpdate("INSERT INTO events (microvm_id, at, to_state, cause) VALUES ('mvm-000000000000000000000001', 1, 'RUNNING', 'BOOT')");
        }
        try (Store store = Store.open(file); ImageStore images = ImageStore.open(file)) {
            assertThat(images.image("000000000000", "app")).get().satisfies(i -> {
                assertThat(i.tenantId()).isEqualTo("000000000000");
                assertThat(i.clientToken()).isEqualTo("000000000000/tok");
            });
            assertThat(images.image("123456789012", "app")).isEmpty();
            assertThat(images.versions("img-1")).singleElement().satisfies(v -> {
                assertThat(v.clientToken()).isEqualTo("000000000000/vtok");
                assertThat(v.hooksContract()).as("stored before V12: Ember's first hook contract").isNull();
            });
            assertThat(images.build("bld-1")).isPresent();
            assertThat(store.find("mvm-000000000000000000000001")).get().satisfies(m -> {
                assertThat(m.tenantId()).isEqualTo("000000000000");
                assertThat(m.clientToken()).isEqualTo("000000000000/run-tok");
            });
            assertThat(store.events("000000000000", null, 0, 10)).singleElement()
                    .satisfies(e -> assertThat(e.microvmId()).isEqualTo("mvm-000000000000000000000001"));
            store.addTenantEvent("000000000000", Instant.now(), "QUOTA", "refused");
            assertThat(store.events("000000000000", null, 0, 10)).hasSize(2);
        }
        try (Connection c = ds.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("PRAGMA foreign_key_check")) {
            assertThat(rs.next()).as("foreign keys hold after V7").isFalse();
        }
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            // Children still point at the new images table: deleting a parent with a version is refused.
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> s.executeUpdate("DELETE FROM images WHERE id = 'img-1'"))
                    .hasMessageContaining("FOREIGN KEY");
        }
    }
}

package io.ember.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** V12_2 on a database from before: the older ARN forms become the stored form (no region, a colon after the type). */
class ArnMigrationTest {
    static final String VM = "mvm-000000000000000000000001";
    @TempDir Path dir;

    @Test
    void rewritesEveryStoredArnAndLookupsByAnyFormFindThem() throws Exception {
        Path file = dir.resolve("ember.db");
        var ds = Sqlite.dataSource(file);
        Flyway.configure().dataSource(ds).locations("classpath:db/migration").target("11").load().migrate();
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            s.executeUpdate("INSERT INTO images (id, tenant_id, name, arn, state, created_at) VALUES "
                    + "('img-1', '123456789012', 'my-app_2', 'arn:aws:lambda:local:123456789012:microvm-image/my-app_2', 'CREATED', 1)");
            s.executeUpdate("INSERT INTO image_versions (image_id, version, state, status, spec, vcpus, memory_mib, environment, "
                    + "created_at) VALUES ('img-1', 1, 'SUCCESSFUL', 'ACTIVE', '{\"baseImageArn\":\"arn:aws:lambda:local:aws:microvm-image/debian\","
                    + "\"egressNetworkConnectors\":[\"arn:aws:lambda:local:123456789012:network-connector:nc-0123456789abcdef01234567\"],"
                    + "\"description\":\"my /app\"}', 1, 128, '{}', 1)");
            s.executeUpdate("INSERT INTO microvms (id, tenant_id, arn, image_name, image_arn, image_version, state, vcpus, memory_mib, "
                    + "maximum_duration_seconds, started_at, work_dir, ingress_connectors, egress_connectors) VALUES ('" + VM + "', "
                    + "'123456789012', 'arn:aws:lambda:local:123456789012:microvm/" + VM + "', 'my-app_2', "
                    + "'arn:aws:lambda:local:123456789012:microvm-image/my-app_2', '1', 'RUNNING', 1, 128, 600, 1, '/w', "
                    + "'[\"arn:aws:lambda:local:aws:network-connector:aws-network-connector:ALL_INGRESS\"]', "
                    + "'[\"arn:aws:lambda:local:123456789012:network-connector:nc-0123456789abcdef01234567\"]')");
        }
        try (Store store = Store.open(file); ImageStore images = ImageStore.open(file)) {
            MicrovmRecord m = store.find(VM).orElseThrow();
            assertThat(m.arn()).isEqualTo("arn:aws:lambda::123456789012:microvm:" + VM);
            assertThat(m.imageArn()).isEqualTo("arn:aws:lambda::123456789012:microvm-image:my-app_2");
            assertThat(m.ingressNetworkConnectors()).containsExactly("arn:aws:lambda::aws:network-connector:aws-network-connector:ALL_INGRESS");
            assertThat(m.egressNetworkConnectors()).containsExactly("arn:aws:lambda::123456789012:network-connector:nc-0123456789abcdef01234567");
            ImageRecord image = images.image("123456789012", "my-app_2").orElseThrow();
            assertThat(image.arn()).isEqualTo("arn:aws:lambda::123456789012:microvm-image:my-app_2");
            assertThat(images.versions("img-1").getFirst().specJson())
                    .contains("\"baseImageArn\":\"arn:aws:lambda::aws:microvm-image:debian\"")
                    .contains("\"arn:aws:lambda::123456789012:network-connector:nc-0123456789abcdef01234567\"")
                    .contains("\"description\":\"my /app\"");
            // the image by its ARN in any form; microVMs of it by the stored one
            for (String arn : new String[] {"arn:aws:lambda:eu-west-1:123456789012:microvm-image:my-app_2",
                    "arn:aws:lambda:local:123456789012:microvm-image/my-app_2", image.arn()})
                assertThat(images.image("123456789012", arn)).as(arn).isPresent();
            assertThat(images.image("000000000000", "arn:aws:lambda:eu-west-1:123456789012:microvm-image:my-app_2")).isEmpty();
            assertThat(store.list("123456789012", 0, 10, image.arn(), null)).hasSize(1);
            assertThat(images.microvmsUsing(image.arn(), null)).isEqualTo(1);
        }
    }
}

package io.ember.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StoreTest {
    @TempDir
    Path dir;

    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00.123Z");

    static MicrovmRecord record(String id, String imageName, String token) {
        return new MicrovmRecord(0, id, "arn:aws:lambda::000000000000:microvm:" + id, imageName,
                "arn:aws:lambda::aws:microvm-image:" + imageName, "1", "PENDING", null, 1, 128,
                "{\"maxIdleDurationSeconds\":60,\"suspendedDurationSeconds\":0,\"autoResumeEnabled\":true}", 600,
                "arn:aws:iam::000000000000:role/r", T0, null, null, "/data/vms/" + id, token, "000000000000");
    }

    static EventRecord created(String id) {
        return new EventRecord(id, T0, null, "PENDING", "USER", "RunMicrovm");
    }

    @Test
    void shouldRoundTripEveryField() {
        try (Store store = Store.open(dir.resolve("ember.db"))) {
            MicrovmRecord in = record("mvm-000000000000000000000001", "busybox", "tok-1");
            MicrovmRecord stored = store.insert(in, created(in.id()));
            assertThat(stored.ordinal()).isPositive();
            assertThat(store.find(in.id())).contains(in.withOrdinal(stored.ordinal()));
            assertThat(store.findByClientToken("tok-1")).contains(stored);
            assertThat(store.find("mvm-missing")).isEmpty();
            assertThat(store.findByClientToken("other")).isEmpty();
        }
    }

    @Test
    void shouldRecordTransitionsWithTheirEventsAndRefuseStaleOnes() {
        try (Store store = Store.open(dir.resolve("ember.db"))) {
            String id = "mvm-000000000000000000000002";
            store.insert(record(id, "busybox", null), created(id));
            store.setVmmPid(id, 4242L);
            Instant t1 = T0.plusSeconds(2);
            store.transition(new EventRecord(id, t1, "PENDING", "RUNNING", "BOOT", "agent answered"), null, null);
            Instant t2 = T0.plusSeconds(5);
            store.transition(new EventRecord(id, t2, "RUNNING", "TERMINATED", "FAILURE", "VMM died"), "VMM died", t2);

            MicrovmRecord r = store.find(id).orElseThrow();
            assertThat(r.state()).isEqualTo("TERMINATED");
            assertThat(r.stateReason()).isEqualTo("VMM died");
            assertThat(r.terminatedAt()).isEqualTo(t2);
            assertThat(r.vmmPid()).isEqualTo(4242L);
            assertThat(store.events(id)).extracting(EventRecord::toState).containsExactly("PENDING", "RUNNING", "TERMINATED");
            assertThat(store.events(id).get(2).cause()).isEqualTo("FAILURE");

            assertThatThrownBy(() -> store.transition(
                    new EventRecord(id, t2, "RUNNING", "TERMINATING", "USER", "x"), null, null))
                    .isInstanceOf(StoreException.class).hasMessageContaining("not in state RUNNING");
            assertThat(store.events(id)).hasSize(3); // the refused transition left no event
        }
    }

    @Test
    void shouldPageInCreationOrderWithFilters() {
        try (Store store = Store.open(dir.resolve("ember.db"))) {
            for (int i = 1; i <= 5; i++) {
                String id = "mvm-00000000000000000000000" + i;
                store.insert(record(id, i % 2 == 0 ? "debian" : "busybox", null), created(id));
            }
            List<MicrovmRecord> first = store.list("000000000000", 0, 2, null, null);
            assertThat(first).extracting(MicrovmRecord::id).containsExactly(
                    "mvm-000000000000000000000001", "mvm-000000000000000000000002");
            List<MicrovmRecord> rest = store.list("000000000000", first.get(1).ordinal(), 10, null, null);
            assertThat(rest).hasSize(3);
            assertThat(store.list("000000000000", 0, 10, "arn:aws:lambda::aws:microvm-image:debian", null)).hasSize(2);
            assertThat(store.list("000000000000", 0, 10, null, "2")).isEmpty();
            assertThat(store.notIn("TERMINATED")).hasSize(5);
        }
    }

    /** The migrations on the classpath (a directory in tests), counted so that adding one does not break this test. */
    private static long migrations() throws Exception {
        try (var files = java.nio.file.Files.list(Path.of(Store.class.getResource("/db/migration").toURI()))) {
            return files.filter(f -> f.getFileName().toString().matches("V\\d+(_\\d+)*__.*\\.sql")).count();
        }
    }

    @Test
    void shouldRememberLaunchAndSuspensionOfAMicrovm() {
        String id = "mvm-00000000000000000000000a";
        try (Store store = Store.open(dir.resolve("l.db"))) {
            store.insert(record(id, "busybox", null), created(id));
            assertThat(store.launch(id)).contains(new LaunchRecord(null, null, null));
            store.setLaunch(id, new LaunchRecord("/a/rootfs.ext4", "/a/snapshot", "{\"K\":\"V\"}"));
            assertThat(store.launch(id)).contains(new LaunchRecord("/a/rootfs.ext4", "/a/snapshot", "{\"K\":\"V\"}"));
            assertThat(store.suspendedAt(id)).isEmpty();
            store.setSuspendedAt(id, T0);
            assertThat(store.suspendedAt(id)).contains(T0);
            store.setVmmPid(id, null);
            assertThat(store.find(id).orElseThrow().vmmPid()).isNull();

            String other = "mvm-00000000000000000000000b";
            store.insert(record(other, "busybox", null), new LaunchRecord("/b/rootfs.ext4", null, null), created(other));
            assertThat(store.launch(other)).as("recorded with the row, in one transaction")
                    .contains(new LaunchRecord("/b/rootfs.ext4", null, null));
        }
    }

    @Test
    void shouldKeepHooksAndForgetTheRunHookPayloadWhenAsked() {
        String id = "mvm-00000000000000000000000c";
        try (Store store = Store.open(dir.resolve("h.db"))) {
            LaunchRecord launch = new LaunchRecord("/a/rootfs.ext4", "/a/snapshot", null, "{\"port\":8080,\"run\":5}", "tenant=1");
            store.insert(record(id, "app", null), launch, created(id));
            assertThat(store.launch(id)).contains(launch);
            store.clearRunHookPayload(id);
            assertThat(store.launch(id).orElseThrow().runHookPayload()).isNull();
            assertThat(store.launch(id).orElseThrow().hooksJson()).isEqualTo("{\"port\":8080,\"run\":5}");

            store.addEvent(new EventRecord(id, T0, "PENDING", "PENDING", "HOOK", "run hook answered 200 OK in 5 ms"));
            assertThat(store.events(id)).last().isEqualTo(new EventRecord(id, T0, "PENDING", "PENDING", "HOOK",
                    "run hook answered 200 OK in 5 ms"));
            assertThat(store.find(id).orElseThrow().state()).as("an event that moves nothing").isEqualTo("PENDING");
        }
    }

    @Test
    void shouldMigrateOnceAndKeepDataAcrossReopen() throws Exception {
        Path db = dir.resolve("sub/ember.db");
        String id = "mvm-000000000000000000000009";
        try (Store store = Store.open(db)) {
            store.insert(record(id, "busybox", null), created(id));
        }
        try (Store store = Store.open(db)) {
            assertThat(store.find(id)).isPresent();
        }
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db);
             ResultSet rs = c.createStatement().executeQuery("SELECT count(*) FROM flyway_schema_history WHERE success = 1");
             ResultSet mode = c.createStatement().executeQuery("PRAGMA journal_mode")) {
            rs.next();
            assertThat(rs.getInt(1)).as("every migration applied once").isEqualTo(migrations()).isGreaterThanOrEqualTo(5);
            mode.next();
            assertThat(mode.getString(1)).isEqualToIgnoringCase("wal");
        }
    }

    @Test
    void shouldRefuseADuplicateClientToken() {
        try (Store store = Store.open(dir.resolve("ember.db"))) {
            store.insert(record("mvm-00000000000000000000000a", "busybox", "same"), created("mvm-00000000000000000000000a"));
            assertThatThrownBy(() -> store.insert(record("mvm-00000000000000000000000b", "busybox", "same"),
                    created("mvm-00000000000000000000000b"))).isInstanceOf(StoreException.class);
            assertThat(store.find("mvm-00000000000000000000000b")).isEmpty();
            assertThat(store.events("mvm-00000000000000000000000b")).isEmpty();
        }
    }

    @Test
    void shouldKeepMillisecondTimestamps() {
        try (Store store = Store.open(dir.resolve("ember.db"))) {
            String id = "mvm-00000000000000000000000c";
            store.insert(record(id, "busybox", null), created(id));
            assertThat(store.find(id).orElseThrow().startedAt()).isEqualTo(T0.truncatedTo(ChronoUnit.MILLIS));
        }
    }

    @Test
    void shouldKeepTagsAndChangeThemAtomically() {
        try (Store store = Store.open(dir.resolve("t.db"))) {
            String id = "mvm-00000000000000000000000d";
            store.insert(record(id, "busybox", null), created(id));
            assertThat(store.tags(id)).contains(java.util.Map.of());
            assertThat(store.updateTags(id, t -> { t.put("team", "a"); t.put("env", "dev"); return t; })).isTrue();
            assertThat(store.tags(id).orElseThrow()).containsExactly(java.util.Map.entry("env", "dev"), java.util.Map.entry("team", "a"));
            assertThatThrownBy(() -> store.updateTags(id, t -> { throw new IllegalArgumentException("refused"); }))
                    .hasMessage("refused");
            assertThat(store.tags(id).orElseThrow()).hasSize(2);
            assertThat(store.updateTags(id, t -> new java.util.TreeMap<>())).isTrue();
            assertThat(store.tags(id)).contains(java.util.Map.of());
            assertThat(store.updateTags("mvm-missing", t -> t)).isFalse();
            assertThat(store.tags("mvm-missing")).isEmpty();
        }
    }
}

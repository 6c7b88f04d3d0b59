package io.ember.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Instant;
import java.util.List;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Metered intervals are written with the transitions that open and close them, all or nothing. */
class StoreUsageTest {
    @TempDir
    Path dir;

    static final Instant T0 = Instant.parse("2026-01-01T00:00:00.123Z"); // StoreTest.record's startedAt
    static final Instant FAR = T0.plusSeconds(365L * 86_400);
    static final String ID = "mvm-000000000000000000000042";

    static UsageRecord opening(String id, String kind, long disk) {
        return new UsageRecord(id, null, kind, T0, null, 1, 128, disk);
    }

    static EventRecord event(String from, String to, long atSeconds) {
        return new EventRecord(ID, T0.plusSeconds(atSeconds), from, to, "USER", from + " -> " + to);
    }

    @Test
    void shouldOpenWithTheInsertAndCloseAndOpenAtEachEventsTime() {
        try (Store store = Store.open(dir.resolve("ember.db"))) {
            store.insert(StoreTest.record(ID, "busybox", null), null, StoreTest.created(ID), opening(ID, "RUNNING", 0));
            store.transition(event("PENDING", "RUNNING", 2), null, null, UsageChange.NONE);
            store.transition(event("RUNNING", "SUSPENDING", 10), null, null, UsageChange.NONE);
            store.transition(event("SUSPENDING", "SUSPENDED", 12), null, null,
                    UsageChange.closeAndOpen(opening(ID, "SUSPENDED", 5000)));

            assertThat(store.usage(null, ID, T0, FAR)).containsExactly(
                    new UsageRecord(ID, "000000000000", "RUNNING", T0, T0.plusSeconds(12), 1, 128, 0),
                    new UsageRecord(ID, "000000000000", "SUSPENDED", T0.plusSeconds(12), null, 1, 128, 5000));
            store.transition(event("SUSPENDED", "TERMINATED", 20), "gone", T0.plusSeconds(20), UsageChange.closeOnly());
            assertThat(store.usage(null, null, T0, FAR)).extracting(UsageRecord::end)
                    .containsExactly(T0.plusSeconds(12), T0.plusSeconds(20));
            assertThat(store.usage(null, ID, T0.plusSeconds(12), T0.plusSeconds(13))).extracting(UsageRecord::kind)
                    .as("only the intervals overlapping the span").containsExactly("SUSPENDED");
            assertThat(store.usage(null, "mvm-other", T0, FAR)).isEmpty();
        }
    }

    @Test
    void shouldLeaveStateEventAndIntervalsAsTheyWereWhenAnyPartFails() {
        try (Store store = Store.open(dir.resolve("ember.db"))) {
            store.insert(StoreTest.record(ID, "busybox", null), null, StoreTest.created(ID), opening(ID, "RUNNING", 0));
            store.transition(event("PENDING", "RUNNING", 2), null, null, UsageChange.NONE);
            List<UsageRecord> before = store.usage(null, ID, T0, FAR);
            int events = store.events(ID).size();

            // The usage write fails after the state moved, the event was written and the interval was closed.
            UsageChange broken = UsageChange.closeAndOpen(opening("mvm-not-this-one", "SUSPENDED", 1));
            assertThatThrownBy(() -> store.transition(event("RUNNING", "SUSPENDED", 5), null, null, broken))
                    .isInstanceOf(StoreException.class);
            // A stale transition fails before anything is written.
            assertThatThrownBy(() -> store.transition(event("SUSPENDED", "PENDING", 6), null, null,
                    UsageChange.closeAndOpen(opening(ID, "RUNNING", 0)))).isInstanceOf(StoreException.class);

            assertThat(store.find(ID).orElseThrow().state()).isEqualTo("RUNNING");
            assertThat(store.events(ID)).hasSize(events);
            assertThat(store.usage(null, ID, T0, FAR)).isEqualTo(before).singleElement()
                    .satisfies(u -> assertThat(u.end()).as("still open").isNull());
        }
    }

    @Test
    void shouldRefuseASecondOpenIntervalRatherThanCountSecondsTwice() {
        try (Store store = Store.open(dir.resolve("ember.db"))) {
            store.insert(StoreTest.record(ID, "busybox", null), null, StoreTest.created(ID), opening(ID, "RUNNING", 0));
            assertThatThrownBy(() -> store.transition(event("PENDING", "RUNNING", 2), null, null,
                    new UsageChange(false, opening(ID, "RUNNING", 0)))).isInstanceOf(StoreException.class);
            assertThat(store.find(ID).orElseThrow().state()).isEqualTo("PENDING");
            assertThat(store.usage(null, ID, T0, FAR)).hasSize(1);
        }
    }

    @Test
    void shouldNeverCloseAnIntervalBeforeItStarted() {
        try (Store store = Store.open(dir.resolve("ember.db"))) {
            store.insert(StoreTest.record(ID, "busybox", null), null, StoreTest.created(ID), opening(ID, "RUNNING", 0));
            // The wall clock stepped back between the two transitions.
            store.transition(event("PENDING", "TERMINATED", -3), "x", T0, UsageChange.closeOnly());
            assertThat(store.usage(null, ID, T0.minusSeconds(10), FAR)).singleElement()
                    .satisfies(u -> assertThat(u.end()).isEqualTo(T0));
        }
    }

    @Test
    void shouldMeterMicrovmsAliveAtTheUpgradeFromTheirLastTransition() throws Exception {
        Path file = dir.resolve("ember.db");
        var ds = Sqlite.dataSource(file);
        Flyway.configure().dataSource(ds).locations("classpath:db/migration").target("4").load().migrate();
        try (Connection c = ds.getConnection()) {
            insertV4(c, "mvm-run", "RUNNING", new String[][] {{null, "PENDING", "0"}, {"PENDING", "RUNNING", "3"},
                    {"RUNNING", "RUNNING", "4"}}); // the last one is a hook's event: it moves nothing
            insertV4(c, "mvm-sleep", "TERMINATING", new String[][] {{null, "PENDING", "0"}, {"PENDING", "RUNNING", "1"},
                    {"RUNNING", "SUSPENDING", "5"}, {"SUSPENDING", "SUSPENDED", "6"}, {"SUSPENDED", "TERMINATING", "9"}});
            insertV4(c, "mvm-dead", "TERMINATED", new String[][] {{null, "PENDING", "0"}, {"PENDING", "TERMINATED", "1"}});
        }
        try (Store store = Store.open(file)) {
            assertThat(store.usage(null, null, T0, FAR)).containsExactlyInAnyOrder(
                    new UsageRecord("mvm-run", "000000000000", "RUNNING", T0.plusSeconds(3), null, 1, 128, 0),
                    new UsageRecord("mvm-sleep", "000000000000", "SUSPENDED", T0.plusSeconds(9), null, 1, 128, 0));
        }
    }

    private static void insertV4(Connection c, String id, String state, String[][] events) throws Exception {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO microvms (id, arn, image_name, image_arn, "
                + "image_version, state, vcpus, memory_mib, maximum_duration_seconds, started_at, work_dir) "
                + "VALUES (?, 'arn', 'busybox', 'arn:img', '1', ?, 1, 128, 600, ?, '/w')")) {
            Sqlite.bind(ps, id, state, T0);
            ps.executeUpdate();
        }
        for (String[] e : events) {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO events (microvm_id, at, from_state, to_state, "
                    + "cause) VALUES (?, ?, ?, ?, 'USER')")) {
                Sqlite.bind(ps, id, T0.plusSeconds(Long.parseLong(e[2])), e[0], e[1]);
                ps.executeUpdate();
            }
        }
    }
}

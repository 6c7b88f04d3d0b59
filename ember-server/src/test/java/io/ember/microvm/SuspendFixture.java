package io.ember.microvm;

import io.ember.image.ImageCatalog;
import io.ember.image.ImageSource;
import io.ember.store.Store;
import io.ember.testing.Assets;
import io.ember.testing.Await;
import io.ember.testing.FakeAgents;
import io.ember.testing.FakeDriver;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.function.Function;

/**
 * Like {@link Fixture}, for suspend and idle tests: a snapshotting fake driver, a short idle tick, and
 * an image source the test may replace (images launched from a snapshot).
 */
final class SuspendFixture implements AutoCloseable {
    static final Duration IDLE_TICK = Duration.ofMillis(100);

    final Path dataDir;
    final FakeDriver driver = new FakeDriver();
    final FakeAgents agents = new FakeAgents();
    final ImageCatalog catalog;
    final int maxRunning;
    /** Builds the image source from the catalog (default: managed images only). */
    volatile Function<ImageCatalog, ImageSource> images = ImageSource::managed;
    /** The free disk checks (default: none); set before {@link #start}. */
    volatile io.ember.image.HostDisk disk = io.ember.image.HostDisk.UNCHECKED;
    Store store;
    Microvms microvms;

    SuspendFixture(Path dir, int maxRunning) throws IOException {
        this(dir, dir.resolve("data"), maxRunning);
    }

    /** With the data directory elsewhere (a small file system of its own). */
    SuspendFixture(Path dir, Path dataDir, int maxRunning) throws IOException {
        this.dataDir = dataDir;
        this.catalog = ImageCatalog.load(Assets.create(dir.resolve("assets")));
        this.maxRunning = maxRunning;
        start();
    }

    void start() {
        store = Store.open(dataDir.resolve("ember.db"));
        microvms = Microvms.start(store, catalog, images.apply(catalog), driver, agents, new MicrovmSettings(dataDir,
                maxRunning, Duration.ofSeconds(5), Duration.ofSeconds(5), Duration.ofSeconds(1), Duration.ofSeconds(2),
                IDLE_TICK, disk));
    }

    /** The server stops (VMs go on) and a new one starts on the same data directory. */
    void restart() {
        close();
        start();
    }

    Action.Run run(int seconds, IdlePolicy policy) {
        return new Action.Run("busybox", null, null, policy, seconds, null);
    }

    /** Runs a busybox microVM and waits until it is RUNNING. */
    String running(int seconds, IdlePolicy policy) {
        String id = microvms.run(run(seconds, policy)).id();
        Await.until(id + " RUNNING", () -> state(id).equals("RUNNING"));
        return id;
    }

    String state(String id) {
        return microvms.get(id).state();
    }

    /** toState/cause of each event, oldest first. */
    List<String> events(String id) {
        return microvms.events(id).stream().map(e -> e.toState() + "/" + e.cause()).toList();
    }

    /** Rewrites a stored column while the server is stopped (a crash at an awkward moment). */
    void rewrite(String id, String column, Object value) throws SQLException {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dataDir.resolve("ember.db"));
             PreparedStatement ps = c.prepareStatement("UPDATE microvms SET " + column + " = ? WHERE id = ?")) {
            ps.setObject(1, value);
            ps.setString(2, id);
            if (ps.executeUpdate() != 1) throw new SQLException("no microVM " + id);
        }
    }

    @Override
    public void close() {
        microvms.close();
        store.close();
    }
}

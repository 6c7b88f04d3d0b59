package io.ember.microvm;

import io.ember.image.ImageCatalog;
import io.ember.store.Store;
import io.ember.testing.Assets;
import io.ember.testing.FakeAgents;
import io.ember.testing.FakeDriver;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;

/** A lifecycle over a real store and fake machines; restartable on the same data. */
final class Fixture implements AutoCloseable {
    final Path dataDir;
    final FakeDriver driver = new FakeDriver();
    final FakeAgents agents = new FakeAgents();
    final ImageCatalog catalog;
    final int maxRunning;
    Store store;
    Microvms microvms;

    Fixture(Path dir, int maxRunning) throws IOException {
        this.dataDir = dir.resolve("data");
        this.catalog = ImageCatalog.load(Assets.create(dir.resolve("assets")));
        this.maxRunning = maxRunning;
        start();
    }

    void start() {
        start(catalog);
    }

    /** Starts on the same data with another image catalog (images added or removed meanwhile). */
    void start(ImageCatalog images) {
        store = Store.open(dataDir.resolve("ember.db"));
        microvms = Microvms.start(store, images, driver, agents, new MicrovmSettings(dataDir, maxRunning,
                Duration.ofSeconds(5), Duration.ofSeconds(5), Duration.ofSeconds(1), Duration.ofSeconds(2)));
    }

    /** The server stops (VMs go on) and a new one starts on the same data directory. */
    void restart() {
        close();
        start();
    }

    Action.Run run(int seconds) {
        return new Action.Run("busybox", null, null, null, seconds, null);
    }

    String state(String id) {
        return microvms.get(id).state();
    }

    @Override
    public void close() {
        microvms.close();
        store.close();
    }
}

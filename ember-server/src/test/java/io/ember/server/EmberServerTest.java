package io.ember.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ember.image.AssetsMissingException;
import io.ember.testing.Assets;
import io.ember.testing.Await;
import io.ember.testing.FakeAgents;
import io.ember.testing.FakeDriver;
import io.ember.vmm.Accelerator;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD) // a hung stream fails, never blocks the build
class EmberServerTest {
    @TempDir
    Path dir;

    private ServerConfig config() throws Exception {
        // Networks off: the defaults would make real namespaces on the default pool and forward DNS to the host's resolvers
        return ServerConfig.defaults().withPort(0).withDataDir(dir.resolve("data"))
                .withAssetsDir(Assets.create(dir.resolve("assets"))).withAccelerator(Accelerator.TCG)
                .withNetwork(io.ember.network.NetworkSettings.OFF);
    }

    private static String get(HttpClient http, String url) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).GET().build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    @Test
    void shouldDefaultToTheDocumentedSettings() {
        ServerConfig d = ServerConfig.defaults(Map.of());
        assertThat(d.bindAddress()).isEqualTo("127.0.0.1");
        assertThat(d.port()).isEqualTo(8080);
        assertThat(d.dataDir()).isEqualTo(Path.of("/var/lib/ember"));
        assertThat(d.assetsDir()).isEqualTo(Path.of("/var/cache/ember"));
        assertThat(d.accelerator()).isEqualTo(Accelerator.AUTO);
        assertThat(d.qemuBinary()).isEqualTo("qemu-system-x86_64");
        assertThat(d.maxRunningVms()).isEqualTo(64);
        ServerConfig env = ServerConfig.defaults(Map.of("EMBER_DATA_DIR", "/d", "EMBER_ASSETS_DIR", "/a"));
        assertThat(env.dataDir()).isEqualTo(Path.of("/d"));
        assertThat(env.assetsDir()).isEqualTo(Path.of("/a"));
    }

    @Test
    void shouldRefuseToStartWithoutAssetsNamingTheSetupCommand() throws Exception {
        ServerConfig good = config();
        ServerConfig c = good.withAssetsDir(dir.resolve("empty"));
        assertThatThrownBy(() -> EmberServer.start(c, new FakeDriver(), new FakeAgents()))
                .isInstanceOf(AssetsMissingException.class)
                .hasMessageContaining("bin/ember setup").hasMessageContaining("kernel/vmlinux");
        Files.delete(dir.resolve("assets/images/busybox/image.json"));
        Files.delete(dir.resolve("assets/images/debian/rootfs.ext4"));
        assertThatThrownBy(() -> EmberServer.start(good, new FakeDriver(), new FakeAgents()))
                .isInstanceOf(AssetsMissingException.class).hasMessageContaining("no image");
    }

    @Test
    void shouldRefuseASecondServerOnTheSameDataDirectory() throws Exception {
        ServerConfig c = config();
        try (EmberServer first = EmberServer.start(c, new FakeDriver(), new FakeAgents())) {
            assertThat(first.port()).isPositive();
            assertThatThrownBy(() -> EmberServer.start(c, new FakeDriver(), new FakeAgents()))
                    .hasMessageContaining("another Ember server");
        }
        EmberServer.start(c, new FakeDriver(), new FakeAgents()).close(); // free again once closed
    }

    @Test
    void shouldKeepVmsRunningAcrossARestart() throws Exception {
        ServerConfig c = config();
        FakeDriver driver = new FakeDriver();
        FakeAgents agents = new FakeAgents();
        String id;
        try (io.ember.testing.SigningHttpClient http = new io.ember.testing.SigningHttpClient(HttpClient.newHttpClient(), null)) {
            try (EmberServer s = EmberServer.start(c, driver, agents)) {
                http.use(io.ember.testing.SigningHttpClient.Key.admin(c.dataDir()));
                String run = http.send(HttpRequest.newBuilder(URI.create(s.endpoint() + "/2025-09-09/microvms"))
                        .POST(HttpRequest.BodyPublishers.ofString("{\"imageIdentifier\":\"busybox\"}")).build(),
                        HttpResponse.BodyHandlers.ofString()).body();
                id = run.replaceAll(".*\"microvmId\":\"(mvm-[0-9a-f]+)\".*", "$1");
                String url = s.endpoint() + "/2025-09-09/microvms/" + id;
                Await.until("RUNNING", () -> {
                    try {
                        return get(http, url).contains("\"RUNNING\"");
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                });
            }
            assertThat(driver.vm(id).alive()).isTrue();
            try (EmberServer again = EmberServer.start(c, driver, agents)) {
                assertThat(get(http, again.endpoint() + "/2025-09-09/microvms/" + id)).contains("\"RUNNING\"");
                assertThat(agents.connected).hasSize(2);
            }
        }
    }
}

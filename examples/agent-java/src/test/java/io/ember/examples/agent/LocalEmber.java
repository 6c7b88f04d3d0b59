package io.ember.examples.agent;

import io.ember.sdk.EmberClient;
import io.ember.sdk.ListMicrovmsRequest;
import io.ember.sdk.MicrovmState;
import io.ember.server.EmberServer;
import io.ember.server.ServerConfig;
import io.ember.vmm.Accelerator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * A real Ember server in-process on a free loopback port, with its own data directory, booting real microVMs from
 * the assets of {@code bin/ember setup}. Closing it terminates its microVMs, stops it and removes the directory.
 */
final class LocalEmber implements AutoCloseable {
    private final Path dataDir;
    private final EmberServer server;
    private final EmberClient client;

    LocalEmber() throws IOException {
        Path assets = Path.of(System.getenv().getOrDefault("EMBER_ASSETS_DIR", "/var/cache/ember"));
        if (!Files.isRegularFile(assets.resolve("kernel/vmlinux"))) {
            throw new IllegalStateException("guest assets missing under " + assets + ": run `bin/ember setup` first");
        }
        dataDir = Files.createTempDirectory(Path.of("/tmp"), "ember-agent-"); // short: Unix socket paths < 108 bytes
        Accelerator accel = Accelerator.valueOf(System.getenv().getOrDefault("EMBER_ACCEL", "auto").toUpperCase());
        server = EmberServer.start(new ServerConfig("127.0.0.1", 0, dataDir, assets, accel, "qemu-system-x86_64", 4));
        // Signed as the admin, with the key the server wrote to its data directory at first start.
        io.ember.sdk.Credentials admin = io.ember.sdk.CredentialsChain.of(java.util.Map.of("HOME", dataDir.toString(),
                "EMBER_DATA_DIR", dataDir.toString())).withProfile(io.ember.sdk.CredentialsChain.ADMIN_PROFILE).resolve();
        client = EmberClient.builder().endpoint("http://127.0.0.1:" + server.port()).credentials(admin).build();
    }

    EmberClient client() {
        return client;
    }

    @Override
    public void close() throws IOException {
        try {
            client.listAllMicrovms(ListMicrovmsRequest.all()).filter(m -> m.state() != MicrovmState.TERMINATED)
                    .forEach(m -> client.terminateMicrovm(m.microvmId()));
        } finally {
            client.close();
            server.close();
            try (Stream<Path> walk = Files.walk(dataDir)) {
                walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}

package io.ember.e2e;

import io.ember.cli.Main;
import io.ember.sdk.Credentials;
import io.ember.sdk.CredentialsChain;
import io.ember.sdk.EmberClient;
import io.ember.sdk.MissingCredentialsException;
import io.ember.server.EmberServer;
import io.ember.server.ServerConfig;
import io.ember.vmm.Accelerator;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A real Ember server on a free loopback port, with its own data directory, booting real QEMU guests
 * from the assets that {@code bin/ember setup} built. Closing it stops the server and terminates
 * every VM it still knows about (by id), then removes the data directory.
 */
final class EmberTestServer implements AutoCloseable {

    private final Path dataDir;
    private final boolean ownsDataDir;
    /**
     * Signs when the server has written no credentials file (a server that does not check signatures yet);
     * a server that checks them refuses it, so a missing file cannot go unnoticed there.
     */

    private EmberServer server;
    /** Microvm networks on, on a pool of their own, resolving through the fake internet's DNS; null: networking off. */
    private io.ember.network.NetworkSettings network;
    private TestPool pool;
    /** Where s3:// code artifacts are read from; null: the server's default (AWS S3, never asked by these tests). */
    private io.ember.artifact.S3Settings s3;
    private EmberClient client;
    private Credentials admin;

    private EmberTestServer(Path dataDir, boolean ownsDataDir) {
        this.dataDir = dataDir;
        this.ownsDataDir = ownsDataDir;
    }

    static EmberTestServer start() throws IOException {
        // Short path: Unix socket paths under it must stay below 108 bytes.
        EmberTestServer s = new EmberTestServer(Files.createTempDirectory(Path.of("/tmp"), "ember-e2e-"), true);
        s.open();
        return s;
    }

    /** A server whose microVMs have networks (docs/network.md) reaching only {@code internet}. */
    static EmberTestServer withNetwork(FakeInternet internet) throws IOException {
        EmberTestServer s = new EmberTestServer(Files.createTempDirectory(Path.of("/tmp"), "ember-e2e-"), true);
        s.pool = TestPool.acquire();
        s.network = io.ember.network.NetworkSettings.on().withPool(s.pool.cidr).withDnsPort(0)
                .withDnsUpstreams(java.util.List.of(new java.net.InetSocketAddress(internet.dns(), 53)));
        s.open();
        return s;
    }

    /** A server that reads s3:// code artifacts as {@code s3} says (a test's own S3 server on loopback). */
    static EmberTestServer withS3(io.ember.artifact.S3Settings s3) throws IOException {
        EmberTestServer s = new EmberTestServer(Files.createTempDirectory(Path.of("/tmp"), "ember-e2e-"), true);
        s.s3 = s3;
        s.open();
        return s;
    }

    /** What names this server's namespaces and veths (NetworkSettings.tag); networking must be on. */
    String networkTag() {
        return network.tag();
    }

    /** The pool this server's microVM networks use (null: networking off). */
    io.ember.egress.Cidr networkPool() {
        return pool == null ? null : pool.cidr;
    }

    /** A server whose endpoint speaks TLS with a certificate of Ember's own CA (the default of `ember server`). */
    static EmberTestServer withEndpointTls() throws IOException {
        EmberTestServer s = new EmberTestServer(Files.createTempDirectory(Path.of("/tmp"), "ember-e2e-"), true);
        s.endpointTls = true;
        s.open();
        return s;
    }

    /**
     * As {@link #withEndpointTls()}, serving endpoints as {@code <microvmId>.<domain>} (the certificate names the domain
     * and its wildcard; clients name the host by authority or SNI, no DNS is asked).
     */
    static EmberTestServer withEndpointTls(String domain) throws IOException {
        EmberTestServer s = new EmberTestServer(Files.createTempDirectory(Path.of("/tmp"), "ember-e2e-"), true);
        s.endpointTls = true;
        s.endpointDomain = domain;
        s.open();
        return s;
    }

    private boolean endpointTls;
    private String endpointDomain;
    private int minIdleSeconds = 1; // idle-policy tests wait seconds, not AWS's minute

    /** A server with AWS's floor of idlePolicy.maxIdleDurationSeconds (60 s), as `ember server` has by default. */
    static EmberTestServer withAwsIdleFloor() throws IOException {
        EmberTestServer s = new EmberTestServer(Files.createTempDirectory(Path.of("/tmp"), "ember-e2e-"), true);
        s.minIdleSeconds = io.ember.microvm.MicrovmSettings.AWS_MIN_IDLE_SECONDS;
        s.open();
        return s;
    }

    /** The port of the microVM endpoints' listener. */
    int endpointPort() {
        return server.endpointPort();
    }

    /** A server on an existing data directory (another server's, e.g. one that crashed), which closing leaves in place. */
    static EmberTestServer on(Path dataDir) {
        EmberTestServer s = new EmberTestServer(dataDir, false);
        s.open();
        return s;
    }

    static Path assetsDir() {
        Path assets = Path.of(System.getenv().getOrDefault("EMBER_ASSETS_DIR", "/var/cache/ember"));
        if (!Files.isRegularFile(assets.resolve("kernel/vmlinux"))
                || !Files.isRegularFile(assets.resolve("images/busybox/rootfs.ext4"))) {
            throw new IllegalStateException("guest assets missing under " + assets
                    + ": run `bin/ember setup` (bin/test does) before the end-to-end tests");
        }
        return assets;
    }

    static Accelerator accelerator() {
        return Accelerator.valueOf(System.getenv().getOrDefault("EMBER_ACCEL", "auto").toUpperCase());
    }

    private void open() {
        ServerConfig config = new ServerConfig("127.0.0.1", 0, dataDir, assetsDir(), accelerator(),
                "qemu-system-x86_64", 16).withMinIdleSeconds(minIdleSeconds);
        if (network != null) config = config.withNetwork(network);
        if (s3 != null) config = config.withS3(s3);
        if (endpointDomain != null) config = config.withEndpoint(config.endpoint().withDomain(endpointDomain));
        if (endpointTls) config = config.withEndpoint(config.endpoint().withLocalCa(dataDir));
        server = EmberServer.start(config);
        admin = readAdminCredentials();
        client = clientFor(admin);
    }

    /** The admin's keys, as the server wrote them at first start to {@code <dataDir>/credentials} ({@code [ember-admin]}). */
    private Credentials readAdminCredentials() {
        try {
            return CredentialsChain.of(Map.of("HOME", dataDir.toString(), "EMBER_DATA_DIR", dataDir.toString()))
                    .withProfile(CredentialsChain.ADMIN_PROFILE).resolve();
        } catch (MissingCredentialsException e) {
            throw new IllegalStateException("the server wrote " + credentialsFile() + " without an [ember-admin] key pair", e);
        }
    }

    Path credentialsFile() {
        return dataDir.resolve("credentials");
    }

    /** The admin tenant's keys (to sign raw HTTP calls, or to hand to the official client). */
    Credentials adminCredentials() {
        return admin;
    }

    /** A client of this server signing with {@code keys} (e.g. a tenant's, from createAccessKey); close it. */
    EmberClient clientFor(Credentials keys) {
        return EmberClient.builder().endpoint(endpoint()).credentials(keys).build();
    }

    /** Stops the server process-internally, leaving VMs running, and starts a new one on the same data. */
    void restart() {
        client.close();
        server.close();
        open();
    }

    /** Stops the server without touching its VMs (to simulate a crash or an upgrade). */
    void stopServerOnly() {
        client.close();
        server.close();
        server = null;
    }

    void startAgain() {
        open();
    }

    String endpoint() {
        return "http://127.0.0.1:" + server.port();
    }

    EmberServer embedded() {
        return server;
    }

    EmberClient client() {
        return client;
    }

    Path dataDir() {
        return dataDir;
    }

    Path vmDir(String vmId) {
        return dataDir.resolve("vms").resolve(vmId);
    }

    CliResult cli(String... args) {
        return cli(new byte[0], args);
    }

    /**
     * Runs the CLI as the admin: with the server's credentials file found through {@code EMBER_DATA_DIR}, as on the
     * server's own host (no AWS keys or profile in its environment).
     */
    CliResult cli(byte[] stdin, String... args) {
        Map<String, String> env = new HashMap<>(System.getenv());
        for (String k : new String[] {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE",
                "AWS_SHARED_CREDENTIALS_FILE", "AWS_CONFIG_FILE"}) {
            env.remove(k);
        }
        env.put("HOME", dataDir.toString());
        env.put("EMBER_DATA_DIR", dataDir.toString());
        return cli(stdin, env, args);
    }

    /** Runs the CLI with exactly this environment (where it finds its keys). */
    CliResult cli(byte[] stdin, Map<String, String> env, String... args) {
        String[] all = new String[args.length + 2];
        all[0] = "--endpoint-url";
        all[1] = endpoint();
        System.arraycopy(args, 0, all, 2, args.length);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        InputStream in = new ByteArrayInputStream(stdin);
        int code = Main.run(all, in, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), env);
        return new CliResult(code, out.toByteArray(), err.toString(StandardCharsets.UTF_8));
    }

    record CliResult(int exitCode, byte[] stdoutBytes, String stderr) {
        String stdout() {
            return new String(stdoutBytes, StandardCharsets.UTF_8);
        }
    }

    @Override
    public void close() throws IOException {
        if (server != null) {
            try {
                client.listAllMicrovms(io.ember.sdk.ListMicrovmsRequest.all())
                        .filter(m -> m.state() != io.ember.sdk.MicrovmState.TERMINATED)
                        .forEach(m -> client.terminateMicrovm(m.microvmId()));
            } finally {
                client.close();
                server.close();
            }
        }
        QemuProcesses.killAllUnder(dataDir);
        if (network != null) {
            io.ember.network.Networks.purge(network);
            pool.close();
        }
        if (ownsDataDir) deleteTree(dataDir);
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) return;
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}

package io.ember.cli;

import io.ember.endpoint.LocalCa;
import static org.assertj.core.api.Assertions.assertThat;

import io.ember.arn.Region;
import io.ember.server.EmberServer;
import io.ember.server.ServerConfig;
import io.ember.vmm.Accelerator;
import io.ember.vmm.VmmDriver;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.reflect.Proxy;
import java.net.ConnectException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The server verb starts the real Ember server (its machine layer replaced: no microVM is booted
 * here), the other verbs talk to it, and interrupting the verb's thread stops it.
 */
class ServerCommandTest {
    @TempDir Path tmp;

    @Test
    void server_servesUntilStopped_andOtherVerbsTalkToIt() throws Exception {
        Path assets = fakeAssets(tmp.resolve("assets"));
        AtomicReference<ServerConfig> config = new AtomicReference<>();
        ServerCommand verb = new ServerCommand(c -> {
            config.set(c);
            return startWithoutMachines(c);
        });
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Main.Io io = new Main.Io(new ByteArrayInputStream(new byte[0]), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), Map.of("EMBER_DATA_DIR", tmp.resolve("data").toString()));
        AtomicInteger exit = new AtomicInteger(-1);
        Thread serving = new Thread(() -> exit.set(Main.run(new String[] {"server", "--port", "0", "--accel", "TCG",
                "--assets-dir", assets.toString(), "--max-running-vms", "3", "--network", "off", "--region", "eu-west-1"}, io, verb)), "ember-server-verb");
        serving.start();
        try {
            String endpoint = awaitEndpoint(out, err);

            Cli health = Cli.run("health", "--endpoint-url", endpoint);
            // As on the server's host: the CLI signs with the admin key the server wrote to its data directory.
            Map<String, String> local = Map.of("EMBER_DATA_DIR", tmp.resolve("data").toString(), "HOME", tmp.toString());
            Cli images = Cli.runWithEnvOnly(local, "list-managed-microvm-images", "--endpoint-url", endpoint, "--output", "text");
            Cli missing = Cli.runWithEnvOnly(local, "get-microvm", "--microvm-identifier", "mvm-000000000000000000000000", "--endpoint-url", endpoint);

            assertThat(health.out).as(health.toString()).contains("\"status\": \"ok\"").contains("\"region\": \"eu-west-1\"");
            assertThat(images.out).contains("arn:aws:lambda:eu-west-1:aws:microvm-image:busybox");
            assertThat(missing.exit).isEqualTo(254);
            assertThat(missing.err).startsWith("An error occurred (ResourceNotFoundException): ");
            ServerConfig plain = new ServerConfig("127.0.0.1", 0, tmp.resolve("data"), assets,
                    Accelerator.TCG, "qemu-system-x86_64", 3);
            assertThat(config.get()).as("TLS with Ember's CA by default")
                    .isEqualTo(plain.withEndpoint(plain.endpoint().withLocalCa(tmp.resolve("data"))).withRegion(new Region("eu-west-1")));
            String printed = out.toString(StandardCharsets.UTF_8);
            assertThat(printed).contains("microVM endpoints on https://127.0.0.1:")
                    .contains("trust " + tmp.resolve("data").resolve(LocalCa.CERT_FILE));
            assertThat(tmp.resolve("data").resolve(LocalCa.CERT_FILE)).exists();
        } finally {
            serving.interrupt();
            serving.join(10_000);
        }
        assertThat(serving.isAlive()).isFalse();
        assertThat(exit.get()).isZero();
        int port = Integer.parseInt(out.toString(StandardCharsets.UTF_8).strip().lines().reduce((a, b) -> b).orElseThrow()
                .replaceAll(".*:(\\d+)$", "$1"));
        assertThat(refuses(port)).as("the port is closed after the verb returns").isTrue();
    }

    @Test
    void server_badAccel_isUsage() {
        assertThat(Cli.run("server", "--accel", "fast").exit).isEqualTo(2);
        assertThat(Cli.run("server", "--port", "x").exit).isEqualTo(2);
        Cli region = Cli.run("server", "--region", "local");
        assertThat(region.exit).isEqualTo(2);
        assertThat(region.err).contains("region must be an AWS region name");
    }

    @Test
    void server_s3Flags_reachTheConfig_andBadOnesAreUsage() {
        AtomicReference<ServerConfig> config = new AtomicReference<>();
        Main.Io quiet = new Main.Io(new ByteArrayInputStream(new byte[0]), new PrintStream(new ByteArrayOutputStream()),
                new PrintStream(new ByteArrayOutputStream()), Map.of());
        int exit = Main.run(new String[] {"server", "--port", "0", "--network", "off", "--data-dir", tmp.resolve("d").toString(),
                "--s3-endpoint", "http://127.0.0.1:9000", "--s3-region", "eu-west-1", "--s3-path-style",
                "--s3-allowed-buckets", "code, more-code"}, quiet, new ServerCommand(c -> {
                    config.set(c);
                    throw new IllegalStateException("not started in this test");
                }));
        assertThat(exit).isEqualTo(255);
        assertThat(config.get().s3()).isEqualTo(io.ember.artifact.S3Settings.DEFAULTS.withEndpoint(java.net.URI.create("http://127.0.0.1:9000"))
                .withRegion("eu-west-1").withPathStyle(true).withAllowedBuckets(java.util.Set.of("code", "more-code")));
        assertThat(Cli.run("server", "--s3-endpoint", "ftp://x").exit).isEqualTo(2);
        assertThat(Cli.run("server", "--s3-region", "Mars 1").exit).isEqualTo(2);
        assertThat(Cli.run("server", "--s3-allowed-buckets", "a/b").exit).isEqualTo(2);
    }

    @Test
    void server_startFailure_exits255WithTheReason() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Main.Io io = new Main.Io(new ByteArrayInputStream(new byte[0]), new PrintStream(new ByteArrayOutputStream()),
                new PrintStream(err, true, StandardCharsets.UTF_8), Map.of());
        int exit = Main.run(new String[] {"server", "--port", "0", "--assets-dir", tmp.resolve("nothing").toString(),
                "--data-dir", tmp.resolve("data").toString()}, io, new ServerCommand(ServerCommandTest::startWithoutMachines));
        assertThat(exit).isEqualTo(255);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains(tmp.resolve("nothing").toString());
    }

    /** The real server with a machine layer that refuses to boot anything. */
    static EmberServer startWithoutMachines(ServerConfig c) {
        VmmDriver noMachines = (VmmDriver) Proxy.newProxyInstance(ServerCommandTest.class.getClassLoader(),
                new Class<?>[] {VmmDriver.class}, (p, m, a) -> {
                    throw new UnsupportedOperationException("no VMs in this test");
                });
        return EmberServer.start(c, noMachines, (socket, timeout) -> {
            throw new UnsupportedOperationException("no agents in this test");
        });
    }

    private static String awaitEndpoint(ByteArrayOutputStream out, ByteArrayOutputStream err) throws InterruptedException {
        for (int i = 0; i < 300; i++) {
            String s = out.toString(StandardCharsets.UTF_8);
            if (s.contains("listening on ")) return s.substring(s.indexOf("listening on ") + 13).strip();
            Thread.sleep(100);
        }
        throw new AssertionError("server did not start; stderr: " + err.toString(StandardCharsets.UTF_8));
    }

    private static boolean refuses(int port) throws Exception {
        try (Socket s = new Socket("127.0.0.1", port)) {
            return false;
        } catch (ConnectException e) {
            return true;
        }
    }

    static Path fakeAssets(Path dir) throws Exception {
        Files.createDirectories(dir.resolve("kernel"));
        Files.createDirectories(dir.resolve("images/busybox"));
        Files.write(dir.resolve("kernel/vmlinux"), new byte[0]);
        Files.write(dir.resolve("initramfs.cpio.gz"), new byte[0]);
        Files.write(dir.resolve("images/busybox/rootfs.ext4"), new byte[0]);
        Files.writeString(dir.resolve("images/busybox/image.json"), "{\"name\":\"busybox\",\"version\":\"1\","
                + "\"description\":\"test\",\"vcpus\":1,\"memoryMib\":128,\"createdAt\":\"2026-01-01T00:00:00Z\"}");
        return dir;
    }
}

package io.ember.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import io.ember.artifact.S3Settings;
import java.util.concurrent.TimeUnit;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * A real S3 server for end-to-end tests (ember-server's tests have its twin, S3TestServer): S3Proxy
 * (target/s3proxy/s3proxy.jar, copied there by the build) with an in-memory blob store, as a process of its own on a
 * free loopback port. Closing it stops that process (by its pid).
 */
final class S3Store implements AutoCloseable {
    static final String ACCESS_KEY = "ember-test-key";
    static final String SECRET_KEY = "ember-test-secret";
    static final String REGION = "us-east-1";

    private final Process process;
    private final URI endpoint;
    private final S3Client client;

    private S3Store(Process process, URI endpoint) {
        this.process = process;
        this.endpoint = endpoint;
        this.client = S3Client.builder().endpointOverride(endpoint).region(Region.of(REGION)).forcePathStyle(true)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY, SECRET_KEY)))
                .httpClientBuilder(UrlConnectionHttpClient.builder()).build();
    }

    /** Starts S3Proxy with its configuration and log in {@code dir}; waits until it accepts connections. */
    static S3Store start(Path dir) throws IOException {
        Path jar = jar();
        int port = freePort();
        URI endpoint = URI.create("http://127.0.0.1:" + port);
        Files.createDirectories(dir);
        Path conf = dir.resolve("s3proxy.conf");
        Files.writeString(conf, String.join("\n",
                "s3proxy.endpoint=" + endpoint,
                "s3proxy.authorization=aws-v2-or-v4",
                "s3proxy.identity=" + ACCESS_KEY,
                "s3proxy.credential=" + SECRET_KEY,
                "jclouds.provider=transient",
                "jclouds.identity=unused",
                "jclouds.credential=unused", ""));
        String java = ProcessHandle.current().info().command().orElse("java");
        Process p = new ProcessBuilder(java, "-Xmx256m", "-jar", jar.toString(), "--properties", conf.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("s3proxy.log").toFile()).start();
        S3Store s = new S3Store(p, endpoint);
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!accepts(port)) {
            if (!p.isAlive() || System.nanoTime() > deadline) {
                s.close();
                throw new IOException("S3Proxy did not start (exit " + (p.isAlive() ? "none" : p.exitValue()) + "): "
                        + Files.readString(dir.resolve("s3proxy.log")));
            }
            sleep(100);
        }
        return s;
    }

    /** target/s3proxy/s3proxy.jar of this module or, from another module's tests, ember-server's. */
    static Path jar() {
        for (Path p : new Path[] {Path.of("target/s3proxy/s3proxy.jar"), Path.of("../ember-server/target/s3proxy/s3proxy.jar")}) {
            if (Files.isRegularFile(p)) return p.toAbsolutePath();
        }
        throw new IllegalStateException("target/s3proxy/s3proxy.jar is missing: build with Maven (process-test-resources copies it)");
    }

    URI endpoint() {
        return endpoint;
    }

    long pid() {
        return process.pid();
    }

    /** Settings that read from this server with its keys. */
    S3Settings settings() {
        return S3Settings.DEFAULTS.withEndpoint(endpoint).withRegion(REGION).withPathStyle(true).withCredentials(ACCESS_KEY, SECRET_KEY);
    }

    void createBucket(String bucket) {
        client.createBucket(b -> b.bucket(bucket));
    }

    void put(String bucket, String key, byte[] bytes) {
        client.putObject(b -> b.bucket(bucket).key(key), RequestBody.fromBytes(bytes));
    }

    /** The ETag the server gives the object, quotes removed. */
    String eTag(String bucket, String key) {
        return client.headObject(b -> b.bucket(bucket).key(key)).eTag().replace("\"", "");
    }

    @Override
    public void close() {
        client.close();
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static boolean accepts(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}

package io.ember.server;

import io.ember.arn.Region;
import io.ember.artifact.S3Settings;
import io.ember.endpoint.EndpointSettings;
import io.ember.network.NetworkSettings;
import io.ember.vmm.Accelerator;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;

/**
 * How a server runs. {@code port} 0 picks a free port (see {@link EmberServer#port()}).
 *
 * @param dataDir ember.db and vms/ (per-VM work directories)
 * @param assetsDir guest kernel, initramfs and base images, made by {@code bin/ember setup}
 * @param maxRunningVms host limit on microVMs that are not TERMINATED
 * @param endpoint where microVM endpoints are served (their own listener)
 * @param hostKeyFile the host key that seals secret values (docs/secrets.md); null: {@code <dataDir>/host.key}
 * @param network microVM networks (docs/network.md); {@link NetworkSettings#OFF} unless set
 * @param s3 where s3:// code artifacts are read (docs/images.md); {@link S3Settings#DEFAULTS} unless set
 * @param minIdleSeconds the least idlePolicy.maxIdleDurationSeconds RunMicrovm takes (0: AWS's 60)
 * @param region the region in every ARN the server answers ({@code --region}); {@link Region#DEFAULT} unless set
 */
public record ServerConfig(String bindAddress, int port, Path dataDir, Path assetsDir, Accelerator accelerator,
                           String qemuBinary, int maxRunningVms, EndpointSettings endpoint, Path hostKeyFile,
                           NetworkSettings network, S3Settings s3, int minIdleSeconds, Region region) {

    public static final int DEFAULT_PORT = 8080;
    public static final int DEFAULT_MAX_RUNNING_VMS = 64;

    public ServerConfig {
        Objects.requireNonNull(bindAddress, "bindAddress");
        Objects.requireNonNull(dataDir, "dataDir");
        Objects.requireNonNull(assetsDir, "assetsDir");
        Objects.requireNonNull(accelerator, "accelerator");
        Objects.requireNonNull(qemuBinary, "qemuBinary");
        Objects.requireNonNull(endpoint, "endpoint");
        if (port < 0 || port > 65_535) throw new IllegalArgumentException("port must be 0..65535");
        if (maxRunningVms < 1) throw new IllegalArgumentException("maxRunningVms must be >= 1");
        if (network == null) network = NetworkSettings.OFF;
        if (s3 == null) s3 = S3Settings.DEFAULTS;
        if (minIdleSeconds < 0) throw new IllegalArgumentException("minIdleSeconds must be >= 1 (0: the default)");
        if (minIdleSeconds == 0) minIdleSeconds = io.ember.microvm.MicrovmSettings.AWS_MIN_IDLE_SECONDS;
        if (region == null) region = Region.DEFAULT;
    }

    public ServerConfig(String bindAddress, int port, Path dataDir, Path assetsDir, Accelerator accelerator,
                        String qemuBinary, int maxRunningVms, EndpointSettings endpoint, Path hostKeyFile,
                        NetworkSettings network) {
        this(bindAddress, port, dataDir, assetsDir, accelerator, qemuBinary, maxRunningVms, endpoint, hostKeyFile, network, null, 0, null);
    }

    public ServerConfig(String bindAddress, int port, Path dataDir, Path assetsDir, Accelerator accelerator,
                        String qemuBinary, int maxRunningVms, EndpointSettings endpoint, Path hostKeyFile) {
        this(bindAddress, port, dataDir, assetsDir, accelerator, qemuBinary, maxRunningVms, endpoint, hostKeyFile, null);
    }

    public ServerConfig(String bindAddress, int port, Path dataDir, Path assetsDir, Accelerator accelerator,
                        String qemuBinary, int maxRunningVms, EndpointSettings endpoint) {
        this(bindAddress, port, dataDir, assetsDir, accelerator, qemuBinary, maxRunningVms, endpoint, null);
    }

    /** The host key file in use: {@link #hostKeyFile} or {@code <dataDir>/host.key}. */
    public Path hostKey() {
        return hostKeyFile != null ? hostKeyFile : dataDir.resolve("host.key");
    }

    /**
     * With endpoints on their default port next to the API; an API {@code port} of 0 (tests) picks a free
     * port for the endpoints too.
     */
    public ServerConfig(String bindAddress, int port, Path dataDir, Path assetsDir, Accelerator accelerator,
                        String qemuBinary, int maxRunningVms) {
        this(bindAddress, port, dataDir, assetsDir, accelerator, qemuBinary, maxRunningVms,
                EndpointSettings.defaults(bindAddress).withPort(port == 0 ? 0 : EndpointSettings.DEFAULT_PORT));
    }

    /** 127.0.0.1:8080 (endpoints on 8081), $EMBER_DATA_DIR or /var/lib/ember, $EMBER_ASSETS_DIR or /var/cache/ember, AUTO, 64 VMs. */
    public static ServerConfig defaults() {
        return defaults(System.getenv());
    }

    static ServerConfig defaults(Map<String, String> env) {
        String key = env.get("EMBER_HOST_KEY_FILE");
        return new ServerConfig("127.0.0.1", DEFAULT_PORT,
                Path.of(env.getOrDefault("EMBER_DATA_DIR", "/var/lib/ember")),
                Path.of(env.getOrDefault("EMBER_ASSETS_DIR", "/var/cache/ember")),
                Accelerator.AUTO, "qemu-system-x86_64", DEFAULT_MAX_RUNNING_VMS, EndpointSettings.defaults("127.0.0.1"),
                key == null || key.isEmpty() ? null : Path.of(key), NetworkSettings.on(), null, 0, null);
    }

    public ServerConfig withPort(int value) {
        return new ServerConfig(bindAddress, value, dataDir, assetsDir, accelerator, qemuBinary, maxRunningVms, endpoint, hostKeyFile, network, s3, minIdleSeconds, region);
    }

    /** Also where endpoints bind: one address for both listeners. */
    public ServerConfig withBindAddress(String value) {
        EndpointSettings e = endpoint.withBindAddress(value);
        return new ServerConfig(value, port, dataDir, assetsDir, accelerator, qemuBinary, maxRunningVms, e, hostKeyFile, network, s3, minIdleSeconds, region);
    }

    public ServerConfig withDataDir(Path value) {
        return new ServerConfig(bindAddress, port, value, assetsDir, accelerator, qemuBinary, maxRunningVms, endpoint, hostKeyFile, network, s3, minIdleSeconds, region);
    }

    public ServerConfig withAssetsDir(Path value) {
        return new ServerConfig(bindAddress, port, dataDir, value, accelerator, qemuBinary, maxRunningVms, endpoint, hostKeyFile, network, s3, minIdleSeconds, region);
    }

    public ServerConfig withAccelerator(Accelerator value) {
        return new ServerConfig(bindAddress, port, dataDir, assetsDir, value, qemuBinary, maxRunningVms, endpoint, hostKeyFile, network, s3, minIdleSeconds, region);
    }

    public ServerConfig withQemuBinary(String value) {
        return new ServerConfig(bindAddress, port, dataDir, assetsDir, accelerator, value, maxRunningVms, endpoint, hostKeyFile, network, s3, minIdleSeconds, region);
    }

    public ServerConfig withMaxRunningVms(int value) {
        return new ServerConfig(bindAddress, port, dataDir, assetsDir, accelerator, qemuBinary, value, endpoint, hostKeyFile, network, s3, minIdleSeconds, region);
    }

    /** Where the host key lives (null: {@code <dataDir>/host.key}). */
    public ServerConfig withHostKeyFile(Path value) {
        return new ServerConfig(bindAddress, port, dataDir, assetsDir, accelerator, qemuBinary, maxRunningVms, endpoint, value, network, s3, minIdleSeconds, region);
    }

    public ServerConfig withNetwork(NetworkSettings value) {
        return new ServerConfig(bindAddress, port, dataDir, assetsDir, accelerator, qemuBinary, maxRunningVms, endpoint, hostKeyFile, value, s3, minIdleSeconds, region);
    }

    public ServerConfig withS3(S3Settings value) {
        return new ServerConfig(bindAddress, port, dataDir, assetsDir, accelerator, qemuBinary, maxRunningVms, endpoint, hostKeyFile, network, value, minIdleSeconds, region);
    }

    public ServerConfig withEndpoint(EndpointSettings value) {
        return new ServerConfig(bindAddress, port, dataDir, assetsDir, accelerator, qemuBinary, maxRunningVms, value, hostKeyFile, network, s3, minIdleSeconds, region);
    }

    /** The least idlePolicy.maxIdleDurationSeconds (AWS: 60); lower for tests of the idle policy and impatient hosts. */
    public ServerConfig withMinIdleSeconds(int value) {
        return new ServerConfig(bindAddress, port, dataDir, assetsDir, accelerator, qemuBinary, maxRunningVms, endpoint, hostKeyFile, network, s3, value, region);
    }

    /** The region in the ARNs the server answers (any region is read in requests: docs/api.md, "ARNs"). */
    public ServerConfig withRegion(Region value) {
        return new ServerConfig(bindAddress, port, dataDir, assetsDir, accelerator, qemuBinary, maxRunningVms, endpoint, hostKeyFile, network, s3, minIdleSeconds, value);
    }
}

package io.ember.cli;

import io.ember.artifact.S3Settings;
import io.ember.dns.ResolverConfig;
import java.net.URI;
import io.ember.egress.Cidr;
import io.ember.network.NetworkSettings;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import io.ember.endpoint.EndpointSettings;
import io.ember.server.EmberServer;
import io.ember.arn.Region;
import io.ember.server.ServerConfig;
import io.ember.vmm.Accelerator;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(name = "server", description = "Run the Ember server in the foreground until SIGTERM or Ctrl-C.")
final class ServerCommand implements Callable<Integer> {
    /** How to start a server: {@link EmberServer#start(ServerConfig)}, or a server with fake machines in tests. */
    interface Starter {
        EmberServer start(ServerConfig config);
    }

    private final Starter starter;

    @ParentCommand EmberCommand root;
    @Spec CommandSpec spec;

    @Option(names = "--port", defaultValue = "8080", paramLabel = "N", description = "TCP port (0 picks a free one); default ${DEFAULT-VALUE}")
    int port;
    @Option(names = "--bind", defaultValue = "127.0.0.1", paramLabel = "ADDR", description = "address to listen on; default ${DEFAULT-VALUE}")
    String bind;
    @Option(names = "--data-dir", paramLabel = "DIR", description = "records and VM directories (default $EMBER_DATA_DIR, else /var/lib/ember)")
    Path dataDir;
    @Option(names = "--assets-dir", paramLabel = "DIR", description = "kernel, initramfs, images (default $EMBER_ASSETS_DIR, else /var/cache/ember)")
    Path assetsDir;
    @Option(names = "--accel", defaultValue = "auto", paramLabel = "auto|kvm|tcg", description = "guest acceleration; default ${DEFAULT-VALUE}")
    String accel;
    @Option(names = "--qemu-binary", defaultValue = "qemu-system-x86_64", paramLabel = "PATH", description = "default ${DEFAULT-VALUE}")
    String qemuBinary;
    @Option(names = "--max-running-vms", defaultValue = "" + ServerConfig.DEFAULT_MAX_RUNNING_VMS, paramLabel = "N", description = "host limit on running microVMs; default ${DEFAULT-VALUE}")
    int maxRunningVms;
    @Option(names = "--endpoint-port", paramLabel = "N", description = "port of microVM endpoints; default 8081 (0 when --port is 0)")
    Integer endpointPort;
    @Option(names = "--endpoint-domain", paramLabel = "DOMAIN", description = "serve endpoints as <microvmId>.DOMAIN (needs wildcard DNS); default: as http://<host>:<port>/<microvmId>")
    String endpointDomain;
    @Option(names = "--endpoint-tls", defaultValue = "on", paramLabel = "on|off", description = "on: endpoints speak HTTPS, with a certificate of Ember's own CA (<data-dir>/" + io.ember.endpoint.LocalCa.CERT_FILE + ", for clients to trust) unless --tls-keystore gives one; off: plain HTTP; default ${DEFAULT-VALUE}")
    String endpointTls;
    @Option(names = "--tls-keystore", paramLabel = "FILE", description = "PKCS#12 key store with the endpoint's certificate, instead of one of Ember's own CA")
    Path tlsKeyStore;
    @Option(names = "--tls-keystore-password-env", defaultValue = "EMBER_TLS_KEYSTORE_PASSWORD", paramLabel = "VAR", description = "environment variable holding the key store's password; default ${DEFAULT-VALUE}")
    String tlsPasswordEnv;

    @Option(names = "--host-key-file", paramLabel = "FILE", description = "key that seals secret values (default $EMBER_HOST_KEY_FILE, else <data-dir>/host.key; created 0600 on first start)")
    Path hostKeyFile;

    @Option(names = "--network", defaultValue = "on", paramLabel = "on|off", description = "microVM networks (docs/network.md): on gives every microVM internet egress under its policy (needs root); off: no network; default ${DEFAULT-VALUE}")
    String network;

    @Option(names = "--network-pool", defaultValue = "10.250.0.0/16", paramLabel = "CIDR", description = "addresses of microVM links, /16 to /24 (a /29 each); another server on this host needs another pool; default ${DEFAULT-VALUE}")
    String networkPool;

    @Option(names = "--dns-upstream", paramLabel = "IP[:PORT]", description = "where Ember's resolver forwards allowed names (repeatable); default: the host's resolvers (/etc/resolv.conf)")
    List<String> dnsUpstreams = new ArrayList<>();

    @Option(names = "--dns-port", defaultValue = "" + NetworkSettings.DEFAULT_DNS_PORT, paramLabel = "N", description = "host port of Ember's resolver, UDP and TCP (0 picks one); default ${DEFAULT-VALUE}")
    int dnsPort;

    @Option(names = "--min-idle-duration-seconds", defaultValue = "60", paramLabel = "N", description = "least idlePolicy.maxIdleDurationSeconds RunMicrovm accepts; default ${DEFAULT-VALUE}, as AWS")
    int minIdleSeconds;
    @Option(names = "--s3-endpoint", paramLabel = "URL", description = "an S3-compatible store to read s3:// code artifacts from; default: AWS S3 in the region")
    String s3Endpoint;

    @Option(names = "--s3-region", paramLabel = "REGION", description = "the region S3 requests are signed for; default: the server's region (us-east-1)")
    String s3Region;

    @Option(names = "--s3-path-style", description = "address buckets as URL/bucket/key rather than bucket.host (most self-hosted stores)")
    boolean s3PathStyle;

    @Option(names = "--s3-allowed-buckets", paramLabel = "A,B", description = "the only buckets s3:// code artifacts are read from; default: every bucket the server's credentials (the AWS SDK's default chain) can read, for any tenant")
    String s3AllowedBuckets;

    ServerCommand() {
        this(EmberServer::start);
    }

    ServerCommand(Starter starter) {
        this.starter = starter;
    }

    @Override
    public Integer call() throws Exception {
        ServerConfig config = new ServerConfig(bind, port, dir(dataDir, "EMBER_DATA_DIR", "/var/lib/ember"),
                dir(assetsDir, "EMBER_ASSETS_DIR", "/var/cache/ember"), accelerator(), qemuBinary, maxRunningVms);
        config = config.withEndpoint(endpointSettings(config.endpoint(), config.dataDir()));
        String keyEnv = root.io().env().get("EMBER_HOST_KEY_FILE");
        config = config.withNetwork(networkSettings()).withRegion(region());
        if (minIdleSeconds < 1) throw new ParameterException(spec.commandLine(), "--min-idle-duration-seconds must be at least 1");
        config = config.withMinIdleSeconds(minIdleSeconds);
        config = config.withS3(s3Settings());
        if (hostKeyFile != null) config = config.withHostKeyFile(hostKeyFile);
        else if (keyEnv != null && !keyEnv.isEmpty()) config = config.withHostKeyFile(Path.of(keyEnv));
        EmberServer server = starter.start(config);
        CountDownLatch closed = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            server.close();
            closed.countDown();
        }, "ember-server-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        root.io().out().println("microVM endpoints on " + (config.endpoint().tls() ? "https" : "http") + "://"
                + bind + ":" + server.endpointPort() + "/<microvmId>");
        if (server.endpointCa() != null) {
            root.io().out().println("endpoint certificates are signed by Ember's CA: trust " + server.endpointCa().certificateFile()
                    + " (SHA-256 " + server.endpointCa().fingerprint() + "), e.g. curl --cacert "
                    + server.endpointCa().certificateFile());
        }
        root.io().out().println("Ember 0.1.0 listening on " + server.endpoint());
        root.io().out().flush();
        try {
            closed.await();
        } catch (InterruptedException e) {
            // In-process callers (tests) stop the server by interrupting this thread.
            Runtime.getRuntime().removeShutdownHook(hook);
            server.close();
        }
        return 0;
    }

    private EndpointSettings endpointSettings(EndpointSettings base, Path dataDir) {
        EndpointSettings e = base;
        if (endpointPort != null) {
            if (endpointPort < 0 || endpointPort > 65_535) throw new ParameterException(spec.commandLine(), "--endpoint-port must be 0..65535");
            e = e.withPort(endpointPort);
        }
        try {
            if (endpointDomain != null) e = e.withDomain(endpointDomain);
        } catch (IllegalArgumentException ex) {
            throw new ParameterException(spec.commandLine(), ex.getMessage());
        }
        if (!endpointTls.equals("on") && !endpointTls.equals("off")) {
            throw new ParameterException(spec.commandLine(), "--endpoint-tls must be on or off, got '" + endpointTls + "'");
        }
        if (tlsKeyStore != null && endpointTls.equals("off")) {
            throw new ParameterException(spec.commandLine(), "--tls-keystore and --endpoint-tls off contradict each other");
        }
        if (tlsKeyStore != null) e = e.withTls(tlsKeyStore, root.io().env().get(tlsPasswordEnv));
        else if (endpointTls.equals("on")) e = e.withLocalCa(dataDir);
        return e;
    }

    private NetworkSettings networkSettings() {
        if (!network.equals("on") && !network.equals("off"))
            throw new ParameterException(spec.commandLine(), "--network must be on or off, got '" + network + "'");
        try {
            List<InetSocketAddress> upstreams = new ArrayList<>();
            for (String u : dnsUpstreams) upstreams.add(ResolverConfig.parseUpstream(u));
            NetworkSettings n = NetworkSettings.on().withPool(Cidr.parse(networkPool)).withDnsUpstreams(upstreams)
                    .withDnsPort(dnsPort);
            return network.equals("on") ? n : NetworkSettings.OFF;
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
    }

    private S3Settings s3Settings() {
        try {
            S3Settings s = S3Settings.DEFAULTS.withRegion(s3Region).withPathStyle(s3PathStyle)
                    .withAllowedBuckets(S3Settings.parseBuckets(s3AllowedBuckets));
            return s3Endpoint == null ? s : s.withEndpoint(URI.create(s3Endpoint));
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
    }

    private Path dir(Path given, String envName, String fallback) {
        if (given != null) return given;
        String env = root.io().env().get(envName);
        return Path.of(env == null || env.isBlank() ? fallback : env);
    }

    /**
     * The global {@code --region} (on other verbs the signature's region) is, on this one, the region in every ARN the
     * server answers; {@link Region#DEFAULT_NAME} when not given.
     */
    private Region region() {
        String region = root.region == null ? Region.DEFAULT_NAME : root.region;
        try {
            return new Region(region);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "--" + e.getMessage());
        }
    }

    private Accelerator accelerator() {
        try {
            return Accelerator.valueOf(accel.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "--accel must be auto, kvm or tcg, got '" + accel + "'");
        }
    }
}

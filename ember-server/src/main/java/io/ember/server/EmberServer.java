package io.ember.server;

import io.ember.api.Api;
import io.ember.dns.Resolver;
import io.ember.dns.ResolverConfig;
import io.ember.network.DnsRegistry;
import io.ember.network.NetworkSettings;
import io.ember.network.Networks;
import java.util.List;
import io.ember.endpoint.AuthTokens;
import io.ember.endpoint.EndpointServer;
import io.ember.artifact.S3ArtifactStore;
import io.ember.image.BuildMachines;
import io.ember.image.BuildSettings;
import io.ember.image.ImageCatalog;
import io.ember.image.Images;
import io.ember.egress.HostNetworks;
import io.ember.connector.NetworkConnectors;
import io.ember.secrets.HostKey;
import io.ember.store.ConnectorStore;
import io.ember.secrets.Secrets;
import io.ember.store.ImageStore;
import io.ember.store.TenantStore;
import io.ember.tenant.AdminCredentials;
import io.ember.tenant.Quotas;
import io.ember.image.HostDisk;
import io.ember.microvm.Admission;
import io.ember.tenant.Tenants;
import io.ember.store.SecretStore;
import io.ember.vmm.QemuDriver;
import io.ember.metering.Metering;
import io.ember.metering.PriceTable;
import io.ember.microvm.AgentConnector;
import io.ember.microvm.MicrovmSettings;
import io.ember.microvm.Microvms;
import io.ember.store.Store;
import io.ember.vmm.VmmDriver;
import io.javalin.Javalin;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running Ember server: store, image catalog, VMM driver, lifecycle and HTTP API, wired.
 * Closing it stops serving but leaves the microVMs running; the next server on the same data
 * directory adopts them.
 */
public final class EmberServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(EmberServer.class);

    private final Javalin app;
    private final Deque<AutoCloseable> resources;
    private final String host;
    private final Images images;
    private final EndpointServer endpoints;
    private final Microvms microvms;

    private EmberServer(Javalin app, Deque<AutoCloseable> resources, String host, Images images, EndpointServer endpoints,
                        Microvms microvms) {
        this.app = app;
        this.microvms = microvms;
        this.resources = resources;
        this.host = host;
        this.images = images;
        this.endpoints = endpoints;
    }

    /** The lifecycle service, for embedders (and benchmarks that reach a guest without the HTTP layers). */
    public Microvms microvms() {
        return microvms;
    }

    /** "METHOD /path" of every route the API answers (diagnostics; the OpenAPI document is checked against it). */
    public java.util.List<String> routes() {
        return Api.routes(app);
    }

    /** The port microVM endpoints are served on. */
    public int endpointPort() {
        return endpoints.port();
    }

    /** Ember's own CA that signed the endpoint's certificate; null when the endpoint is plain or uses the operator's. */
    public io.ember.endpoint.LocalCa endpointCa() {
        return endpoints.localCa();
    }

    /** What RunMicrovm launches from: managed images and built image versions. */
    public io.ember.image.ImageSource imageSource() {
        return images.source();
    }

    /** Starts a server with the QEMU driver and the real agent client. */
    public static EmberServer start(ServerConfig config) {
        return start(config, Production.driver(config), Production.agents());
    }

    /** Starts a server with the given machine layer (tests use fakes; embedders may bring their own). */
    public static EmberServer start(ServerConfig config, VmmDriver driver, AgentConnector agents) {
        Deque<AutoCloseable> opened = new ArrayDeque<>();
        try {
            ImageCatalog catalog = ImageCatalog.load(config.assetsDir());
            PriceTable prices = PriceTable.load(config.dataDir()); // a bad price table stops the start before any VM
            HostDisk disk = HostDisk.fromEnvironment(System.getenv()); // a bad reserve too
            DataDirAccess.restrict(config.dataDir());
            opened.push(DataDirLock.acquire(config.dataDir()));
            Store store = Store.open(config.dataDir().resolve("ember.db"));
            opened.push(store);
            ImageStore imageStore = ImageStore.open(config.dataDir().resolve("ember.db"));
            opened.push(imageStore);
            Networks networks = networks(config.network(), opened);
            // s3:// code artifacts: read with the server's credentials, in --s3-region or else the server's region
            S3ArtifactStore artifacts = new S3ArtifactStore(config.s3(), config.region().name()); // --s3-region, else the server's
            opened.push(artifacts);
            Images images = Images.start(catalog, imageStore, config.dataDir(), driver instanceof QemuDriver qemu
                    ? BuildMachines.qemu(qemu, agents, networks)
                    : BuildMachines.unsupported(), BuildSettings.defaults(catalog).withDisk(disk), artifacts);
            opened.push(images);
            SecretStore secretStore = SecretStore.open(config.dataDir().resolve("ember.db"));
            opened.push(secretStore);
            HostKey hostKey = HostKey.open(config.hostKey()); // seals secret values and access keys' secrets
            Secrets secrets = new Secrets(secretStore, hostKey, Clock.systemUTC());
            AtomicReference<Microvms> started = new AtomicReference<>();
            Microvms microvms = Microvms.start(store, catalog, images.source(), driver,
                    MetadataAgents.serving(agents, secrets, started::get),
                    MicrovmSettings.defaults(config.dataDir(), config.maxRunningVms()).withDisk(disk)
                            .withMinIdleSeconds(config.minIdleSeconds()), networks);
            started.set(microvms);
            opened.push(microvms);
            ConnectorStore connectorStore = ConnectorStore.open(config.dataDir().resolve("ember.db"));
            opened.push(connectorStore);
            NetworkConnectors connectors = new NetworkConnectors(connectorStore, store, HostNetworks.host(), Clock.systemUTC());
            opened.push(connectors);
            microvms.connectWith(connectors);
            AuthTokens tokens = AuthTokens.open(config.dataDir());
            TenantStore tenantStore = TenantStore.open(config.dataDir().resolve("ember.db"));
            opened.push(tenantStore);
            Tenants tenants = new Tenants(tenantStore, hostKey, Clock.systemUTC());
            AdminCredentials.ensure(tenants, config.dataDir());
            microvms.admitUnder(new Admission(t -> tenants.get(t).quotas().over(Quotas.DEFAULTS), Admission.Capacity.ofHost(
                    overcommit("EMBER_CPU_OVERCOMMIT", 8), overcommit("EMBER_MEMORY_OVERCOMMIT", 1.5))));
            EndpointServer endpoints = EndpointServer.start(config.endpoint(), microvms, tokens);
            opened.push(endpoints);
            Metering metering = new Metering(microvms::usage, prices, Clock.systemUTC());
            Javalin app = Api.create(new Api.Services(microvms, images, tokens, endpoints::url, metering, tenants,
                    Quotas.DEFAULTS, secrets, connectors, config.region())).start(config.bindAddress(), config.port());
            opened.push(app::stop);
            // <endpoint>/shell, where Lambda MicroVMs serves the shell, is passed to the API's shell route over loopback.
            String apiHost = config.bindAddress().equals("0.0.0.0") ? "127.0.0.1"
                    : config.bindAddress().equals("::") ? "::1" : config.bindAddress();
            endpoints.serveShellVia(new java.net.InetSocketAddress(apiHost, app.port()));
            log.info("Ember serving on http://{}:{}, microVM endpoints on {}://{}:{} (data {}, assets {}, {} images, region {})",
                    config.bindAddress(), app.port(), config.endpoint().tls() ? "https" : "http", config.bindAddress(),
                    endpoints.port(), config.dataDir(), config.assetsDir(), catalog.images().size(), config.region());
            if (endpoints.localCa() != null) {
                log.info("microVM endpoints use a certificate of Ember's own CA: clients trust {} (SHA-256 {})",
                        endpoints.localCa().certificateFile(), endpoints.localCa().fingerprint());
            }
            return new EmberServer(app, opened, config.bindAddress(), images, endpoints, microvms);
        } catch (IOException e) {
            closeAll(opened);
            throw new UncheckedIOException(e);
        } catch (RuntimeException e) {
            closeAll(opened);
            throw e;
        }
    }

    /** Ember's resolver and the microVM networks on it (docs/network.md); off: neither, and no root needed. */
    private static Networks networks(NetworkSettings settings, Deque<AutoCloseable> opened) throws IOException {
        if (!settings.enabled()) return Networks.off();
        List<java.net.InetSocketAddress> upstreams = settings.dnsUpstreams().isEmpty()
                ? ResolverConfig.hostResolvers() : settings.dnsUpstreams();
        if (upstreams.isEmpty())
            throw new IllegalArgumentException("no DNS upstream: /etc/resolv.conf names no nameserver; give --dns-upstream");
        Resolver resolver = Resolver.start(new ResolverConfig(java.net.InetAddress.getByName("0.0.0.0"), settings.dnsPort(),
                upstreams, 10_000, 50, 200, java.time.Duration.ofSeconds(2)));
        opened.push(resolver);
        Networks networks = Networks.start(settings, DnsRegistry.of(resolver));
        opened.push(networks);
        return networks;
    }

    /** An overcommit ratio from the environment (a positive number), else {@code dflt}. */
    static double overcommit(String variable, double dflt) {
        String v = System.getenv(variable);
        if (v == null || v.isBlank()) return dflt;
        try {
            double d = Double.parseDouble(v.strip());
            if (d > 0 && d <= 1000) return d;
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException(variable + " must be a ratio such as 1.5 (0 < ratio <= 1000), got '" + v + "'");
    }

    /** The port it listens on (the one picked when the config said 0). */
    public int port() {
        return app.port();
    }

    /** {@code http://host:port}, for clients. */
    public String endpoint() {
        String h = host.contains(":") ? "[" + host + "]" : host;
        return "http://" + ("0.0.0.0".equals(host) ? "127.0.0.1" : h) + ":" + port();
    }

    @Override
    public void close() {
        closeAll(resources);
    }

    private static void closeAll(Deque<AutoCloseable> opened) {
        while (!opened.isEmpty()) {
            try {
                opened.pop().close();
            } catch (Exception e) {
                log.warn("closing the server: {}", e.toString());
            }
        }
    }
}

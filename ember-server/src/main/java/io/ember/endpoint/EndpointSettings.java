package io.ember.endpoint;

import java.nio.file.Path;

/**
 * How microVM endpoints are served.
 *
 * @param bindAddress where the endpoint listener binds
 * @param port its port; 0 picks a free one
 * @param domain when set, endpoints are {@code <scheme>://<microvmId>.<domain>[:port]} (needs a wildcard DNS
 *     name for it, e.g. {@code localhost} for browsers); when null, {@code <scheme>://<host>:<port>/<microvmId>}
 * @param keyStore a PKCS#12 key store with the server's certificate: the endpoint then speaks HTTPS only
 * @param keyStorePassword its password
 * @param maxConnections client connections open at once; more wait in the accept queue
 * @param maxConnectionsPerMicrovm client connections one microVM's clients may hold; more are refused (503), so
 *     that one tenant cannot take the whole listener
 */
public record EndpointSettings(String bindAddress, int port, String domain, Path keyStore, String keyStorePassword,
                               int maxConnections, int maxConnectionsPerMicrovm) {
    public static final int DEFAULT_PORT = 8081;
    /** Where a request goes without X-aws-proxy-port, as in Lambda MicroVMs. */
    public static final int DEFAULT_GUEST_PORT = 8080;

    public EndpointSettings {
        if (port < 0 || port > 65_535) throw new IllegalArgumentException("endpoint port must be 0..65535");
        if (maxConnections < 1) throw new IllegalArgumentException("maxConnections must be >= 1");
        if (maxConnectionsPerMicrovm < 1) throw new IllegalArgumentException("maxConnectionsPerMicrovm must be >= 1");
        if (domain != null && !domain.matches("[A-Za-z0-9.-]{1,200}")) {
            throw new IllegalArgumentException("endpoint domain '" + domain + "' is not a DNS name");
        }
    }

    public static EndpointSettings defaults(String bindAddress) {
        return new EndpointSettings(bindAddress, DEFAULT_PORT, null, null, null, 4096, 256);
    }

    public EndpointSettings withConnectionLimits(int total, int perMicrovm) {
        return new EndpointSettings(bindAddress, port, domain, keyStore, keyStorePassword, total, perMicrovm);
    }

    public boolean tls() {
        return keyStore != null;
    }

    public EndpointSettings withPort(int value) {
        return new EndpointSettings(bindAddress, value, domain, keyStore, keyStorePassword, maxConnections, maxConnectionsPerMicrovm);
    }

    public EndpointSettings withDomain(String value) {
        return new EndpointSettings(bindAddress, port, value, keyStore, keyStorePassword, maxConnections, maxConnectionsPerMicrovm);
    }

    public EndpointSettings withTls(Path store, String password) {
        return new EndpointSettings(bindAddress, port, domain, store, password, maxConnections, maxConnectionsPerMicrovm);
    }
}

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
 * @param maxConnectionsPerSource client connections one source address may hold, authenticated or not; more are
 *     refused at once (503), so that one host's idle connections cannot take the whole listener
 * @param firstByteMillis how long a new connection may take to send the first byte of its first request (a TLS
 *     handshake included): a client that says nothing frees its slot soon
 * @param headMillis how long a request head may take from its first byte to its blank line, whatever the pace
 *     of its bytes (a client dripping one byte at a time is cut off then)
 * @param localCaDir when set and no {@code keyStore} is given, the endpoint speaks HTTPS with a server certificate
 *     signed by Ember's own CA, kept in this directory ({@link LocalCa}); null and no key store: plain HTTP
 */
public record EndpointSettings(String bindAddress, int port, String domain, Path keyStore, String keyStorePassword,
                               int maxConnections, int maxConnectionsPerMicrovm, int maxConnectionsPerSource,
                               int firstByteMillis, int headMillis, Path localCaDir) {
    public static final int DEFAULT_PORT = 8081;
    /** Where a request goes without X-aws-proxy-port, as in Lambda MicroVMs. */
    public static final int DEFAULT_GUEST_PORT = 8080;
    static final int DEFAULT_PER_SOURCE = 128, DEFAULT_FIRST_BYTE_MS = 5_000, DEFAULT_HEAD_MS = 10_000;

    public EndpointSettings {
        if (port < 0 || port > 65_535) throw new IllegalArgumentException("endpoint port must be 0..65535");
        if (maxConnections < 1) throw new IllegalArgumentException("maxConnections must be >= 1");
        if (maxConnectionsPerMicrovm < 1) throw new IllegalArgumentException("maxConnectionsPerMicrovm must be >= 1");
        if (maxConnectionsPerSource < 1) throw new IllegalArgumentException("maxConnectionsPerSource must be >= 1");
        if (firstByteMillis < 1 || headMillis < 1) throw new IllegalArgumentException("head deadlines must be >= 1 ms");
        if (domain != null && !domain.matches("[A-Za-z0-9.-]{1,200}")) {
            throw new IllegalArgumentException("endpoint domain '" + domain + "' is not a DNS name");
        }
    }

    /** With the default per-source limit and head deadlines. */
    public EndpointSettings(String bindAddress, int port, String domain, Path keyStore, String keyStorePassword,
                            int maxConnections, int maxConnectionsPerMicrovm) {
        this(bindAddress, port, domain, keyStore, keyStorePassword, maxConnections, maxConnectionsPerMicrovm,
                DEFAULT_PER_SOURCE, DEFAULT_FIRST_BYTE_MS, DEFAULT_HEAD_MS, null);
    }

    public static EndpointSettings defaults(String bindAddress) {
        return new EndpointSettings(bindAddress, DEFAULT_PORT, null, null, null, 4096, 256);
    }

    public EndpointSettings withConnectionLimits(int total, int perMicrovm) {
        return new EndpointSettings(bindAddress, port, domain, keyStore, keyStorePassword, total, perMicrovm,
                maxConnectionsPerSource, firstByteMillis, headMillis, localCaDir);
    }

    /** Connections one source address may hold, and the deadlines of a request head (first byte, whole head). */
    public EndpointSettings withClientLimits(int perSource, int firstByteMs, int headMs) {
        return new EndpointSettings(bindAddress, port, domain, keyStore, keyStorePassword, maxConnections,
                maxConnectionsPerMicrovm, perSource, firstByteMs, headMs, localCaDir);
    }

    /** Whether the endpoint speaks HTTPS: with the operator's key store, or else with Ember's own CA. */
    public boolean tls() {
        return keyStore != null || localCaDir != null;
    }

    /** HTTPS with a certificate of Ember's own CA kept in {@code dir}, unless a key store is given; null: plain. */
    public EndpointSettings withLocalCa(Path dir) {
        return new EndpointSettings(bindAddress, port, domain, keyStore, keyStorePassword, maxConnections,
                maxConnectionsPerMicrovm, maxConnectionsPerSource, firstByteMillis, headMillis, dir);
    }

    public EndpointSettings withBindAddress(String value) {
        return new EndpointSettings(value, port, domain, keyStore, keyStorePassword, maxConnections,
                maxConnectionsPerMicrovm, maxConnectionsPerSource, firstByteMillis, headMillis, localCaDir);
    }

    public EndpointSettings withPort(int value) {
        return new EndpointSettings(bindAddress, value, domain, keyStore, keyStorePassword, maxConnections,
                maxConnectionsPerMicrovm, maxConnectionsPerSource, firstByteMillis, headMillis, localCaDir);
    }

    public EndpointSettings withDomain(String value) {
        return new EndpointSettings(bindAddress, port, value, keyStore, keyStorePassword, maxConnections,
                maxConnectionsPerMicrovm, maxConnectionsPerSource, firstByteMillis, headMillis, localCaDir);
    }

    public EndpointSettings withTls(Path store, String password) {
        return new EndpointSettings(bindAddress, port, domain, store, password, maxConnections, maxConnectionsPerMicrovm,
                maxConnectionsPerSource, firstByteMillis, headMillis, localCaDir);
    }
}

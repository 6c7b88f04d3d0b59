package io.ember.endpoint;

import io.ember.microvm.Microvms;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The listener behind every microVM's endpoint, apart from the control API: its own port, so that
 * application traffic (any path, any method, upgrades) never collides with the API's routes, and
 * so that it can be exposed (or TLS-terminated) on its own. A connection is served on a virtual thread.
 */
public final class EndpointServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(EndpointServer.class);

    private final ServerSocket listener;
    private final EndpointSettings settings;
    private final Microvms microvms;
    private final AuthTokens tokens;
    private final Semaphore slots;
    private final ConnectionQuota quota;
    private final ConnectionQuota perSource;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final Thread acceptor;
    private final LocalCa localCa;
    private volatile boolean closed;
    private volatile java.net.InetSocketAddress shellApi;

    private EndpointServer(ServerSocket listener, EndpointSettings settings, Microvms microvms, AuthTokens tokens,
                           LocalCa localCa) {
        this.listener = listener;
        this.localCa = localCa;
        this.settings = settings;
        this.microvms = microvms;
        this.tokens = tokens;
        this.slots = new Semaphore(settings.maxConnections());
        this.quota = new ConnectionQuota(settings.maxConnectionsPerMicrovm());
        this.perSource = new ConnectionQuota(settings.maxConnectionsPerSource());
        this.acceptor = Thread.ofPlatform().name("endpoint-accept").daemon().unstarted(this::accept);
    }

    public static EndpointServer start(EndpointSettings settings, Microvms microvms, AuthTokens tokens) {
        try {
            LocalCa ca = settings.keyStore() == null && settings.localCaDir() != null ? LocalCa.open(settings.localCaDir()) : null;
            ServerSocket s = settings.tls() ? tlsSocket(settings, ca) : new ServerSocket();
            s.setReuseAddress(true);
            s.bind(new java.net.InetSocketAddress(InetAddress.getByName(settings.bindAddress()), settings.port()), 512);
            EndpointServer server = new EndpointServer(s, settings, microvms, tokens, ca);
            server.acceptor.start();
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot serve microVM endpoints on " + settings.bindAddress() + ":"
                    + settings.port() + ": " + e.getMessage(), e);
        }
    }

    /** The port it listens on (the one picked when the settings said 0). */
    public int port() {
        return listener.getLocalPort();
    }

    /** The URL of one microVM's endpoint, as GetMicrovm gives it; {@code host} is how the caller reached the API. */
    public String url(String microvmId, String host) {
        String scheme = settings.tls() ? "https" : "http";
        int p = port();
        boolean defaultPort = settings.tls() ? p == 443 : p == 80;
        if (settings.domain() != null) {
            return scheme + "://" + microvmId + "." + settings.domain() + (defaultPort ? "" : ":" + p);
        }
        String h = host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
        return scheme + "://" + h + (defaultPort ? "" : ":" + p) + "/" + microvmId;
    }

    private void accept() {
        while (!closed) {
            Socket s;
            try {
                slots.acquire();
                s = listener.accept();
            } catch (IOException | InterruptedException e) {
                slots.release();
                if (!closed) log.warn("endpoint listener stopped: {}", e.toString());
                return;
            }
            open.add(s);
            String source = sourceKey(s.getInetAddress());
            boolean admitted = perSource.acquire(source);
            Thread.ofVirtual().name("endpoint-conn").start(() -> {
                try {
                    if (admitted) new ProxyConnection(s, microvms, tokens, settings, quota, shellApi).run();
                    else refuse(s, source);
                } finally {
                    if (admitted) perSource.release(source);
                    open.remove(s);
                    slots.release();
                }
            });
        }
    }

    /**
     * What the per-source limit counts by: an IPv4 address, or an IPv6 address's /64 (one host, or one customer of a
     * provider, is given a whole /64: counting each of its addresses apart would give it 2^64 times the limit).
     */
    static String sourceKey(InetAddress address) {
        byte[] b = address.getAddress();
        if (b.length != 16) return address.getHostAddress();
        return java.util.HexFormat.of().formatHex(b, 0, 8) + "::/64";
    }

    /**
     * A connection past its source's limit: a 503 written at once (plain HTTP; a TLS client gets the connection closed,
     * since a handshake is work a refusal should not do) and closed, so that it holds a slot for no time.
     */
    private void refuse(Socket s, String source) {
        try (s) {
            if (!settings.tls()) {
                new Refusal(503, "ServiceQuotaExceededException", source + " has " + perSource.limit()
                        + " connections open to this endpoint, its limit").write(s.getOutputStream(), true);
            }
        } catch (IOException e) {
            log.debug("refusing a connection from {}: {}", source, e.toString());
        }
    }

    /**
     * Serves {@code <endpoint>/shell} (a WebSocket with a shell token, where Lambda MicroVMs serves the shell) by
     * passing it to the API's shell route at {@code api}; until called, {@code /shell} is the application's path.
     */
    public void serveShellVia(java.net.InetSocketAddress api) {
        this.shellApi = api;
    }

    /** Ember's own CA, when the endpoint's certificate is one of its (no key store given); null otherwise. */
    public LocalCa localCa() {
        return localCa;
    }

    private static ServerSocket tlsSocket(EndpointSettings settings, LocalCa ca) throws IOException {
        try {
            char[] password;
            KeyStore store;
            if (ca != null) {
                password = new char[0];
                store = ca.serverKeyStore(LocalCa.listenerNames(settings.bindAddress(), settings.domain()));
            } else {
                password = settings.keyStorePassword() == null ? new char[0] : settings.keyStorePassword().toCharArray();
                store = KeyStore.getInstance("PKCS12");
                try (InputStream in = Files.newInputStream(settings.keyStore())) {
                    store.load(in, password);
                }
            }
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(store, password);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(kmf.getKeyManagers(), null, null);
            SSLServerSocket s = (SSLServerSocket) ctx.getServerSocketFactory().createServerSocket();
            javax.net.ssl.SSLParameters p = s.getSSLParameters();
            p.setProtocols(new String[] {"TLSv1.3", "TLSv1.2"});
            p.setApplicationProtocols(new String[] {"h2", "http/1.1"}); // ALPN: HTTP/2 when the client offers it
            s.setSSLParameters(p);
            return s;
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot load the TLS key store " + (ca != null ? "of the endpoint CA" : settings.keyStore()) + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            listener.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        for (Socket s : open) {
            try {
                s.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
    }
}

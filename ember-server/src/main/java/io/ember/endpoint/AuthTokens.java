package io.ember.endpoint;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The tokens of CreateMicrovmAuthToken and CreateMicrovmShellAuthToken. A token is self-contained and
 * signed (HMAC-SHA256 with a key kept in the data directory), so it needs no table, survives a restart,
 * and cannot be widened by its holder: it names one microVM, what it opens (endpoint ports, or the shell)
 * and when it expires. Microvm ids are random and never reused, so a token outlives nothing it names.
 */
public final class AuthTokens {
    /** The header a request carries its token in, as CreateMicrovmAuthToken's answer names it. */
    public static final String HEADER = "X-aws-proxy-auth";
    public static final Duration MAX_LIFETIME = Duration.ofMinutes(60);
    /** Bounds what a client can make us parse before the signature is checked. */
    static final int MAX_TOKEN_LENGTH = 4096;
    private static final String KEY_FILE = "auth-token.key";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder UNB64 = Base64.getUrlDecoder();
    private static final SecureRandom RANDOM = new SecureRandom();

    private final SecretKeySpec key;
    private final Clock clock;

    AuthTokens(byte[] key, Clock clock) {
        this.key = new SecretKeySpec(key.clone(), "HmacSHA256");
        this.clock = clock;
    }

    /** The signing key of {@code dataDir}, made (readable by the owner only) on first use. */
    public static AuthTokens open(Path dataDir) {
        return open(dataDir, Clock.systemUTC());
    }

    /** As {@link #open(Path)}, telling time by {@code clock} (tests make tokens that expired long ago). */
    public static AuthTokens open(Path dataDir, Clock clock) {
        byte[] k = io.ember.secrets.HostKey.readOrCreate(dataDir.resolve(KEY_FILE), 32);
        return new AuthTokens(k, clock);
    }

    public String issueEndpoint(String microvmId, List<PortRange> ports, Duration lifetime) {
        if (ports.isEmpty()) throw new IllegalArgumentException("a token opens at least one port");
        ObjectNode claims = claims("endpoint", microvmId, lifetime);
        ArrayNode p = claims.putArray("p");
        for (PortRange r : ports) p.addArray().add(r.first()).add(r.last());
        return sign(claims);
    }

    public String issueShell(String microvmId, Duration lifetime) {
        return sign(claims("shell", microvmId, lifetime));
    }

    /** Passes when {@code token} is a live endpoint token of {@code microvmId} that opens {@code port}. */
    public void checkEndpoint(String token, String microvmId, int port) {
        JsonNode c = verified(token, "endpoint", microvmId);
        for (JsonNode r : c.path("p")) {
            if (new PortRange(r.path(0).asInt(), r.path(1).asInt()).contains(port)) return;
        }
        throw new AccessDenied("the token does not allow port " + port);
    }

    /** Passes when {@code token} is a live shell token of {@code microvmId}. */
    public void checkShell(String token, String microvmId) {
        verified(token, "shell", microvmId);
    }

    private ObjectNode claims(String kind, String microvmId, Duration lifetime) {
        if (lifetime.isNegative() || lifetime.isZero() || lifetime.compareTo(MAX_LIFETIME) > 0) {
            throw new IllegalArgumentException("a token lives 1 to 60 minutes");
        }
        byte[] nonce = new byte[12];
        RANDOM.nextBytes(nonce);
        ObjectNode c = JSON.createObjectNode();
        c.put("v", 1).put("k", kind).put("m", microvmId)
                .put("e", clock.instant().plus(lifetime).getEpochSecond()).put("n", B64.encodeToString(nonce));
        return c;
    }

    private String sign(ObjectNode claims) {
        String body = B64.encodeToString(claims.toString().getBytes(StandardCharsets.UTF_8));
        return body + "." + B64.encodeToString(mac(body));
    }

    private JsonNode verified(String token, String kind, String microvmId) {
        if (token == null || token.isBlank()) throw new AccessDenied("missing " + HEADER + " token");
        if (token.length() > MAX_TOKEN_LENGTH) throw new AccessDenied("malformed token");
        int dot = token.indexOf('.');
        if (dot <= 0 || dot != token.lastIndexOf('.')) throw new AccessDenied("malformed token");
        String body = token.substring(0, dot);
        byte[] given;
        JsonNode c;
        try {
            given = UNB64.decode(token.substring(dot + 1));
            if (!MessageDigest.isEqual(given, mac(body))) throw new AccessDenied("invalid token");
            c = JSON.readTree(UNB64.decode(body));
        } catch (IllegalArgumentException | IOException e) {
            throw new AccessDenied("malformed token");
        }
        if (!kind.equals(c.path("k").asText())) {
            throw new AccessDenied("this is a " + c.path("k").asText() + " token, not a " + kind + " token");
        }
        if (!microvmId.equals(c.path("m").asText())) throw new AccessDenied("the token was issued for another microVM");
        if (clock.instant().getEpochSecond() >= c.path("e").asLong()) throw new AccessDenied("the token has expired");
        return c;
    }

    private byte[] mac(String body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            return mac.doFinal(body.getBytes(StandardCharsets.US_ASCII));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }
}

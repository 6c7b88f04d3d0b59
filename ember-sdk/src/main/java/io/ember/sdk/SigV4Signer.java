package io.ember.sdk;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * AWS Signature Version 4 (header form, {@code AWS4-HMAC-SHA256}), computed as the official AWS clients
 * compute it for REST services other than S3: the path as sent, each segment URI-encoded once more; the
 * query sorted by encoded key and value and RFC 3986-encoded; header values trimmed with inner runs of
 * spaces folded. Pure functions of their inputs, so the official client's own signatures are test vectors.
 */
final class SigV4Signer {
    static final String ALGORITHM = "AWS4-HMAC-SHA256";
    static final String SERVICE = "lambda";
    /** The payload hash sent (and signed) for streamed bodies, which the server accepts on its streaming routes only. */
    static final String UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD";
    static final String EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
    static final DateTimeFormatter AMZ_DATE = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

    private SigV4Signer() {}

    /**
     * The {@code Authorization} header value for a request. {@code signedHeaders} maps lowercase names to the
     * values sent; it must hold {@code host} and {@code x-amz-date} (whose day and time date the signature).
     */
    static String authorization(Credentials credentials, String region, String service, String method,
                                String rawPath, String rawQuery, Map<String, String> signedHeaders, String payloadHash) {
        TreeMap<String, String> headers = new TreeMap<>();
        signedHeaders.forEach((k, v) -> headers.put(k.toLowerCase(java.util.Locale.ROOT), v));
        String amzDate = headers.get("x-amz-date");
        if (amzDate == null || !headers.containsKey("host")) throw new IllegalArgumentException("host and x-amz-date must be signed");
        String day = amzDate.substring(0, 8);
        String scope = day + "/" + region + "/" + service + "/aws4_request";
        String names = String.join(";", headers.keySet());
        String toSign = ALGORITHM + "\n" + amzDate + "\n" + scope + "\n"
                + sha256Hex(canonicalRequest(method, rawPath, rawQuery, headers, payloadHash).getBytes(StandardCharsets.UTF_8));
        byte[] key = hmac(("AWS4" + credentials.secretAccessKey()).getBytes(StandardCharsets.UTF_8), day);
        for (String part : new String[] {region, service, "aws4_request"}) key = hmac(key, part);
        return ALGORITHM + " Credential=" + credentials.accessKeyId() + "/" + scope + ", SignedHeaders=" + names
                + ", Signature=" + HexFormat.of().formatHex(hmac(key, toSign));
    }

    static String canonicalRequest(String method, String rawPath, String rawQuery, TreeMap<String, String> headers,
                                   String payloadHash) {
        StringBuilder sb = new StringBuilder(method).append('\n').append(canonicalPath(rawPath)).append('\n')
                .append(canonicalQuery(rawQuery)).append('\n');
        headers.forEach((k, v) -> sb.append(k).append(':').append(v.strip().replaceAll(" +", " ")).append('\n'));
        return sb.append('\n').append(String.join(";", headers.keySet())).append('\n').append(payloadHash).toString();
    }

    /** The path as sent, each segment encoded once more ({@code %3A} becomes {@code %253A}). */
    static String canonicalPath(String rawPath) {
        if (rawPath == null || rawPath.isEmpty()) return "/";
        String[] segments = rawPath.split("/", -1);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < segments.length; i++) {
            if (i > 0) sb.append('/');
            sb.append(encode(segments[i]));
        }
        return sb.toString();
    }

    /** The query as sent, decoded, re-encoded per RFC 3986 and sorted by key, then value. */
    static String canonicalQuery(String rawQuery) {
        if (rawQuery == null || rawQuery.isEmpty()) return "";
        TreeMap<String, List<String>> sorted = new TreeMap<>();
        for (String pair : rawQuery.split("&")) {
            if (pair.isEmpty()) continue;
            int eq = pair.indexOf('=');
            String k = encode(decode(eq < 0 ? pair : pair.substring(0, eq)));
            String v = eq < 0 ? "" : encode(decode(pair.substring(eq + 1)));
            sorted.computeIfAbsent(k, x -> new ArrayList<>()).add(v);
        }
        List<String> out = new ArrayList<>();
        sorted.forEach((k, vs) -> vs.stream().sorted().forEach(v -> out.add(k + "=" + v)));
        return String.join("&", out);
    }

    /** RFC 3986 percent-encoding of everything but the unreserved characters. */
    static String encode(String s) {
        StringBuilder sb = new StringBuilder();
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if (c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.' || c == '~') {
                sb.append((char) c);
            } else {
                sb.append('%').append(HEX[c >> 4]).append(HEX[c & 15]);
            }
        }
        return sb.toString();
    }

    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    /** Percent-decoding in which {@code +} stays a plus (the SDK sends spaces as {@code %20}). */
    private static String decode(String s) {
        return java.net.URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    static String amzDate(Instant t) {
        return AMZ_DATE.format(t);
    }

    static String sha256Hex(byte[] b) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] hmac(byte[] key, String data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}

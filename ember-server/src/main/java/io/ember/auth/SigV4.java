package io.ember.auth;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * AWS Signature Version 4 checked on the server, as the official clients sign (header form,
 * {@code AWS4-HMAC-SHA256}). The canonical request is rebuilt from the request as it arrived: the
 * path's segments URI-encoded once more (clients sign the already-encoded path, encoding it again,
 * as every service but S3 expects), the query sorted and re-encoded, the signed headers lowercased
 * and trimmed. The signing key is derived from the secret the access key id maps to.
 */
public final class SigV4 {
    public static final String ALGORITHM = "AWS4-HMAC-SHA256";
    /** As AWS: a request dated more than 5 minutes away from the server's clock is refused. */
    public static final Duration MAX_SKEW = Duration.ofMinutes(5);
    private static final DateTimeFormatter AMZ_DATE = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);
    private static final Pattern AUTH = Pattern.compile(
            "AWS4-HMAC-SHA256 +Credential=([^/, ]{1,128})/([0-9]{8})/([a-z0-9-]{1,32})/([a-z0-9-]{1,64})/aws4_request, *"
                    + "SignedHeaders=([a-z0-9;._-]{1,2048}), *Signature=([0-9a-f]{64})");

    private SigV4() {}

    /** Who signed: the access key id and the credential scope's region and service. */
    public record Signer(String accessKeyId, String region, String service) {}

    /**
     * The signer of {@code request}, or SignatureRejected. {@code secretOf} maps an access key id to its
     * secret (empty when unknown or revoked).
     */
    public static Signer verify(SignedRequest request, Function<String, Optional<String>> secretOf, Instant now) {
        List<String> auth = request.header("Authorization");
        if (auth.isEmpty()) throw new SignatureRejected("MissingAuthenticationTokenException", "the request is not signed");
        if (auth.size() > 1) throw new SignatureRejected("IncompleteSignatureException", "more than one Authorization header");
        Matcher m = AUTH.matcher(auth.getFirst().strip());
        if (!m.matches()) throw new SignatureRejected("IncompleteSignatureException", "the Authorization header is not AWS4-HMAC-SHA256");
        String keyId = m.group(1), day = m.group(2), region = m.group(3), service = m.group(4);
        List<String> signed = List.of(m.group(5).split(";"));
        if (!signed.contains("host")) throw new SignatureRejected("IncompleteSignatureException", "the signature does not cover host");
        Instant date = date(request);
        if (!AMZ_DATE.format(date).startsWith(day)) {
            throw new SignatureRejected("IncompleteSignatureException", "the credential's date is not the request's");
        }
        if (Duration.between(date, now).abs().compareTo(MAX_SKEW) > 0) {
            throw new SignatureRejected("InvalidSignatureException", "Signature expired: the request is dated " + date
                    + ", more than 5 minutes from the server's " + now);
        }
        String secret = secretOf.apply(keyId).orElseThrow(() ->
                new SignatureRejected("UnrecognizedClientException", "the security token included in the request is invalid"));
        byte[] expected = signature(request, signed, secret, date, region, service);
        if (!MessageDigest.isEqual(expected, HexFormat.of().parseHex(m.group(6)))) {
            throw new SignatureRejected("InvalidSignatureException", "the request signature we calculated does not match"
                    + " the signature you provided: check your secret access key and signing method");
        }
        return new Signer(keyId, region, service);
    }

    private static byte[] signature(SignedRequest request, List<String> signedHeaders, String secret, Instant date,
                                    String region, String service) {
        String day = AMZ_DATE.format(date).substring(0, 8);
        String scope = day + "/" + region + "/" + service + "/aws4_request";
        String toSign = ALGORITHM + "\n" + AMZ_DATE.format(date) + "\n" + scope + "\n" + sha256Hex(canonical(request, signedHeaders));
        byte[] key = hmac(("AWS4" + secret).getBytes(StandardCharsets.UTF_8), day);
        for (String part : new String[] {region, service, "aws4_request"}) key = hmac(key, part);
        return hmac(key, toSign);
    }

    /**
     * The Authorization header for {@code request} (which must carry its X-Amz-Date and Host) signed over all its
     * headers: for tools that make signed requests ahead of sending them (the load benchmark, tests).
     */
    public static String authorization(SignedRequest request, String accessKeyId, String secret, String region, String service) {
        List<String> signed = request.headers().keySet().stream().map(h -> h.toLowerCase(java.util.Locale.ROOT)).sorted().toList();
        Instant date = date(request);
        String day = AMZ_DATE.format(date).substring(0, 8);
        return ALGORITHM + " Credential=" + accessKeyId + "/" + day + "/" + region + "/" + service + "/aws4_request, SignedHeaders="
                + String.join(";", signed) + ", Signature=" + HexFormat.of().formatHex(
                        signature(request, signed, secret, date, region, service));
    }

    /** X-Amz-Date's form of {@code t}. */
    public static String amzDate(Instant t) {
        return AMZ_DATE.format(t);
    }

    private static Instant date(SignedRequest request) {
        List<String> d = request.header("X-Amz-Date");
        if (d.size() != 1) throw new SignatureRejected("IncompleteSignatureException", "one X-Amz-Date header is required");
        try {
            return Instant.from(AMZ_DATE.parse(d.getFirst().strip()));
        } catch (DateTimeParseException e) {
            throw new SignatureRejected("IncompleteSignatureException", "X-Amz-Date is not yyyyMMddTHHmmssZ");
        }
    }

    static String canonical(SignedRequest r, List<String> signedHeaders) {
        StringBuilder sb = new StringBuilder();
        sb.append(r.method()).append('\n').append(canonicalPath(r.rawPath())).append('\n')
                .append(canonicalQuery(r.rawQuery())).append('\n');
        for (String h : signedHeaders) {
            List<String> values = r.header(h);
            if (values.isEmpty()) throw new SignatureRejected("IncompleteSignatureException", "signed header " + h + " is missing");
            List<String> trimmed = new ArrayList<>();
            for (String v : values) trimmed.add(v.strip().replaceAll(" +", " "));
            sb.append(h).append(':').append(String.join(",", trimmed)).append('\n');
        }
        return sb.append('\n').append(String.join(";", signedHeaders)).append('\n').append(r.payloadSha256()).toString();
    }

    /** Every segment encoded once more (so %3A becomes %253A), as the signer did. */
    static String canonicalPath(String rawPath) {
        if (rawPath == null || rawPath.isEmpty()) return "/";
        StringBuilder sb = new StringBuilder();
        String[] segments = rawPath.split("/", -1);
        for (int i = 0; i < segments.length; i++) {
            if (i > 0) sb.append('/');
            sb.append(encode(segments[i]));
        }
        return sb.toString();
    }

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
                sb.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 15, 16)));
            }
        }
        return sb.toString();
    }

    private static String decode(String s) {
        try {
            return java.net.URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new SignatureRejected("IncompleteSignatureException", "malformed percent-encoding in the query");
        }
    }

    public static String sha256Hex(String s) {
        return sha256Hex(s.getBytes(StandardCharsets.UTF_8));
    }

    public static String sha256Hex(byte[] b) {
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

package io.ember.artifact;

import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

/**
 * An object named by an {@code s3://bucket/key} URI, CreateMicrovmImage's {@code codeArtifact.uri} form. The key is
 * taken literally (as the AWS CLI writes S3 URIs: no percent-decoding, no {@code ?versionId=}): the build reads the
 * object's current version.
 */
public record S3Location(String bucket, String key) {
    public static final String SCHEME = "s3://";
    /**
     * Bucket names as S3 allows them, including the legacy us-east-1 form (capitals, underscores, up to 255) that
     * S3-compatible stores also accept; a name S3 would never have is refused here rather than asked for.
     */
    private static final Pattern BUCKET = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{1,253}[A-Za-z0-9]");
    /** S3's limit on a key, in UTF-8 bytes. */
    static final int MAX_KEY_BYTES = 1024;

    public S3Location {
        if (bucket == null || !BUCKET.matcher(bucket).matches() || bucket.contains(".."))
            throw new IllegalArgumentException("bucket '" + bucket + "' is not an S3 bucket name (3 to 255 letters, digits, '.', '-', '_')");
        if (key == null || key.isEmpty()) throw new IllegalArgumentException("the S3 URI names no key: write s3://" + bucket + "/path/to/code.zip");
        if (key.getBytes(StandardCharsets.UTF_8).length > MAX_KEY_BYTES)
            throw new IllegalArgumentException("the S3 key is longer than " + MAX_KEY_BYTES + " bytes");
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            if (c < 0x20 || c == 0x7f) throw new IllegalArgumentException("the S3 key contains a control character");
        }
    }

    public static boolean isS3(String uri) {
        return uri != null && uri.regionMatches(true, 0, SCHEME, 0, SCHEME.length());
    }

    /** {@code s3://bucket/key}; IllegalArgumentException saying what is wrong with anything else. */
    public static S3Location parse(String uri) {
        if (!isS3(uri)) throw new IllegalArgumentException("not an s3:// URI: " + shorten(uri));
        String rest = uri.substring(SCHEME.length());
        int slash = rest.indexOf('/');
        if (slash < 0) throw new IllegalArgumentException("the S3 URI names no key: write s3://" + shorten(rest) + "/path/to/code.zip");
        return new S3Location(rest.substring(0, slash), rest.substring(slash + 1));
    }

    @Override
    public String toString() {
        return SCHEME + bucket + "/" + key;
    }

    private static String shorten(String s) {
        return s == null ? "null" : s.length() > 100 ? s.substring(0, 100) + "..." : s;
    }
}

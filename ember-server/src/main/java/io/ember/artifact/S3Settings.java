package io.ember.artifact;

import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * How the server reads {@code s3://} code artifacts ({@code ember server --s3-*}).
 *
 * @param endpoint an S3-compatible store's URL; null: AWS's endpoint for {@code region}
 * @param region the region requests are signed for; null: the server's region
 * @param pathStyle {@code http://host/bucket/key} instead of {@code http://bucket.host/key} (most self-hosted stores)
 * @param allowedBuckets the only buckets read; empty: every bucket the server's credentials can read
 * @param accessKeyId with {@code secretAccessKey}, fixed credentials (tests, embedders); null: the AWS SDK's default
 *     chain (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE and ~/.aws, container and instance roles)
 * @param connectTimeout to open a connection to the store
 * @param readTimeout the longest silence while reading
 * @param maxDuration one whole read, from the request to the last byte
 */
public record S3Settings(URI endpoint, String region, boolean pathStyle, Set<String> allowedBuckets, String accessKeyId,
                         String secretAccessKey, Duration connectTimeout, Duration readTimeout, Duration maxDuration) {
    /** AWS's region names (us-east-1) and the single words S3-compatible stores use (garage, local). */
    private static final Pattern REGION = Pattern.compile("[a-z0-9][a-z0-9-]{0,31}");

    /** AWS's S3 in the server's region, every bucket, the default credential chain; 10 s to connect, 60 s of silence, 15 min in all. */
    public static final S3Settings DEFAULTS = new S3Settings(null, null, false, Set.of(), null, null, Duration.ofSeconds(10),
            Duration.ofSeconds(60), Duration.ofMinutes(15));

    public S3Settings {
        if (endpoint != null) {
            String scheme = endpoint.getScheme();
            if (!"http".equals(scheme) && !"https".equals(scheme) || endpoint.getHost() == null)
                throw new IllegalArgumentException("--s3-endpoint must be an http:// or https:// URL with a host, got '" + endpoint + "'");
        }
        if (region != null && !REGION.matcher(region).matches())
            throw new IllegalArgumentException("--s3-region must be a region name such as us-east-1, got '" + region + "'");
        allowedBuckets = Set.copyOf(allowedBuckets == null ? Set.of() : allowedBuckets);
        for (String b : allowedBuckets) new S3Location(b, "x"); // the same bucket names the URIs may carry
        if ((accessKeyId == null) != (secretAccessKey == null))
            throw new IllegalArgumentException("give both an access key id and its secret, or neither");
        for (Duration d : new Duration[] {connectTimeout, readTimeout, maxDuration}) {
            if (d == null || d.isNegative() || d.isZero()) throw new IllegalArgumentException("S3 timeouts must be positive");
        }
    }

    /** {@code a,b,c} as given to {@code --s3-allowed-buckets}; blank: every bucket. */
    public static Set<String> parseBuckets(String list) {
        Set<String> out = new LinkedHashSet<>();
        if (list == null) return out;
        for (String b : list.split(",")) {
            if (!b.isBlank()) out.add(b.strip());
        }
        return out;
    }

    public S3Settings withEndpoint(URI value) {
        return new S3Settings(value, region, pathStyle, allowedBuckets, accessKeyId, secretAccessKey, connectTimeout, readTimeout, maxDuration);
    }

    public S3Settings withRegion(String value) {
        return new S3Settings(endpoint, value, pathStyle, allowedBuckets, accessKeyId, secretAccessKey, connectTimeout, readTimeout, maxDuration);
    }

    public S3Settings withPathStyle(boolean value) {
        return new S3Settings(endpoint, region, value, allowedBuckets, accessKeyId, secretAccessKey, connectTimeout, readTimeout, maxDuration);
    }

    public S3Settings withAllowedBuckets(Set<String> value) {
        return new S3Settings(endpoint, region, pathStyle, value, accessKeyId, secretAccessKey, connectTimeout, readTimeout, maxDuration);
    }

    public S3Settings withCredentials(String id, String secret) {
        return new S3Settings(endpoint, region, pathStyle, allowedBuckets, id, secret, connectTimeout, readTimeout, maxDuration);
    }

    public S3Settings withTimeouts(Duration connect, Duration read, Duration max) {
        return new S3Settings(endpoint, region, pathStyle, allowedBuckets, accessKeyId, secretAccessKey, connect, read, max);
    }

    /** The region in use: {@link #region} or, when absent, {@code serverRegion}. */
    public String regionOr(String serverRegion) {
        return region != null ? region : serverRegion;
    }
}

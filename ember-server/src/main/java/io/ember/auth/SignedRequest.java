package io.ember.auth;

import java.util.List;
import java.util.Map;

/**
 * An HTTP request as it arrived, for signature checking.
 *
 * @param rawPath the path exactly as sent (still percent-encoded)
 * @param rawQuery the query exactly as sent, without '?'; null or empty when none
 * @param headers names in any case, each with its values in arrival order
 * @param payloadSha256 hex SHA-256 of the body
 */
public record SignedRequest(String method, String rawPath, String rawQuery, Map<String, List<String>> headers,
                            String payloadSha256) {

    /** The values of a header, whatever the case of its name. */
    List<String> header(String name) {
        for (Map.Entry<String, List<String>> e : headers.entrySet()) {
            if (e.getKey().equalsIgnoreCase(name)) return e.getValue();
        }
        return List.of();
    }
}

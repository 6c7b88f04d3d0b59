package io.ember.sdk;

/** ListMicrovms's input; every field may be null. {@code maxResults} is 1 to 50 (server default 50). */
public record ListMicrovmsRequest(Integer maxResults, String nextToken, String imageIdentifier, String imageVersion) {

    /** No filter, server-sized pages, from the start. */
    public static ListMicrovmsRequest all() {
        return new ListMicrovmsRequest(null, null, null, null);
    }

    public ListMicrovmsRequest withMaxResults(Integer n) {
        return new ListMicrovmsRequest(n, nextToken, imageIdentifier, imageVersion);
    }

    public ListMicrovmsRequest withNextToken(String token) {
        return new ListMicrovmsRequest(maxResults, token, imageIdentifier, imageVersion);
    }

    public ListMicrovmsRequest withImageIdentifier(String image) {
        return new ListMicrovmsRequest(maxResults, nextToken, image, imageVersion);
    }

    public ListMicrovmsRequest withImageVersion(String version) {
        return new ListMicrovmsRequest(maxResults, nextToken, imageIdentifier, version);
    }
}

package io.ember.sdk;

import java.util.List;

/** A tenant's access keys (without secrets); {@code nextToken} is null on the last page. */
public record ListAccessKeysResponse(List<AccessKey> accessKeys, String nextToken) {
    public ListAccessKeysResponse {
        accessKeys = accessKeys == null ? List.of() : List.copyOf(accessKeys);
    }
}

package io.ember.sdk;

import java.util.List;

/** One page of the caller's secrets; {@code nextToken} is null on the last page. */
public record ListSecretsResponse(List<Secret> secrets, String nextToken) {
    public ListSecretsResponse {
        secrets = secrets == null ? List.of() : List.copyOf(secrets);
    }
}

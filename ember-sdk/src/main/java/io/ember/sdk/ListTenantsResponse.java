package io.ember.sdk;

import java.util.List;

/** One page of tenants; {@code nextToken} is null on the last page. */
public record ListTenantsResponse(List<Tenant> tenants, String nextToken) {
    public ListTenantsResponse {
        tenants = tenants == null ? List.of() : List.copyOf(tenants);
    }
}

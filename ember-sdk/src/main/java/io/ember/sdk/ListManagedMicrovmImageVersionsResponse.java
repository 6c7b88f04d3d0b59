package io.ember.sdk;

import java.util.List;

/** One page of ListManagedMicrovmImageVersions; {@code nextToken} is null on the last page. */
public record ListManagedMicrovmImageVersionsResponse(List<ManagedMicrovmImageVersion> items, String nextToken) {
    public ListManagedMicrovmImageVersionsResponse {
        items = items == null ? List.of() : List.copyOf(items);
    }
}

package io.ember.sdk;

import java.util.List;

/** One page of ListMicrovmImageVersions; {@code nextToken} is null on the last page. */
public record ListMicrovmImageVersionsResponse(List<MicrovmImageVersion> items, String nextToken) {
    public ListMicrovmImageVersionsResponse {
        items = items == null ? List.of() : List.copyOf(items);
    }
}

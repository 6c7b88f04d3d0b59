package io.ember.sdk;

import java.util.List;

/** One page of ListMicrovmImageBuilds; {@code nextToken} is null on the last page. */
public record ListMicrovmImageBuildsResponse(List<MicrovmImageBuild> items, String nextToken) {
    public ListMicrovmImageBuildsResponse {
        items = items == null ? List.of() : List.copyOf(items);
    }
}

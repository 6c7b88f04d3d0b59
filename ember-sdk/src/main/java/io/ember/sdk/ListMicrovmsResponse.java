package io.ember.sdk;

import java.util.List;

/** One page of ListMicrovms; {@code nextToken} is null on the last page. */
public record ListMicrovmsResponse(List<MicrovmItem> items, String nextToken) {
    public ListMicrovmsResponse {
        items = items == null ? List.of() : List.copyOf(items);
    }
}

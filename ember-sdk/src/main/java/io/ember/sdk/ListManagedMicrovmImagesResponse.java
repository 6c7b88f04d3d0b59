package io.ember.sdk;

import java.util.List;

/** One page of ListManagedMicrovmImages; {@code nextToken} is null on the last page. */
public record ListManagedMicrovmImagesResponse(List<ManagedMicrovmImage> items, String nextToken) {
    public ListManagedMicrovmImagesResponse {
        items = items == null ? List.of() : List.copyOf(items);
    }
}

package io.ember.sdk;

import java.util.List;

/** One page of ListMicrovmImages; {@code nextToken} is null on the last page. */
public record ListMicrovmImagesResponse(List<MicrovmImage> items, String nextToken) {
    public ListMicrovmImagesResponse {
        items = items == null ? List.of() : List.copyOf(items);
    }
}

package io.ember.sdk;

/** ListMicrovmImages's input; every field may be null. {@code nameFilter} keeps images whose name contains it. */
public record ListMicrovmImagesRequest(Integer maxResults, String nextToken, String nameFilter) {

    /** No filter, server-sized pages, from the start. */
    public static ListMicrovmImagesRequest all() {
        return new ListMicrovmImagesRequest(null, null, null);
    }

    public ListMicrovmImagesRequest withMaxResults(Integer n) {
        return new ListMicrovmImagesRequest(n, nextToken, nameFilter);
    }

    public ListMicrovmImagesRequest withNextToken(String token) {
        return new ListMicrovmImagesRequest(maxResults, token, nameFilter);
    }

    public ListMicrovmImagesRequest withNameFilter(String filter) {
        return new ListMicrovmImagesRequest(maxResults, nextToken, filter);
    }
}

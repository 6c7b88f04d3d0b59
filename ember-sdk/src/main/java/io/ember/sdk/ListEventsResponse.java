package io.ember.sdk;

import java.util.List;

/** One page of events, oldest first; {@code nextToken} is null on the last page. */
public record ListEventsResponse(List<Event> events, String nextToken) {
    public ListEventsResponse {
        events = events == null ? List.of() : List.copyOf(events);
    }
}

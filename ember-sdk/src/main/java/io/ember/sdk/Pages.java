package io.ember.sdk;

import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.function.Function;

/** Lazily fetches page after page while the server hands back a fresh {@code nextToken}. */
final class Pages<P> implements Iterator<P> {
    private final Function<String, P> fetch;
    private final Function<P, String> nextTokenOf;
    private String token;
    private boolean done;

    Pages(String firstToken, Function<String, P> fetch, Function<P, String> nextTokenOf) {
        this.token = firstToken;
        this.fetch = fetch;
        this.nextTokenOf = nextTokenOf;
    }

    @Override
    public boolean hasNext() {
        return !done;
    }

    @Override
    public P next() {
        if (done) throw new NoSuchElementException();
        P page = fetch.apply(token);
        String next = nextTokenOf.apply(page);
        if (next != null && Objects.equals(next, token)) {
            // A server that repeats the token it was given would make us loop forever.
            throw new IllegalStateException("server returned the same nextToken again: " + next);
        }
        token = next;
        done = next == null || next.isEmpty();
        return page;
    }
}

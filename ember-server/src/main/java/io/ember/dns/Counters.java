package io.ember.dns;

import java.util.concurrent.atomic.AtomicLong;

/** The live counters behind {@link ResolverStats}. */
final class Counters {
    final AtomicLong queries = new AtomicLong(), forwarded = new AtomicLong(), cacheHits = new AtomicLong(),
            denied = new AtomicLong(), refused = new AtomicLong(), rateLimited = new AtomicLong(),
            upstreamFailures = new AtomicLong();

    ResolverStats snapshot() {
        return new ResolverStats(queries.get(), forwarded.get(), cacheHits.get(), denied.get(), refused.get(),
                rateLimited.get(), upstreamFailures.get());
    }
}

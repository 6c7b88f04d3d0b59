package io.ember.dns;

import org.xbill.DNS.Name;

import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;

/**
 * The answer to (name, type) for any microVM: from the cache, else from the upstreams, asked once however many
 * microVMs miss on the same name at the same moment (a hundred clones booting into the same `pip install` make one
 * upstream query, not a hundred). Knows nothing of policy: the caller judges the name first and pins after.
 */
final class Lookups {
    /** Where an answer came from, for the debug log. */
    enum Source { CACHE, JOINED, UPSTREAM }

    record Found(Answer answer, Source source) {}

    private final AnswerCache cache;
    private final Upstreams upstreams;
    private final Counters counters;
    private final ConcurrentHashMap<String, CompletableFuture<Answer>> inFlight = new ConcurrentHashMap<>();

    Lookups(AnswerCache cache, Upstreams upstreams, Counters counters) {
        this.cache = cache;
        this.upstreams = upstreams;
        this.counters = counters;
    }

    /** {@code text}: the name as normalized text, the cache's key. */
    Found find(Name name, String text, int type) throws Upstreams.UpstreamException {
        Answer cached = cache.get(text, type);
        if (cached != null) {
            counters.cacheHits.incrementAndGet();
            return new Found(cached, Source.CACHE);
        }
        String key = text.toLowerCase(Locale.ROOT) + "/" + type;
        CompletableFuture<Answer> mine = new CompletableFuture<>(), theirs = inFlight.putIfAbsent(key, mine);
        if (theirs != null) return join(theirs, name);
        try {
            Answer answer = cache.get(text, type); // the previous asker may have finished between our two looks
            Source source = Source.CACHE;
            if (answer == null) {
                counters.forwarded.incrementAndGet();
                answer = upstreams.resolve(name, type);
                cache.put(text, type, answer);
                source = Source.UPSTREAM;
            } else {
                counters.cacheHits.incrementAndGet();
            }
            mine.complete(answer);
            return new Found(answer, source);
        } catch (Upstreams.UpstreamException | RuntimeException e) {
            mine.completeExceptionally(e);
            throw e;
        } finally {
            inFlight.remove(key, mine);
        }
    }

    private Found join(CompletableFuture<Answer> theirs, Name name) throws Upstreams.UpstreamException {
        try {
            Answer answer = theirs.get(); // bounded: the asker gives up after every upstream's timeout
            counters.cacheHits.incrementAndGet();
            return new Found(answer, Source.JOINED);
        } catch (ExecutionException e) {
            throw new Upstreams.UpstreamException("no upstream answered " + name);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Upstreams.UpstreamException("interrupted waiting for " + name);
        }
    }
}

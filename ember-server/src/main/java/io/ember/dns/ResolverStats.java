package io.ember.dns;

/**
 * The resolver's counters since it started.
 *
 * @param queries every query from any source that carried a parseable header (answers and garbage without one are
 *     dropped uncounted)
 * @param forwarded upstream lookups made (cache misses of allowed names; simultaneous misses on one name make one)
 * @param cacheHits queries answered from the cache, or by joining a lookup another query had already started
 * @param denied names answered NXDOMAIN without asking upstream: the microVM's policy does not allow them, or they are
 *     reverse lookups of never-reachable ranges
 * @param refused queries from a source that is no registered microVM
 * @param rateLimited queries beyond their microVM's token bucket
 * @param upstreamFailures upstream attempts that timed out, failed or answered SERVFAIL, REFUSED or garbage (each
 *     upstream asked counts once)
 */
public record ResolverStats(long queries, long forwarded, long cacheHits, long denied, long refused, long rateLimited,
                            long upstreamFailures) {}

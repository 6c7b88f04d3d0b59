package io.ember.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.Context;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.function.IntConsumer;

/**
 * Opaque pagination tokens: base64url of {@code <kind>:<position>}, where the position is the
 * last item's ordinal. The kind keeps a token of one list from being used on another.
 */
final class PageToken {
    private static final int DEFAULT_PAGE = 50;

    private PageToken() {}

    /** The request's {@code maxResults} (1 to 50, the model's range), or {@link #DEFAULT_PAGE}. */
    static int maxResults(Context ctx) {
        Integer max = Fields.queryInt(ctx.queryParam("maxResults"), "maxResults", 1, 50);
        return max == null ? DEFAULT_PAGE : max;
    }

    /**
     * Pages a list held in memory: emits items [start, start + maxResults) of {@code size} through {@code emit},
     * and puts a nextToken into {@code out} if more remain.
     */
    static void page(Context ctx, String kind, int size, ObjectNode out, IntConsumer emit) {
        int limit = maxResults(ctx);
        long start = decode(kind, ctx.queryParam("nextToken"));
        if (start > size) throw ApiException.validation("nextToken is not a token this list returned");
        long end = Math.min(size, start + limit);
        for (int i = (int) start; i < end; i++) emit.accept(i);
        if (end < size) out.put("nextToken", encode(kind, end));
    }

    /**
     * Pages a list the store reads from a position on: reads one more than maxResults after the token's position,
     * emits up to maxResults, and puts a nextToken (the last emitted's position) into {@code out} if more remain.
     */
    static <T> void pageStored(Context ctx, String kind, ObjectNode out, java.util.function.BiFunction<Long, Integer, java.util.List<T>> read,
                               java.util.function.ToLongFunction<T> position, java.util.function.Consumer<T> emit) {
        int limit = maxResults(ctx);
        java.util.List<T> page = read.apply(decode(kind, ctx.queryParam("nextToken")), limit + 1);
        page.subList(0, Math.min(limit, page.size())).forEach(emit);
        if (page.size() > limit) out.put("nextToken", encode(kind, position.applyAsLong(page.get(limit - 1))));
    }

    static String encode(String kind, long position) {
        return Base64.getUrlEncoder().withoutPadding()
                .encodeToString((kind + ":" + position).getBytes(StandardCharsets.US_ASCII));
    }

    /** The position in {@code token}; 0 (the start) for null. ValidationException when it is not ours. */
    static long decode(String kind, String token) {
        if (token == null) return 0;
        try {
            if (token.isEmpty() || token.length() > 256) throw new IllegalArgumentException();
            String s = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.US_ASCII);
            if (!s.startsWith(kind + ":")) throw new IllegalArgumentException();
            long position = Long.parseLong(s.substring(kind.length() + 1));
            if (position < 0) throw new IllegalArgumentException();
            return position;
        } catch (IllegalArgumentException e) {
            throw ApiException.validation("nextToken is not a token this list returned");
        }
    }
}

package io.ember.api;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * Opaque pagination tokens: base64url of {@code <kind>:<position>}, where the position is the
 * last item's ordinal. The kind keeps a token of one list from being used on another.
 */
final class PageToken {
    private PageToken() {}

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

package io.ember.agent;

import java.util.List;

/**
 * One answer of the metadata endpoint: 200 with a secret's {@code value} (at most {@link #MAX_VALUE} bytes) or with
 * {@code names}, else an HTTP-like status (400, 403, 404, 500) and a {@code message} the guest's application sees.
 */
public record MetadataAnswer(int status, byte[] value, List<String> names, String message) {
    public static final int MAX_VALUE = 65_536;
    public static final int MAX_NAMES = 1000;

    public MetadataAnswer {
        if (status < 200 || status > 599) throw new IllegalArgumentException("status " + status);
        if (value != null && value.length > MAX_VALUE) throw new IllegalArgumentException("value above " + MAX_VALUE + " bytes");
        if (names != null && names.size() > MAX_NAMES) throw new IllegalArgumentException("more than " + MAX_NAMES + " names");
        names = names == null ? null : List.copyOf(names);
    }

    public static MetadataAnswer value(byte[] value) {
        return new MetadataAnswer(200, value, null, null);
    }

    public static MetadataAnswer names(List<String> names) {
        return new MetadataAnswer(200, null, names, null);
    }

    public static MetadataAnswer error(int status, String message) {
        return new MetadataAnswer(status, null, null, message);
    }
}

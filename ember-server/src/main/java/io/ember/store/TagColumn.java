package io.ember.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Map;
import java.util.TreeMap;

/** A {@code tags} column: a JSON object of strings, NULL when there are none. Keys come back sorted. */
final class TagColumn {
    private static final ObjectMapper JSON = new ObjectMapper();

    private TagColumn() {}

    static Map<String, String> read(String json) {
        if (json == null) return new TreeMap<>();
        try {
            return JSON.readValue(json, new TypeReference<TreeMap<String, String>>() {});
        } catch (JsonProcessingException e) {
            throw new StoreException("a stored tags column is not a JSON object of strings: " + e.getOriginalMessage(), e);
        }
    }

    static String write(Map<String, String> tags) {
        if (tags == null || tags.isEmpty()) return null;
        try {
            return JSON.writeValueAsString(new TreeMap<>(tags));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}

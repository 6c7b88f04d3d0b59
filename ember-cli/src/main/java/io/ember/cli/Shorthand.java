package io.ember.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import io.ember.sdk.CpuConfiguration;
import io.ember.sdk.Resources;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Structured flag values as the AWS CLI takes them: JSON, or its shorthand {@code k=v,k2=v2}.
 * Problems are IllegalArgumentExceptions whose message says what is wrong, for a usage error.
 */
final class Shorthand {
    private Shorthand() {}

    /** A JSON object, or {@code k=v,...} (values as strings; Jackson coerces {@code 60} and {@code true}). */
    static <T> T object(String value, Class<T> type) {
        return Output.MAPPER.convertValue(json(value) instanceof JsonNode n && n.isObject() ? n : pairs(value), type);
    }

    /** A map of strings: a JSON object whose values are strings, or {@code K=V,...} (no commas in values). */
    static Map<String, String> stringMap(String value) {
        JsonNode n = json(value);
        if (n == null) return pairs(value);
        if (!n.isObject()) throw new IllegalArgumentException("expected a JSON object");
        n.properties().forEach(e -> {
            if (!e.getValue().isTextual()) throw new IllegalArgumentException("the value of " + e.getKey() + " must be a string");
        });
        return Output.MAPPER.convertValue(n, new TypeReference<LinkedHashMap<String, String>>() {});
    }

    /** The model's list of Resources: a JSON array, one JSON object, or {@code minimumMemoryInMiB=512,vcpus=2}. */
    static List<Resources> resources(String value) {
        JsonNode n = json(value);
        if (n != null && n.isArray()) return Output.MAPPER.convertValue(n, new TypeReference<List<Resources>>() {});
        return List.of(object(value, Resources.class));
    }

    /** ARM_64, architecture=ARM_64, {"architecture":"ARM_64"} or [{"architecture":"ARM_64"}]. */
    static List<CpuConfiguration> cpuConfigurations(String value) {
        JsonNode n = json(value);
        if (n != null && n.isArray()) return Output.MAPPER.convertValue(n, new TypeReference<List<CpuConfiguration>>() {});
        if (n == null && !value.contains("=")) return CpuConfiguration.of(value.strip());
        return List.of(object(value, CpuConfiguration.class));
    }

    private static JsonNode json(String value) {
        String v = value.strip();
        if (!v.startsWith("{") && !v.startsWith("[")) return null;
        try {
            return Output.MAPPER.readTree(v);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(e.getOriginalMessage());
        }
    }

    private static Map<String, String> pairs(String value) {
        Map<String, String> fields = new LinkedHashMap<>();
        for (String pair : value.split(",")) {
            String[] kv = pair.split("=", 2);
            if (kv.length != 2 || kv[0].isBlank()) throw new IllegalArgumentException("expected key=value, got '" + pair + "'");
            if (fields.put(kv[0].strip(), kv[1].strip()) != null) throw new IllegalArgumentException("repeated key " + kv[0].strip());
        }
        return fields;
    }
}

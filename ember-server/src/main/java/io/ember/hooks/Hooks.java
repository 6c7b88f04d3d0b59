package io.ember.hooks;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * An image version's hooks (the model's {@code Hooks}), resolved: the port of the application's hooks listener and,
 * for each ENABLED hook, its timeout (docs/hooks.md). A hook that is absent or DISABLED is not called.
 */
public record Hooks(int port, Map<Hook, Duration> enabled) {
    public static final int DEFAULT_PORT = 8080;
    /** The timeout of an ENABLED hook that names none. */
    public static final int DEFAULT_TIMEOUT_SECONDS = 10;
    public static final int MIN_TIMEOUT_SECONDS = 1, MAX_TIMEOUT_SECONDS = 60;
    public static final Hooks NONE = new Hooks(DEFAULT_PORT, Map.of());
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The hooks of the model: four around a microVM's lifecycle, two during the image's build. */
    public enum Hook {
        RUN("microvmHooks"), SUSPEND("microvmHooks"), RESUME("microvmHooks"), TERMINATE("microvmHooks"),
        READY("microvmImageHooks"), VALIDATE("microvmImageHooks");

        final String group;

        Hook(String group) {
            this.group = group;
        }

        /** {@code run}, {@code suspend}, ...: the model's field name and the path the application serves ({@code /run}). */
        public String fieldName() {
            return name().toLowerCase(Locale.ROOT);
        }

        public String path() {
            return "/" + fieldName();
        }

        boolean ofMicrovm() {
            return group.equals("microvmHooks");
        }
    }

    public Hooks {
        if (port < 1 || port > 65535) throw new IllegalArgumentException("hooks.port must be between 1 and 65535");
        EnumMap<Hook, Duration> copy = new EnumMap<>(Hook.class);
        copy.putAll(enabled);
        enabled = java.util.Collections.unmodifiableMap(copy);
    }

    public boolean isEnabled(Hook hook) {
        return enabled.containsKey(hook);
    }

    public Optional<Duration> timeout(Hook hook) {
        return Optional.ofNullable(enabled.get(hook));
    }

    public boolean isEmpty() {
        return enabled.isEmpty();
    }

    /** Only the hooks a microVM calls (run, suspend, resume, terminate): what a launch keeps. */
    public Hooks ofMicrovm() {
        Map<Hook, Duration> m = new EnumMap<>(Hook.class);
        enabled.forEach((h, d) -> {
            if (h.ofMicrovm()) m.put(h, d);
        });
        return new Hooks(port, m);
    }

    /**
     * The request's {@code hooks} (null or JSON null: none), checked: {@code port} 1 to 65535 (default 8080), each hook
     * {@code ENABLED} or {@code DISABLED}, each timeout an integer from 1 to 60 (default 10 when ENABLED). Unknown fields
     * are ignored. An IllegalArgumentException names the field, e.g. {@code hooks.microvmHooks.runTimeoutInSeconds must
     * be between 1 and 60}.
     */
    public static Hooks parse(JsonNode hooks) {
        if (hooks == null || hooks.isNull()) return NONE;
        if (!hooks.isObject()) throw new IllegalArgumentException("hooks must be an object");
        int port = integer(hooks, "port", "hooks.port", 1, 65535, DEFAULT_PORT);
        Map<Hook, Duration> enabled = new EnumMap<>(Hook.class);
        for (String group : new String[] {"microvmHooks", "microvmImageHooks"}) {
            JsonNode g = hooks.get(group);
            if (g == null || g.isNull()) continue;
            String prefix = "hooks." + group + ".";
            if (!g.isObject()) throw new IllegalArgumentException("hooks." + group + " must be an object");
            for (Hook h : Hook.values()) {
                if (!h.group.equals(group)) continue;
                String name = h.fieldName();
                int seconds = integer(g, name + "TimeoutInSeconds", prefix + name + "TimeoutInSeconds", MIN_TIMEOUT_SECONDS,
                        MAX_TIMEOUT_SECONDS, DEFAULT_TIMEOUT_SECONDS);
                JsonNode state = g.get(name);
                if (state == null || state.isNull()) continue;
                if (!state.isTextual() || !(state.textValue().equals("ENABLED") || state.textValue().equals("DISABLED")))
                    throw new IllegalArgumentException(prefix + name + " must be ENABLED or DISABLED");
                if (state.textValue().equals("ENABLED")) enabled.put(h, Duration.ofSeconds(seconds));
            }
        }
        return new Hooks(port, enabled);
    }

    private static int integer(JsonNode n, String field, String path, int min, int max, int dflt) {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) return dflt;
        boolean integral = v.isIntegralNumber()
                || v.isFloatingPointNumber() && Double.isFinite(v.doubleValue()) && v.doubleValue() == Math.rint(v.doubleValue());
        if (!integral) throw new IllegalArgumentException(path + " must be an integer");
        if (!v.canConvertToLong() || v.longValue() < min || v.longValue() > max)
            throw new IllegalArgumentException(path + " must be between " + min + " and " + max);
        return (int) v.longValue();
    }

    /** As stored with a microVM: {@code {"port":8080,"run":10,...}}, the timeouts in seconds of the ENABLED hooks. */
    public String toJson() {
        ObjectNode o = JSON.createObjectNode().put("port", port);
        enabled.forEach((h, d) -> o.put(h.fieldName(), d.toSeconds()));
        return o.toString();
    }

    /** The stored form back; null is {@link #NONE}. */
    public static Hooks fromJson(String json) {
        if (json == null) return NONE;
        try {
            JsonNode n = JSON.readTree(json);
            Map<Hook, Duration> enabled = new EnumMap<>(Hook.class);
            for (Hook h : Hook.values()) {
                if (n.hasNonNull(h.fieldName())) enabled.put(h, Duration.ofSeconds(n.get(h.fieldName()).asLong()));
            }
            return new Hooks(n.path("port").asInt(DEFAULT_PORT), enabled);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored hooks are not JSON", e);
        }
    }
}

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
 * An image version's hooks (the model's {@code Hooks}), resolved: the port of the application's hooks listener, for
 * each ENABLED hook its timeout, and the contract (paths, defaults) the version was made under (docs/hooks.md). A hook
 * that is absent or DISABLED is not called.
 */
public record Hooks(int port, Map<Hook, Duration> enabled, HookContract contract) {
    public static final int DEFAULT_PORT = 8080;
    /** The range of a microVM hook's timeout (API_MicrovmHooks); an image hook's ends at the contract's maximum. */
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

        /** {@code run}, {@code suspend}, ...: the model's field name. */
        public String fieldName() {
            return name().toLowerCase(Locale.ROOT);
        }

        boolean ofMicrovm() {
            return group.equals("microvmHooks");
        }
    }

    /** Under AWS's contract, the one every new image version gets. */
    public Hooks(int port, Map<Hook, Duration> enabled) {
        this(port, enabled, HookContract.AWS);
    }

    public Hooks {
        java.util.Objects.requireNonNull(contract, "contract");
        if (port < 1 || port > 65535) throw new IllegalArgumentException("hooks.port must be between 1 and 65535");
        EnumMap<Hook, Duration> copy = new EnumMap<>(Hook.class);
        copy.putAll(enabled);
        enabled = java.util.Collections.unmodifiableMap(copy);
    }

    /** The path the application serves {@code hook} at, under this version's contract. */
    public String path(Hook hook) {
        return contract.path(hook);
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
        return new Hooks(port, m, contract);
    }

    /** A request's {@code hooks}, under AWS's contract: see {@link #parse(JsonNode, HookContract)}. */
    public static Hooks parse(JsonNode hooks) {
        return parse(hooks, HookContract.AWS);
    }

    /**
     * The {@code hooks} of a request or of a stored version (null or JSON null: none), checked: {@code port} 1 to 65535
     * (default 8080), each hook {@code ENABLED} or {@code DISABLED}, each microVM hook's timeout an integer from 1 to
     * 60 and each image hook's from 1 to the contract's maximum (3600 under AWS's), defaulting to the contract's
     * default when ENABLED. Unknown fields are ignored. An IllegalArgumentException names the field, e.g.
     * {@code hooks.microvmHooks.runTimeoutInSeconds must be between 1 and 60}.
     */
    public static Hooks parse(JsonNode hooks, HookContract contract) {
        if (hooks == null || hooks.isNull()) return new Hooks(DEFAULT_PORT, Map.of(), contract);
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
                boolean ofMicrovm = h.ofMicrovm();
                int seconds = integer(g, name + "TimeoutInSeconds", prefix + name + "TimeoutInSeconds", MIN_TIMEOUT_SECONDS,
                        ofMicrovm ? MAX_TIMEOUT_SECONDS : contract.imageMaxSeconds,
                        ofMicrovm ? contract.microvmDefaultSeconds : contract.imageDefaultSeconds);
                JsonNode state = g.get(name);
                if (state == null || state.isNull()) continue;
                if (!state.isTextual() || !(state.textValue().equals("ENABLED") || state.textValue().equals("DISABLED")))
                    throw new IllegalArgumentException(prefix + name + " must be ENABLED or DISABLED");
                if (state.textValue().equals("ENABLED")) enabled.put(h, Duration.ofSeconds(seconds));
            }
        }
        return new Hooks(port, enabled, contract);
    }

    /** The timeout an ENABLED hook that names none gets under {@code contract}. */
    public static Duration defaultTimeout(Hook hook, HookContract contract) {
        return Duration.ofSeconds(hook.ofMicrovm() ? contract.microvmDefaultSeconds : contract.imageDefaultSeconds);
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

    /**
     * As stored with a microVM: {@code {"port":8080,"contract":"aws","run":1,...}}, the timeouts in seconds of the
     * ENABLED hooks; no {@code contract} is Ember's first one (microVMs stored before the marker).
     */
    public String toJson() {
        ObjectNode o = JSON.createObjectNode().put("port", port);
        if (contract.marker() != null) o.put("contract", contract.marker());
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
            String marker = n.hasNonNull("contract") ? n.get("contract").asText() : null;
            return new Hooks(n.path("port").asInt(DEFAULT_PORT), enabled, HookContract.ofMarker(marker));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored hooks are not JSON", e);
        }
    }
}

package io.ember.sdk;

import java.util.Map;

/**
 * Ports an auth token opens (the model's PortSpecification union): exactly one of a port, a range, or
 * all ports. Build with {@link #port}, {@link #range} or {@link #all}.
 */
public record PortSpecification(Integer port, PortRange range, Map<String, Object> allPorts) {

    /** An inclusive range of ports. */
    public record PortRange(int startPort, int endPort) {}

    public static PortSpecification port(int port) {
        return new PortSpecification(port, null, null);
    }

    public static PortSpecification range(int startPort, int endPort) {
        return new PortSpecification(null, new PortRange(startPort, endPort), null);
    }

    public static PortSpecification all() {
        return new PortSpecification(null, null, Map.of());
    }
}

package io.ember.endpoint;

/** Ports a token opens, inclusive: the model's PortSpecification (port, range or allPorts) as one shape. */
public record PortRange(int first, int last) {
    public static final PortRange ALL = new PortRange(1, 65_535);

    public PortRange {
        if (first < 1 || last > 65_535 || first > last) {
            throw new IllegalArgumentException("port range " + first + "-" + last + " is not within 1-65535");
        }
    }

    public static PortRange of(int port) {
        return new PortRange(port, port);
    }

    boolean contains(int port) {
        return port >= first && port <= last;
    }
}

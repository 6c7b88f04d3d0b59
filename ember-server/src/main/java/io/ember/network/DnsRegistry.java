package io.ember.network;

import io.ember.egress.EgressPolicy;
import java.net.Inet4Address;
import java.time.Duration;
import java.util.List;

/** Ember's resolver, as the network layer tells it which guest address is which microVM (io.ember.dns implements it). */
public interface DnsRegistry {
    DnsRegistry NONE = new DnsRegistry() {
        @Override
        public void register(Inet4Address guest, String vmId, EgressPolicy policy, Pins pins) {}

        @Override
        public void unregister(Inet4Address guest) {}

        @Override
        public int port() {
            return 53;
        }
    };

    /** Ember's resolver (io.ember.dns) as the network layer sees it. */
    static DnsRegistry of(io.ember.dns.Resolver resolver) {
        return new DnsRegistry() {
            @Override
            public void register(Inet4Address guest, String vmId, EgressPolicy policy, Pins pins) {
                resolver.register(guest, vmId, policy, pins::pin);
            }

            @Override
            public void unregister(Inet4Address guest) {
                resolver.unregister(guest);
            }

            @Override
            public int port() {
                return resolver.port();
            }
        };
    }

    void register(Inet4Address guest, String vmId, EgressPolicy policy, Pins pins);

    void unregister(Inet4Address guest);

    /** The host port the resolver listens on (UDP and TCP). */
    int port();

    /** Lets the microVM reach what the resolver answered for a name a domain rule allowed. */
    interface Pins {
        void pin(int rule, List<Inet4Address> addresses, Duration ttl) throws Exception;
    }
}

package io.ember.server;

import io.ember.agent.AgentClient;
import io.ember.jail.Jail;
import io.ember.jail.JailConfig;
import io.ember.jail.JailException;
import io.ember.microvm.AgentConnector;
import io.ember.vmm.QemuConfig;
import io.ember.vmm.QemuDriver;
import io.ember.vmm.VmmDriver;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The real machine layer: QEMU (jailed unless EMBER_JAIL=off) and the agent client from ember-vmm. */
final class Production {
    private static final Logger log = LoggerFactory.getLogger(Production.class);

    private Production() {}

    static VmmDriver driver(ServerConfig config) {
        QemuConfig qemu = QemuConfig.of(config.qemuBinary(), config.accelerator());
        if ("off".equalsIgnoreCase(System.getenv().getOrDefault("EMBER_JAIL", "on"))) {
            log.warn("EMBER_JAIL=off: QEMU runs as the server's user, unconfined; a guest that escapes its VMM has the host");
            return new QemuDriver(qemu);
        }
        try {
            Jail jail = Jail.open(JailConfig.defaults(config.assetsDir()));
            for (String dir : new String[] {"vms", "images"}) jail.reserveExisting(config.dataDir().resolve(dir));
            return new QemuDriver(qemu.withJail(jail));
        } catch (JailException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    static AgentConnector agents() {
        return AgentClient::connect;
    }
}

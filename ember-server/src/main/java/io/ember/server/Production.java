package io.ember.server;

import io.ember.agent.AgentClient;
import io.ember.microvm.AgentConnector;
import io.ember.vmm.QemuConfig;
import io.ember.vmm.QemuDriver;
import io.ember.vmm.VmmDriver;

/** The real machine layer: QEMU and the agent client from ember-vmm. */
final class Production {
    private Production() {}

    static VmmDriver driver(ServerConfig config) {
        return new QemuDriver(QemuConfig.of(config.qemuBinary(), config.accelerator()));
    }

    static AgentConnector agents() {
        return AgentClient::connect;
    }
}

package io.ember.image;

import io.ember.agent.AgentException;
import io.ember.agent.GuestAgent;
import io.ember.agent.GuestNet;
import io.ember.egress.EgressPolicy;
import io.ember.egress.Ranges;
import io.ember.network.Networks;
import io.ember.network.VmNetwork;
import io.ember.vmm.Nic;
import io.ember.vmm.Snapshot;
import io.ember.vmm.Vm;
import io.ember.vmm.VmSpec;
import io.ember.vmm.VmmException;
import java.nio.file.Path;
import java.time.Duration;

/** The machines a build uses: a build VM (with network), a template VM (file-backed RAM) and its save. */
public interface BuildMachines {
    /** What a template VM's guest configures when networking is off: its NIC carries nothing; clones are told theirs. */
    GuestNet OFFLINE = new GuestNet("192.0.2.2", 30, "192.0.2.1", Ranges.RESOLVER, "02:eb:c0:00:02:02");

    Vm launchBuildVm(VmSpec spec) throws VmmException;

    Vm launchTemplateVm(VmSpec spec) throws VmmException;

    Snapshot save(Vm vm, Path dir) throws VmmException;

    /** A clone of {@code snapshot} (private memory, its own disk overlay), paused: connect the agent, then {@link #resume}. */
    default Vm restoreClone(VmSpec spec, Snapshot snapshot) throws VmmException {
        throw new VmmException("this server's VMM driver cannot restore snapshots");
    }

    /** Lets a clone from {@link #restoreClone} run. */
    default void resume(Vm vm) throws VmmException {
        throw new VmmException("this server's VMM driver cannot restore snapshots");
    }

    GuestAgent connect(Path agentSocket, Duration timeout) throws AgentException;

    /** The NIC of the build's VM {@code name}: its own network under INTERNET_EGRESS, or attached to nothing. */
    default Nic network(String name) {
        return null;
    }

    /** The build VM {@code name} is gone: its network goes too. */
    default void releaseNetwork(String name) {}

    /** For servers whose VMM driver is not QEMU (tests with fakes): every build fails saying so. */
    static BuildMachines unsupported() {
        return new BuildMachines() {
            private VmmException no() {
                return new VmmException("this server's VMM driver cannot build images");
            }

            @Override
            public Vm launchBuildVm(VmSpec spec) throws VmmException {
                throw no();
            }

            @Override
            public Vm launchTemplateVm(VmSpec spec) throws VmmException {
                throw no();
            }

            @Override
            public Snapshot save(Vm vm, Path dir) throws VmmException {
                throw no();
            }

            @Override
            public GuestAgent connect(Path agentSocket, Duration timeout) throws AgentException {
                throw new AgentException(0, "no agent");
            }
        };
    }

    /**
     * Over QEMU: the build VM on the server's own driver when its RAM is anonymous (else on a sibling that has it),
     * the template VM on a sibling with file-backed memory; both with the server's QEMU settings.
     */
    static BuildMachines qemu(io.ember.vmm.QemuDriver server, io.ember.microvm.AgentConnector agents) {
        return qemu(server, agents, Networks.off());
    }

    /** With networks: each build and template VM on its own namespace (docs/network.md); off: a NIC attached to nothing. */
    static BuildMachines qemu(io.ember.vmm.QemuDriver server, io.ember.microvm.AgentConnector agents, Networks networks) {
        io.ember.vmm.QemuConfig config = server.config();
        io.ember.vmm.QemuDriver build = config.fileBackedMemory()
                ? new io.ember.vmm.QemuDriver(config.withFileBackedMemory(false)) : server;
        io.ember.vmm.QemuDriver template = new io.ember.vmm.QemuDriver(config.withFileBackedMemory(true));
        return new BuildMachines() {
            @Override
            public Vm launchBuildVm(VmSpec spec) throws VmmException {
                return build.launch(spec);
            }

            @Override
            public Vm launchTemplateVm(VmSpec spec) throws VmmException {
                return template.launch(spec);
            }

            @Override
            public Snapshot save(Vm vm, Path dir) throws VmmException {
                return template.save(vm, dir);
            }

            @Override
            public Vm restoreClone(VmSpec spec, Snapshot snapshot) throws VmmException {
                return server.restorePaused(spec, snapshot, true);
            }

            @Override
            public void resume(Vm vm) throws VmmException {
                server.resume(vm);
            }

            @Override
            public GuestAgent connect(Path agentSocket, Duration timeout) throws AgentException {
                return agents.connect(agentSocket, timeout);
            }

            @Override
            public Nic network(String name) {
                VmNetwork n = networks.attach(name, EgressPolicy.INTERNET);
                return n == null ? Nic.detached(OFFLINE) : n.nic();
            }

            @Override
            public void releaseNetwork(String name) {
                networks.detach(name);
            }
        };
    }
}

package io.ember.image;

import io.ember.agent.AgentException;
import io.ember.agent.GuestAgent;
import io.ember.vmm.Snapshot;
import io.ember.vmm.Vm;
import io.ember.vmm.VmSpec;
import io.ember.vmm.VmmException;
import java.nio.file.Path;
import java.time.Duration;

/** The machines a build uses: a build VM (with network), a template VM (file-backed RAM) and its save. */
public interface BuildMachines {
    Vm launchBuildVm(VmSpec spec) throws VmmException;

    Vm launchTemplateVm(VmSpec spec) throws VmmException;

    Snapshot save(Vm vm, Path dir) throws VmmException;

    GuestAgent connect(Path agentSocket, Duration timeout) throws AgentException;

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
            public GuestAgent connect(Path agentSocket, Duration timeout) throws AgentException {
                return agents.connect(agentSocket, timeout);
            }
        };
    }
}

package io.ember.image;

import io.ember.agent.AgentException;
import io.ember.agent.GuestAgent;
import io.ember.agent.RestoreFixup;
import io.ember.image.build.BuildFailure;
import io.ember.store.ImageVersionRecord;
import io.ember.vmm.Nic;
import io.ember.vmm.Snapshot;
import io.ember.vmm.Vm;
import io.ember.vmm.VmSpec;
import io.ember.vmm.VmmException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.Consumer;

/**
 * The test microVM a build's validate hook is called in (docs/hooks.md, "Build hooks"): as AWS does, the application is
 * validated running from the saved snapshot, not in the template VM, so a snapshot that does not restore correctly
 * fails the build. It is started as RunMicrovm starts a clone (private memory, its own disk overlay, a network of its
 * own, the clock, entropy and identity fix-up) but its run hook is not called: there is no session and no payload.
 */
final class ValidationVm {
    static final String DIR = "vvm";
    private static final Duration FIXUP_TIMEOUT = Duration.ofSeconds(10);
    private static final SecureRandom RANDOM = new SecureRandom();

    private ValidationVm() {}

    /**
     * Starts the test microVM from {@code versionDir}'s snapshot, calls {@code hooks.validate} in it and stops it
     * again, whatever the outcome. {@code started} is told the VMM (so that an abort can kill it), then null once stopped.
     */
    static void validate(BuildHooks hooks, BuildMachines machines, BuildSettings settings, Path versionDir,
                         ImageVersionRecord version, String buildId, BuildLogFile log, Consumer<Vm> started) throws BuildFailure {
        String name = "validate-" + buildId;
        long t0 = System.nanoTime();
        Vm vm = null;
        GuestAgent agent = null;
        try {
            Nic nic;
            try {
                nic = machines.network(name);
            } catch (RuntimeException e) {
                throw new BuildFailure("the validation microVM's network: " + e.getMessage());
            }
            Path snapDir = versionDir.resolve(BuildRun.SNAPSHOT);
            VmSpec spec = new VmSpec(name, versionDir.resolve(DIR), settings.kernel(), settings.initrd(),
                    versionDir.resolve("rootfs.ext4"), version.vcpus(), version.memoryMib(), name, List.of(), nic)
                    .withSharedFiles(List.of(snapDir.resolve(Snapshot.DISK)));
            SizeClass size = SizeClass.ofStored(version.sizeMib()).orElse(null);
            if (size != null && size.peakVcpus == version.vcpus()) spec = spec.withCpuShare(size.baselineVcpuMillis);
            try {
                vm = machines.restoreClone(spec, Snapshot.load(snapDir));
            } catch (VmmException | RuntimeException e) {
                throw new BuildFailure("the validation microVM did not start from the snapshot: " + e.getMessage());
            }
            started.accept(vm);
            try {
                agent = machines.connect(vm.agentSocket(), settings.bootTimeout());
                agent.expectRestored();
                machines.resume(vm);
                agent.hello(settings.bootTimeout());
                byte[] entropy = new byte[64];
                RANDOM.nextBytes(entropy);
                agent.restored(new RestoreFixup(Instant.now(), entropy, name, true, nic != null && nic.attached() ? nic.guest() : null),
                        FIXUP_TIMEOUT);
            } catch (AgentException | VmmException | RuntimeException e) {
                throw new BuildFailure("the validation microVM started from the snapshot did not answer its agent: " + e.getMessage());
            }
            log.line("validation microVM up from the snapshot (pid " + vm.pid() + ") in " + (System.nanoTime() - t0) / 1_000_000 + " ms");
            hooks.validate(agent);
        } finally {
            if (agent != null) agent.close();
            if (vm != null) vm.terminate(Duration.ofSeconds(10));
            started.accept(null);
            machines.releaseNetwork(name);
            try {
                Images.deleteTree(versionDir.resolve(DIR));
            } catch (RuntimeException e) {
                // best effort: removeLeftovers and the version's delete take the rest
            }
        }
    }
}

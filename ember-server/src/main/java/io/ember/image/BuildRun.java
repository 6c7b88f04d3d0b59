package io.ember.image;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ember.agent.AgentException;
import io.ember.artifact.S3Location;
import io.ember.artifact.StoredObject;
import io.ember.agent.GuestAgent;
import io.ember.hooks.HookContract;
import io.ember.hooks.Hooks;
import io.ember.image.build.BuildFailure;
import io.ember.image.build.BuildSteps;
import io.ember.image.build.CodeArtifact;
import io.ember.image.build.Dockerfile;
import io.ember.image.build.ImageConfig;
import io.ember.store.ImageBuildRecord;
import io.ember.store.ImageRecord;
import io.ember.store.ImageVersionRecord;
import io.ember.vmm.Nic;
import io.ember.vmm.Snapshot;
import io.ember.vmm.Vm;
import io.ember.vmm.VmSpec;
import io.ember.vmm.VmmException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One build (docs/images.md, "The build"): flatten the base into rootfs.ext4, run the Dockerfile's steps in a build VM
 * and commit its disk, boot a template VM, start the application, wait until it is ready, save the snapshot.
 */
final class BuildRun {
    static final String CONFIG = "image-config.json";
    static final String BUILD_VM = "bvm", TEMPLATE_VM = "tvm", SNAPSHOT = "snapshot", SNAPSHOT_TMP = "snapshot.tmp";

    record Result(long memoryBytes, long codeBytes, long diskBytes, Map<String, String> environment) {}

    private final Images images;
    private final BuildMachines machines;
    private final BuildSettings settings;
    private final ImageBuildRecord build;
    private final Path dir;
    private volatile Vm current;
    private volatile String aborted;

    BuildRun(Images images, BuildMachines machines, BuildSettings settings, ImageBuildRecord build) {
        this.images = images;
        this.machines = machines;
        this.settings = settings;
        this.build = build;
        this.dir = images.versionDir(build.imageId(), build.version());
    }

    /** Ends the build now with {@code reason} (deadline passed, server stopping): kills the VM the build waits on. */
    void abort(String reason) {
        aborted = reason;
        Vm vm = current;
        if (vm != null) vm.terminate(Duration.ofSeconds(1));
    }

    Result run() throws BuildFailure {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new BuildFailure("cannot create " + dir + ": " + e.getMessage());
        }
        try (BuildLogFile log = new BuildLogFile(dir.resolve("build.log"))) {
            try {
                return run(log);
            } catch (BuildFailure | RuntimeException e) {
                String reason = aborted != null ? aborted : message(e);
                log.line("BUILD FAILED: " + reason);
                removeLeftovers(dir);
                throw new BuildFailure(reason);
            }
        } catch (IOException e) {
            removeLeftovers(dir);
            throw new BuildFailure("cannot write the build log: " + e.getMessage());
        } finally {
            machines.releaseNetwork("build-" + build.id());
            machines.releaseNetwork("template-" + build.id());
            machines.releaseNetwork("validate-" + build.id());
        }
    }

    private Result run(BuildLogFile log) throws BuildFailure {
        ImageRecord image = images.store.image(build.imageId()).orElseThrow(() -> new BuildFailure("the image was deleted"));
        ImageVersionRecord version = images.store.version(build.imageId(), build.version())
                .orElseThrow(() -> new BuildFailure("the version was deleted"));
        JsonNode spec;
        try {
            spec = Images.JSON.readTree(version.specJson());
        } catch (IOException e) {
            throw new BuildFailure("stored version spec unreadable: " + e.getMessage());
        }
        log.line("build " + build.id() + " of " + image.name() + " version " + build.version() + " ("
                + HostInfo.apiName(ImageArchitecture.of(spec)) + ", " + version.vcpus() + " vCPU, "
                + version.memoryMib() + " MiB) from " + spec.path("baseImageArn").asText() + " version "
                + spec.path("baseImageVersion").asText());
        readS3Code(spec, log);
        Base base;
        try {
            base = images.base(image.tenantId(), spec.path("baseImageArn").asText(), spec.path("baseImageVersion").asText(null),
                    ImageArchitecture.of(spec));
        } catch (ImageException e) {
            throw new BuildFailure(e.getMessage());
        }
        try (CodeArtifact code = CodeArchive.open(dir.resolve("code.zip"))) {
            Dockerfile df = Dockerfile.parse(CodeArchive.dockerfile(code), Map.of(), from -> baseConfig(base));
            checkFrom(df, base);
            long t0 = System.nanoTime();
            flatten(base, log);
            SizeClass size = SizeClass.ofStored(version.sizeMib()).orElse(null);
            if (size != null) SizedDisk.grow(dir.resolve("rootfs.ext4"), size, log, (timeout, argv) -> command(log, timeout, argv));
            long t1 = System.nanoTime();
            log.line("base flattened into rootfs.ext4 in " + ms(t0, t1) + " ms");
            runSteps(df, code, version, log);
            Map<String, String> env = new LinkedHashMap<>(base.environment());
            env.putAll(df.config().env());
            env.putAll(Images.map(version.environmentJson()));
            long t2 = System.nanoTime();
            snapshot(df, env, version, hooks(spec, version), log);
            log.line("template and snapshot in " + ms(t2, System.nanoTime()) + " ms; build total " + ms(t0, System.nanoTime()) + " ms");
            Path snap = dir.resolve(SNAPSHOT);
            long memory = allocated(snap.resolve("mem.ram")) + allocated(snap.resolve("vmstate"));
            long disk = allocated(dir.resolve("rootfs.ext4")) + allocated(snap.resolve("disk.qcow2"));
            log.line("snapshot: memory " + memory + " bytes on disk, disk " + disk + " bytes on disk, code " + code.uncompressedSize()
                    + " bytes");
            saveConfig(df.config());
            log.line("BUILD SUCCESSFUL");
            return new Result(memory, code.uncompressedSize(), disk, env);
        }
    }

    /**
     * An s3:// code artifact is read now, once, into code.zip (whatever an earlier attempt left is replaced), and what
     * was read (ETag, version id) is recorded with the build; uploads and file:// were copied at request time.
     */
    private void readS3Code(JsonNode spec, BuildLogFile log) throws BuildFailure {
        S3Location location;
        try {
            location = S3Code.of(spec);
        } catch (IllegalArgumentException e) {
            throw new BuildFailure("the stored codeArtifact.uri is unusable: " + e.getMessage());
        }
        if (location == null) return;
        long t0 = System.nanoTime();
        log.line("reading the code artifact " + location);
        StoredObject o = S3Code.fetch(images.artifacts, location, dir, () -> aborted != null);
        ObjectNode source = Images.JSON.createObjectNode();
        source.put("uri", location.toString());
        source.put("eTag", o.eTag());
        source.put("versionId", o.versionId());
        source.put("sizeInBytes", o.sizeInBytes());
        images.store.setBuildCodeSource(build.id(), source.toString());
        log.line("code artifact read in " + ms(t0, System.nanoTime()) + " ms: " + o.sizeInBytes() + " bytes, ETag " + o.eTag()
                + (o.versionId() == null ? "" : ", version " + o.versionId()));
    }

    /** ENV, WORKDIR, USER, CMD, ... of the base: nothing for a managed image, the saved configuration of a built one. */
    static ImageConfig baseConfig(Base base) throws BuildFailure {
        if (base.parentDir() == null) return ImageConfig.empty();
        try {
            return Images.JSON.readValue(base.parentDir().resolve(CONFIG).toFile(), ImageConfig.class);
        } catch (IOException e) {
            throw new BuildFailure("cannot read the configuration of base image " + base.name() + ": " + e.getMessage());
        }
    }

    /** Kept next to the snapshot so that images built on this one start from its configuration. */
    private void saveConfig(ImageConfig config) throws BuildFailure {
        try {
            Path tmp = dir.resolve(CONFIG + ".tmp");
            Images.JSON.writeValue(tmp.toFile(), config);
            Files.move(tmp, dir.resolve(CONFIG), StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new BuildFailure("cannot save the image configuration: " + e.getMessage());
        }
    }

    /** FROM must name the base the request gave (name or ARN in any region, optionally with :version of that base). */
    static void checkFrom(Dockerfile df, Base base) throws BuildFailure {
        String from = io.ember.arn.LambdaArn.normalize(df.from().strip());
        List<String> accepted = List.of(base.name(), base.arn(), base.name() + ":" + base.version(), base.arn() + ":" + base.version());
        if (!accepted.contains(from))
            throw new BuildFailure("line " + df.fromLine() + ": FROM " + df.from().strip() + " does not name the base image " + base.name()
                    + " (baseImageArn; write FROM " + base.name() + ")");
    }

    /** rootfs.ext4 = a raw, standalone copy of the base's disk. */
    private void flatten(Base base, BuildLogFile log) throws BuildFailure {
        Path rootfs = dir.resolve("rootfs.ext4");
        if (base.managedRootfs() != null) {
            command(log, Duration.ofMinutes(10), "cp", "--sparse=always", base.managedRootfs().toString(), rootfs.toString());
        } else {
            command(log, Duration.ofMinutes(10), settings.qemuImg(), "convert", "-O", "raw",
                    base.parentDir().resolve(SNAPSHOT).resolve("disk.qcow2").toString(), rootfs.toString());
        }
    }

    private void runSteps(Dockerfile df, CodeArtifact code, ImageVersionRecord version, BuildLogFile log) throws BuildFailure {
        long t0 = System.nanoTime();
        Vm vm = launch(true, version, log);
        Path workDir = dir.resolve(BUILD_VM);
        try (GuestAgent agent = hello(vm, log)) {
            long t1 = System.nanoTime();
            log.line("build VM up (pid " + vm.pid() + ") in " + ms(t0, t1) + " ms");
            new BuildSteps(agent, code, log, settings.runStepTimeout()).run(df);
            long t2 = System.nanoTime();
            GuestApp.sync(agent);
            log.line("steps done in " + ms(t1, t2) + " ms");
        } finally {
            stop(vm);
        }
        long t3 = System.nanoTime();
        command(log, Duration.ofMinutes(10), settings.qemuImg(), "commit", "-q", workDir.resolve("disk.qcow2").toString());
        Images.deleteTree(workDir);
        log.line("build disk committed into rootfs.ext4 in " + ms(t3, System.nanoTime()) + " ms");
    }

    private static Hooks hooks(JsonNode spec, ImageVersionRecord version) throws BuildFailure {
        try {
            return Hooks.parse(spec.get("hooks"), HookContract.ofMarker(version.hooksContract()));
        } catch (IllegalArgumentException e) {
            throw new BuildFailure("the version's hooks are unusable: " + e.getMessage());
        }
    }

    private void snapshot(Dockerfile df, Map<String, String> env, ImageVersionRecord version, Hooks hooks, BuildLogFile log)
            throws BuildFailure {
        long t0 = System.nanoTime();
        BuildHooks buildHooks = new BuildHooks(hooks, log, build.id());
        Vm vm = launch(false, version, log);
        Path tmp = dir.resolve(SNAPSHOT_TMP);
        boolean saved = false;
        try {
            GuestAgent agent = hello(vm, log);
            try {
                long t1 = System.nanoTime();
                log.line("template VM up (pid " + vm.pid() + ") in " + ms(t0, t1) + " ms");
                List<String> app = df.config().application();
                if (app.isEmpty()) {
                    log.line("no CMD or ENTRYPOINT: snapshot right after boot");
                } else {
                    new GuestApp(agent, log, settings.readyTimeout()).start(app, env, df.config().workdir(), df.config().user(),
                            df.config().exposedPorts());
                    log.line("application ready in " + ms(t1, System.nanoTime()) + " ms");
                }
                buildHooks.ready(agent);
                GuestApp.sync(agent);
                long t2 = System.nanoTime();
                // The agent stays connected and idle during the save (Snapshots#save): clones then find it ready.
                Snapshot s = machines.save(vm, tmp);
                saved = true;
                log.line("snapshot saved in " + ms(t2, System.nanoTime()) + " ms (" + s.memoryMib() + " MiB RAM in mem.ram)");
            } finally {
                agent.close();
            }
        } catch (VmmException e) {
            throw new BuildFailure("saving the snapshot failed: " + e.getMessage());
        } finally {
            current = null;
            if (!saved) stop(vm);
            images.store.setBuildPid(build.id(), null);
        }
        try {
            Files.move(tmp, dir.resolve(SNAPSHOT), StandardCopyOption.ATOMIC_MOVE);
            fsync(dir);
            Images.deleteTree(dir.resolve(TEMPLATE_VM));
        } catch (IOException e) {
            throw new BuildFailure("cannot move the snapshot into place: " + e.getMessage());
        }
        if (buildHooks.validateEnabled()) {
            // A failure here fails the build, which removes the snapshot: the version never looks whole when it is not.
            ValidationVm.validate(buildHooks, machines, settings, dir, version, build.id(), log, test -> {
                current = test;
                images.store.setBuildPid(build.id(), test == null ? null : test.pid());
                if (test != null && aborted != null) test.terminate(Duration.ofSeconds(1));
            });
        }
    }

    private Vm launch(boolean buildVm, ImageVersionRecord version, BuildLogFile log) throws BuildFailure {
        Path workDir = dir.resolve(buildVm ? BUILD_VM : TEMPLATE_VM);
        String name = (buildVm ? "build-" : "template-") + build.id();
        // Both get a NIC: the build VM for its RUN steps, the template VM because its snapshot's clones get networks
        // (the device set is part of the snapshot). Each on its own namespace under the INTERNET_EGRESS policy.
        Nic nic;
        try {
            nic = machines.network(name);
        } catch (RuntimeException e) {
            throw new BuildFailure("the " + (buildVm ? "build" : "template") + " VM's network: " + e.getMessage());
        }
        // x86-64: the settings' boot files (the catalog's, or a test's); another architecture: its catalog's
        io.ember.vmm.Arch arch = ImageArchitecture.of(version);
        ImageCatalog boot;
        try {
            boot = arch == images.catalog.arch() ? null : images.catalog.of(arch);
        } catch (AssetsMissingException e) {
            throw new BuildFailure(e.getMessage());
        }
        VmSpec spec = new VmSpec(name, workDir, boot == null ? settings.kernel() : boot.kernel(),
                boot == null ? settings.initrd() : boot.initrd(), dir.resolve("rootfs.ext4"), version.vcpus(),
                version.memoryMib(), "ember-build", List.of(), nic).withArch(arch);
        if (aborted != null) throw new BuildFailure(aborted);
        try {
            Vm vm = buildVm ? machines.launchBuildVm(spec) : machines.launchTemplateVm(spec);
            current = vm;
            images.store.setBuildPid(build.id(), vm.pid());
            if (aborted != null) vm.terminate(Duration.ofSeconds(1));
            return vm;
        } catch (VmmException e) {
            throw new BuildFailure((buildVm ? "build" : "template") + " VM failed to start: " + e.getMessage());
        }
    }

    private GuestAgent hello(Vm vm, BuildLogFile log) throws BuildFailure {
        GuestAgent agent = null;
        try {
            agent = machines.connect(vm.agentSocket(), settings.bootTimeout());
            agent.hello(settings.bootTimeout());
            return agent;
        } catch (AgentException | RuntimeException e) {
            if (agent != null) agent.close();
            throw new BuildFailure("the VM did not answer its agent: " + e.getMessage() + consoleTail(vm));
        }
    }

    private void stop(Vm vm) {
        current = null;
        vm.terminate(Duration.ofSeconds(10));
        images.store.setBuildPid(build.id(), null);
    }

    /** Everything a failed or interrupted build leaves except its log and code: VM dirs, disk, snapshot, a half-read S3 zip. */
    static void removeLeftovers(Path dir) {
        for (String f : new String[] {BUILD_VM, TEMPLATE_VM, ValidationVm.DIR, SNAPSHOT_TMP, SNAPSHOT, "rootfs.ext4", CONFIG, CONFIG + ".tmp",
                "code.zip.part"}) {
            try {
                Images.deleteTree(dir.resolve(f));
            } catch (RuntimeException e) {
                // best effort: the next delete of the version removes the rest
            }
        }
    }

    private void command(BuildLogFile log, Duration timeout, String... argv) throws BuildFailure {
        try {
            Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
            p.getOutputStream().close();
            boolean done = p.waitFor(timeout.toSeconds(), TimeUnit.SECONDS);
            String out = new String(p.getInputStream().readNBytes(4096), StandardCharsets.UTF_8).strip();
            if (!done) p.destroyForcibly();
            if (!done || p.exitValue() != 0)
                throw new BuildFailure(argv[0] + " " + argv[1] + " failed" + (done ? " (exit " + p.exitValue() + ")" : " (timed out)")
                        + (out.isEmpty() ? "" : ": " + out));
            if (!out.isEmpty()) log.line(out);
        } catch (IOException e) {
            throw new BuildFailure("cannot run " + argv[0] + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BuildFailure("interrupted");
        }
    }

    private static String consoleTail(Vm vm) {
        try {
            List<String> lines = Files.readAllLines(vm.consoleLog(), StandardCharsets.UTF_8);
            return lines.isEmpty() ? "" : "; console: " + String.join(" | ", lines.subList(Math.max(0, lines.size() - 5), lines.size()));
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }

    private static String message(Exception e) {
        return e instanceof BuildFailure ? e.getMessage() : "internal error: " + e;
    }

    /** Bytes a file occupies on disk (sparse files count their allocated blocks only). */
    static long allocated(Path p) {
        try {
            Process du = new ProcessBuilder("du", "-B1", "-s", p.toString()).redirectErrorStream(true).start();
            String out = new String(du.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
            du.waitFor(10, TimeUnit.SECONDS);
            return Long.parseLong(out.split("\\s+")[0]);
        } catch (IOException | NumberFormatException e) {
            return 0;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 0;
        }
    }

    private static void fsync(Path d) throws IOException {
        try (FileChannel ch = FileChannel.open(d, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }

    private static long ms(long from, long to) {
        return (to - from) / 1_000_000;
    }
}

package io.ember.cli;

import io.ember.sdk.CodeArtifact;
import io.ember.sdk.CodeArtifactUpload;
import io.ember.sdk.CpuConfiguration;
import io.ember.sdk.CreateMicrovmImageRequest;
import io.ember.sdk.EmberClient;
import io.ember.sdk.EmberException;
import io.ember.sdk.Hooks;
import io.ember.sdk.MicrovmImageBuild;
import io.ember.sdk.MicrovmImageVersion;
import io.ember.sdk.MicrovmImageVersionState;
import io.ember.sdk.Resources;
import io.ember.sdk.UpdateMicrovmImageRequest;
import io.ember.sdk.WaiterTimeoutException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * create-microvm-image and update-microvm-image: upload a local code zip, start the build, then (unless
 * --no-wait) stream its log with progress to stderr and print the image. Exit 1 when the build FAILED.
 */
final class ImageBuildCommands {
    static final int BUILD_FAILED = 1;
    private static final Pattern URI = Pattern.compile("^[A-Za-z][A-Za-z0-9+.-]*://.*");

    private ImageBuildCommands() {}

    /** The version fields CreateMicrovmImage and UpdateMicrovmImage share, and how to wait. */
    static final class VersionOptions {
        @Spec(Spec.Target.MIXEE) CommandSpec spec;
        @Option(names = "--base-image-arn", required = true, paramLabel = "NAME|ARN",
                description = "the base: a managed image (debian, busybox, or its ARN) or another built image") String baseImage;
        @Option(names = "--base-image-version", paramLabel = "V") String baseVersion;
        @Option(names = "--code-artifact", required = true, paramLabel = "ZIP|URI",
                description = "a local zip (Dockerfile + files; uploaded first), or s3://bucket/key, ember-upload://ID, "
                        + "file:///abs.zip (on the server); AWS's uri=URI and {\"uri\":\"URI\"} forms too")
        String codeArtifact;
        @Option(names = "--description", paramLabel = "TEXT") String description;
        @Option(names = "--environment-variables", paramLabel = "JSON|K=V,...") String environment;
        @Option(names = "--resources", paramLabel = "JSON|shorthand",
                description = "e.g. minimumMemoryInMiB=512,vcpus=2 or '[{\"minimumMemoryInMiB\":512}]'") String resources;
        @Option(names = "--build-role-arn", paramLabel = "ARN") String buildRole;
        @Option(names = "--cpu-configurations", paramLabel = "JSON|ARCH",
                description = "the architecture: ARM_64 (arm64 guests) or X86_64, bare or as AWS writes it: "
                        + "architecture=ARM_64 or '[{\"architecture\":\"ARM_64\"}]'; default: the server host's") String cpu;
        @Option(names = "--hooks", paramLabel = "JSON", description = "lifecycle hooks (docs/hooks.md), e.g. "
                + "'{\"microvmHooks\":{\"run\":\"ENABLED\",\"runTimeoutInSeconds\":5}}'") String hooks;
        @Option(names = "--client-token", paramLabel = "T", description = "idempotency; a random one is sent when absent") String clientToken;
        @Option(names = "--no-wait", description = "print the answer at once instead of following the build") boolean noWait;
        @Option(names = "--wait-timeout", paramLabel = "SECONDS", defaultValue = "3600",
                description = "give up following after this long (exit 255); default ${DEFAULT-VALUE}") int waitTimeout;

        Map<String, String> environment() {
            return environment == null ? null : MicrovmCommands.parse(spec, "--environment-variables", () -> Shorthand.stringMap(environment));
        }

        Hooks hooks() {
            return hooks == null ? null : MicrovmCommands.parse(spec, "--hooks", () -> Shorthand.object(hooks, Hooks.class));
        }

        List<Resources> resources() {
            return resources == null ? null : MicrovmCommands.parse(spec, "--resources", () -> Shorthand.resources(resources));
        }

        List<CpuConfiguration> cpuConfigurations() {
            return cpu == null ? null : MicrovmCommands.parse(spec, "--cpu-configurations", () -> Shorthand.cpuConfigurations(cpu));
        }

        /** The URI as given (bare, or as the AWS CLI writes it: uri=URI or {"uri":"URI"}), or a local zip uploaded first. */
        CodeArtifact codeArtifact(EmberClient c, BuildProgress progress) {
            String uri = awsForm(codeArtifact);
            if (uri != null) return CodeArtifact.of(uri);
            if (URI.matcher(codeArtifact).matches()) return CodeArtifact.of(codeArtifact);
            Path zip = Path.of(codeArtifact);
            if (!Files.isRegularFile(zip)) {
                throw new ParameterException(spec.commandLine(), "--code-artifact: no such file '" + codeArtifact
                        + "' (give a local zip, or a URI such as ember-upload://ID or file:///abs/path.zip)");
            }
            progress.note("uploading " + zip.getFileName() + " (" + size(zip) + " bytes)");
            CodeArtifactUpload u = c.uploadCodeArtifact(zip);
            progress.note("uploaded as " + u.uri());
            return u.codeArtifact();
        }

        /** The URI of the AWS CLI's {@code --code-artifact uri=s3://b/k} or {@code {"uri":"s3://b/k"}}; null for other forms. */
        private String awsForm(String value) {
            String v = value.strip();
            if (v.startsWith("uri=")) return v.substring(4);
            if (v.startsWith("{")) {
                CodeArtifact a = MicrovmCommands.parse(spec, "--code-artifact", () -> Shorthand.object(v, CodeArtifact.class));
                if (a == null || a.uri() == null) throw new ParameterException(spec.commandLine(), "--code-artifact: {\"uri\": ...} names no uri");
                return a.uri();
            }
            return null;
        }

        void validate() {
            if (waitTimeout < 1) throw new ParameterException(spec.commandLine(), "--wait-timeout must be at least 1 second");
        }

        private static long size(Path p) {
            try {
                return Files.size(p);
            } catch (java.io.IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    @Command(name = "create-microvm-image", description = {
            "Create an image from a base image and a code zip holding a Dockerfile (CreateMicrovmImage),",
            "then follow its build: log and progress on stderr, the image's JSON on stdout. Exit 1 if the build fails."})
    static final class Create implements Callable<Integer> {
        @ParentCommand EmberCommand root;
        @Option(names = "--name", required = true, paramLabel = "NAME") String name;
        @Mixin VersionOptions v;

        @Override
        public Integer call() {
            v.validate();
            BuildProgress progress = new BuildProgress(root.io().err());
            try (EmberClient c = root.client()) {
                var req = CreateMicrovmImageRequest.of(name, v.baseImage, v.codeArtifact(c, progress))
                        .withBaseImageVersion(v.baseVersion).withDescription(v.description).withBuildRoleArn(v.buildRole)
                        .withEnvironmentVariables(v.environment()).withResources(v.resources()).withClientToken(v.clientToken)
                        .withHooks(v.hooks()).withCpuConfigurations(v.cpuConfigurations());
                var r = c.createMicrovmImage(req);
                if (v.noWait) {
                    Output.print(root.io().out(), r, root.format(EmberCommand.Format.json));
                    return 0;
                }
                progress.note("image " + r.name() + " version " + r.imageVersion() + ": " + r.state());
                return watch(root, c, progress, r.name() != null ? r.name() : name, r.imageVersion(), v.waitTimeout);
            }
        }
    }

    @Command(name = "update-microvm-image", description = {
            "Build a new version of an image (UpdateMicrovmImage), followed as create-microvm-image does."})
    static final class Update implements Callable<Integer> {
        @ParentCommand EmberCommand root;
        @Option(names = "--image-identifier", required = true, paramLabel = "NAME|ARN") String image;
        @Mixin VersionOptions v;

        @Override
        public Integer call() {
            v.validate();
            BuildProgress progress = new BuildProgress(root.io().err());
            try (EmberClient c = root.client()) {
                var req = UpdateMicrovmImageRequest.of(image, v.baseImage, v.codeArtifact(c, progress))
                        .withBaseImageVersion(v.baseVersion).withDescription(v.description).withBuildRoleArn(v.buildRole)
                        .withEnvironmentVariables(v.environment()).withResources(v.resources()).withClientToken(v.clientToken)
                        .withHooks(v.hooks()).withCpuConfigurations(v.cpuConfigurations());
                var r = c.updateMicrovmImage(req);
                if (v.noWait) {
                    Output.print(root.io().out(), r, root.format(EmberCommand.Format.json));
                    return 0;
                }
                progress.note("image " + r.name() + " version " + r.imageVersion() + ": " + r.state());
                return watch(root, c, progress, image, r.imageVersion(), v.waitTimeout);
            }
        }
    }

    /** Streams the version's build log with progress, waits for its end, prints the image; the exit code. */
    static int watch(EmberCommand root, EmberClient c, BuildProgress progress, String image, String version, int timeoutSeconds) {
        Instant deadline = Instant.now().plusSeconds(timeoutSeconds);
        try {
            Optional<MicrovmImageBuild> build = findBuild(c, image, version, deadline);
            build.ifPresent(b -> followLog(c, progress, image, version, b.buildId(), deadline));
            MicrovmImageVersion v = c.waitForImageVersion(image, version, remaining(deadline));
            var finalImage = c.getMicrovmImage(image);
            boolean ok = v.state() == MicrovmImageVersionState.SUCCESSFUL;
            progress.note("image " + image + " version " + version + ": " + v.state() + " after " + progress.elapsed()
                    + " (" + progress.steps() + " steps)");
            Output.print(root.io().out(), finalImage, root.format(EmberCommand.Format.json));
            if (ok) return 0;
            root.io().err().println("Build failed: " + (v.stateReason() == null ? "the server gave no reason" : v.stateReason()));
            return BUILD_FAILED;
        } catch (WaiterTimeoutException e) {
            progress.note("gave up after " + timeoutSeconds + "s (--wait-timeout); the build goes on on the server");
            root.io().err().println(e.getMessage());
            return Failures.OTHER_ERROR;
        }
    }

    /** The version's newest build; none if the version ends before one is listed (or never lists one in time). */
    private static Optional<MicrovmImageBuild> findBuild(EmberClient c, String image, String version, Instant deadline) {
        while (true) {
            Optional<MicrovmImageBuild> newest = c.listAllMicrovmImageBuilds(image, version)
                    .max(Comparator.comparing(MicrovmImageBuild::createdAt, Comparator.nullsFirst(Comparator.naturalOrder())));
            if (newest.isPresent()) return newest;
            MicrovmImageVersionState s = c.getMicrovmImageVersion(image, version).state();
            if (s != null && s.isFinal()) return Optional.empty();
            if (Instant.now().isAfter(deadline)) throw new WaiterTimeoutException("no build of version " + version + " listed in time");
            sleep(300);
        }
    }

    /** Follows the log on its own thread so the deadline holds; a log that breaks leaves the wait to polling. */
    private static void followLog(EmberClient c, BuildProgress progress, String image, String version, String buildId,
                                  Instant deadline) {
        CompletableFuture<Long> f = new CompletableFuture<>();
        Thread t = Thread.ofVirtual().name("ember-build-log").start(() -> {
            try {
                f.complete(c.followBuildLog(image, version, buildId, 0, progress));
            } catch (Throwable e) {
                f.completeExceptionally(e);
            }
        });
        try {
            f.get(remaining(deadline).toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            t.interrupt(); // the client's close aborts the stream itself
            throw new WaiterTimeoutException("build " + buildId + " of " + image + " version " + version + " still running");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (!(cause instanceof EmberException || cause instanceof UncheckedIOException)) throw new IllegalStateException(cause);
            progress.note("build log unavailable (" + cause.getMessage() + "); waiting for the build to end");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new WaiterTimeoutException("interrupted while following the build");
        }
    }

    private static Duration remaining(Instant deadline) {
        Duration d = Duration.between(Instant.now(), deadline);
        return d.isNegative() ? Duration.ZERO : d;
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new WaiterTimeoutException("interrupted while waiting for the build");
        }
    }
}

package io.ember.cli;

import io.ember.sdk.EmberClient;
import io.ember.sdk.ListMicrovmImagesRequest;
import io.ember.sdk.MicrovmImageBuild;
import io.ember.sdk.MicrovmImageVersionStatus;
import io.ember.sdk.ResourceNotFoundException;
import java.io.PrintStream;
import java.util.Comparator;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** The image verbs other than create and update: describe, list, delete, version status, builds, build log. */
final class ImageCommands {
    private ImageCommands() {}

    private static void print(EmberCommand root, Object answer) {
        Output.print(root.io().out(), answer, root.format(EmberCommand.Format.json));
    }

    @Command(name = "get-microvm-image", description = "Describe an image, with its state (GetMicrovmImage).")
    static final class Get implements Callable<Integer> {
        @ParentCommand EmberCommand root;
        @Option(names = "--image-identifier", required = true, paramLabel = "NAME|ARN") String image;

        @Override
        public Integer call() {
            try (EmberClient c = root.client()) {
                print(root, c.getMicrovmImage(image));
            }
            return 0;
        }
    }

    @Command(name = "list-microvm-images", description = "List built images (ListMicrovmImages), all pages unless --max-items.")
    static final class ListImages implements Callable<Integer> {
        @ParentCommand EmberCommand root;
        @Mixin MicrovmCommands.Paging paging;
        @Option(names = "--name-filter", paramLabel = "TEXT", description = "only images whose name contains TEXT") String nameFilter;

        @Override
        public Integer call() {
            try (EmberClient c = root.client()) {
                print(root, paging.collect((size, token) -> {
                    var page = c.listMicrovmImages(new ListMicrovmImagesRequest(size, token, nameFilter));
                    return new MicrovmCommands.Page(page.items(), page.nextToken());
                }));
            }
            return 0;
        }
    }

    @Command(name = "delete-microvm-image", description = "Delete an image and all its versions (DeleteMicrovmImage).")
    static final class Delete implements Callable<Integer> {
        @ParentCommand EmberCommand root;
        @Option(names = "--image-identifier", required = true, paramLabel = "NAME|ARN") String image;

        @Override
        public Integer call() {
            try (EmberClient c = root.client()) {
                print(root, c.deleteMicrovmImage(image));
            }
            return 0;
        }
    }

    @Command(name = "get-microvm-image-version", description = "Describe one version of an image (GetMicrovmImageVersion).")
    static final class GetVersion implements Callable<Integer> {
        @ParentCommand EmberCommand root;
        @Option(names = "--image-identifier", required = true, paramLabel = "NAME|ARN") String image;
        @Option(names = "--image-version", required = true, paramLabel = "V") String version;

        @Override
        public Integer call() {
            try (EmberClient c = root.client()) {
                print(root, c.getMicrovmImageVersion(image, version));
            }
            return 0;
        }
    }

    @Command(name = "list-microvm-image-versions", description = "List the versions of an image (ListMicrovmImageVersions).")
    static final class ListVersions implements Callable<Integer> {
        @ParentCommand EmberCommand root;
        @Mixin MicrovmCommands.Paging paging;
        @Option(names = "--image-identifier", required = true, paramLabel = "NAME|ARN") String image;

        @Override
        public Integer call() {
            try (EmberClient c = root.client()) {
                print(root, paging.collect((size, token) -> {
                    var page = c.listMicrovmImageVersions(image, size, token);
                    return new MicrovmCommands.Page(page.items(), page.nextToken());
                }));
            }
            return 0;
        }
    }

    @Command(name = "update-microvm-image-version",
            description = "Set a version ACTIVE or INACTIVE; microVMs launch only from ACTIVE ones (UpdateMicrovmImageVersion).")
    static final class UpdateVersion implements Callable<Integer> {
        @ParentCommand EmberCommand root;
        @Option(names = "--image-identifier", required = true, paramLabel = "NAME|ARN") String image;
        @Option(names = "--image-version", required = true, paramLabel = "V") String version;
        @Option(names = "--status", required = true, paramLabel = "ACTIVE|INACTIVE") String status;
        @Spec CommandSpec spec;

        @Override
        public Integer call() {
            MicrovmImageVersionStatus s = switch (status) {
                case "ACTIVE" -> MicrovmImageVersionStatus.ACTIVE;
                case "INACTIVE" -> MicrovmImageVersionStatus.INACTIVE;
                default -> throw new ParameterException(spec.commandLine(), "--status must be ACTIVE or INACTIVE, got '" + status + "'");
            };
            try (EmberClient c = root.client()) {
                print(root, c.updateMicrovmImageVersion(image, version, s));
            }
            return 0;
        }
    }

    @Command(name = "delete-microvm-image-version", description = "Delete one version of an image (DeleteMicrovmImageVersion).")
    static final class DeleteVersion implements Callable<Integer> {
        @ParentCommand EmberCommand root;
        @Option(names = "--image-identifier", required = true, paramLabel = "NAME|ARN") String image;
        @Option(names = "--image-version", required = true, paramLabel = "V") String version;

        @Override
        public Integer call() {
            try (EmberClient c = root.client()) {
                print(root, c.deleteMicrovmImageVersion(image, version));
            }
            return 0;
        }
    }

    @Command(name = "list-microvm-image-builds", description = "List the builds of an image version (ListMicrovmImageBuilds).")
    static final class ListBuilds implements Callable<Integer> {
        @ParentCommand EmberCommand root;
        @Mixin MicrovmCommands.Paging paging;
        @Option(names = "--image-identifier", required = true, paramLabel = "NAME|ARN") String image;
        @Option(names = "--image-version", required = true, paramLabel = "V") String version;

        @Override
        public Integer call() {
            try (EmberClient c = root.client()) {
                print(root, paging.collect((size, token) -> {
                    var page = c.listMicrovmImageBuilds(image, version, size, token);
                    return new MicrovmCommands.Page(page.items(), page.nextToken());
                }));
            }
            return 0;
        }
    }

    @Command(name = "get-microvm-image-build", description = "Describe one build (GetMicrovmImageBuild).")
    static final class GetBuild implements Callable<Integer> {
        @ParentCommand EmberCommand root;
        @Option(names = "--image-identifier", required = true, paramLabel = "NAME|ARN") String image;
        @Option(names = "--image-version", required = true, paramLabel = "V") String version;
        @Option(names = "--build-id", required = true, paramLabel = "ID") String buildId;

        @Override
        public Integer call() {
            try (EmberClient c = root.client()) {
                print(root, c.getMicrovmImageBuild(image, version, buildId));
            }
            return 0;
        }
    }

    @Command(name = "get-microvm-image-build-log",
            description = "Print a build's log (Ember extension); --follow streams it until the build ends.")
    static final class BuildLog implements Callable<Integer> {
        @ParentCommand EmberCommand root;
        @Spec CommandSpec spec;
        @Option(names = "--image-identifier", required = true, paramLabel = "NAME|ARN") String image;
        @Option(names = "--image-version", required = true, paramLabel = "V") String version;
        @Option(names = "--build-id", paramLabel = "ID", description = "default: the version's newest build") String buildId;
        @Option(names = "--offset", paramLabel = "BYTES", defaultValue = "0", description = "start this many bytes in") long offset;
        @Option(names = {"-f", "--follow"}, description = "keep printing until the build ends") boolean follow;

        @Override
        public Integer call() {
            if (offset < 0) throw new ParameterException(spec.commandLine(), "--offset must not be negative");
            PrintStream out = root.io().out();
            try (EmberClient c = root.client()) {
                String id = buildId != null ? buildId : c.listAllMicrovmImageBuilds(image, version)
                        .max(Comparator.comparing(MicrovmImageBuild::createdAt, Comparator.nullsFirst(Comparator.naturalOrder())))
                        .map(MicrovmImageBuild::buildId)
                        .orElseThrow(() -> new ResourceNotFoundException(404, null, "version " + version + " of image "
                                + image + " has no build", "MicrovmImageBuild", null));
                if (follow) c.followBuildLog(image, version, id, offset, out);
                else c.getBuildLog(image, version, id, offset, false, out);
            }
            out.flush();
            return 0;
        }
    }
}

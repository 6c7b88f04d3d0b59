package io.ember.image.build;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * The parsed Dockerfile (the subset in docs/dockerfile.md).
 *
 * @param from the FROM image reference after ARG substitution: a managed image name (busybox, debian) or an Ember
 *     image name or ARN, optionally {@code name:version}
 * @param fromLine the line of FROM
 * @param steps every instruction after FROM, in order (what the build VM executes, and the rest for the log)
 * @param config what the image carries to runtime, the base image's configuration included
 */
public record Dockerfile(String from, int fromLine, List<Step> steps, ImageConfig config) {
    /** Larger Dockerfiles are refused before parsing. */
    public static final int MAX_BYTES = 1 << 20;

    public Dockerfile {
        steps = List.copyOf(steps);
    }

    /** The configuration a base image brings (ENV, WORKDIR, USER, CMD, ... of an Ember image; empty for busybox). */
    @FunctionalInterface
    public interface BaseImages {
        /** @throws BuildFailure with a message naming what is wrong with {@code from} (the parser adds the line) */
        ImageConfig configOf(String from) throws BuildFailure;
    }

    /** Parses against a base image without configuration (a managed image). */
    public static Dockerfile parse(String text, Map<String, String> buildArgs) throws BuildFailure {
        return parse(text, buildArgs, from -> ImageConfig.empty());
    }

    /**
     * @param buildArgs values for ARG (override the defaults); null for none
     * @param bases the configuration of the FROM image, which ENV, WORKDIR, CMD and the rest start from
     */
    public static Dockerfile parse(String text, Map<String, String> buildArgs, BaseImages bases) throws BuildFailure {
        if (text.getBytes(StandardCharsets.UTF_8).length > MAX_BYTES)
            throw new BuildFailure("the Dockerfile is larger than " + MAX_BYTES + " bytes");
        if (text.indexOf('\0') >= 0) throw new BuildFailure("the Dockerfile contains a NUL character");
        return new DockerfileParser(buildArgs == null ? Map.of() : buildArgs, bases).parse(Lines.parse(text));
    }

    /** How many steps Docker would count: FROM and everything after it. */
    public int stepCount() {
        return steps.size() + 1;
    }
}

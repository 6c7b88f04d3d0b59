package io.ember.image.build;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the built image carries to runtime.
 *
 * @param env ENV, in declaration order
 * @param workdir WORKDIR, absolute, default "/"
 * @param user USER, null for root
 * @param entrypoint ENTRYPOINT as an exec list (shell form is {@code ["/bin/sh","-c",text]}); null when unset
 * @param cmd CMD likewise; null when unset
 * @param exposedPorts EXPOSE'd TCP ports, in order, without duplicates
 * @param labels LABEL, in declaration order
 */
public record ImageConfig(Map<String, String> env, String workdir, String user, List<String> entrypoint,
                          List<String> cmd, List<Integer> exposedPorts, Map<String, String> labels) {

    public ImageConfig {
        env = Collections.unmodifiableMap(new LinkedHashMap<>(env == null ? Map.of() : env));
        workdir = workdir == null || workdir.isEmpty() ? "/" : workdir;
        entrypoint = entrypoint == null ? null : List.copyOf(entrypoint);
        cmd = cmd == null ? null : List.copyOf(cmd);
        exposedPorts = List.copyOf(exposedPorts == null ? List.of() : exposedPorts);
        labels = Collections.unmodifiableMap(new LinkedHashMap<>(labels == null ? Map.of() : labels));
    }

    /** The configuration of an image without any (a managed base image). */
    public static ImageConfig empty() {
        return new ImageConfig(Map.of(), "/", null, null, null, List.of(), Map.of());
    }

    /**
     * The application the image runs, Docker's rule: ENTRYPOINT followed by CMD as its arguments, or CMD alone.
     * A shell-form ENTRYPOINT ({@code sh -c text}) thereby ignores CMD, as in Docker. Empty when neither is set.
     */
    public List<String> application() {
        List<String> all = new ArrayList<>();
        if (entrypoint != null) all.addAll(entrypoint);
        if (cmd != null) all.addAll(cmd);
        return List.copyOf(all);
    }
}
